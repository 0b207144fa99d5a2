"""StyleGAN (Karras, Laine & Aila, 2019), grown progressively."""

from __future__ import annotations

import keras
from keras import ops

from ganzoo.errors import GanzooError
from ganzoo_plugins.stylegan import networks_v1, progressive
from ganzoo_plugins.stylegan.base import StyleGANBase
from ganzoo_plugins.stylegan.plan import plan as make_plan


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

    Options beyond those `StyleGANBase` documents:

    Args:
        r1_gamma: weight gamma of the R1 penalty gamma / 2 E||grad D(x)||^2
            (the paper: 10 on FFHQ).
        progressive: grow from 4x4 (True) or train at the image size.
        fade_images: training images over which each new resolution fades
            in (the paper: 600,000).
        stable_images: training images each resolution then trains stable
            (and the base resolution first; the paper: 600,000).

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
                 mapping_lr_multiplier=0.01, generator_filters=32, discriminator_filters=32, learning_rate=0.002,
                 r1_gamma=10.0, style_mixing=0.9, ema=0.99, w_avg_decay=0.995, progressive=True,
                 fade_images=1000, stable_images=1000, seed=None, **kwargs):
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

