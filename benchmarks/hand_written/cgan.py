"""The conditional GAN's step (Mirza & Osindero 2014) written out in the style of keras.io's
conditional GAN (https://keras.io/examples/generative/conditional_gan/).

As the plugin, not keras.io: the networks take `[z, labels]` and
`[images, labels]` with int32 labels (they encode them themselves: one-hot
label maps in D at the `cpu` preset's conv architecture); the discriminator
scores the real and the forged batch in two calls (its BatchNorm sees each
batch alone); one z serves both updates, the forgeries take the real batch's
labels; the non-saturating loss (`--set loss=minimax`: the minimax one);
Adam (learning rate 2e-4, beta_1 0.5) for each network; no EMA. Other
architectures (`--set architecture=mlp`, `discriminator_type=projection`,
`label_encoding=embedding`) are the plugin's networks cloned, with the same
step. The plugin has no stages or schedules.
"""

import keras
import tensorflow as tf

from ganzoo.precision import precision_policy


class HandWrittenConditionalGAN(keras.Model):
    """The conditional GAN on clones of the plugin's networks."""

    def __init__(self, generator, discriminator, latent_dim, learning_rate=2e-4, beta_1=0.5,
                 loss="non_saturating"):
        super().__init__()
        if loss not in ("non_saturating", "minimax"):
            raise ValueError(f"the hand-written cgan step has the non_saturating and minimax losses, not {loss!r}")
        self.generator, self.discriminator, self.latent_dim = generator, discriminator, latent_dim
        self.minimax = loss == "minimax"
        self.bce = keras.losses.BinaryCrossentropy(from_logits=True)
        self.d_optimizer = keras.optimizers.Adam(learning_rate, beta_1=beta_1)
        self.g_optimizer = keras.optimizers.Adam(learning_rate, beta_1=beta_1)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def train_step(self, data):
        images, labels = data
        # [0, 1] -> [-1, 1] in float32, then the compute dtype (bfloat16 under mixed_bfloat16), as the plugin does.
        real = tf.cast(tf.cast(images, "float32") * 2.0 - 1.0, self.generator.compute_dtype)
        labels = tf.cast(labels, "int32")
        z = tf.random.normal((tf.shape(real)[0], self.latent_dim))
        with tf.GradientTape() as tape:
            fake = self.generator([z, labels], training=True)
            real_logits = tf.cast(self.discriminator([real, labels], training=True), "float32")
            fake_logits = tf.cast(self.discriminator([fake, labels], training=True), "float32")
            d_loss = self.bce(tf.ones_like(real_logits), real_logits) + self.bce(tf.zeros_like(fake_logits), fake_logits)
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
        # The same z and labels as the discriminator's step, a new forward pass of the generator.
        with tf.GradientTape() as tape:
            fake = self.generator([z, labels], training=True)
            fake_logits = tf.cast(self.discriminator([fake, labels], training=True), "float32")
            if self.minimax:  # minimise log(1 - D(G(z, y), y)) = -bce(0, logit)
                g_loss = -self.bce(tf.zeros_like(fake_logits), fake_logits)
            else:  # maximise log D(G(z, y), y)
                g_loss = self.bce(tf.ones_like(fake_logits), fake_logits)
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}


def build(model, settings):
    with precision_policy(settings.precision):
        generator = keras.models.clone_model(model.generator)
        discriminator = keras.models.clone_model(model.discriminator)
    # Start from the plugin's weights, so that the two steps' losses compare from the same start.
    generator.set_weights(model.generator.get_weights())
    discriminator.set_weights(model.discriminator.get_weights())
    return HandWrittenConditionalGAN(generator, discriminator, model.latent_dim, learning_rate=model.learning_rate,
                                     loss=model.get_config()["loss"])
