"""GAN-INT-CLS (Reed et al. 2016, https://arxiv.org/abs/1605.05396) written out keras.io-style.

One step on a batch `(images, captions)`, as the plugin's `train_step`:

1. D (and the text encoder, when it is trained) on the matching-aware loss:
   real image + right caption is real; real image + mismatched caption (the
   batch rolled by one; an identical caption falls back to the fake term) and
   G(z, h) + right caption are fake, each at half weight (CLS).
2. G on -log D(G(z, h), h) - log D(G(z', h_int), h_int) with h_int the
   captions interpolated with the rolled batch (INT), plus the mode-seeking
   term diversity_weight / (|G(z, h) - G(z', h)| / |z - z'| + 1e-5).

At the cpu preset the text encoder is pre-trained (`pretrain_steps`) and then
frozen: phi(t) is computed once per step, outside both tapes. Adam (beta_1
0.5) on a rate constant for the first half of `training_steps`, then linear
to zero (fit_vs_loop's runs stay in the constant half; the decay changes no
work per step).

Other configurations worth timing, followed here as in the plugin
(`fit_vs_loop.py --set KEY=VALUE`):
  train_text_encoder=true   the encoder trained with D (phi(t) inside D's tape,
                            encoder gradients; a second, inference encoder pass
                            for G), as with pretrain_steps=0
  diversity_weight=0        no mode-seeking term (one generator pass fewer; the
                            paper preset)
  interpolation=false       no INT term (one G and one D pass fewer)
  matching_aware=false      no mismatched-caption term (one D pass fewer)
"""

import keras
import tensorflow as tf

from ganzoo.precision import precision_policy


class SecondHalfLinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Constant for the first half of `total_steps`, then linearly to zero (the plugin's schedule)."""

    def __init__(self, learning_rate, total_steps):
        self.learning_rate = float(learning_rate)
        self.start = int(total_steps) // 2
        self.steps = max(1, int(total_steps) - self.start)

    def __call__(self, step):
        done = tf.clip_by_value((tf.cast(step, "float32") - self.start) / self.steps, 0.0, 1.0)
        return self.learning_rate * (1.0 - done)

    def get_config(self):
        return {"learning_rate": self.learning_rate, "total_steps": self.start + self.steps}


def adam(learning_rate, training_steps):
    rate = SecondHalfLinearDecay(learning_rate, training_steps) if training_steps > 0 else learning_rate
    return keras.optimizers.Adam(rate, beta_1=0.5, beta_2=0.999, epsilon=1e-7)


class HandWrittenTextToImage(keras.Model):
    """GAN-INT-CLS with a hand-written step, on clones of the plugin's generator, discriminator and text encoder."""

    def __init__(self, generator, discriminator, text_encoder, latent_dim, learning_rate=1e-3, training_steps=0,
                 train_text_encoder=False, matching_aware=True, interpolation=True, interpolation_beta=0.5,
                 diversity_weight=0.05):
        super().__init__()
        self.generator, self.discriminator, self.text_encoder = generator, discriminator, text_encoder
        self.latent_dim = latent_dim
        self.train_text_encoder = train_text_encoder
        self.text_encoder.trainable = train_text_encoder
        self.matching_aware, self.interpolation = matching_aware, interpolation
        self.beta, self.diversity_weight = interpolation_beta, diversity_weight
        self.d_optimizer = adam(learning_rate, training_steps)
        self.g_optimizer = adam(learning_rate, training_steps)
        self.d_variables = self.discriminator.trainable_weights + (
            self.text_encoder.trainable_weights if train_text_encoder else [])

    def embed(self, texts, training):
        return tf.cast(self.text_encoder(texts, training=training), self.generator.compute_dtype)

    def train_step(self, data):
        images, texts = data[0], data[1]
        real = tf.cast(images, self.generator.compute_dtype) * 2.0 - 1.0
        n = tf.shape(real)[0]
        z = tf.random.normal((n, self.latent_dim))
        z_other = tf.random.normal((n, self.latent_dim))   # INT's and the mode-seeking term's latents
        # A frozen encoder embeds the captions once for both players.
        fixed_h = None if self.train_text_encoder else self.embed(texts, training=False)

        # 1. D (and a trained encoder): matching-aware loss, log D written as -softplus(-logit).
        with tf.GradientTape() as tape:
            h = self.embed(texts, training=True) if fixed_h is None else fixed_h
            fake = self.generator([z, tf.stop_gradient(h)], training=True)
            real_logits = tf.cast(self.discriminator([real, h], training=True), "float32")
            fake_logits = tf.cast(self.discriminator([fake, h], training=True), "float32")
            real_term = tf.reduce_mean(tf.math.softplus(-real_logits))
            fake_term = tf.reduce_mean(tf.math.softplus(fake_logits))
            if self.matching_aware:
                wrong_h = tf.roll(h, 1, axis=0)
                valid = tf.not_equal(texts, tf.roll(texts, 1, axis=0))   # a repeated caption is no negative
                wrong_logits = tf.cast(self.discriminator([real, wrong_h], training=True), "float32")
                wrong_logits = tf.where(valid[:, None], wrong_logits, fake_logits)
                wrong_term = tf.reduce_mean(tf.math.softplus(wrong_logits))
                d_loss = real_term + 0.5 * (fake_term + wrong_term)
            else:
                d_loss = real_term + fake_term
        grads = tape.gradient(d_loss, self.d_variables)
        self.d_optimizer.apply_gradients(zip(grads, self.d_variables))

        # 2. G: fool D on the right captions and on interpolated ones; keep z's effect on the image.
        with tf.GradientTape() as tape:
            h = tf.stop_gradient(self.embed(texts, training=False) if fixed_h is None else fixed_h)
            fake = self.generator([z, h], training=True)
            fake_logits = tf.cast(self.discriminator([fake, h], training=True), "float32")
            g_loss = tf.reduce_mean(tf.math.softplus(-fake_logits))
            if self.interpolation:
                h_int = self.beta * h + (1.0 - self.beta) * tf.roll(h, 1, axis=0)
                fake_int = self.generator([z_other, h_int], training=True)
                int_logits = tf.cast(self.discriminator([fake_int, h_int], training=True), "float32")
                g_loss += tf.reduce_mean(tf.math.softplus(-int_logits))
            if self.diversity_weight:
                other = self.generator([z_other, h], training=True)
                image_distance = tf.reduce_mean(tf.abs(tf.cast(fake, "float32") - tf.cast(other, "float32")))
                latent_distance = tf.reduce_mean(tf.abs(z - z_other))
                g_loss += self.diversity_weight / (image_distance / latent_distance + 1e-5)
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        return {"d_loss": d_loss, "g_loss": g_loss}


def build(model, settings):
    if model.default_loss != "non_saturating":
        raise NotImplementedError(f"the hand-written text2image step writes the non-saturating loss; "
                                  f"got {model.default_loss!r}")
    with precision_policy(settings.precision):
        generator = keras.models.clone_model(model.generator)
        discriminator = keras.models.clone_model(model.discriminator)
        text_encoder = keras.models.clone_model(model.text_encoder)   # keeps the vocabulary (in its config)
    # Start from the plugin's weights: its (pre-trained) encoder matters when frozen, and losses compare better.
    for clone, source in ((generator, model.generator), (discriminator, model.discriminator),
                          (text_encoder, model.text_encoder)):
        clone.set_weights(source.get_weights())
    return HandWrittenTextToImage(
        generator, discriminator, text_encoder, model.latent_dim, learning_rate=model.learning_rate,
        training_steps=model.training_steps, train_text_encoder=model.train_text_encoder,
        matching_aware=model.matching_aware, interpolation=model.interpolation,
        interpolation_beta=model.interpolation_beta, diversity_weight=model.diversity_weight)
