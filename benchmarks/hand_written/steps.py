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

import math

import keras
import numpy as np
from keras import ops

from ganzoo.schedules import second_half_decay


class Recipe:
    """A hand-written step and what it trains.

    Args:
        networks: `{name: keras.Model}`, the networks the step calls by name.
        optimizers: `{player: keras optimizer}`, one per trained network.
        step: `step(t, batch) -> {name: scalar}`, the step over a toolkit `t`.
        state: `{name: initial value}` (NumPy arrays), the step's own state besides
            the networks and optimizers, read and written with `t.read` / `t.write`.
        players: `{player: [network names]}` for a player that trains several networks
            with its one optimizer; by default each player trains the network of its name.
        first_step: the number of the loop's first step, from which `t.every` counts
            (the model's steps done when the recipe is made).
    """

    def __init__(self, networks, optimizers, step, state=None, players=None, first_step=0):
        self.networks, self.optimizers, self.step = networks, optimizers, step
        self.state = dict(state or {})
        self.players = dict(players or {})
        self.first_step = int(first_step)

    def trained(self, player):
        """The names of the networks `player` trains."""
        return list(self.players.get(player, [player]))

    def build_optimizers(self):
        """Each player's optimizer built on its networks' trainable variables (its slots made)."""
        for player, optimizer in self.optimizers.items():
            optimizer.build([v for name in self.trained(player) for v in self.networks[name].trainable_variables])


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


def _style_adam(learning_rate, interval=0):
    # Both papers: beta_1 0, beta_2 0.99, epsilon 1e-8. A lazily regularised player (every
    # `interval` steps) gets lr * c and beta_2 ** c, c = k / (k + 1), as the StyleGAN2 paper.
    c = interval / (interval + 1.0) if interval else 1.0
    return keras.optimizers.Adam(learning_rate=learning_rate * c, beta_1=0.0, beta_2=0.99 ** c, epsilon=1e-8)


def _style_networks(model):
    """Mapping, synthesis, discriminator and, with `ema`, the averaged mapping and synthesis."""
    networks = {"mapping": model.mapping, "synthesis": model.synthesis, "discriminator": model.discriminator}
    if model.ema > 0:
        networks.update(mapping_ema=model.averaged(model.mapping), synthesis_ema=model.averaged(model.synthesis))
    return networks


def _mixing_plan(t, model, n):
    """Two z per sample and a crossover layer, num_ws (no mixing) with probability 1 - style_mixing."""
    z1 = t.normal((n, model.latent_dim))
    z2 = t.normal((n, model.latent_dim))
    crossover = t.integers((n,), 1, model.num_ws)
    mixing = t.uniform((n,)) < model.style_mixing
    return z1, z2, ops.where(mixing, crossover, model.num_ws)


def _mixed_styles(call, model, z1, z2, crossover):
    """ws (n, num_ws, style_dim), w(z1) on the layers before the crossover and w(z2) from it; and w(z1)."""
    w = call("mapping", z1)
    ws = ops.repeat(ops.expand_dims(w, 1), model.num_ws, axis=1)
    if model.style_mixing > 0:
        ws2 = ops.repeat(ops.expand_dims(call("mapping", z2), 1), model.num_ws, axis=1)
        first = ops.expand_dims(ops.arange(model.num_ws)[None, :] < ops.reshape(crossover, (-1, 1)), -1)
        ws = ops.where(first, ws, ws2)
    return ws, w


def _r1(t, critic, real):
    """E ||grad_x D(x)||^2 over the real images."""
    gradients = ops.cast(t.input_gradient(critic, real), "float32")
    return ops.mean(ops.sum(ops.square(ops.reshape(gradients, (ops.shape(real)[0], -1))), axis=1))


def _averages(t, model, w):
    """The tracked average of w (truncation) and the moving averages of mapping and synthesis."""
    w_mean = ops.mean(ops.cast(w, "float32"), axis=0)
    t.write("w_avg", w_mean + (t.read("w_avg") - w_mean) * model.w_avg_decay)
    if model.ema > 0:
        t.average("mapping_ema", "mapping", model.ema)
        t.average("synthesis_ema", "synthesis", model.ema)


