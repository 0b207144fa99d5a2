"""A hand-written step (`steps.py`) as a plain eager PyTorch step.

The networks are called eagerly (training=True); each player's gradient is
`torch.autograd.grad` of its loss with respect to its own weights, with the
other players' weights switched out of autograd while the loss runs (the
usual way to freeze a network in PyTorch), then `optimizer.apply` under
`torch.no_grad()`. No ganzoo engine, no `fit()`.
"""

import keras
import torch

from hand_written.averaging import blend


class TorchStep:
    """`TorchStep(recipe, seed)(batch) -> logs`: one eager step on the recipe's (built) networks;
    `seed` seeds the step's random draws."""

    def __init__(self, recipe, seed=1):
        self.recipe = recipe
        recipe.build_optimizers()
        self.seed = keras.random.SeedGenerator(seed)
        self.own = {name: keras.ops.convert_to_tensor(value) for name, value in recipe.state.items()}

    def __call__(self, batch):
        batch = keras.tree.map_structure(keras.ops.convert_to_tensor, batch)
        return {name: value.detach() for name, value in self.recipe.step(self, batch).items()}

    def normal(self, shape):
        return keras.random.normal(shape, seed=self.seed)

    def uniform(self, shape):
        return keras.random.uniform(shape, seed=self.seed)

    def read(self, name):
        return self.own[name]

    def write(self, name, value):
        self.own[name] = keras.ops.cast(value, self.own[name].dtype).detach()

    def update(self, player, loss_fn, has_aux=False):
        networks = self.recipe.networks
        names = self.recipe.players[player]
        frozen = [v.value for members in self.recipe.players.values() for name in members if name not in names
                  for v in networks[name].trainable_variables]
        for weight in frozen:
            weight.requires_grad_(False)
        try:
            loss = loss_fn(lambda name, x: networks[name](x, training=True))
        finally:
            for weight in frozen:
                weight.requires_grad_(True)
        loss, aux = loss if has_aux else (loss, None)
        variables = self.recipe.trainable_variables(player)
        grads = torch.autograd.grad(loss, [v.value for v in variables])
        with torch.no_grad():
            self.recipe.optimizers[player].apply(grads, variables)
        return (loss, keras.tree.map_structure(lambda x: x.detach(), aux)) if has_aux else loss

    def call(self, name, x):
        with torch.no_grad():
            return self.recipe.networks[name](x, training=True)

    def average(self, copy, source, decay):
        networks = self.recipe.networks
        with torch.no_grad():
            for mine, theirs in zip(networks[copy].weights, networks[source].weights):
                mine.assign(blend(mine.value, theirs.value, theirs.trainable, decay))
