"""The vanilla GAN's step (Goodfellow et al. 2014, Algorithm 1) written out keras.io-style, with an EMA generator.

As the plugin at its `cpu` preset: k = `discriminator_steps` discriminator
steps (a fresh z each), then one generator step on a fresh z; the
non-saturating loss (`--set loss=minimax`: the minimax one); Adam (learning
rate 1e-3, beta_1 0.5) for each network; after every step a moving average
of the generator's weights (decay `ema`, 0.999; `--set ema=0`: none). The
plugin has no stages or schedules.
"""

import keras
import tensorflow as tf

from ganzoo.precision import precision_policy


class HandWrittenVanillaGAN(keras.Model):
    """Goodfellow et al.'s MLP GAN on clones of the plugin's networks, plus an EMA copy of the generator."""

    def __init__(self, generator, discriminator, generator_ema, latent_dim, discriminator_steps=1,
                 learning_rate=1e-3, beta_1=0.5, loss="non_saturating", ema=0.999):
        super().__init__()
        if loss not in ("non_saturating", "minimax"):
            raise ValueError(f"the hand-written vanilla step has the non_saturating and minimax losses, not {loss!r}")
        self.generator, self.discriminator, self.generator_ema = generator, discriminator, generator_ema
        self.latent_dim, self.discriminator_steps, self.minimax, self.ema = (
            latent_dim, discriminator_steps, loss == "minimax", ema)
        self.bce = keras.losses.BinaryCrossentropy(from_logits=True)
        self.d_optimizer = keras.optimizers.Adam(learning_rate, beta_1=beta_1)
        self.g_optimizer = keras.optimizers.Adam(learning_rate, beta_1=beta_1)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def train_step(self, real):
        # [0, 1] -> [-1, 1] in float32, then the compute dtype (bfloat16 under mixed_bfloat16), as the plugin does.
        real = tf.cast(tf.cast(real, "float32") * 2.0 - 1.0, self.generator.compute_dtype)
        n = tf.shape(real)[0]
        for _ in range(self.discriminator_steps):
            z = tf.random.normal((n, self.latent_dim))
            with tf.GradientTape() as tape:
                fake = self.generator(z, training=True)
                real_logits = tf.cast(self.discriminator(real, training=True), "float32")
                fake_logits = tf.cast(self.discriminator(fake, training=True), "float32")
                d_loss = (self.bce(tf.ones_like(real_logits), real_logits)
                          + self.bce(tf.zeros_like(fake_logits), fake_logits))
            grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
            self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
        z = tf.random.normal((n, self.latent_dim))
        with tf.GradientTape() as tape:
            fake_logits = tf.cast(self.discriminator(self.generator(z, training=True), training=True), "float32")
            if self.minimax:  # minimise log(1 - D(G(z))) = -bce(0, logit)
                g_loss = -self.bce(tf.zeros_like(fake_logits), fake_logits)
            else:  # maximise log D(G(z))
                g_loss = self.bce(tf.ones_like(fake_logits), fake_logits)
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        if self.generator_ema is not None:
            # The averaged generator: trainable weights move towards the trained ones;
            # non-trainable ones (none in this MLP) are copied, as the engine does.
            for ema_weight, weight in zip(self.generator_ema.weights, self.generator.weights):
                if weight.trainable:
                    ema_weight.assign(self.ema * ema_weight + (1.0 - self.ema) * weight)
                else:
                    ema_weight.assign(weight)
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}


def build(model, settings):
    config = model.get_config()  # the constructor's arguments, defaults included
    ema = float(config["ema"])
    with precision_policy(settings.precision):
        generator = keras.models.clone_model(model.generator)
        discriminator = keras.models.clone_model(model.discriminator)
        generator_ema = keras.models.clone_model(model.generator) if ema else None
    # Start from the plugin's weights, so that the two steps' losses compare from the same start.
    generator.set_weights(model.generator.get_weights())
    discriminator.set_weights(model.discriminator.get_weights())
    if generator_ema is not None:
        generator_ema.set_weights(model.generator.get_weights())
        generator_ema.trainable = False
    return HandWrittenVanillaGAN(generator, discriminator, generator_ema, model.latent_dim,
                                 discriminator_steps=model.discriminator_steps, learning_rate=model.learning_rate,
                                 beta_1=model.beta_1, loss=config["loss"], ema=ema)
