"""What the StyleGAN and StyleGAN2 steps share: Adam, the networks, style mixing, R1 and the moving averages."""

import keras
from keras import ops


def style_adam(learning_rate, interval=0):
    # Both papers: beta_1 0, beta_2 0.99, epsilon 1e-8. A lazily regularised player (every
    # `interval` steps) gets lr * c and beta_2 ** c, c = k / (k + 1), as the StyleGAN2 paper.
    c = interval / (interval + 1.0) if interval else 1.0
    return keras.optimizers.Adam(learning_rate=learning_rate * c, beta_1=0.0, beta_2=0.99 ** c, epsilon=1e-8)


def style_networks(model):
    """Mapping, synthesis, discriminator and, with `ema`, the averaged mapping and synthesis."""
    networks = {"mapping": model.mapping, "synthesis": model.synthesis, "discriminator": model.discriminator}
    if model.ema > 0:
        networks.update(mapping_ema=model.averaged(model.mapping), synthesis_ema=model.averaged(model.synthesis))
    return networks


def mixing_plan(t, model, n):
    """Two z per sample and a crossover layer, num_ws (no mixing) with probability 1 - style_mixing."""
    z1 = t.normal((n, model.latent_dim))
    z2 = t.normal((n, model.latent_dim))
    crossover = t.integers((n,), 1, model.num_ws)
    mixing = t.uniform((n,)) < model.style_mixing
    return z1, z2, ops.where(mixing, crossover, model.num_ws)


def mixed_styles(call, model, z1, z2, crossover):
    """ws (n, num_ws, style_dim), w(z1) on the layers before the crossover and w(z2) from it; and w(z1)."""
    w = call("mapping", z1)
    ws = ops.repeat(ops.expand_dims(w, 1), model.num_ws, axis=1)
    if model.style_mixing > 0:
        ws2 = ops.repeat(ops.expand_dims(call("mapping", z2), 1), model.num_ws, axis=1)
        first = ops.expand_dims(ops.arange(model.num_ws)[None, :] < ops.reshape(crossover, (-1, 1)), -1)
        ws = ops.where(first, ws, ws2)
    return ws, w


def r1_penalty(t, critic, real):
    """E ||grad_x D(x)||^2 over the real images."""
    gradients = ops.cast(t.input_gradient(critic, real), "float32")
    return ops.mean(ops.sum(ops.square(ops.reshape(gradients, (ops.shape(real)[0], -1))), axis=1))


def update_averages(t, model, w):
    """The tracked average of w (truncation) and the moving averages of mapping and synthesis."""
    w_mean = ops.mean(ops.cast(w, "float32"), axis=0)
    t.write("w_avg", w_mean + (t.read("w_avg") - w_mean) * model.w_avg_decay)
    if model.ema > 0:
        t.average("mapping_ema", "mapping", model.ema)
        t.average("synthesis_ema", "synthesis", model.ema)
