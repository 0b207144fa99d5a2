"""The MLP GAN's step (Goodfellow et al. 2014)."""

from keras import ops

from hand_written.recipes.common import Recipe, adam, d_loss_of, g_loss_of, minimax_loss, players, to_range


def vanilla(model):
    """Goodfellow et al.'s Algorithm 1: k discriminator steps (a fresh z each), one generator step."""
    networks, decay = players(model)
    minimax = minimax_loss(model)

    def step(t, images):
        real = to_range(images)
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

    return Recipe(networks, {"generator": adam(model, model.beta_1), "discriminator": adam(model, model.beta_1)},
                  step)
