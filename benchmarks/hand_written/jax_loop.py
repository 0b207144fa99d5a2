"""A hand-written step (`steps.py`) as keras.io's "custom train step in JAX" writes one.

The whole step is one `jax.jit` of a pure function `(state, batch) -> (state, logs)`:
the networks run through `stateless_call` on the state's values, each player's
gradient is `jax.value_and_grad` of its loss with respect to its trainable
values only, `optimizer.stateless_apply` updates them, and every BatchNorm
statistic, optimizer slot and the random key travel in and out of the step
(donated, as Keras' JAX trainer donates its state). No ganzoo engine, no `fit()`.

A schedule that is only sometimes on (`t.every`: lazy R1) is decided in Python
from the loop's step counter, with one `jax.jit` per combination of decisions,
picked before each step: as a JAX user on a CPU would write it, since XLA:CPU
runs a convolution inside `jax.lax.cond` without its fast path (jax-ml/jax
#12868; ganzoo's `_HostDecisions` does the same for `GAN.branch`).
"""

import functools

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
        self.steps = int(recipe.first_step)
        self.compiled = []   # [(decisions {interval: taken}, jitted step)]

    def pure_step(self, state, batch, steps, decisions):
        toolkit = _Toolkit(self.recipe, state, steps, decisions)
        logs = self.recipe.step(toolkit, batch)
        return toolkit.state, logs

    def jitted(self):
        """The compilation whose recorded `t.every` decisions this step takes too, or a new one
        (tracing it records its decisions)."""
        for decisions, jitted in self.compiled:
            if all((self.steps % interval == 0) == taken for interval, taken in decisions.items()):
                return jitted
        decisions = {}
        jitted = jax.jit(functools.partial(self.pure_step, steps=self.steps, decisions=decisions), donate_argnums=0)
        self.compiled.append((decisions, jitted))
        return jitted

    def __call__(self, batch):
        self.state, logs = self.jitted()(self.state, batch)
        self.steps += 1
        return logs

    @property
    def own(self):
        """The recipe's own state now (`t.read`'s values)."""
        return self.state["own"]

    def sync(self):
        """Writes the step's network weights back into the Keras variables (they stay at their
        start while the state travels through the jitted steps)."""
        for name, network in self.recipe.networks.items():
            for kind, variables in (("trainable", network.trainable_variables),
                                    ("non_trainable", network.non_trainable_variables)):
                for variable, value in zip(variables, self.state[kind][name]):
                    variable.assign(value)


class _Toolkit:
    """`steps.py`'s toolkit on traced values: a new state after each operation."""

    def __init__(self, recipe, state, steps, decisions):
        self.recipe = recipe
        self.state = {key: dict(value) if isinstance(value, dict) else value for key, value in state.items()}
        self.steps, self.decisions = steps, decisions
        # The non-trainable values the networks read and move, innermost gradient first: a value
        # moved inside a gradient leaves it as that gradient's auxiliary output, never as a tracer.
        self.scopes = []

    def _moved(self):
        return self.scopes[-1] if self.scopes else self.state["non_trainable"]

    def normal(self, shape):
        self.state["key"], key = jax.random.split(self.state["key"])
        return keras.random.normal(shape, seed=key)

    def uniform(self, shape):
        self.state["key"], key = jax.random.split(self.state["key"])
        return keras.random.uniform(shape, seed=key)

    def integers(self, shape, minval, maxval):
        self.state["key"], key = jax.random.split(self.state["key"])
        return keras.random.randint(shape, minval, maxval, dtype="int32", seed=key)

    def read(self, name):
        return self.state["own"][name]

    def write(self, name, value):
        self.state["own"][name] = jax.numpy.asarray(value, self.state["own"][name].dtype)

    def every(self, interval):
        taken = self.steps % int(interval) == 0
        self.decisions[int(interval)] = taken
        return taken

    def update(self, player, loss_fn, has_aux=False):
        networks = self.recipe.networks
        names = self.recipe.trained(player)

        def loss_of(trained):
            values = dict(self.state["trainable"], **trained)

            def call(name, x):
                moved = self._moved()
                y, moved[name] = networks[name].stateless_call(values[name], moved[name], x, training=True)
                return y

            self.scopes.append(dict(self.state["non_trainable"]))
            try:
                result = loss_fn(call)
            finally:
                moved = self.scopes.pop()
            loss, aux = result if has_aux else (result, None)
            return loss, (moved, aux)

        trained = {name: self.state["trainable"][name] for name in names}
        (loss, (moved, aux)), grads = jax.value_and_grad(loss_of, has_aux=True)(trained)
        new, self.state["optimizers"][player] = self.recipe.optimizers[player].stateless_apply(
            self.state["optimizers"][player], [g for name in names for g in grads[name]],
            [v for name in names for v in trained[name]])
        for name in names:
            self.state["trainable"][name], new = new[:len(trained[name])], new[len(trained[name]):]
        self.state["non_trainable"] = moved
        return (loss, aux) if has_aux else loss

    def input_gradient(self, fn, x):
        outer = self._moved()

        def total(x):
            self.scopes.append(dict(outer))
            try:
                value = fn(x)
            finally:
                inner = self.scopes.pop()
            return jax.numpy.sum(jax.numpy.asarray(value, "float32")), inner

        gradient, inner = jax.grad(total, has_aux=True)(x)
        outer.update(inner)
        return gradient

    def call(self, name, x):
        network = self.recipe.networks[name]
        moved = self._moved()
        y, moved[name] = network.stateless_call(self.state["trainable"][name], moved[name], x, training=True)
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