def stylegan2(model):
    """StyleGAN2 (Karras et al. 2020): style mixing and fresh noise; the discriminator on the
    non-saturating loss plus, every `r1_interval` steps (step 0 included), r1_interval * gamma / 2 * R1;
    mapping + synthesis (one player) on the non-saturating loss plus, when `path_length_weight > 0`,
    every `path_length_interval` steps weight * interval * (|J_w^T y| - running mean)^2, the running
    mean (the recipe's state) moving 0.01 towards the batch's mean inside the gradient, as the plugin;
    the w average and the moving averages of mapping and synthesis. The lazy players' Adam as the
    plugin's `default_optimizers`. Each regulariser's schedule is `t.every`: the plugin's R1 and path
    length are `GAN.branch`es (decided on the host on JAX's CPU); the same work on average.
    """
    networks = _style_networks(model)
    height, width = model.image_shape[:2]
    noise_shapes = [tuple(shape) for shape in model.noise_shapes()]
    r1_scale = 0.5 * model.r1_gamma * model.r1_interval
    path_length = model.path_length_weight > 0

    def path_length_penalty(t, call, ws, noises):
        y = t.normal((ops.shape(ws)[0], height, width, model.image_shape[2])) / math.sqrt(height * width)
        gradients = ops.cast(t.input_gradient(
            lambda v: ops.cast(call("synthesis", [v, *noises]), "float32") * y, ws), "float32")
        lengths = ops.sqrt(ops.mean(ops.sum(ops.square(gradients), axis=2), axis=1))
        mean = t.read("path_length_mean") + (ops.mean(lengths) - t.read("path_length_mean")) * 0.01
        return ops.mean(ops.square(lengths - mean)), mean

    def step(t, images):
        real = _to_range(images)
        n = ops.shape(real)[0]
        latents = _mixing_plan(t, model, n)
        noises = [t.normal((n, *shape)) for shape in noise_shapes]
        ws, w = _mixed_styles(t.call, model, *latents)
        fake = t.call("synthesis", [ws, *noises])
        regularise_d = t.every(model.r1_interval)

        def d_loss(call):
            adversarial = d_loss_of(ops.cast(call("discriminator", real), "float32"),
                                    ops.cast(call("discriminator", fake), "float32"))
            if not regularise_d:
                return adversarial, {"adversarial": adversarial, "r1": ops.zeros((), "float32")}
            r1 = _r1(t, lambda x: call("discriminator", x), real)
            return adversarial + r1_scale * r1, {"adversarial": adversarial, "r1": r1}

        _, d_parts = t.update("discriminator", d_loss, has_aux=True)
        regularise_g = path_length and t.every(model.path_length_interval)

        def g_loss(call):
            ws_g = _mixed_styles(call, model, *latents)[0]
            adversarial = g_loss_of(ops.cast(call("discriminator", call("synthesis", [ws_g, *noises])), "float32"))
            if not regularise_g:
                return adversarial, {"adversarial": adversarial, "mean": t.read("path_length_mean")}
            penalty, mean = path_length_penalty(t, call, ws_g, noises)
            total = adversarial + model.path_length_weight * model.path_length_interval * penalty
            return total, {"adversarial": adversarial, "mean": mean}

        _, g_parts = t.update("generator", g_loss, has_aux=True)
        t.write("path_length_mean", g_parts["mean"])
        _averages(t, model, w)
        return {"d_loss": d_parts["adversarial"], "g_loss": g_parts["adversarial"], "r1": d_parts["r1"],
                "path_length": g_parts["mean"]}

    optimizers = {"generator": _style_adam(model.learning_rate, model.path_length_interval if path_length else 0),
                  "discriminator": _style_adam(model.learning_rate,
                                               model.r1_interval if model.r1_interval > 1 else 0)}
    state = {"w_avg": ops.convert_to_numpy(model.w_avg),
             "path_length_mean": ops.convert_to_numpy(model.path_length_mean)}
    return Recipe(networks, optimizers, step, state, players={"generator": ["mapping", "synthesis"]},
                  first_step=model.steps_done)


