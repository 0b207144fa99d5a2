"""CycleGAN: unpaired image-to-image translation with cycle consistency."""

import keras
from keras import ops

from ganzoo import losses
from ganzoo.model import GAN, adam
from ganzoo.errors import GanzooError
from ganzoo.layers import ImageHistory
from ganzoo_plugins.cyclegan.networks import (build_discriminator, build_generator, check_image_shape,
                                              default_residual_blocks)
from ganzoo.schedules import second_half_decay

DIRECTIONS = ("a2b", "b2a")


@keras.saving.register_keras_serializable(package="ganzoo", name="cyclegan")
class CycleGAN(GAN):
    """CycleGAN (Zhu, Park, Isola & Efros, 2017): two generators translate
    between domains A and B, learnt from unpaired images.

    G_AB: A -> B and G_BA: B -> A are ResNet generators (6 residual blocks
    for 128 px, 9 for 256 px; reflection padding, instance normalisation);
    D_A and D_B are 70x70 PatchGANs judging images of A and of B. The
    generators minimise the least-squares adversarial loss plus
    `lambda_cycle` x the cycle losses |G_BA(G_AB(a)) - a| + |G_AB(G_BA(b)) - b|
    plus `lambda_identity` x `lambda_cycle` x the identity losses
    |G_AB(b) - b| + |G_BA(a) - a|; each discriminator is trained on real
    images and on generated ones drawn through a history of `pool_size`
    earlier outputs. Adam (2e-4, beta_1 0.5) at a constant rate for the
    first half of `training_steps`, then linearly to zero.

    Batches are `(images_a, images_b)`, float32 in [0, 1], drawn
    independently (`ganzoo.data.load(source, model)` with a two-domain
    source). `generate(images=x, direction="a2b")` translates.

    Paper: https://arxiv.org/abs/1703.10593

    Args:
        image_shape: (height, width, channels) of both domains' images;
            sides are multiples of 4 and at least 24 (the paper: 256x256x3).
        generator_filters: filters of the generators' first layer (ngf;
            the paper: 64); 2x and 4x after the two downsampling stages.
        discriminator_filters: filters of the PatchGAN's first layer (ndf;
            the paper: 64), doubled at each of its next three layers.
        residual_blocks: residual blocks of each generator; None chooses
            as the paper does, 9 for images of 256 px and more, else 6.
        lambda_cycle: weight of the cycle-consistency losses (the paper: 10).
        lambda_identity: weight of the identity losses as a fraction of
            `lambda_cycle` (the paper: 0.5, i.e. 5); 0 switches them off.
        pool_size: generated images kept per discriminator in the history
            (the paper: 50); 0 shows the discriminators only the latest.
        learning_rate: Adam learning rate of all four networks (2e-4).
        beta_1: Adam beta_1 (0.5).
        training_steps: planned length of training in steps; the learning
            rate stays constant for the first half and falls linearly to
            zero over the second half. 0 keeps it constant. `ganzoo fit`
            fills it in from --steps or --epochs unless it is set.
        loss: adversarial loss name (the paper: "least_squares").
        seed: seed of the model's random stream (the history's draws).

    Example:

    ```python
    model = ganzoo.create("cyclegan", image_shape=(128, 128, 3), training_steps=20000)
    model.compile()
    model.fit(ganzoo.data.load("cycle_gan/horse2zebra", model, batch_size=1, repeat=True),
              steps_per_epoch=1000, epochs=20)
    zebras = model.generate(images=horses)                  # a2b
    horses_again = model.generate(images=zebras, direction="b2a")
    ```
    """

    task = "unpaired"
    tracked = ("g_loss", "adversarial_loss", "cycle_loss", "identity_loss", "d_a_loss", "d_b_loss")
    default_loss = "least_squares"
    directions = DIRECTIONS

    def __init__(self, image_shape=(256, 256, 3), generator_filters=64, discriminator_filters=64,
                 residual_blocks=None, lambda_cycle=10.0, lambda_identity=0.5, pool_size=50, learning_rate=2e-4,
                 beta_1=0.5, training_steps=0, loss="least_squares", seed=None, **kwargs):
        super().__init__(image_shape=image_shape, seed=seed, **kwargs)
        self.default_loss = loss
        check_image_shape(self.image_shape)
        self.generator_filters = int(generator_filters)
        self.discriminator_filters = int(discriminator_filters)
        self.residual_blocks = (default_residual_blocks(self.image_shape) if residual_blocks is None
                                else int(residual_blocks))
        self.lambda_cycle = float(lambda_cycle)
        self.lambda_identity = float(lambda_identity)
        self.pool_size = int(pool_size)
        self.learning_rate = float(learning_rate)
        self.beta_1 = float(beta_1)
        self.training_steps = int(training_steps)
        if self.training_steps < 0:
            raise GanzooError(f"training_steps must be >= 0 (0: constant learning rate), got {training_steps}")

        blocks = self.residual_blocks
        self.generator_ab = build_generator(self.image_shape, self.generator_filters, blocks, name="generator_ab")
        self.generator_ba = build_generator(self.image_shape, self.generator_filters, blocks, name="generator_ba")
        self.discriminator_a = build_discriminator(self.image_shape, self.discriminator_filters, name="discriminator_a")
        self.discriminator_b = build_discriminator(self.image_shape, self.discriminator_filters, name="discriminator_b")
        pool_seed = (None if seed is None else seed + 1, None if seed is None else seed + 2)
        self.history_a = ImageHistory(self.pool_size, self.image_shape, seed=pool_seed[0], name="history_a")
        self.history_b = ImageHistory(self.pool_size, self.image_shape, seed=pool_seed[1], name="history_b")

    # ------------------------------------------------------------------ optimizers
    def learning_rate_schedule(self):
        """The learning rate: constant, or the paper's linear decay over the
        second half of `training_steps`."""
        return second_half_decay(self.learning_rate, self.training_steps)

    def default_optimizers(self):
        def make():
            return adam(self.learning_rate_schedule(), beta_1=self.beta_1)

        return {"generator": make(), "discriminator_a": make(), "discriminator_b": make()}

    def optimizer_targets(self):
        return {"generator": [self.generator_ab, self.generator_ba],
                "discriminator_a": [self.discriminator_a], "discriminator_b": [self.discriminator_b]}

    def call(self, inputs, training=False):
        return self.generator_ab(inputs, training=training)

    # ------------------------------------------------------------------ losses
    def adversarial_loss(self, discriminator, fake):
        """The generator's adversarial term for one direction. With the
        least-squares loss it is E[(D(G(x)) - 1)^2], as Zhu et al. write it
        (their code keeps LSGAN's 1/2 only in the discriminator's loss)."""
        loss = self.loss.generator(discriminator(fake, training=True))
        return 2.0 * loss if isinstance(self.loss, losses.LeastSquaresLoss) else loss

    @staticmethod
    def l1(x, y):
        return ops.mean(ops.abs(ops.cast(x, "float32") - ops.cast(y, "float32")))

    def generator_losses(self, real_a, real_b):
        """Both generators' objective; returns (total, parts) where parts holds
        the terms and the translated images for the discriminators."""
        fake_b = self.generator_ab(real_a, training=True)
        fake_a = self.generator_ba(real_b, training=True)
        adversarial = (self.adversarial_loss(self.discriminator_b, fake_b)
                       + self.adversarial_loss(self.discriminator_a, fake_a))
        cycle = (self.l1(self.generator_ba(fake_b, training=True), real_a)
                 + self.l1(self.generator_ab(fake_a, training=True), real_b))
        total = adversarial + self.lambda_cycle * cycle
        identity = ops.zeros((), "float32")
        if self.lambda_identity > 0:
            identity = (self.l1(self.generator_ab(real_b, training=True), real_b)
                        + self.l1(self.generator_ba(real_a, training=True), real_a))
            total = total + self.lambda_identity * self.lambda_cycle * identity
        return total, {"adversarial": adversarial, "cycle": cycle, "identity": identity,
                       "fake_a": fake_a, "fake_b": fake_b}

    def patch_discriminator_loss(self, discriminator, real, fake):
        """Real images towards 1, generated ones towards 0 (least squares, halved)."""
        return self.loss.discriminator(discriminator(real, training=True), discriminator(fake, training=True))

    # ------------------------------------------------------------------ training
    def train_step(self, data):
        images_a, images_b = data
        # float32: the L1 targets keep full precision.
        real_a, real_b = self.to_network_range(images_a, "float32"), self.to_network_range(images_b, "float32")
        # 1. Both discriminators frozen: train G_AB and G_BA (adversarial + cycle + identity).
        g_loss, parts = self.update([self.generator_ab, self.generator_ba], self.optimizer["generator"],
                                    lambda: self.generator_losses(real_a, real_b), has_aux=True)
        # 2. Generators frozen: each discriminator on real images and on
        #    translated ones drawn through its history of generated images.
        fake_a = self.history_a(parts["fake_a"])
        fake_b = self.history_b(parts["fake_b"])
        d_a_loss = self.update(self.discriminator_a, self.optimizer["discriminator_a"],
                               lambda: self.patch_discriminator_loss(self.discriminator_a, real_a, fake_a))
        d_b_loss = self.update(self.discriminator_b, self.optimizer["discriminator_b"],
                               lambda: self.patch_discriminator_loss(self.discriminator_b, real_b, fake_b))
        return self.track(g_loss=g_loss, adversarial_loss=parts["adversarial"], cycle_loss=parts["cycle"],
                          identity_loss=parts["identity"], d_a_loss=d_a_loss, d_b_loss=d_b_loss)

    # ------------------------------------------------------------------ generation
    def generate_batch(self, n, seed, images=None, direction=None):
        """Translates with G_AB (direction code 0, "a2b") or G_BA (1, "b2a");
        the task checked the images and made the code."""
        generator = self.generator_ba if int(direction[0]) == 1 else self.generator_ab
        return generator(self.to_network_range(images, "float32"), training=False)
