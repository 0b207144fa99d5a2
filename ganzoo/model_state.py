"""What a `ganzoo.GAN` saves beyond Keras' own variables: the random streams.

Keras saves a layer's own variables but not its `SeedGenerator`s' states; a
resumed run must continue the same random streams (the model's, and its
layers': dropout, image histories), so they are saved among the model-level
variables, after the model's own.
"""

from __future__ import annotations


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
