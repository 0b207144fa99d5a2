"""What StyleGAN and StyleGAN2 share: the mapping network, styles, noise,
truncation, the generator average and generation (`StyleGANBase`); each
model (`v1.StyleGAN`, `v2.StyleGAN2`) builds its networks and writes its
training step."""

from __future__ import annotations

import numpy as np

import keras
from keras import ops

from ganzoo import replicas
from ganzoo.errors import GanzooError
from ganzoo.model import GAN
from ganzoo_plugins.stylegan import progressive, styles
from ganzoo_plugins.stylegan.figures import StyleFigures
from ganzoo_plugins.stylegan.mapping import build_mapping
from ganzoo_plugins.stylegan.plan import plan as make_plan

NOISE_MODES = ("const", "random")


def stylegan_adam(learning_rate, beta_1=0.0, beta_2=0.99):
    # Both papers: Adam with beta_1 = 0, beta_2 = 0.99, epsilon = 1e-8.
    return keras.optimizers.Adam(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=1e-8)


class StyleGANBase(StyleFigures, GAN):
    """What StyleGAN and StyleGAN2 share; not registered itself.

    Networks: `mapping` (z -> w), `synthesis` (per-layer styles ws + noise
    images -> image), `discriminator`; `mapping_ema` and `synthesis_ema`,
    their exponential moving averages, generate. Model-level state (saved,
    resumed): `w_avg` (the tracked average of w, for truncation),
    `images_seen` (training images shown), and the fixed noise images of
    `noise="const"`. `generate()` takes `truncation_psi`, `noise` and
    `truncation_cutoff` (see `prepare_generation`); the figures of the
    papers are `ganzoo_plugins.stylegan.figures`.

    The options both models share (each subclass documents the rest):

    Args:
        image_shape: (height, width, channels): powers of two, at least 8
            (the papers: StyleGAN 32 to 1024, StyleGAN2 256 to 1024;
            non-square such as 256x128 works).
        learning_rate: Adam learning rate (beta_1 0, beta_2 0.99) of both
            networks (the papers: StyleGAN 0.001, StyleGAN2 0.002).
        latent_dim: size of z (the paper: 512).
        style_dim: size of w and width of the mapping network (the paper: 512).
        mapping_layers: dense layers of the mapping network (the paper: 8).
        mapping_lr_multiplier: learning-rate multiplier of the mapping
            network (the paper: 0.01).
        generator_filters: channels of the synthesis network up to 32 px,
            halved at each further doubling (the paper: 512).
        discriminator_filters: the same for the discriminator (the paper: 512).
        style_mixing: probability of style-mixing regularisation per sample
            (the paper: 0.9).
        ema: decay of the generator's moving average per step (0 = off;
            the paper: 0.9978, a half-life of 10k images at batch 32).
        w_avg_decay: decay of the tracked average of w per step.
        seed: seed of the model's random stream.
    """

    task = "unconditional"
    tracked = ("d_loss", "g_loss", "r1")
    pixel_range = (-1.0, 1.0)
    default_loss = "non_saturating"

    def __init__(self, image_shape, latent_dim, style_dim, mapping_layers, mapping_lr_multiplier, generator_filters,
                 discriminator_filters, learning_rate, r1_gamma, style_mixing, ema, w_avg_decay, seed, **kwargs):
        super().__init__(image_shape=image_shape, latent_dim=latent_dim, seed=seed, **kwargs)
        if not 0.0 <= float(style_mixing) <= 1.0:
            raise GanzooError(f"style_mixing is a probability in [0, 1]; got {style_mixing}")
        if not 0.0 <= float(ema) < 1.0:
            raise GanzooError(f"ema is a decay in [0, 1) (0 turns the average off); got {ema}")
        self.plan = make_plan(self.image_shape, generator_filters)
        self.style_dim = int(style_dim)
        self.mapping_layers = int(mapping_layers)
        self.mapping_lr_multiplier = float(mapping_lr_multiplier)
        self.generator_filters = int(generator_filters)
        self.discriminator_filters = int(discriminator_filters)
        self.learning_rate = float(learning_rate)
        self.r1_gamma = float(r1_gamma)
        self.style_mixing = float(style_mixing)
        self.ema = float(ema)
        self.w_avg_decay = float(w_avg_decay)
        self.num_ws = self.plan.num_ws
        self.mapping = self.build_mapping("mapping")
        self.synthesis = self.build_synthesis("synthesis")
        self.discriminator = self.build_discriminator()
        if self.ema > 0:
            # The engine keeps the averages (mapping_ema, synthesis_ema), updates them
            # after every step and saves them; generation uses them.
            self.average(self.mapping, decay=self.ema)
            self.average(self.synthesis, decay=self.ema)
        self.w_avg = self.add_weight(name="w_avg", shape=(self.style_dim,), initializer="zeros", trainable=False)
        self.images_seen = self.add_weight(name="images_seen", shape=(), initializer="zeros", dtype="float32",
                                           trainable=False)
        noise_rng = np.random.default_rng(0 if seed is None else seed)
        self.const_noise = [
            self.add_weight(name=f"const_noise_{i}", shape=(1, *shape), trainable=False,
                            initializer=keras.initializers.Constant(noise_rng.standard_normal((1, *shape))))
            for i, shape in enumerate(self.noise_shapes())
        ]
        for name in self.last_value_tracked:
            self.trackers[name] = progressive.LastValue(name)

    last_value_tracked = ()

    @classmethod
    def run_config(cls, run):
        """`ganzoo fit` trains at the data's size rounded up to powers of two
        (the embedded digits' 28x28 -> 32x32), unless `--image-size` says."""
        config = super().run_config(run)
        if "image_shape" in config and run.image_size is None:
            config["image_shape"] = cls.supported_image_shape(config["image_shape"])
        return config

    @classmethod
    def supported_image_shape(cls, shape):
        """The data's image shape rounded up to powers of two (28x28 -> 32x32),
        at least 8: what `ganzoo fit` trains at without `--image-size`."""
        def up(n):
            return max(8, 1 << (int(n) - 1).bit_length())

        height, width, channels = shape
        return up(height), up(width), channels

    # -------------------------------------------------------------- networks
    def build_mapping(self, name):
        return build_mapping(self.latent_dim, self.style_dim, self.mapping_layers, self.mapping_lr_multiplier, name)

    def build_synthesis(self, name):
        raise NotImplementedError

    def build_discriminator(self):
        raise NotImplementedError

    def noise_shapes(self):
        raise NotImplementedError

    def optimizer_targets(self):
        return {"generator": [self.mapping, self.synthesis], "discriminator": [self.discriminator]}

    def synthesis_inputs(self, ws, noises):
        """The synthesis network's inputs (subclasses add the growth level)."""
        return [ws, *noises]

    def call(self, inputs, training=False):
        return self.synthesize(self.styles(inputs, training=training), noise="const", training=training)

    # -------------------------------------------------------------- styles and noise
    def styles(self, z, training=False, averaged=None):
        """z (batch, latent_dim) -> ws (batch, num_ws, style_dim), one w per layer."""
        mapping = self.mapping if training or averaged is False else self.averaged(self.mapping)
        return styles.broadcast(mapping(z, training=training), self.num_ws)

    def noise(self, batch, mode="random", seed=None):
        """Noise images for every noise layer: fresh N(0, 1) draws, or the
        model's fixed images (`"const"`) repeated over the batch."""
        if mode not in NOISE_MODES:
            raise GanzooError(f"noise is one of {', '.join(NOISE_MODES)}; got {mode!r}")
        if mode == "const":
            return [ops.tile(ops.convert_to_tensor(v), (batch, 1, 1, 1)) for v in self.const_noise]
        return [self.random.normal((batch, *shape), seed=seed) for shape in self.noise_shapes()]

    def synthesize(self, ws, noise="const", seed=None, training=False, averaged=None):
        """ws -> images in the networks' range [-1, 1] (the average generator
        unless training)."""
        network = self.synthesis if training or averaged is False else self.averaged(self.synthesis)
        batch = ops.shape(ws)[0]
        return network(self.synthesis_inputs(ws, self.noise(batch, noise, seed)), training=training)

    def mixing_plan(self, batch):
        """Latents for one training step with style-mixing regularisation
        (Karras et al., 2019, section 3.1): two z per sample and a crossover
        layer, which is `num_ws` (no mixing) with probability 1 - `style_mixing`."""
        z1 = self.sample_latent(batch)
        z2 = self.sample_latent(batch)
        crossover = self.random.integers((batch,), maxval=self.num_ws, minval=1)
        mixing = self.random.bernoulli((batch,), self.style_mixing) > 0
        return z1, z2, ops.where(mixing, crossover, self.num_ws)

    def mixed_styles(self, z1, z2, crossover):
        """ws of a training step (through the trainable mapping network): the
        layers from `crossover` on take w(z2) instead of w(z1). Returns
        (ws, w(z1))."""
        w = self.mapping(z1, training=True)
        ws = styles.broadcast(w, self.num_ws)
        if self.style_mixing > 0:
            ws = styles.mix(ws, styles.broadcast(self.mapping(z2, training=True), self.num_ws), crossover)
        return ws, w

    # -------------------------------------------------------------- training pieces
    def default_optimizers(self):
        return {"generator": stylegan_adam(self.learning_rate), "discriminator": stylegan_adam(self.learning_rate)}

    def r1(self, real, critic):
        """E ||grad_x D(x)||^2 on real images (Mescheder et al., 2018)."""
        return self.r1_penalty(critic, real)

    def update_w_average(self, w):
        """The tracked average of w (for truncation), after each step; the
        generator's moving average is the engine's (`average()`)."""
        w_mean = replicas.mean(ops.mean(ops.cast(w, "float32"), axis=0))  # the global batch's mean
        self.w_avg.assign(w_mean + (self.w_avg - w_mean) * self.w_avg_decay)

    def count_images(self, batch):
        self.images_seen.assign_add(ops.cast(replicas.global_batch_size(batch), "float32"))


    # -------------------------------------------------------------- generation
    def prepare_generation(self, n=None, truncation_psi=1.0, noise="const", truncation_cutoff=None, **conditions):
        """`generate(n, seed=, truncation_psi=1.0, noise="const", truncation_cutoff=None)`:

        - truncation_psi: the truncation trick, w' = w_avg + psi (w - w_avg):
          1 leaves w alone, 0 gives the average image, 0.7 is the paper's
          trade of variety for quality;
        - noise: "const" uses the model's fixed noise images (the same image
          for the same z, and one image for every seed at
          `truncation_psi=0`); "random" draws fresh noise from `seed`;
        - truncation_cutoff: truncate only the first this many layers
          (StyleGAN's coarse-only truncation uses 8); None: all.

        They reach `generate_batch` as per-image conditions, one value repeated.
        """
        if n is None or int(n) < 1:
            raise GanzooError("generate() needs n >= 1 images")
        if noise not in NOISE_MODES:
            raise GanzooError(f"noise is one of {', '.join(NOISE_MODES)}; got {noise!r}")
        n, conditions = super().prepare_generation(n, **conditions)
        conditions["truncation_psi"] = np.full(n, float(truncation_psi), "float32")
        conditions["noise"] = np.full(n, noise)
        if truncation_cutoff is not None:
            conditions["truncation_cutoff"] = np.full(n, int(truncation_cutoff))
        return n, conditions

    def generate_batch(self, n, seed, truncation_psi=None, noise=None, truncation_cutoff=None):
        # One value per batch: prepare_generation repeats a single one per image.
        psi = 1.0 if truncation_psi is None else float(truncation_psi[0])
        cutoff = None if truncation_cutoff is None else int(truncation_cutoff[0])
        ws = self.styles(self.sample_latent(n, seed))
        ws = styles.truncate(ws, self.w_avg, psi, cutoff)
        return self.synthesize(ws, "const" if noise is None else str(noise[0]), seed)
