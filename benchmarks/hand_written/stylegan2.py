"""StyleGAN2 (Karras et al. 2020) written out keras.io-style, on clones of the plugin's networks.

One step does what `ganzoo_plugins.stylegan.v2.StyleGAN2.train_step` does:
data [0, 1] -> [-1, 1]; style mixing and fresh noise as in StyleGAN; one
generator forward outside the tapes for the discriminator's fakes; the
discriminator on the non-saturating logistic loss, plus, every `r1_interval`
steps (step 0 included), `r1_interval * gamma / 2 * R1` (lazy R1, in a
`tf.cond` as the plugin has it); mapping + synthesis on the non-saturating
loss, plus, when `path_length_weight > 0`, every `path_length_interval` steps
`weight * interval * (|J_w^T y| - running mean)^2` (path-length
regularisation: a synthesis forward under an inner tape and its gradient
with respect to ws; the running mean moves by 0.01 towards the
batch mean and takes part in the gradient, as in the plugin); the w average
and the moving averages of mapping and synthesis. Optimizers as the
plugin's `default_optimizers`: Adam(lr, beta_1 0, beta_2 0.99, eps 1e-8),
for a lazily regularised player with lr * c and beta_2 0.99 ** c,
c = interval / (interval + 1) (the discriminator with the cpu preset's
r1_interval 16; the generator only when path-length regularisation is on).

No stages. At the cpu preset path-length regularisation is off
(`path_length_weight=0`); `fit_vs_loop.py --set path_length_weight=2` turns
it on (every 4 steps; `--set path_length_interval=K`), `--set r1_interval=1`
gives R1 every step; the hand-written step follows all of them.
"""

import math

import tensorflow as tf

from hand_written.stylegan import StyleSteps, adam, non_saturating_d, non_saturating_g


def lazy_adam(learning_rate, interval):
    # Lazy regularisation changes the optimizer's effective schedule:
    # the paper compensates with lr * c and beta ** c, c = k / (k + 1).
    c = interval / (interval + 1.0)
    return adam(learning_rate * c, 0.99 ** c)


class HandWrittenStyleGAN2(StyleSteps):
    """StyleGAN2's step: mixing, non-saturating loss, lazy R1, lazy path length, EMA."""

    def __init__(self, model, precision):
        super().__init__(model, precision, len(model.noise_shapes()))
        self.r1_interval = int(model.r1_interval)
        self.path_length_weight = float(model.path_length_weight)
        self.path_length_interval = int(model.path_length_interval)
        learning_rate = float(model.learning_rate)
        self.d_optimizer = (lazy_adam(learning_rate, self.r1_interval) if self.r1_interval > 1
                            else adam(learning_rate))
        self.g_optimizer = (lazy_adam(learning_rate, self.path_length_interval) if self.path_length_weight > 0
                            else adam(learning_rate))
        self.steps = self.add_weight(name="steps", shape=(), dtype="int32", initializer="zeros", trainable=False)
        self.path_length_mean = self.add_weight(name="path_length_mean", shape=(), initializer="zeros",
                                                trainable=False)

    def critic(self, images):
        return self.discriminator(images, training=True)

    def path_lengths(self, ws, noises):
        """|J_w^T y| per sample, y ~ N(0, I) / sqrt(pixels), averaged over the layers' ws."""
        y = tf.random.normal((tf.shape(ws)[0], self.height, self.width, self.channels))
        y = y / math.sqrt(self.height * self.width)
        with tf.GradientTape() as tape:
            tape.watch(ws)
            total = tf.reduce_sum(tf.cast(self.synthesis([ws, *noises], training=True), "float32") * y)
        gradients = tf.cast(tape.gradient(total, ws), "float32")
        return tf.sqrt(tf.reduce_mean(tf.reduce_sum(tf.square(gradients), axis=2), axis=1))

    def train_step(self, real):
        real = self.to_network_range(real)
        n = tf.shape(real)[0]
        latents = self.mixing_plan(n)
        noises = self.noise(n)
        ws, w = self.mixed_styles(*latents)
        fake = self.synthesis([ws, *noises], training=True)
        step = self.steps.value
        regularise_d = tf.equal(step % self.r1_interval, 0)
        regularise_g = tf.equal(step % self.path_length_interval, 0)

        # Discriminator: non-saturating loss; every r1_interval steps + interval * gamma / 2 * R1.
        with tf.GradientTape() as tape:
            d_loss = non_saturating_d(self.critic(real), self.critic(fake))
            r1 = tf.cond(regularise_d, lambda: self.r1_penalty(self.critic, real), lambda: tf.zeros((), "float32"))
            total = d_loss + 0.5 * self.r1_gamma * self.r1_interval * r1
        grads = tape.gradient(total, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))

        # Generator (mapping + synthesis); every path_length_interval steps + the path-length penalty.
        g_weights = self.mapping.trainable_weights + self.synthesis.trainable_weights
        with tf.GradientTape() as tape:
            ws_g, _ = self.mixed_styles(*latents)
            g_loss = non_saturating_g(self.critic(self.synthesis([ws_g, *noises], training=True)))
            total = g_loss
            mean = tf.convert_to_tensor(self.path_length_mean)
            if self.path_length_weight > 0:
                lengths = tf.cond(regularise_g, lambda: self.path_lengths(ws_g, noises),
                                  lambda: tf.zeros((n,), "float32"))
                new_mean = self.path_length_mean + (tf.reduce_mean(lengths) - self.path_length_mean) * 0.01
                penalty = tf.where(regularise_g, tf.reduce_mean(tf.square(lengths - new_mean)), 0.0)
                mean = tf.where(regularise_g, new_mean, mean)
                total = g_loss + self.path_length_weight * self.path_length_interval * penalty
        grads = tape.gradient(total, g_weights)
        self.g_optimizer.apply_gradients(zip(grads, g_weights))

        self.path_length_mean.assign(mean)
        self.update_averages(w)
        self.steps.assign_add(1)
        return {"d_loss": d_loss, "g_loss": g_loss, "r1": r1, "path_length": mean}


def build(model, settings):
    return HandWrittenStyleGAN2(model, settings.precision)
