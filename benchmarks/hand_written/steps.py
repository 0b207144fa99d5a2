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

Each step computes what the plugin's `train_step` computes: the same draws in
the same order, the same losses, Adam settings and moving averages
(`tests/benchmarks/test_hand_written_steps.py` checks that the first step's
losses match the plugin's from the same weights and draws). float32 only.
"""

import keras
from keras import ops


class Recipe:
    """A hand-written step and what it trains.

    Args:
        networks: `{name: keras.Model}`, the networks the step calls by name.
        optimizers: `{player: keras optimizer}`, one per trained network.
        step: `step(t, batch) -> {name: scalar}`, the step over a toolkit `t`.
        state: `{name: initial value}` (NumPy arrays), the step's own state besides
            the networks and optimizers, read and written with `t.read` / `t.write`.
    """

    def __init__(self, networks, optimizers, step, state=None):
        self.networks, self.optimizers, self.step = networks, optimizers, step
        self.state = dict(state or {})

    def build_optimizers(self):
        """Each player's optimizer built on its network's trainable variables (its slots made)."""
        for player, optimizer in self.optimizers.items():
            optimizer.build(self.networks[player].trainable_variables)


def d_loss_of(real_logits, fake_logits):
    """-(log D(x) + log(1 - D(G(z)))), on logits."""
    return ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(fake_logits))


def g_loss_of(fake_logits, minimax=False):
    """Non-saturating: -log D(G(z)); minimax: log(1 - D(G(z)))."""
    return -ops.mean(ops.softplus(fake_logits)) if minimax else ops.mean(ops.softplus(-fake_logits))


def _adam(model, beta_1=0.5):
    return keras.optimizers.Adam(learning_rate=model.learning_rate, beta_1=beta_1, beta_2=0.999)


def _losses(model):
    loss = model.get_config().get("loss", "non_saturating")
    if loss not in ("non_saturating", "minimax"):
        raise ValueError(f"the hand-written steps have the non_saturating and minimax losses, not {loss!r}")
    return loss == "minimax"


def _players(model):
    """The two networks, and the generator's moving average when the model keeps one."""
    networks = {"generator": model.generator, "discriminator": model.discriminator}
    averaged = model.averaged(model.generator)
    decay = float(model.get_config().get("ema") or 0.0)
    if averaged is not model.generator:
        networks["generator_ema"] = averaged
    return networks, decay if averaged is not model.generator else 0.0


def _to_range(images):
    return ops.cast(images, "float32") * 2.0 - 1.0   # data arrive in [0, 1]; tanh works in [-1, 1]


def dcgan(model):
    """DCGAN: one z for both players' steps, as the plugin."""
    networks, decay = _players(model)
    minimax = _losses(model)

    def step(t, images):
        real = _to_range(images)
        z = t.normal((ops.shape(real)[0], model.latent_dim))
        d_loss = t.update("discriminator", lambda call: d_loss_of(call("discriminator", real),
                                                                  call("discriminator", call("generator", z))))
        g_loss = t.update("generator", lambda call: g_loss_of(call("discriminator", call("generator", z)), minimax))
        if decay:
            t.average("generator_ema", "generator", decay)
        return {"d_loss": d_loss, "g_loss": g_loss}

    return Recipe(networks, {"generator": _adam(model), "discriminator": _adam(model)}, step)


def vanilla(model):
    """Goodfellow et al.'s Algorithm 1: k discriminator steps (a fresh z each), one generator step."""
    networks, decay = _players(model)
    minimax = _losses(model)

    def step(t, images):
        real = _to_range(images)
        n = ops.shape(real)[0]
        for _ in range(model.discriminator_steps):
            z = t.normal((n, model.latent_dim))
            d_loss = t.update("discriminator", lambda call: d_loss_of(call("discriminator", real),
                                                                      call("discriminator", call("generator", z))))
        z = t.normal((n, model.latent_dim))
        g_loss = t.update("generator", lambda call: g_loss_of(call("discriminator", call("generator", z)), minimax))
        if decay:
            t.average("generator_ema", "generator", decay)
        return {"d_loss": d_loss, "g_loss": g_loss}

    return Recipe(networks, {"generator": _adam(model, model.beta_1), "discriminator": _adam(model, model.beta_1)},
                  step)


def cgan(model):
    """The conditional GAN: both networks take the labels; one z, the forgeries take the real labels."""
    networks, decay = _players(model)
    minimax = _losses(model)

    def step(t, batch):
        images, labels = batch[0], ops.cast(batch[1], "int32")
        real = _to_range(images)
        z = t.normal((ops.shape(real)[0], model.latent_dim))
        d_loss = t.update("discriminator", lambda call: d_loss_of(
            call("discriminator", [real, labels]), call("discriminator", [call("generator", [z, labels]), labels])))
        g_loss = t.update("generator", lambda call: g_loss_of(
            call("discriminator", [call("generator", [z, labels]), labels]), minimax))
        if decay:
            t.average("generator_ema", "generator", decay)
        return {"d_loss": d_loss, "g_loss": g_loss}

    return Recipe(networks, {"generator": _adam(model), "discriminator": _adam(model)}, step)


def srgan(model):
    """SRGAN (Ledig et al. 2017) in the stage its step counter is in when the recipe is made (a benchmark
    times one stage at a time: the cpu preset's first 1,000 steps are stage 1, `--set pretrain_steps=0`
    starts in stage 2): SRResNet's pixel MSE, or the discriminator on real and upscaled crops (the upscaled
    ones computed once, outside the gradients) then the generator on the MSE content loss +
    adversarial_weight x -log D(G(lr)). Adam with beta_1 0.9, as the plugin."""
    config = model.get_config()
    if config["content_loss"] != "mse" or config.get("r1_gamma") or config.get("adversarial_learning_rate"):
        raise ValueError("the hand-written srgan step has the MSE content loss, no R1 and one learning rate: "
                         "--set content_loss=mse")
    networks = {"generator": model.generator, "discriminator": model.discriminator}
    adversarial = int(model.steps_done) >= model.pretrain_steps

    def pixel(images, targets):
        return ops.mean(ops.square(ops.cast(images, "float32") - targets))

    def step(t, batch):
        low_res, high_res = _to_range(batch[0]), _to_range(batch[1])  # float32: the bicubic skip keeps it
        if not adversarial:
            return {"mse_loss": t.update("generator", lambda call: pixel(call("generator", low_res), high_res))}
        super_res = t.call("generator", low_res)
        d_loss = t.update("discriminator", lambda call: d_loss_of(
            ops.cast(call("discriminator", high_res), "float32"), ops.cast(call("discriminator", super_res), "float32")))

        def perceptual(call):
            upscaled = call("generator", low_res)
            fake_logits = ops.cast(call("discriminator", upscaled), "float32")
            return pixel(upscaled, high_res) + model.adversarial_weight * g_loss_of(fake_logits)

        t.update("generator", perceptual)
        # The content loss of the generator's pass (G has not moved since super_res: the same MSE).
        return {"d_loss": d_loss, "content_loss": pixel(super_res, high_res)}

    return Recipe(networks, {"generator": _adam(model, 0.9), "discriminator": _adam(model, 0.9)}, step)


RECIPES = {"dcgan": dcgan, "vanilla": vanilla, "cgan": cgan, "srgan": srgan}


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
    hand_logs = {key: float(value) for key, value in loop(recipe_)(batch).items()}
    return plugin_logs, hand_logs


def loop(recipe_, seed=1):
    """The step of this process's Keras backend: `loop(recipe)(batch) -> logs` trains one batch."""
    backend = keras.backend.backend()
    if backend == "jax":
        from hand_written.jax_loop import JaxStep
        return JaxStep(recipe_, seed)
    if backend == "torch":
        from hand_written.torch_loop import TorchStep
        return TorchStep(recipe_, seed)
    raise ValueError(f"no backend-neutral hand-written loop on {backend}: TensorFlow's are hand_written/<plugin>.py")
