"""One optimizer object that holds every network's optimizer.

Keras threads a model's training state through `model.optimizer` (on JAX it
is the only optimizer state that reaches the compiled step), saves it under
that name, and `BackupAndRestore` builds only it. A GAN has one optimizer per
player, so the model's `optimizer` is an `OptimizerGroup`: a container whose
`variables` are all of its members' variables, in a fixed order.
"""

from __future__ import annotations

import types

import keras

from ganzoo import losses


@keras.saving.register_keras_serializable(package="ganzoo")
class OptimizerGroup(keras.optimizers.Optimizer):
    """Named optimizers, one per set of networks, seen by Keras as one.

    The members do the updates (`ganzoo.GAN.update` calls them directly);
    the group only holds their state and counts training steps in
    `iterations`.

    Args:
        optimizers: dict mapping a name (such as `"generator"`) to a Keras
            optimizer.
        name: the group's name.

    Example:

    ```python
    group = OptimizerGroup({"generator": keras.optimizers.Adam(2e-4, beta_1=0.5),
                            "discriminator": keras.optimizers.Adam(2e-4, beta_1=0.5)})
    group["generator"].learning_rate
    ```
    """

    def __init__(self, optimizers, name="optimizer_group", **kwargs):
        super().__init__(learning_rate=0.0, name=name, **kwargs)
        members = {
            key: value if isinstance(value, keras.optimizers.Optimizer) else keras.optimizers.deserialize(value)
            for key, value in sorted(dict(optimizers).items())
        }
        # A read-only mapping is invisible to Keras' attribute walk while saving,
        # so each member's state is written once, through `variables`.
        self._members = types.MappingProxyType(members)

    def __getitem__(self, key):
        return self._members[key]

    def __contains__(self, key):
        return key in self._members

    def items(self):
        return self._members.items()

    def keys(self):
        return self._members.keys()

    @property
    def variables(self):
        result = list(self._variables)
        for member in self._members.values():
            result.extend(member.variables)
        return result

    def build(self, variables):
        # Members are built by the model for their own networks (GAN.compile);
        # Keras calls this with all trainable variables, which is not their split.
        self.built = True

    def apply(self, grads, trainable_variables=None):
        raise RuntimeError(
            "OptimizerGroup holds state only; update through a member, "
            "e.g. model.update(model.generator, model.optimizer['generator'], loss_fn)"
        )

    @property
    def optimizers(self):
        """The members, in name order (the attribute Keras' TensorBoard
        callback reads to log each learning rate). A view, not a list: Keras'
        saving walks list attributes and would write every member's state a
        second time."""
        return self._members.values()

    def get_config(self):
        return {
            "name": self.name,
            "optimizers": {key: keras.optimizers.serialize(m) for key, m in self._members.items()},
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)


def adam(learning_rate=2e-4, beta_1=0.5, beta_2=0.999, **kwargs):
    """Adam with the beta_1 = 0.5 that Radford et al. (2016) found stabilises GANs."""
    return keras.optimizers.Adam(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, **kwargs)


class Players:
    """Mixin of `ganzoo.GAN`, before `keras.Model`: one optimizer per player.

    `compile()` builds the optimizers of `default_optimizers()` (or those
    passed) for the networks of `optimizer_targets()`, and makes them the
    model's one `OptimizerGroup`."""

    def default_optimizers(self) -> dict:
        """The published optimizers: a dict from optimizer name to optimizer.

        Names are keys of `optimizer_targets()`."""
        return {"generator": adam(), "discriminator": adam()}

    def optimizer_targets(self) -> dict:
        """Which networks each optimizer updates: name -> list of networks."""
        return {"generator": [self.generator], "discriminator": [self.discriminator]}

    def compile(self, optimizers=None, loss=None, **kwargs):
        """Configures training; with no arguments, as the plugin's paper did.

        Args:
            optimizers: optional dict overriding some of `default_optimizers()`
                by name (optimizer instances, names or configs).
            loss: optional adversarial loss (name, config or
                `ganzoo.losses.AdversarialLoss`) instead of `default_loss`.
            **kwargs: passed to `keras.Model.compile` (`jit_compile`,
                `steps_per_execution`, `run_eagerly`).
        """
        targets = self.optimizer_targets()
        chosen = self.default_optimizers()
        for name, optimizer in (optimizers or {}).items():
            if name not in chosen:
                raise ValueError(f"no optimizer named {name!r}; this model has {', '.join(chosen)}")
            chosen[name] = keras.optimizers.get(optimizer)
        if self.dtype_policy.name == "mixed_float16":
            chosen = {
                name: opt if isinstance(opt, keras.optimizers.LossScaleOptimizer) else keras.optimizers.LossScaleOptimizer(opt)
                for name, opt in chosen.items()
            }
        for name, optimizer in chosen.items():
            # Built now so that saved optimizer state has somewhere to load into.
            optimizer.build(self.variables_of(targets[name]))
        self.loss = losses.get(loss if loss is not None else self.default_loss)
        # The group is model.optimizer so that Keras saves, restores and (on JAX)
        # threads every player's optimizer state; loss scaling is per member.
        super().compile(optimizer=OptimizerGroup(chosen), auto_scale_loss=False, **kwargs)
        self._ganzoo_compile_kwargs = dict(kwargs)

    @staticmethod
    def variables_of(networks):
        """Trainable variables of one network or a list of networks."""
        if not isinstance(networks, (list, tuple)):
            networks = [networks]
        return [v for net in networks for v in net.trainable_variables]
