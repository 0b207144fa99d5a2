"""StyleGAN and StyleGAN2 models: what the two share (mapping network,
styles, noise, truncation, mixing, the generator average, generation and
grids) lives in `StyleGANBase`; each subclass builds its networks and
writes its training step."""

from __future__ import annotations

import math

import numpy as np

import keras
from keras import ops

from ganzoo import images as images_lib
from ganzoo import replicas
from ganzoo.model import GAN
from ganzoo.errors import GanzooError
from ganzoo.tasks.base import SampleOption
from ganzoo_plugins.stylegan import networks_v1, networks_v2, progressive, styles
from ganzoo_plugins.stylegan.mapping import build_mapping
from ganzoo_plugins.stylegan.plan import plan as make_plan

NOISE_MODES = ("const", "random")


def _adam(learning_rate, beta_1=0.0, beta_2=0.99):
    # Both papers: Adam with beta_1 = 0, beta_2 = 0.99, epsilon = 1e-8.
    return keras.optimizers.Adam(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=1e-8)


class StyleGANBase(GAN):
    """What StyleGAN and StyleGAN2 share; not registered itself.

    Networks: `mapping` (z -> w), `synthesis` (per-layer styles ws + noise
    images -> image), `discriminator`; `mapping_ema` and `synthesis_ema`,
    their exponential moving averages, generate. Model-level state (saved,
    resumed): `w_avg` (the tracked average of w, for truncation),
    `images_seen` (training images shown), and the fixed noise images of
    `noise="const"`.
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
        return {"generator": _adam(self.learning_rate), "discriminator": _adam(self.learning_rate)}

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
    def generate_batch(self, n, seed, truncation_psi=1.0, noise="const", truncation_cutoff=None):
        ws = self.styles(self.sample_latent(n, seed))
        ws = styles.truncate(ws, self.w_avg, truncation_psi, truncation_cutoff)
        return self.synthesize(ws, noise, seed)

    def generate(self, n=None, *, seed=None, batch_size=128, truncation_psi=1.0, noise="const",
                 truncation_cutoff=None):
        """Generates images, float32 NHWC in [0, 1] as a NumPy array, with the
        moving-average generator.

        Args:
            n: number of images.
            seed: int for reproducible output; None draws fresh latents.
            batch_size: images per forward pass.
            truncation_psi: the truncation trick, w' = w_avg + psi (w - w_avg):
                1 leaves w alone, 0 gives the average image, 0.7 is the
                paper's trade of variety for quality.
            noise: "const" uses the model's fixed noise images (the same
                image for the same z, and one image for every seed at
                `truncation_psi=0`); "random" draws fresh noise from `seed`.
            truncation_cutoff: truncate only the first this many layers
                (StyleGAN's coarse-only truncation uses 8); None: all.

        Example:

        ```python
        faces = model.generate(16, seed=0, truncation_psi=0.7)
        ```
        """
        if n is None or int(n) < 1:
            raise GanzooError("generate() needs n >= 1 images")
        if noise not in NOISE_MODES:
            raise GanzooError(f"noise is one of {', '.join(NOISE_MODES)}; got {noise!r}")
        rng = keras.random.SeedGenerator(seed)
        out = []
        for start in range(0, int(n), batch_size):
            count = min(int(n), start + batch_size) - start
            out.append(ops.convert_to_numpy(self.from_network_range(
                self.generate_batch(count, rng, float(truncation_psi), noise, truncation_cutoff))))
        return np.concatenate(out).astype("float32")

    def latents(self, seeds):
        """One z per seed: the same z as `generate(1, seed=s)`."""
        return ops.concatenate([self.sample_latent(1, keras.random.SeedGenerator(int(s))) for s in seeds], axis=0)

    def mix_styles(self, coarse_seeds, fine_seeds, crossover, truncation_psi=1.0, noise="const"):
        """Images whose layers `[0, crossover)` take their styles from
        `coarse_seeds` and the rest from `fine_seeds` (pairwise), in [0, 1].

        In the paper's terms (figure 3), a crossover of 4 (4x4 and 8x8)
        copies the coarse styles: pose, face shape, glasses; 8 (up to 32x32)
        the middle ones; later crossovers only the colour scheme and fine
        detail."""
        if not 0 <= crossover <= self.num_ws:
            raise GanzooError(f"crossover is a layer index in [0, {self.num_ws}]; got {crossover}")
        if len(coarse_seeds) != len(fine_seeds):
            raise GanzooError("mix_styles() pairs coarse_seeds with fine_seeds: give as many of each")
        ws_coarse = styles.truncate(self.styles(self.latents(coarse_seeds)), self.w_avg, truncation_psi)
        ws_fine = styles.truncate(self.styles(self.latents(fine_seeds)), self.w_avg, truncation_psi)
        ws = styles.mix(ws_coarse, ws_fine, crossover)
        return ops.convert_to_numpy(self.from_network_range(self.synthesize(ws, noise)))

    def style_mixing_grid(self, source_seeds=(1, 2, 3, 4, 5), destination_seeds=(6, 7, 8, 9), crossover=None,
                          truncation_psi=1.0):
        """The paper's style-mixing figure as one HWC image in [0, 1]: the
        top row shows the sources, the left column the destinations; cell
        (i, j) takes the styles of layers `[0, crossover)` from source j and
        the rest from destination i. `crossover` defaults to the coarse
        styles (up to 8x8 above the base when the network has them)."""
        crossover = min(4, self.num_ws - 1) if crossover is None else int(crossover)
        sources = self.generate_from_seeds(source_seeds, truncation_psi)
        destinations = self.generate_from_seeds(destination_seeds, truncation_psi)
        blank = np.ones_like(sources[:1])
        rows = [np.concatenate([blank, sources])]
        for i, destination in enumerate(destination_seeds):
            mixed = self.mix_styles(list(source_seeds), [destination] * len(source_seeds), crossover,
                                      truncation_psi)
            rows.append(np.concatenate([destinations[i:i + 1], mixed]))
        cells = np.concatenate(rows)
        return images_lib.grid(cells, rows=len(rows), pad_value=1.0)

    def generate_from_seeds(self, seeds, truncation_psi=1.0):
        ws = styles.truncate(self.styles(self.latents(seeds)), self.w_avg, truncation_psi)
        return ops.convert_to_numpy(self.from_network_range(self.synthesize(ws, "const")))

    def interpolation_grid(self, steps=8, rows=4, seed=0, space="w", truncation_psi=1.0):
        """Rows of `steps` images walking from one random latent to another,
        linearly in W (`space="w"`) or along the great circle in Z
        (`space="z"`, spherical interpolation); one HWC image in [0, 1]."""
        if space not in ("w", "z"):
            raise GanzooError(f"space is 'w' or 'z'; got {space!r}")
        if steps < 2:
            raise GanzooError("interpolation needs at least 2 steps")
        rng = keras.random.SeedGenerator(seed)
        z0 = ops.convert_to_numpy(self.sample_latent(rows, rng))
        z1 = ops.convert_to_numpy(self.sample_latent(rows, rng))
        t = np.linspace(0.0, 1.0, steps, dtype="float32")
        if space == "z":
            cos = np.sum(z0 * z1, -1) / (np.linalg.norm(z0, axis=-1) * np.linalg.norm(z1, axis=-1))
            omega = np.arccos(np.clip(cos, -1.0, 1.0))[:, None, None]                   # (rows, 1, 1)
            tt = t[None, :, None]
            zs = (np.sin((1 - tt) * omega) * z0[:, None] + np.sin(tt * omega) * z1[:, None]) / np.sin(omega)
            ws = self.styles(zs.reshape(rows * steps, -1).astype("float32"))
        else:
            w0, w1 = (ops.convert_to_numpy(self.averaged(self.mapping)(z)) for z in (z0, z1))
            w = w0[:, None] + (w1 - w0)[:, None] * t[None, :, None]
            ws = styles.broadcast(w.reshape(rows * steps, -1), self.num_ws)
        ws = styles.truncate(ws, self.w_avg, truncation_psi)
        frames = ops.convert_to_numpy(self.from_network_range(self.synthesize(ws, "const")))
        return images_lib.grid(frames, rows=rows)

    def truncation_grid(self, seeds=(0, 1, 2, 3, 4, 5), psis=(1.0, 0.7, 0.5, 0.0, -0.5, -1.0)):
        """One row per psi, one column per seed (the paper's figure 8)."""
        cells = np.concatenate([self.generate_from_seeds(seeds, psi) for psi in psis])
        return images_lib.grid(cells, rows=len(psis))

    #: `ganzoo sample RUN --mix` and `--interpolate N` (beyond the unconditional task's grid).
    extra_sample_options = (
        SampleOption("mix", "--mix", "the style-mixing figure: sources on top, destinations on the left",
                     is_flag=True, default=False),
        SampleOption("interpolate", "--interpolate", "an interpolation grid in W with N steps per row", type="int"),
        SampleOption("truncation_psi", "--truncation-psi", "the truncation trick's psi (1 = off)", type="float",
                     default=1.0),
    )

    def sample(self, *, out, count=64, seed=0, mix=False, interpolate=None, truncation_psi=1.0, **options):
        """`ganzoo sample`: the task's grid, or with `--mix` the style-mixing
        figure, with `--interpolate N` the interpolation grid."""
        if mix and interpolate:
            raise GanzooError("pass either --mix or --interpolate, not both")
        if not (mix or interpolate):
            if truncation_psi == 1.0:
                return self.task.sample(self, out=out, count=count, seed=seed, **options)
            picture = images_lib.grid(self.generate(count, seed=seed, truncation_psi=truncation_psi))
        elif mix:
            picture = self.style_mixing_grid(truncation_psi=truncation_psi)
        else:
            if int(interpolate) < 2:
                raise GanzooError("--interpolate needs at least 2 steps")
            picture = self.interpolation_grid(steps=int(interpolate), seed=seed, truncation_psi=truncation_psi)
        return [images_lib.save_image(picture, out, scale=max(1, 700 // max(picture.shape[:2])))]


@keras.saving.register_keras_serializable(package="ganzoo", name="stylegan")
class StyleGAN(StyleGANBase):
    """StyleGAN: a style-based generator (Karras, Laine & Aila, 2019), grown
    progressively (Karras et al., 2018).

    The lecture's three parts:

    1. a mapping network, 8 equalised dense layers with LeakyReLU 0.2 and a
       learning rate 100 times lower, turns the normalised z into w;
    2. the synthesis network starts from a learned constant 4x4 input; at
       each resolution two 3x3 convolutions, each followed by per-pixel noise
       (one Gaussian image, scaled per channel) and adaptive instance
       normalisation (AdaIN) whose scale and bias are a learned affine map
       of w; upsampling is nearest-neighbour followed by the [1, 2, 1] blur;
    3. progressive growing: from 4x4 to the image size, each new resolution
       faded in over `fade_images` training images, then stabilised for
       `stable_images`.

    Every layer has an equalised learning rate; the discriminator ends with a
    minibatch standard deviation layer. Training: non-saturating logistic
    loss with R1 (`r1_gamma`), style-mixing regularisation, a moving average
    of the generator for sampling and a tracked average of w for the
    truncation trick.

    Progressive growing in `fit()`: both networks hold every resolution and
    take the continuous growth level as an input, so the graph is built once.
    The level is a function of `images_seen`, a saved model variable, so the
    schedule shows in the progress bar and metrics.csv (`resolution`,
    `alpha`) and resumes in the middle of a fade. The generator always
    outputs the full image size (lower resolutions upsampled by
    nearest-neighbour); the real batch is shown at the same level: reduced to
    the current resolution by 2x2 average pooling, blended between the two
    resolutions during a fade exactly as the generator blends its outputs,
    and upsampled back (`progressive.show_at_level`). The discriminator
    average-pools its input and blends its fromRGB layers by the same level,
    so it sees both at the current resolution. `progressive=False` trains at
    the image size from the start.

    Paper: https://arxiv.org/abs/1812.04948 (StyleGAN);
    https://arxiv.org/abs/1710.10196 (progressive growing)

    Args:
        image_shape: (height, width, channels): powers of two, at least 8
            (the papers: 32 to 1024; non-square such as 256x128 works).
        latent_dim: size of z (the paper: 512).
        style_dim: size of w and width of the mapping network (the paper: 512).
        mapping_layers: dense layers of the mapping network (the paper: 8).
        mapping_lr_multiplier: learning-rate multiplier of the mapping
            network (the paper: 0.01).
        generator_filters: channels of the synthesis network up to 32 px,
            halved at each further doubling (the paper: 512).
        discriminator_filters: the same for the discriminator (the paper: 512).
        learning_rate: Adam learning rate (beta_1 0, beta_2 0.99) of both
            networks (the paper: 0.001).
        r1_gamma: weight gamma of the R1 penalty gamma / 2 E||grad D(x)||^2
            (the paper: 10 on FFHQ).
        style_mixing: probability of style-mixing regularisation per sample
            (the paper: 0.9).
        ema: decay of the generator's moving average per step (0 = off;
            the paper: 0.9978, a half-life of 10k images at batch 32).
        w_avg_decay: decay of the tracked average of w per step.
        progressive: grow from 4x4 (True) or train at the image size.
        fade_images: training images over which each new resolution fades
            in (the paper: 600,000).
        stable_images: training images each resolution then trains stable
            (and the base resolution first; the paper: 600,000).
        seed: seed of the model's random stream.

    Example:

    ```python
    model = ganzoo.create("stylegan", image_shape=(32, 32, 1))
    model.compile()
    model.fit(ganzoo.data.load("digits", model, batch_size=32, repeat=True), steps_per_epoch=200, epochs=5)
    faces = model.generate(16, seed=0, truncation_psi=0.7)
    grid = model.style_mixing_grid()
    ```
    """

    tracked = ("d_loss", "g_loss", "r1", "resolution", "alpha")
    last_value_tracked = ("resolution", "alpha")

    def __init__(self, image_shape=(32, 32, 1), latent_dim=64, style_dim=64, mapping_layers=8,
                 mapping_lr_multiplier=0.01, generator_filters=32, discriminator_filters=32, learning_rate=0.001,
                 r1_gamma=10.0, style_mixing=0.9, ema=0.99, w_avg_decay=0.995, progressive=True,
                 fade_images=4000, stable_images=4000, seed=None, **kwargs):
        self.progressive = bool(progressive)
        if int(fade_images) < 1 or int(stable_images) < 0:
            raise GanzooError(f"fade_images must be >= 1 and stable_images >= 0; got {fade_images}, {stable_images}")
        self.fade_images = int(fade_images)
        self.stable_images = int(stable_images)
        super().__init__(image_shape, latent_dim, style_dim, mapping_layers, mapping_lr_multiplier,
                         generator_filters, discriminator_filters, learning_rate, r1_gamma, style_mixing, ema,
                         w_avg_decay, seed, **kwargs)

    def build_synthesis(self, name):
        return networks_v1.build_synthesis(self.plan, self.style_dim, self.progressive, name)

    def build_discriminator(self):
        return networks_v1.build_discriminator(make_plan(self.image_shape, self.discriminator_filters),
                                               self.progressive)

    def noise_shapes(self):
        return networks_v1.noise_shapes(self.plan)

    # -------------------------------------------------------------- the schedule
    def level(self):
        """The growth level now (a float32 scalar tensor; see `progressive`)."""
        if not self.progressive:
            return ops.convert_to_tensor(float(self.plan.stages))
        return progressive.level_at(self.images_seen, self.plan.stages, self.fade_images, self.stable_images)

    def resolution_and_alpha(self):
        """(height of the highest resolution in use, its fade-in weight)."""
        stage, alpha = progressive.stage_and_alpha(self.level())
        return self.plan.base[0] * ops.power(2.0, stage), alpha

    def _levels(self, batch):
        return ops.full((batch, 1), self.level())

    def synthesis_inputs(self, ws, noises):
        if not self.progressive:
            return [ws, *noises]
        return [ws, self._levels(ops.shape(ws)[0]), *noises]

    def critic(self, images):
        if not self.progressive:
            return self.discriminator(images, training=True)
        return self.discriminator([images, self._levels(ops.shape(images)[0])], training=True)

    # -------------------------------------------------------------- the step
    def discriminator_loss_r1(self, real, fake):
        """Non-saturating logistic loss + gamma / 2 R1; the two terms as aux."""
        adversarial = self.loss.discriminator(self.critic(real), self.critic(fake))
        r1 = self.r1(real, self.critic)
        return adversarial + 0.5 * self.r1_gamma * r1, {"adversarial": adversarial, "r1": r1}

    def train_step(self, real):
        real = self.to_network_range(real)                       # data arrive in [0, 1]
        batch = ops.shape(real)[0]
        if self.progressive:                                     # the real images at the current resolution
            real = progressive.show_at_level(real, self.level(), self.plan.stages)
        latents = self.mixing_plan(batch)
        noises = self.noise(batch, "random")
        ws, w = self.mixed_styles(*latents)
        fake = self.synthesis(self.synthesis_inputs(ws, noises), training=True)
        # 1. Freeze the generator, train the discriminator (with R1 on the real images).
        _, d_parts = self.update(self.discriminator, self.optimizer["discriminator"],
                                 lambda: self.discriminator_loss_r1(real, fake), has_aux=True)
        # 2. Freeze the discriminator, train mapping + synthesis to fool it.
        g_loss = self.update([self.mapping, self.synthesis], self.optimizer["generator"],
                             lambda: self.loss.generator(self.critic(self.synthesis(
                                 self.synthesis_inputs(self.mixed_styles(*latents)[0], noises), training=True))))
        self.update_w_average(w)
        resolution, alpha = self.resolution_and_alpha()          # before counting: the level this step used
        self.count_images(batch)
        return self.track(d_loss=d_parts["adversarial"], g_loss=g_loss, r1=d_parts["r1"],
                          resolution=resolution, alpha=alpha)


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

    Args:
        image_shape: (height, width, channels): powers of two, at least 8
            (the paper: 256 to 1024; non-square such as 256x128 works).
        latent_dim: size of z (the paper: 512).
        style_dim: size of w and width of the mapping network (the paper: 512).
        mapping_layers: dense layers of the mapping network (the paper: 8).
        mapping_lr_multiplier: learning-rate multiplier of the mapping
            network (the paper: 0.01).
        generator_filters: channels of the synthesis network up to 32 px,
            halved at each further doubling (the paper: 512).
        discriminator_filters: the same for the discriminator (the paper: 512).
        learning_rate: Adam learning rate (beta_1 0, beta_2 0.99) of both
            networks (the paper: 0.002).
        r1_gamma: weight gamma of the R1 penalty (the paper: 10 on FFHQ 1024).
        r1_interval: R1 every this many steps, scaled by it (lazy
            regularisation; the paper: 16; 1 = every step).
        path_length_weight: weight of the path-length regulariser (the
            paper: 2; 0 = off).
        path_length_interval: path-length regularisation every this many
            steps (the paper: 4).
        style_mixing: probability of style-mixing regularisation per sample
            (the paper: 0.9).
        ema: decay of the generator's moving average per step (0 = off;
            the paper: 0.9978, a half-life of 10k images at batch 32).
        w_avg_decay: decay of the tracked average of w per step.
        seed: seed of the model's random stream.

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
            return _adam(self.learning_rate * c, 0.0, 0.99 ** c)

        g_interval = self.path_length_interval if self.path_length_weight > 0 else 0
        return {"generator": adam(g_interval) if g_interval else _adam(self.learning_rate),
                "discriminator": adam(self.r1_interval) if self.r1_interval > 1 else _adam(self.learning_rate)}

    def critic(self, images):
        return self.discriminator(images, training=True)

    def _every(self, interval, step=None):
        return ops.equal(ops.mod(ops.cast(self.step if step is None else step, "int32"), interval), 0)

    def path_lengths(self, ws, noises):
        """Jacobian-vector norms ||J_w^T y|| per sample, y ~ N(0, I) / sqrt(pixels)."""
        fake = self.synthesis([ws, *noises], training=True)
        height, width = self.image_shape[:2]
        y = self.random.normal(ops.shape(fake)) / math.sqrt(height * width)
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
            r1 = ops.cond(regularise_d, lambda: self.r1(real, self.critic), lambda: ops.zeros((), "float32"))
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
