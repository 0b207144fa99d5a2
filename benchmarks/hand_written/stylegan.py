"""StyleGAN (Karras et al. 2019) written out keras.io-style, on clones of the plugin's networks.

One step does what `ganzoo_plugins.stylegan.v1.StyleGAN.train_step` does:
data [0, 1] -> [-1, 1] in the compute dtype; with progressive growing the real
batch is shown at the current growth level (2x2 average-pool pyramid,
upsampled and blended as the generator blends its outputs); style mixing
(two z per sample, a crossover layer with probability `style_mixing`);
fresh noise images; one generator forward outside the tapes for the
discriminator's fakes; the discriminator on the non-saturating logistic loss
+ gamma / 2 * R1 on the real images (a second critic pass on the reals under
an inner tape, as the plugin's `r1_penalty` does); the mapping + synthesis
networks on the non-saturating loss (mapping and synthesis run again on the
same latents and noise); the tracked average of w; the moving averages of
mapping and synthesis (decay `ema`, every step); `images_seen` += batch,
which drives the growth level. Adam(lr, beta_1 0, beta_2 0.99, eps 1e-8) for
both players, as the plugin's `default_optimizers`.

Stages (`fit_vs_loop.py --set`): a fresh model trains at the base
resolution (level 0, 4x4); every growth level costs the same compute, since
both networks hold every resolution and only blend by the level. The one
structurally different state is `--set progressive=False`: the networks
without fade-in layers, trained at the final resolution (32 px, stable); the
hand-written step follows it. `--set stable_images=0` starts in the first
fade-in (alpha > 0 from the second step on), at the same cost.

The networks' code is the plugin's (clones with the plugin's initial
weights, so both sides start equal); `stylegan2.py` reuses this module's
helpers.
"""

import keras
import tensorflow as tf

from ganzoo.precision import precision_policy


def clone(network, precision, trainable=True):
    """A clone of `network` under `precision`, starting from its weights."""
    with precision_policy(precision):
        copy = keras.models.clone_model(network)
    copy.set_weights(network.get_weights())
    copy.trainable = trainable
    return copy


def adam(learning_rate, beta_2=0.99):
    # Both papers: Adam with beta_1 = 0, beta_2 = 0.99, epsilon = 1e-8.
    return keras.optimizers.Adam(learning_rate=learning_rate, beta_1=0.0, beta_2=beta_2, epsilon=1e-8)


class StyleSteps(keras.Model):
    """The parts of the StyleGAN steps that v1 and v2 share, written out:
    style-mixing latents, the mapping network's styles, noise images, R1,
    the w average and the generator's moving average."""

    def __init__(self, model, precision, num_noise_inputs):
        super().__init__()
        self.mapping = clone(model.mapping, precision)
        self.synthesis = clone(model.synthesis, precision)
        self.discriminator = clone(model.discriminator, precision)
        self.ema = float(model.ema)
        # The sampling copies of mapping and synthesis, averaged after every step.
        self.mapping_ema = clone(model.mapping, precision, trainable=False) if self.ema > 0 else None
        self.synthesis_ema = clone(model.synthesis, precision, trainable=False) if self.ema > 0 else None
        self.latent_dim = int(model.latent_dim)
        self.num_ws = int(model.num_ws)
        self.style_mixing = float(model.style_mixing)
        self.r1_gamma = float(model.r1_gamma)
        self.w_avg_decay = float(model.w_avg_decay)
        self.height, self.width, self.channels = model.image_shape
        # The noise inputs are the synthesis network's last inputs: (H, W, 1) each.
        self.noise_shapes = [tuple(t.shape[1:]) for t in self.synthesis.inputs[-num_noise_inputs:]]
        self.w_avg = self.add_weight(name="w_avg", shape=(int(model.style_dim),), initializer="zeros",
                                     trainable=False)

    @property
    def network_dtype(self):
        return self.synthesis.compute_dtype

    def to_network_range(self, real):
        # Data arrive in [0, 1]; the networks work in [-1, 1], in their compute dtype.
        return tf.cast(tf.cast(real, "float32") * 2.0 - 1.0, self.network_dtype)

    def mixing_plan(self, n):
        """Two z per sample and a crossover layer; num_ws (no mixing) with probability 1 - style_mixing."""
        z1 = tf.random.normal((n, self.latent_dim))
        z2 = tf.random.normal((n, self.latent_dim))
        crossover = tf.random.uniform((n,), minval=1, maxval=self.num_ws, dtype="int32")
        mixing = tf.random.uniform((n,)) < self.style_mixing
        return z1, z2, tf.where(mixing, crossover, self.num_ws)

    def mixed_styles(self, z1, z2, crossover):
        """ws (n, num_ws, style_dim): w(z1) on layers [0, crossover), w(z2) after; and w(z1)."""
        w = self.mapping(z1, training=True)
        ws = tf.repeat(w[:, None], self.num_ws, axis=1)
        if self.style_mixing > 0:
            ws2 = tf.repeat(self.mapping(z2, training=True)[:, None], self.num_ws, axis=1)
            take_first = (tf.range(self.num_ws)[None, :] < crossover[:, None])[:, :, None]
            ws = tf.where(take_first, ws, ws2)
        return ws, w

    def noise(self, n):
        return [tf.random.normal((n, *shape)) for shape in self.noise_shapes]

    def r1_penalty(self, critic, real):
        """E ||grad_x D(x)||^2 over the real images (a fresh critic pass, differentiable again)."""
        with tf.GradientTape() as tape:
            tape.watch(real)
            scores = tf.reduce_sum(tf.cast(critic(real), "float32"))
        gradients = tf.cast(tape.gradient(scores, real), "float32")
        return tf.reduce_mean(tf.reduce_sum(tf.square(tf.reshape(gradients, (tf.shape(real)[0], -1))), axis=1))

    def update_averages(self, w):
        """The tracked average of w (truncation) and the generator's moving average."""
        w_mean = tf.reduce_mean(tf.cast(w, "float32"), axis=0)
        self.w_avg.assign(w_mean + (self.w_avg - w_mean) * self.w_avg_decay)
        if self.ema > 0:
            for averaged, network in ((self.mapping_ema, self.mapping), (self.synthesis_ema, self.synthesis)):
                for mine, theirs in zip(averaged.weights, network.weights):
                    mine.assign(self.ema * mine + (1.0 - self.ema) * tf.cast(theirs, mine.dtype))


