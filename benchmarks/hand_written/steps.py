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
    t.update(player, loss_fn, has_aux=True)
                                     as `t.update`, for a `loss_fn(call)` that
                                     returns `(loss, aux)`: returns `(loss, aux)`,
                                     `aux` (tensors) outside the gradients

A player is one network, or several networks that one optimizer trains
together on one loss (`Recipe(players={player: (network names)})`: CycleGAN's
two generators); its optimizer is built on their trainable variables in that
order.

Each step computes what the plugin's `train_step` computes: the same draws in
the same order, the same losses, Adam settings and moving averages
(`tests/benchmarks/test_hand_written_steps.py` checks that the first step's
losses match the plugin's from the same weights and draws). float32 only.
"""

import keras
import numpy as np
from keras import ops


class Recipe:
    """A hand-written step and what it trains.

    Args:
        networks: `{name: keras.Model}`, the networks the step calls by name.
        optimizers: `{player: keras optimizer}`, one per trained network.
        step: `step(t, batch) -> {name: scalar}`, the step over a toolkit `t`.
        state: `{name: initial value}` (NumPy arrays), the step's own state besides
            the networks and optimizers, read and written with `t.read` / `t.write`.
        players: `{player: (network names)}` for a player made of several networks
            trained by one optimizer; a player not named here is the network of its name.
    """

    def __init__(self, networks, optimizers, step, state=None, players=None):
        self.networks, self.optimizers, self.step = networks, optimizers, step
        self.state = dict(state or {})
        self.players = {player: tuple((players or {}).get(player, (player,))) for player in optimizers}

    def trainable_variables(self, player):
        """The variables `player`'s optimizer trains, its networks' in order."""
        return [v for name in self.players[player] for v in self.networks[name].trainable_variables]

    def build_optimizers(self):
        """Each player's optimizer built on its networks' trainable variables (its slots made)."""
        for player, optimizer in self.optimizers.items():
            optimizer.build(self.trainable_variables(player))


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


class SecondHalfDecay(keras.optimizers.schedules.LearningRateSchedule):
    """The paper's CycleGAN schedule over a run of `total_steps` optimizer steps: constant for the first half,
    then linearly to zero over the second."""

    def __init__(self, learning_rate, total_steps):
        self.learning_rate, self.start = learning_rate, total_steps // 2
        self.steps = max(1, total_steps - self.start)

    def __call__(self, step):
        done = ops.clip((ops.cast(step, "float32") - self.start) / float(self.steps), 0.0, 1.0)
        return self.learning_rate * (1.0 - done)


def pool_state(name, size, image_shape):
    """The initial state of an image pool of `size` images: empty."""
    return {} if size == 0 else {name: np.zeros((size, *image_shape), "float32"), f"{name}_count": np.int32(0)}


def pool_query(t, name, images, size, probability=0.5):
    """The authors' `ImagePool.query` on a whole batch, on the pool `name` of the recipe's state: while the pool
    fills, images are stored and shown; once it is full, each image is (with `probability`) shown as a random
    stored one, which it replaces. The batch's images aim at distinct random slots (`order`); where a batch
    larger than the pool aims several at one slot, they are all shown the stored image and the first of them
    that exchanges is stored, as the plugin's history does. Two draws, the exchanges then the slots' order,
    made while the pool fills too (as the plugin's)."""
    if size == 0:
        return images
    images = ops.cast(images, "float32")
    stored, count = t.read(name), t.read(f"{name}_count")
    n = images.shape[0]
    index, slots = ops.arange(n, dtype="int32"), ops.arange(size, dtype="int32")

    def put(history, where, rows):
        return ops.where(ops.reshape(where, (-1, 1, 1, 1)), ops.take(images, rows, axis=0), history)

    # 1. Filling: slot count + i takes image i.
    row = slots - count
    history = put(stored, ops.logical_and(row >= 0, row < n), ops.clip(row, 0, n - 1))
    # 2. Full: image i may exchange with slot order[i % size].
    filling = count + index < size
    exchange = ops.logical_and(ops.logical_not(filling), t.uniform((n,)) < probability)
    order = ops.cast(ops.argsort(t.uniform((size,))), "int32")
    target = ops.take(order, index % size)
    shown = ops.where(ops.reshape(exchange, (-1, 1, 1, 1)), ops.take(history, target, axis=0), images)
    aimed = ops.cast(ops.logical_and(exchange[:, None], target[:, None] == slots[None, :]), "float32")
    history = put(history, ops.max(aimed, axis=0) > 0, ops.cast(ops.argmax(aimed, axis=0), "int32"))
    t.write(name, history)
    t.write(f"{name}_count", ops.minimum(count + n, size))
    return shown


def cyclegan(model):
    """CycleGAN (Zhu et al. 2017): one Adam step of both generators together on the least-squares adversarial
    terms E[(D(G(x)) - 1)^2] of both directions + lambda_cycle x the L1 cycle losses + lambda_identity x
    lambda_cycle x the L1 identity losses (the two generators are one player, as the plugin's one optimizer),
    then each discriminator (least squares, halved) on real images and on the generators' outputs drawn through
    its pool of `pool_size` earlier ones (history_a's draws, then history_b's), each with its own Adam. All on
    the plugin's schedule: constant for the first half of `training_steps`, then linearly to zero."""
    if model.get_config().get("loss", "least_squares") != "least_squares":
        raise ValueError("the hand-written cyclegan step has the least-squares loss only")
    networks = {"generator_ab": model.generator_ab, "generator_ba": model.generator_ba,
                "discriminator_a": model.discriminator_a, "discriminator_b": model.discriminator_b}
    size = model.pool_size

    def adam():
        rate = SecondHalfDecay(model.learning_rate, model.training_steps) if model.training_steps > 0 \
            else model.learning_rate
        return keras.optimizers.Adam(learning_rate=rate, beta_1=model.beta_1, beta_2=0.999)

    def l1(x, y):
        return ops.mean(ops.abs(ops.cast(x, "float32") - y))

    def to_one(logits):   # the generator's term: (D - 1)^2 without LSGAN's 1/2, as Zhu et al.'s code
        return ops.mean(ops.square(ops.cast(logits, "float32") - 1.0))

    def lsgan_d(real_logits, fake_logits):
        return 0.5 * (to_one(real_logits) + ops.mean(ops.square(ops.cast(fake_logits, "float32"))))

    def step(t, batch):
        real_a, real_b = _to_range(batch[0]), _to_range(batch[1])   # float32: also the L1 targets

        def generators(call):
            fake_b, fake_a = call("generator_ab", real_a), call("generator_ba", real_b)
            adversarial = to_one(call("discriminator_b", fake_b)) + to_one(call("discriminator_a", fake_a))
            cycle = l1(call("generator_ba", fake_b), real_a) + l1(call("generator_ab", fake_a), real_b)
            loss = adversarial + model.lambda_cycle * cycle
            identity = ops.zeros((), "float32")
            if model.lambda_identity > 0:
                identity = l1(call("generator_ab", real_b), real_b) + l1(call("generator_ba", real_a), real_a)
                loss = loss + model.lambda_identity * model.lambda_cycle * identity
            return loss, {"adversarial": adversarial, "cycle": cycle, "identity": identity,
                          "fake_a": fake_a, "fake_b": fake_b}

        g_loss, parts = t.update("generators", generators, has_aux=True)
        fake_a = pool_query(t, "pool_a", parts["fake_a"], size)
        fake_b = pool_query(t, "pool_b", parts["fake_b"], size)
        d_a_loss = t.update("discriminator_a", lambda call: lsgan_d(call("discriminator_a", real_a),
                                                                    call("discriminator_a", fake_a)))
        d_b_loss = t.update("discriminator_b", lambda call: lsgan_d(call("discriminator_b", real_b),
                                                                    call("discriminator_b", fake_b)))
        return {"g_loss": g_loss, "adversarial_loss": parts["adversarial"], "cycle_loss": parts["cycle"],
                "identity_loss": parts["identity"], "d_a_loss": d_a_loss, "d_b_loss": d_b_loss}

    return Recipe(networks, {"generators": adam(), "discriminator_a": adam(), "discriminator_b": adam()}, step,
                  state={**pool_state("pool_a", size, model.image_shape), **pool_state("pool_b", size, model.image_shape)},
                  players={"generators": ("generator_ab", "generator_ba")})


def text2image(model):
    """GAN-INT-CLS (Reed et al. 2016) with the mode-seeking term (Mao et al. 2019), as the plugin; the batch is
    `(images, token ids)` (`prepared`: the captions tokenised in the data pipeline, as the plugin's `fit()`).

    1. D on the matching-aware loss: real image + right caption is real; real image + mismatched caption (the
       batch rolled by one; a caption whose ids equal the rolled one's takes the fake term instead) and
       G(z, h) + right caption are fake, each at half weight.
    2. G on -log D(G(z, h), h) - log D(G(z', h_int), h_int), h_int = beta h + (1 - beta) h rolled by one (INT),
       + diversity_weight / (|G(z, h) - G(z', h)| / |z - z'| + 1e-5) (mode seeking).

    h = phi(t): with a frozen encoder (the cpu preset's GAN stage, after its pre-training), computed once per
    step outside the gradients; with `train_text_encoder` the encoder is part of D's player (h inside D's
    gradient) and G reads a second pass of the updated encoder, outside its gradient. The encoder's
    pre-training (the cpu preset's first `fit()`, before the GAN's first step) is not a GAN step: the ganzoo
    side of `fit_vs_loop.py` runs it in its untimed warm-up, and this step times the stage after it (the same
    work whatever the encoder's weights). Adam (beta_1 0.5) on the plugin's schedule."""
    minimax = _losses(model)
    if not model.encoder_parts.splits:
        raise ValueError("the hand-written text2image step reads token ids: a text encoder whose string input "
                         "goes straight into one TextVectorization layer (the default one)")
    networks = {"generator": model.generator, "discriminator": model.discriminator,
                "text_encoder": model.encoder_parts.network}
    trained = model.train_text_encoder
    beta, weight = model.interpolation_beta, model.diversity_weight

    def adam():
        rate = SecondHalfDecay(model.learning_rate, model.training_steps) if model.training_steps > 0 \
            else model.learning_rate
        return keras.optimizers.Adam(learning_rate=rate, beta_1=0.5, beta_2=0.999)

    def rolled(x):   # the caption before each one in the batch
        return ops.roll(x, 1, axis=0)

    def step(t, batch):
        real, tokens = _to_range(batch[0]), batch[1]
        n = ops.shape(real)[0]
        z, z_other = t.normal((n, model.latent_dim)), t.normal((n, model.latent_dim))
        fixed = None if trained else t.call("text_encoder", tokens)

        def discriminator(call):
            h = call("text_encoder", tokens) if fixed is None else fixed
            fake = call("generator", [z, ops.stop_gradient(h)])
            real_logits, fake_logits = call("discriminator", [real, h]), call("discriminator", [fake, h])
            if not model.matching_aware:
                return d_loss_of(real_logits, fake_logits)
            valid = ops.logical_not(ops.all(ops.equal(tokens, rolled(tokens)), axis=-1))
            wrong_logits = ops.where(valid[:, None], call("discriminator", [real, rolled(h)]), fake_logits)
            return 0.5 * (d_loss_of(real_logits, fake_logits) + d_loss_of(real_logits, wrong_logits))

        d_loss = t.update("discriminator", discriminator)
        h = t.call("text_encoder", tokens) if fixed is None else fixed

        def generator(call):
            fake = call("generator", [z, h])
            loss = g_loss_of(call("discriminator", [fake, h]), minimax)
            if model.interpolation:
                h_int = beta * h + (1.0 - beta) * rolled(h)
                loss = loss + g_loss_of(call("discriminator", [call("generator", [z_other, h_int]), h_int]), minimax)
            if weight:
                other = call("generator", [z_other, h])
                ratio = ops.mean(ops.abs(fake - other)) / ops.mean(ops.abs(z - z_other))
                loss = loss + weight / (ratio + 1e-5)
            return loss

        g_loss = t.update("generator", generator)
        return {"d_loss": d_loss, "g_loss": g_loss}

    return Recipe(networks, {"generator": adam(), "discriminator": adam()}, step,
                  players={"discriminator": ("discriminator", "text_encoder") if trained else ("discriminator",)})


def prepared(plugin_name, model, data):
    """The `tf.data` stream the hand-written loop reads: `data` as the plugin's `fit()` maps it before its
    step (text2image's captions become token ids in the pipeline, `model.tokenized`); the others' as it is."""
    return model.tokenized(data) if plugin_name == "text2image" else data


# On one line: backend_speed.sh greps it.
RECIPES = {"dcgan": dcgan, "vanilla": vanilla, "cgan": cgan, "srgan": srgan, "cyclegan": cyclegan, "text2image": text2image}


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
