"""A hand-written step (`steps.py`) as keras.io's "custom train step in JAX" writes one.

The whole step is one `jax.jit` of a pure function `(state, batch) -> (state, logs)`:
the networks run through `stateless_call` on the state's values, each player's
gradient is `jax.value_and_grad` of its loss with respect to its trainable
values only, `optimizer.stateless_apply` updates them, and every BatchNorm
statistic, optimizer slot and the random key travel in and out of the step
(donated, as Keras' JAX trainer donates its state). No ganzoo engine, no `fit()`.
"""

import jax
import keras

from hand_written.averaging import blend


class JaxStep:
    """`JaxStep(recipe, seed)(batch) -> logs`: one jitted step on the recipe's (built) networks;
    `seed` seeds the step's random key."""

    def __init__(self, recipe, seed=1):
        self.recipe = recipe
        recipe.build_optimizers()
        networks = recipe.networks.items()
        self.state = {
            "trainable": {name: [v.value for v in net.trainable_variables] for name, net in networks},
            "non_trainable": {name: [v.value for v in net.non_trainable_variables] for name, net in networks},
            "optimizers": {player: [v.value for v in opt.variables] for player, opt in recipe.optimizers.items()},
            "key": jax.random.PRNGKey(seed),
            "own": {name: jax.numpy.asarray(value) for name, value in recipe.state.items()},
        }
        self.jitted = jax.jit(self.pure_step, donate_argnums=0)

    def pure_step(self, state, batch):
        toolkit = _Toolkit(self.recipe, state)
        logs = self.recipe.step(toolkit, batch)
        return toolkit.state, logs

    def __call__(self, batch):
        self.state, logs = self.jitted(self.state, batch)
        return logs


class _Toolkit:
    """`steps.py`'s toolkit on traced values: a new state after each operation."""

    def __init__(self, recipe, state):
        self.recipe = recipe
        self.state = {key: dict(value) if isinstance(value, dict) else value for key, value in state.items()}

    def normal(self, shape):
        self.state["key"], key = jax.random.split(self.state["key"])
        return keras.random.normal(shape, seed=key)

    def uniform(self, shape):
        self.state["key"], key = jax.random.split(self.state["key"])
        return keras.random.uniform(shape, seed=key)

    def read(self, name):
        return self.state["own"][name]

    def write(self, name, value):
        self.state["own"][name] = jax.numpy.asarray(value, self.state["own"][name].dtype)

    def update(self, player, loss_fn, has_aux=False):
        networks = self.recipe.networks
        optimizer = self.recipe.optimizers[player]
        names = self.recipe.players[player]

        def loss_of(trainable):
            values = dict(self.state["trainable"], **trainable)
            moved = dict(self.state["non_trainable"])

            def call(name, x):
                y, moved[name] = networks[name].stateless_call(values[name], moved[name], x, training=True)
                return y

            loss, aux = loss_fn(call) if has_aux else (loss_fn(call), None)
            return loss, (moved, aux)

        mine = {name: self.state["trainable"][name] for name in names}
        (loss, (moved, aux)), grads = jax.value_and_grad(loss_of, has_aux=True)(mine)
        # The optimizer holds one list: its networks' variables in the player's order.
        trainable, self.state["optimizers"][player] = optimizer.stateless_apply(
            self.state["optimizers"][player], [g for name in names for g in grads[name]],
            [v for name in names for v in mine[name]])
        for name in names:
            self.state["trainable"][name], trainable = trainable[:len(mine[name])], trainable[len(mine[name]):]
        self.state["non_trainable"] = moved
        return (loss, jax.lax.stop_gradient(aux)) if has_aux else loss

    def call(self, name, x):
        network = self.recipe.networks[name]
        y, self.state["non_trainable"][name] = network.stateless_call(
            self.state["trainable"][name], self.state["non_trainable"][name], x, training=True)
        return jax.lax.stop_gradient(y)

    def average(self, copy, source, decay):
        networks = self.recipe.networks
        value = {}   # id(variable) -> current value, of both networks
        for name in (copy, source):
            for kind, variables in (("trainable", networks[name].trainable_variables),
                                    ("non_trainable", networks[name].non_trainable_variables)):
                value.update({id(v): x for v, x in zip(variables, self.state[kind][name])})
        new = {id(mine): blend(value[id(mine)], value[id(theirs)], theirs.trainable, decay)
               for mine, theirs in zip(networks[copy].weights, networks[source].weights)}
        for kind, variables in (("trainable", networks[copy].trainable_variables),
                                ("non_trainable", networks[copy].non_trainable_variables)):
            self.state[kind][copy] = [new[id(v)] for v in variables]
