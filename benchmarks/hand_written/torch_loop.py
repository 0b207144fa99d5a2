"""A hand-written step (`steps.py`) as a plain eager PyTorch step.

The networks are called eagerly (training=True); each player's gradient is
`torch.autograd.grad` of its loss with respect to its own weights, with the
other players' weights switched out of autograd while the loss runs (the
usual way to freeze a network in PyTorch), then `optimizer.apply` under
`torch.no_grad()`. No ganzoo engine, no `fit()`. A schedule that is only
sometimes on (`t.every`: lazy R1) is a Python `if` on the loop's step counter.
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
        self.steps = int(recipe.first_step)

    def __call__(self, batch):
        batch = keras.tree.map_structure(keras.ops.convert_to_tensor, batch)
        logs = {name: value.detach() for name, value in self.recipe.step(self, batch).items()}
        self.steps += 1
        return logs

    def sync(self):
        """Nothing to do: the networks' variables are the step's (`JaxStep.sync` writes them back)."""

    def normal(self, shape):
        return keras.random.normal(shape, seed=self.seed)

    def uniform(self, shape):
        return keras.random.uniform(shape, seed=self.seed)

    def integers(self, shape, minval, maxval):
        return keras.random.randint(shape, minval, maxval, dtype="int32", seed=self.seed)

    def every(self, interval):
        return self.steps % int(interval) == 0

    def read(self, name):
        return self.own[name]

    def write(self, name, value):
        self.own[name] = keras.ops.cast(value, self.own[name].dtype).detach()

    def update(self, player, loss_fn, has_aux=False):
        networks = self.recipe.networks
        names = self.recipe.trained(player)
        frozen = [v.value for other in self.recipe.optimizers if other != player
                  for name in self.recipe.trained(other) if name not in names
                  for v in networks[name].trainable_variables]
        for weight in frozen:
            weight.requires_grad_(False)
        try:
            result = loss_fn(lambda name, x: networks[name](x, training=True))
        finally:
            for weight in frozen:
                weight.requires_grad_(True)
        loss, aux = result if has_aux else (result, None)
        variables = [v for name in names for v in networks[name].trainable_variables]
        grads = torch.autograd.grad(loss, [v.value for v in variables])
        with torch.no_grad():
            self.recipe.optimizers[player].apply(grads, variables)
        if has_aux:
            return loss, keras.tree.map_structure(lambda x: x.detach() if isinstance(x, torch.Tensor) else x, aux)
        return loss

    def input_gradient(self, fn, x):
        with torch.enable_grad():
            # An input that is itself a function of the trained weights (StyleGAN2's ws) keeps its
            # graph, so the penalty reaches those weights through it too.
            if not x.requires_grad:
                x = x.detach().requires_grad_(True)
            total = keras.ops.sum(keras.ops.cast(fn(x), "float32"))
            return torch.autograd.grad(total, x, create_graph=True)[0]

    def call(self, name, x):
        with torch.no_grad():
            return self.recipe.networks[name](x, training=True)

    def average(self, copy, source, decay):
        networks = self.recipe.networks
        with torch.no_grad():
            for mine, theirs in zip(networks[copy].weights, networks[source].weights):
                mine.assign(blend(mine.value, theirs.value, theirs.trainable, decay))
