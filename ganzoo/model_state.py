"""How a `ganzoo.GAN` is saved and loaded: its config, compile config and state.

The config is the constructor's arguments (recorded by `GAN.__new__`); the
compile config names every player's optimizer and the loss. Keras saves a
layer's own variables but not its `SeedGenerator`s' states; a resumed run
must continue the same random streams (the model's, and its layers': dropout,
image histories), so they are saved among the model-level variables, after
the model's own.
"""

from __future__ import annotations

import keras

from ganzoo import losses


def own_state(model):
    """`(own variables, random states)` of `model`, in the order they are saved."""
    own = [*model._trainable_variables, *model._non_trainable_variables]
    return own, [model.seed_generator.state, *_layer_random_states(model)]


def _layer_random_states(model):
    states, seen = [], {id(model.seed_generator)}
    for layer in model._flatten_layers(include_self=False):
        for generator in getattr(layer, "_seed_generators", ()):
            if id(generator) not in seen:
                seen.add(id(generator))
                states.append(generator.state)
    return states


def save(model, store):
    """`Layer.save_own_variables` for a GAN: its variables, then its random states."""
    own, random_states = own_state(model)
    for i, variable in enumerate([*own, *random_states]):
        store[str(i)] = variable.numpy()


def load(model, store):
    """`Layer.load_own_variables` for a GAN; also reads files of earlier
    versions, which hold no random state or only the model's (what they lack
    keeps its current stream)."""
    own, random_states = own_state(model)
    for kept in (len(random_states), 1, 0):
        if len(store.keys()) == len(own) + kept:
            break
    else:
        raise ValueError(f"{model.name}: the file holds {len(store.keys())} model-level variables, "
                         f"this model has {len(own) + len(random_states)}")
    for i, variable in enumerate([*own, *random_states[:kept]]):
        variable.assign(store[str(i)])


class SavedState:
    """Mixin of `ganzoo.GAN`, before `keras.Model`: Keras' saving hooks."""

    def get_config(self):
        """The constructor's arguments (plus Keras' name, dtype, trainable)."""
        base = super().get_config()
        return {**{k: base[k] for k in ("name", "trainable", "dtype") if k in base}, **self._constructor_arguments}

    @classmethod
    def from_config(cls, config):
        # The networks are built in __init__ under the global policy; build
        # them under the saved one, or a mixed_bfloat16 model would come back
        # computing in float32.
        dtype = config.get("dtype")
        if dtype is None:
            return cls(**config)
        policy = keras.dtype_policies.get(dtype)
        previous = keras.config.dtype_policy()
        keras.config.set_dtype_policy(policy)
        try:
            return cls(**config)
        finally:
            keras.config.set_dtype_policy(previous)

    def save_own_variables(self, store):
        # Keras skips SeedGenerator states; resumed runs need them.
        save(self, store)

    def load_own_variables(self, store):
        load(self, store)

    def get_compile_config(self):
        if not self.compiled:
            return None
        def unwrap(opt):
            return opt.inner_optimizer if isinstance(opt, keras.optimizers.LossScaleOptimizer) else opt
        return {
            "optimizers": {name: keras.optimizers.serialize(unwrap(opt)) for name, opt in self.optimizer.items()},
            "loss": keras.saving.serialize_keras_object(self.loss),
            **getattr(self, "_ganzoo_compile_kwargs", {}),
        }

    def compile_from_config(self, config):
        config = dict(config)
        optimizers = {name: keras.optimizers.deserialize(c) for name, c in config.pop("optimizers").items()}
        loss = losses.get(config.pop("loss"))
        self.compile(optimizers=optimizers, loss=loss, **config)