def non_saturating_d(real_logits, fake_logits):
    # -log D(x) - log(1 - D(G(z))) with logits, reduced in float32.
    return (tf.reduce_mean(tf.math.softplus(-tf.cast(real_logits, "float32")))
            + tf.reduce_mean(tf.math.softplus(tf.cast(fake_logits, "float32"))))


def non_saturating_g(fake_logits):
    return tf.reduce_mean(tf.math.softplus(-tf.cast(fake_logits, "float32")))


class HandWrittenStyleGAN(StyleSteps):
    """StyleGAN's step: progressive growing, mixing, non-saturating loss + R1, EMA."""

    def __init__(self, model, precision):
        super().__init__(model, precision, len(model.noise_shapes()))
        self.progressive = bool(model.progressive)
        self.stages = int(model.plan.stages)
        self.base_height = int(model.plan.base[0])
        self.fade_images, self.stable_images = float(model.fade_images), float(model.stable_images)
        self.d_optimizer = adam(float(model.learning_rate))
        self.g_optimizer = adam(float(model.learning_rate))
        self.images_seen = self.add_weight(name="images_seen", shape=(), initializer="zeros", trainable=False)

    def level(self):
        """The growth level: 0 base only, s - 1 + alpha while stage s fades in, s once stable."""
        if not self.progressive:
            return tf.constant(float(self.stages))
        period = self.fade_images + self.stable_images
        shown = tf.maximum(self.images_seen - self.stable_images, 0.0)
        completed = tf.floor(shown / period)
        alpha = tf.minimum((shown - completed * period) / self.fade_images, 1.0)
        return tf.minimum(completed + alpha, float(self.stages))

    def show_at_level(self, real, level):
        """The real images at the current resolution, blended during a fade as the generator blends."""
        pyramid = [real]
        for _ in range(self.stages):
            pyramid.append(tf.nn.avg_pool2d(pyramid[-1], 2, 2, "VALID"))
        pyramid.reverse()
        shown = pyramid[0]
        for stage in range(1, self.stages + 1):
            shown = tf.repeat(tf.repeat(shown, 2, axis=1), 2, axis=2)
            weight = tf.cast(tf.clip_by_value(level - (stage - 1), 0.0, 1.0), shown.dtype)
            shown = shown + (pyramid[stage] - shown) * weight
        return shown

    def generate_images(self, ws, noises, levels):
        inputs = [ws, levels, *noises] if self.progressive else [ws, *noises]
        return self.synthesis(inputs, training=True)

    def critic(self, images, levels):
        return self.discriminator([images, levels] if self.progressive else images, training=True)

    def train_step(self, real):
        real = self.to_network_range(real)
        n = tf.shape(real)[0]
        level = self.level()
        levels = tf.fill((n, 1), level)
        if self.progressive:
            real = self.show_at_level(real, level)
        latents = self.mixing_plan(n)
        noises = self.noise(n)
        ws, w = self.mixed_styles(*latents)
        fake = self.generate_images(ws, noises, levels)

        # Discriminator: non-saturating loss + gamma / 2 * R1 on the reals.
        with tf.GradientTape() as tape:
            d_loss = non_saturating_d(self.critic(real, levels), self.critic(fake, levels))
            r1 = self.r1_penalty(lambda x: self.critic(x, levels), real)
            total = d_loss + 0.5 * self.r1_gamma * r1
        grads = tape.gradient(total, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))

        # Generator (mapping + synthesis), again from the same latents and noise.
        g_weights = self.mapping.trainable_weights + self.synthesis.trainable_weights
        with tf.GradientTape() as tape:
            ws_g, _ = self.mixed_styles(*latents)
            g_loss = non_saturating_g(self.critic(self.generate_images(ws_g, noises, levels), levels))
        grads = tape.gradient(g_loss, g_weights)
        self.g_optimizer.apply_gradients(zip(grads, g_weights))

        self.update_averages(w)
        # The resolution and fade-in weight this step trained at, then count its images.
        stage = tf.math.ceil(level)
        fraction = level - tf.floor(level)
        self.images_seen.assign_add(tf.cast(n, "float32"))
        return {"d_loss": d_loss, "g_loss": g_loss, "r1": r1,
                "resolution": self.base_height * tf.pow(2.0, stage),
                "alpha": tf.where(fraction > 0.0, fraction, 1.0)}


def build(model, settings):
    return HandWrittenStyleGAN(model, settings.precision)
