"""Hand-written GAN steps in `keras.ops`, written once for the JAX and the PyTorch loops.

`hand_written/<plugin>.py` are keras.io's TensorFlow steps (`tf.GradientTape`).
On JAX and PyTorch the same steps are written here once, over a small toolkit
`t` that each backend's loop supplies, with no ganzoo engine and no `fit()`:

- `jax_loop.py`: keras.io's "custom train step in JAX": one `jax.jit` of a pure
  function of the state, `stateless_call` for the networks, `jax.value_and_grad`,
  `optimizer.stateless_apply`;
- `torch_loop.py`: a plain eager torch step: the networks called, then
  `torch.autograd.grad` and `optimizer.apply`.

The toolkit:

    t.normal(shape)                  a draw of N(0, I)
    t.update(player, loss_fn)        one gradient step of network `player` on
                                     `loss_fn(call)`, where `call(name, x)` runs
                                     network `name` with training=True (its
                                     BatchNorm statistics move); returns the loss
    t.average(copy, source, decay)   the moving average of `source`'s weights
    t.call(name, x)                  network `name` run with training=True outside
                                     any gradient (its BatchNorm statistics move)
    t.uniform(shape)                 a draw of U[0, 1)
    t.read(name), t.write(name, v)   the recipe's own state (`Recipe(state=...)`:
                                     image pools, step counters, running means),
                                     carried from step to step
    t.integers(shape, minval, maxval)  int32 draws, uniform in minval .. maxval - 1
    t.update(player, loss_fn, has_aux=True)
                                     `loss_fn` returns `(loss, aux)`; returns
                                     `(loss, aux)`, aux outside the gradient (the
                                     loss's parts, a running mean's new value)
    t.input_gradient(fn, x)          inside a `loss_fn`: the gradient of
                                     sum(fn(x)) (float32) with respect to x, itself
                                     differentiable with respect to the weights
                                     (R1, path length); `fn` calls networks through
                                     `call`, and what they move (BatchNorm
                                     statistics) leaves the inner gradient as its
                                     output, never as an inner trace's value
    t.every(interval)                whether this step's number (counted from
                                     `Recipe(first_step=...)`) is a multiple of
                                     `interval`: a Python bool, so a schedule that
                                     is only sometimes on (lazy R1) is a Python
                                     `if`; JAX compiles one step per combination
                                     of decisions and picks it before each step

A player may train several networks with one optimizer (`Recipe(players=...)`:
StyleGAN's generator is its mapping and synthesis networks, CycleGAN's
generators its two generators); its optimizer is built on their trainable
variables in that order.

Each step computes what the plugin's `train_step` computes: the same draws in
the same order, the same losses, Adam settings and moving averages
(`tests/benchmarks/test_hand_written_steps.py` checks that the first step's
losses match the plugin's from the same weights and draws). float32 only.
"""

import keras

from hand_written.recipes import RECIPES
from hand_written.recipes.common import Recipe  # noqa: F401  (the loops and tests build recipes)


def prepared(plugin_name, model, data):
    """The `tf.data` stream the hand-written loop reads: `data` as the plugin's `fit()` maps it before its
    step (text2image's captions become token ids in the pipeline, `model.tokenized`); the others' as it is."""
    return model.tokenized(data) if plugin_name == "text2image" else data


def available(plugin_name):
    """Whether a hand-written JAX / PyTorch step exists for the plugin."""
    return plugin_name in RECIPES


def recipe(plugin_name, model):
    """The hand-written step of `plugin_name` on `model`'s own networks (built), with fresh optimizers."""
    return RECIPES[plugin_name](model)


def first_step_losses(plugin_name, model, batch, same_draws):
    """The first step's losses of the plugin (`fit()`) and of its hand-written step, from the same start.

    Args:
        plugin_name: a plugin with a recipe here.
        model: the plugin's model, compiled; its networks end where the hand-written step left them.
        batch: one training batch (NumPy): images, or `(images, labels)`.
        same_draws: called before each side; makes both sides' random draws the same
            (`ganzoo.testing.same_step.fixed_random_draws`).

    Returns:
        `(plugin_logs, hand_written_logs)`, dicts of floats.
    """
    recipe_ = recipe(plugin_name, model)
    start = {name: network.get_weights() for name, network in recipe_.networks.items()}
    x, y = batch if isinstance(batch, tuple) else (batch, None)
    same_draws()
    history = model.fit(x, y, batch_size=len(x), epochs=1, verbose=0, shuffle=False)
    plugin_logs = {key: float(values[-1]) for key, values in history.history.items()}
    for name, network in recipe_.networks.items():
        network.set_weights(start[name])
    same_draws()
    step = loop(recipe_)
    hand_logs = {key: float(value) for key, value in step(batch).items()}
    step.sync()
    return plugin_logs, hand_logs


def loop(recipe_, seed=1):
    """The step of this process's Keras backend: `loop(recipe)(batch) -> logs` trains one batch;
    its `sync()` writes the networks' weights back into their Keras variables (JAX keeps them in the
    step's state), its `own` is the recipe's state now (`t.read`'s values)."""
    backend = keras.backend.backend()
    if backend == "jax":
        from hand_written.jax_loop import JaxStep
        return JaxStep(recipe_, seed)
    if backend == "torch":
        from hand_written.torch_loop import TorchStep
        return TorchStep(recipe_, seed)
    raise ValueError(f"no backend-neutral hand-written loop on {backend}: TensorFlow's are hand_written/<plugin>.py")

