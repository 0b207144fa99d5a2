"""StyleGAN2's step (Karras et al. 2020): lazy R1 and path-length regularisation."""

import math

from keras import ops

from hand_written.recipes.common import Recipe, d_loss_of, g_loss_of, to_range
from hand_written.recipes.style import mixed_styles, mixing_plan, r1_penalty, style_adam, style_networks, update_averages


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
    networks = style_networks(model)
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
        real = to_range(images)
        n = ops.shape(real)[0]
        latents = mixing_plan(t, model, n)
        noises = [t.normal((n, *shape)) for shape in noise_shapes]
        ws, w = mixed_styles(t.call, model, *latents)
        fake = t.call("synthesis", [ws, *noises])
        regularise_d = t.every(model.r1_interval)

        def d_loss(call):
            adversarial = d_loss_of(ops.cast(call("discriminator", real), "float32"),
                                    ops.cast(call("discriminator", fake), "float32"))
            if not regularise_d:
                return adversarial, {"adversarial": adversarial, "r1": ops.zeros((), "float32")}
            r1 = r1_penalty(t, lambda x: call("discriminator", x), real)
            return adversarial + r1_scale * r1, {"adversarial": adversarial, "r1": r1}

        _, d_parts = t.update("discriminator", d_loss, has_aux=True)
        regularise_g = path_length and t.every(model.path_length_interval)

        def g_loss(call):
            ws_g = mixed_styles(call, model, *latents)[0]
            adversarial = g_loss_of(ops.cast(call("discriminator", call("synthesis", [ws_g, *noises])), "float32"))
            if not regularise_g:
                return adversarial, {"adversarial": adversarial, "mean": t.read("path_length_mean")}
            penalty, mean = path_length_penalty(t, call, ws_g, noises)
            total = adversarial + model.path_length_weight * model.path_length_interval * penalty
            return total, {"adversarial": adversarial, "mean": mean}

        _, g_parts = t.update("generator", g_loss, has_aux=True)
        t.write("path_length_mean", g_parts["mean"])
        update_averages(t, model, w)
        return {"d_loss": d_parts["adversarial"], "g_loss": g_parts["adversarial"], "r1": d_parts["r1"],
                "path_length": g_parts["mean"]}

    optimizers = {"generator": style_adam(model.learning_rate, model.path_length_interval if path_length else 0),
                  "discriminator": style_adam(model.learning_rate,
                                               model.r1_interval if model.r1_interval > 1 else 0)}
    state = {"w_avg": ops.convert_to_numpy(model.w_avg),
             "path_length_mean": ops.convert_to_numpy(model.path_length_mean)}
    return Recipe(networks, optimizers, step, state, players={"generator": ["mapping", "synthesis"]},
                  first_step=model.steps_done)
