"""DCGAN's step (Radford et al. 2016): the discriminator, then the generator."""

from keras import ops

from hand_written.recipes.common import Recipe, adam, d_loss_of, g_loss_of, minimax_loss, players, to_range


def dcgan(model):
    """DCGAN: one z for both players' steps, as the plugin."""
    networks, decay = players(model)
    minimax = minimax_loss(model)

    def step(t, images):
        real = to_range(images)
        z = t.normal((ops.shape(real)[0], model.latent_dim))
        d_loss = t.update("discriminator", lambda call: d_loss_of(call("discriminator", real),
                                                                  call("discriminator", call("generator", z))))
        g_loss = t.update("generator", lambda call: g_loss_of(call("discriminator", call("generator", z)), minimax))
        if decay:
            t.average("generator_ema", "generator", decay)
        return {"d_loss": d_loss, "g_loss": g_loss}

    return Recipe(networks, {"generator": adam(model), "discriminator": adam(model)}, step)