def stylegan(model):
    """StyleGAN (Karras et al. 2019), grown progressively: the growth level from `images_seen` (the
    recipe's state, counted after each step) and the real batch shown at it (a 2x2 average-pool
    pyramid, upsampled and blended as the generator blends its outputs); style mixing and fresh
    noise; the discriminator on the non-saturating loss + gamma / 2 * R1 every step; mapping +
    synthesis (one player) on the non-saturating loss; the w average and the moving averages of
    mapping and synthesis. `progressive=False` trains at the image size, without the level input.
    Adam(lr, beta_1 0, beta_2 0.99, eps 1e-8) for both players, as the plugin."""
    networks = _style_networks(model)
    noise_shapes = [tuple(shape) for shape in model.noise_shapes()]
    stages, base_height = model.plan.stages, model.plan.base[0]
    fade, stable = float(model.fade_images), float(model.stable_images)

    def level_of(images_seen):
        # 0: the base alone; s - 1 + alpha while stage s fades in; s once it is stable.
        if not model.progressive:
            return ops.convert_to_tensor(float(stages))
        shown = ops.maximum(ops.cast(images_seen, "float32") - stable, 0.0)
        completed = ops.floor(shown / (fade + stable))
        alpha = ops.minimum((shown - completed * (fade + stable)) / fade, 1.0)
        return ops.minimum(completed + alpha, float(stages))

    def show_at_level(real, level):
        pyramid = [real]
        for _ in range(stages):
            pyramid.append(ops.average_pool(pyramid[-1], 2, strides=2, padding="valid"))
        shown = pyramid[-1]
        for stage in range(1, stages + 1):
            shown = ops.repeat(ops.repeat(shown, 2, axis=1), 2, axis=2)
            shown = shown + (pyramid[stages - stage] - shown) * ops.clip(level - (stage - 1), 0.0, 1.0)
        return shown

    def step(t, images):
        real = _to_range(images)
        n = ops.shape(real)[0]
        level = level_of(t.read("images_seen"))
        levels = ops.full((n, 1), level)

        def critic(call, x):
            return ops.cast(call("discriminator", [x, levels] if model.progressive else x), "float32")

        def synthesize(call, ws, noises):
            return call("synthesis", [ws, levels, *noises] if model.progressive else [ws, *noises])

        if model.progressive:
            real = show_at_level(real, level)
        latents = _mixing_plan(t, model, n)
        noises = [t.normal((n, *shape)) for shape in noise_shapes]
        ws, w = _mixed_styles(t.call, model, *latents)
        fake = synthesize(t.call, ws, noises)

        def d_loss(call):
            adversarial = d_loss_of(critic(call, real), critic(call, fake))
            r1 = _r1(t, lambda x: critic(call, x), real)
            return adversarial + 0.5 * model.r1_gamma * r1, {"adversarial": adversarial, "r1": r1}

        _, d_parts = t.update("discriminator", d_loss, has_aux=True)
        g_loss = t.update("generator", lambda call: g_loss_of(
            critic(call, synthesize(call, _mixed_styles(call, model, *latents)[0], noises))))
        _averages(t, model, w)
        # The resolution and fade-in weight this step trained at, then count its images.
        fraction = level - ops.floor(level)
        t.write("images_seen", t.read("images_seen") + ops.cast(n, "float32"))
        return {"d_loss": d_parts["adversarial"], "g_loss": g_loss, "r1": d_parts["r1"],
                "resolution": base_height * ops.power(2.0, ops.ceil(level)),
                "alpha": ops.where(fraction > 0.0, fraction, 1.0)}

    optimizers = {"generator": _style_adam(model.learning_rate), "discriminator": _style_adam(model.learning_rate)}
    state = {"w_avg": ops.convert_to_numpy(model.w_avg), "images_seen": ops.convert_to_numpy(model.images_seen)}
    return Recipe(networks, optimizers, step, state, players={"generator": ["mapping", "synthesis"]})


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
        rate = second_half_decay(model.learning_rate, model.training_steps)   # the plugins' schedule
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
        rate = second_half_decay(model.learning_rate, model.training_steps)   # the plugins' schedule
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


RECIPES = {"dcgan": dcgan, "vanilla": vanilla, "cgan": cgan, "srgan": srgan, "stylegan2": stylegan2,
           "stylegan": stylegan, "cyclegan": cyclegan, "text2image": text2image}


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
