"""The conditional GAN's step (Mirza and Osindero 2014): labels enter both networks."""

from keras import ops

from hand_written.recipes.common import Recipe, adam, d_loss_of, g_loss_of, minimax_loss, players, to_range


def cgan(model):
    """The conditional GAN: both networks take the labels; one z, the forgeries take the real labels."""
    networks, decay = players(model)
    minimax = minimax_loss(model)

    def step(t, batch):
        images, labels = batch[0], ops.cast(batch[1], "int32")
        real = to_range(images)
        z = t.normal((ops.shape(real)[0], model.latent_dim))
        d_loss = t.update("discriminator", lambda call: d_loss_of(
            call("discriminator", [real, labels]), call("discriminator", [call("generator", [z, labels]), labels])))
        g_loss = t.update("generator", lambda call: g_loss_of(
            call("discriminator", [call("generator", [z, labels]), labels]), minimax))
        if decay:
            t.average("generator_ema", "generator", decay)
        return {"d_loss": d_loss, "g_loss": g_loss}

    return Recipe(networks, {"generator": adam(model), "discriminator": adam(model)}, step)
