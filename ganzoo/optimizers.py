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
