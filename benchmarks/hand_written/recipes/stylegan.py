"""StyleGAN's step (Karras et al. 2019): progressive growing with fades, mixing and R1."""

from keras import ops

from hand_written.recipes.common import Recipe, d_loss_of, g_loss_of, to_range
from hand_written.recipes.style import mixed_styles, mixing_plan, r1_penalty, style_adam, style_networks, update_averages


def stylegan(model):
    """StyleGAN (Karras et al. 2019), grown progressively: the growth level from `images_seen` (the
    recipe's state, counted after each step) and the real batch shown at it (a 2x2 average-pool
    pyramid, upsampled and blended as the generator blends its outputs); style mixing and fresh
    noise; the discriminator on the non-saturating loss + gamma / 2 * R1 every step; mapping +
    synthesis (one player) on the non-saturating loss; the w average and the moving averages of
    mapping and synthesis. `progressive=False` trains at the image size, without the level input.
    Adam(lr, beta_1 0, beta_2 0.99, eps 1e-8) for both players, as the plugin."""
    networks = style_networks(model)
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
        real = to_range(images)
        n = ops.shape(real)[0]
        level = level_of(t.read("images_seen"))
        levels = ops.full((n, 1), level)

        def critic(call, x):
            return ops.cast(call("discriminator", [x, levels] if model.progressive else x), "float32")

        def synthesize(call, ws, noises):
            return call("synthesis", [ws, levels, *noises] if model.progressive else [ws, *noises])

        if model.progressive:
            real = show_at_level(real, level)
        latents = mixing_plan(t, model, n)
        noises = [t.normal((n, *shape)) for shape in noise_shapes]
        ws, w = mixed_styles(t.call, model, *latents)
        fake = synthesize(t.call, ws, noises)

        def d_loss(call):
            adversarial = d_loss_of(critic(call, real), critic(call, fake))
            r1 = r1_penalty(t, lambda x: critic(call, x), real)
            return adversarial + 0.5 * model.r1_gamma * r1, {"adversarial": adversarial, "r1": r1}

        _, d_parts = t.update("discriminator", d_loss, has_aux=True)
        g_loss = t.update("generator", lambda call: g_loss_of(
            critic(call, synthesize(call, mixed_styles(call, model, *latents)[0], noises))))
        update_averages(t, model, w)
        # The resolution and fade-in weight this step trained at, then count its images.
        fraction = level - ops.floor(level)
        t.write("images_seen", t.read("images_seen") + ops.cast(n, "float32"))
        return {"d_loss": d_parts["adversarial"], "g_loss": g_loss, "r1": d_parts["r1"],
                "resolution": base_height * ops.power(2.0, ops.ceil(level)),
                "alpha": ops.where(fraction > 0.0, fraction, 1.0)}

    optimizers = {"generator": style_adam(model.learning_rate), "discriminator": style_adam(model.learning_rate)}
    state = {"w_avg": ops.convert_to_numpy(model.w_avg), "images_seen": ops.convert_to_numpy(model.images_seen)}
    return Recipe(networks, optimizers, step, state, players={"generator": ["mapping", "synthesis"]})
