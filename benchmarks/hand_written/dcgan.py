"""keras.io's DCGAN step (https://keras.io/examples/generative/dcgan_overriding_train_step/)."""

import keras
import tensorflow as tf

from ganzoo.precision import precision_policy


class HandWrittenDCGAN(keras.Model):
    """keras.io's DCGAN step (training=True so BatchNorm trains), on clones of the plugin's networks."""

    def __init__(self, generator, discriminator, latent_dim, learning_rate=2e-4, beta_1=0.5):
        super().__init__()
        self.generator, self.discriminator, self.latent_dim = generator, discriminator, latent_dim
        self.bce = keras.losses.BinaryCrossentropy(from_logits=True)
        self.d_optimizer = keras.optimizers.Adam(learning_rate, beta_1=beta_1)
        self.g_optimizer = keras.optimizers.Adam(learning_rate, beta_1=beta_1)

    def train_step(self, real):
        real = tf.cast(real, self.generator.compute_dtype) * 2.0 - 1.0
        n = tf.shape(real)[0]
        z = tf.random.normal((n, self.latent_dim))
        with tf.GradientTape() as tape:
            fake = self.generator(z, training=True)
            real_logits = tf.cast(self.discriminator(real, training=True), "float32")
            fake_logits = tf.cast(self.discriminator(fake, training=True), "float32")
            d_loss = self.bce(tf.ones_like(real_logits), real_logits) + self.bce(tf.zeros_like(fake_logits), fake_logits)
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
        z = tf.random.normal((n, self.latent_dim))
        with tf.GradientTape() as tape:
            fake_logits = tf.cast(self.discriminator(self.generator(z, training=True), training=True), "float32")
            g_loss = self.bce(tf.ones_like(fake_logits), fake_logits)
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        return {"d_loss": d_loss, "g_loss": g_loss}


def build(model, settings):
    with precision_policy(settings.precision):
        generator = keras.models.clone_model(model.generator)
        discriminator = keras.models.clone_model(model.discriminator)
    return HandWrittenDCGAN(generator, discriminator, model.latent_dim)
