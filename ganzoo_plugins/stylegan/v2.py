"""StyleGAN2 (Karras et al., 2020): weight demodulation, a skip generator,
a residual discriminator, lazy regularisation."""

from __future__ import annotations

import math

import keras
from keras import ops

from ganzoo import replicas
from ganzoo.errors import GanzooError
from ganzoo_plugins.stylegan import networks_v2
from ganzoo_plugins.stylegan.base import StyleGANBase, stylegan_adam
from ganzoo_plugins.stylegan.plan import plan as make_plan


@keras.saving.register_keras_serializable(package="ganzoo", name="stylegan2")
class StyleGAN2(StyleGANBase):
    """StyleGAN2 (Karras et al., 2020): StyleGAN without its artefacts.

    AdaIN is replaced by weight demodulation: each 3x3 convolution's weights
    are scaled per sample by a style (a learned affine map of w) and
    normalised so the output has unit variance (eqs. 1-3), written with
    plain Keras ops (`ganzoo.layers.ModulatedConv2D`: scale the input
    channels, convolve, scale the output channels; no custom kernels). Noise
    and bias are added after the convolution. The generator has skip
    connections (each resolution's toRGB output is added to the upsampled
    image so far), the discriminator residual blocks; no progressive
    growing. Training: non-saturating logistic loss with lazy R1 (every
    `r1_interval` steps, scaled by the interval) and optional lazy
    path-length regularisation; style mixing, a moving average of the
    generator and the w average as in StyleGAN. Shares the mapping
    network, noise, truncation and mixing code with `stylegan`.

    Paper: https://arxiv.org/abs/1912.04958

    Options beyond those `StyleGANBase` documents:

    Args:
        r1_gamma: weight gamma of the R1 penalty (the paper: 10 on FFHQ 1024).
        r1_interval: R1 every this many steps, scaled by it (lazy
            regularisation; the paper: 16; 1 = every step).
        path_length_weight: weight of the path-length regulariser (the
            paper: 2; 0 = off).
        path_length_interval: path-length regularisation every this many
            steps (the paper: 4).

    Example:

    ```python
    model = ganzoo.create("stylegan2", image_shape=(64, 64, 3))
    model.compile()
    model.fit(ganzoo.data.load("celeb_a", model, batch_size=32), epochs=5)
    images = model.generate(16, seed=0, truncation_psi=0.5)
    ```
    """

    tracked = ("d_loss", "g_loss", "r1", "path_length")
    last_value_tracked = ("path_length",)

    def __init__(self, image_shape=(32, 32, 1), latent_dim=64, style_dim=64, mapping_layers=8,
                 mapping_lr_multiplier=0.01, generator_filters=32, discriminator_filters=32, learning_rate=0.002,
                 r1_gamma=10.0, r1_interval=16, path_length_weight=0.0, path_length_interval=4, style_mixing=0.9,
                 ema=0.99, w_avg_decay=0.995, seed=None, **kwargs):
        if int(r1_interval) < 1 or int(path_length_interval) < 1:
            raise GanzooError("r1_interval and path_length_interval must be >= 1")
        self.r1_interval = int(r1_interval)
        self.path_length_weight = float(path_length_weight)
        self.path_length_interval = int(path_length_interval)
        super().__init__(image_shape, latent_dim, style_dim, mapping_layers, mapping_lr_multiplier,
                         generator_filters, discriminator_filters, learning_rate, r1_gamma, style_mixing, ema,
                         w_avg_decay, seed, **kwargs)
        self.path_length_mean = self.add_weight(name="path_length_mean", shape=(), initializer="zeros",
                                                trainable=False)

    def build_synthesis(self, name):
        return networks_v2.build_synthesis(self.plan, self.style_dim, name)

    def build_discriminator(self):
        return networks_v2.build_discriminator(make_plan(self.image_shape, self.discriminator_filters))

    def noise_shapes(self):
        return networks_v2.noise_shapes(self.plan)

    def default_optimizers(self):
        # Lazy regularisation changes the optimizer's effective schedule;
        # the paper compensates with lr * c and beta ** c, c = k / (k + 1).
        def adam(interval):
            c = interval / (interval + 1.0)
            return stylegan_adam(self.learning_rate * c, 0.0, 0.99 ** c)

        g_interval = self.path_length_interval if self.path_length_weight > 0 else 0
        return {"generator": adam(g_interval) if g_interval else stylegan_adam(self.learning_rate),
                "discriminator": adam(self.r1_interval) if self.r1_interval > 1 else stylegan_adam(self.learning_rate)}

    def critic(self, images):
        return self.discriminator(images, training=True)

    def _every(self, interval, step=None):
        return ops.equal(ops.mod(ops.cast(self.step if step is None else step, "int32"), interval), 0)

    def path_lengths(self, ws, noises):
        """Jacobian-vector norms ||J_w^T y|| per sample, y ~ N(0, I) / sqrt(pixels)."""
        height, width, channels = self.image_shape
        # y has the images' shape, known without a synthesis pass (one forward pass less per regularised step).
        y = self.random.normal((ops.shape(ws)[0], height, width, channels)) / math.sqrt(height * width)
        _, gradients = self.input_gradients(
            lambda v: ops.cast(self.synthesis([v, *noises], training=True), "float32") * y, ws)
        return ops.sqrt(ops.mean(ops.sum(ops.square(ops.cast(gradients, "float32")), axis=2), axis=1))

    def path_length_penalty(self, ws, noises, lengths=None):
        """Path-length regulariser (section 3.2): the lengths pulled towards
        their running mean, whose update uses the global batch's mean under a
        strategy. Returns (penalty, new mean of the lengths)."""
        lengths = self.path_lengths(ws, noises) if lengths is None else lengths
        batch_mean = replicas.mean(ops.mean(lengths))
        mean = self.path_length_mean + (batch_mean - self.path_length_mean) * 0.01
        return ops.mean(ops.square(lengths - mean)), mean

    def train_step(self, real):
        real = self.to_network_range(real)                       # data arrive in [0, 1]
        batch = ops.shape(real)[0]
        latents = self.mixing_plan(batch)
        noises = self.noise(batch, "random")
        ws, w = self.mixed_styles(*latents)
        fake = self.synthesis([ws, *noises], training=True)
        regularise_d = self._every(self.r1_interval)

        # 1. Freeze the generator, train the discriminator; every r1_interval
        #    steps also on interval * gamma / 2 * R1 (lazy regularisation).
        def d_loss_fn():
            adversarial = self.loss.discriminator(self.critic(real), self.critic(fake))
            # A branch, not ops.cond: on JAX's CPU a convolution inside a traced conditional runs without
            # XLA's fast path, so GAN.branch decides on the host there.
            r1 = self.branch(lambda step: self._every(self.r1_interval, step), lambda: self.r1(real, self.critic),
                             lambda: ops.zeros((), "float32"))
            return adversarial + 0.5 * self.r1_gamma * self.r1_interval * r1, {"adversarial": adversarial, "r1": r1}

        _, d_parts = self.update(self.discriminator, self.optimizer["discriminator"], d_loss_fn, has_aux=True)

        # 2. Freeze the discriminator, train mapping + synthesis; every
        #    path_length_interval steps also on the path-length penalty.
        def g_loss_fn():
            ws_g = self.mixed_styles(*latents)[0]
            adversarial = self.loss.generator(self.critic(self.synthesis([ws_g, *noises], training=True)))
            if self.path_length_weight <= 0:
                return adversarial, {"adversarial": adversarial,
                                     "pl_mean": ops.convert_to_tensor(self.path_length_mean)}
            penalty, mean = self.branch(lambda step: self._every(self.path_length_interval, step),
                                        lambda: self.path_length_penalty(ws_g, noises),
                                        lambda: (ops.zeros((), "float32"), ops.convert_to_tensor(self.path_length_mean)))
            total = adversarial + self.path_length_weight * self.path_length_interval * penalty
            return total, {"adversarial": adversarial, "pl_mean": mean}

        _, g_parts = self.update([self.mapping, self.synthesis], self.optimizer["generator"], g_loss_fn,
                                 has_aux=True)
        self.path_length_mean.assign(g_parts["pl_mean"])
        self.update_w_average(w)
        self.count_images(batch)
        return self.track(d_loss=d_parts["adversarial"], g_loss=g_parts["adversarial"], r1=d_parts["r1"],
                          path_length=g_parts["pl_mean"], weights={"r1": ops.cast(regularise_d, "float32")})
