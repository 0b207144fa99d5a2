"""DCGAN: the two-pass GAN step on convolutional networks."""

import keras
from keras import ops

from ganzoo.model import GAN, adam
from ganzoo.errors import GanzooError
from ganzoo_plugins.dcgan.networks import build_discriminator, build_generator


@keras.saving.register_keras_serializable(package="ganzoo", name="dcgan")
class DCGAN(GAN):
    """Deep convolutional GAN (Radford, Metz & Chintala, 2016).

    The generator projects z to a small feature map and doubles its
    resolution with stride-2 transposed convolutions until the image size
    (28 = 7 -> 14 -> 28; 64 = 4 -> 8 -> 16 -> 32 -> 64); the discriminator
    mirrors it with stride-2 convolutions. BatchNorm, ReLU / LeakyReLU(0.2),
    tanh output, N(0, 0.02) initialisation and Adam (2e-4, beta_1 0.5) as in
    the paper. The paper's 64 px model has 1024 filters at 4x4, which is
    `generator_filters=128`; the default 64 is the common reference size.

    Paper: https://arxiv.org/abs/1511.06434

    Args:
        image_shape: (size, size, channels); size is 4 or 7 times a power of
            two: 28, 32, 64, 128, ...
        latent_dim: size of z ~ N(0, I) (the paper: 100).
        generator_filters: filters of the generator's last hidden layer;
            doubled at each coarser resolution.
        discriminator_filters: filters of the discriminator's first layer;
            doubled at each coarser resolution.
        learning_rate: Adam learning rate of both networks.
        loss: adversarial loss name (see `ganzoo.losses.LOSSES`).
        ema: decay of an exponential moving average of the generator's
            weights used for sampling (e.g. 0.999); 0 (the paper) samples
            from the trained generator itself.
        seed: seed of the model's random stream.

    Example:

    ```python
    model = ganzoo.create("dcgan", image_shape=(64, 64, 3))
    model.compile()
    model.fit(ganzoo.data.load("celeb_a", model), epochs=5)
    ```
    """

    def __init__(self, image_shape=(28, 28, 1), latent_dim=100, generator_filters=64, discriminator_filters=64,
                 learning_rate=2e-4, loss="non_saturating", ema=0.0, seed=None, **kwargs):
        super().__init__(image_shape=image_shape, latent_dim=latent_dim, seed=seed, **kwargs)
        self.generator_filters = generator_filters
        self.discriminator_filters = discriminator_filters
        self.learning_rate = learning_rate
        self.default_loss = loss
        self.generator = build_generator(self.image_shape, self.latent_dim, generator_filters)
        self.discriminator = build_discriminator(self.image_shape, discriminator_filters)
        if not 0.0 <= float(ema) < 1.0:
            raise GanzooError(f"ema must be a decay in [0, 1) (0: off), got {ema}")
        if ema:
            self.average(self.generator, decay=float(ema))

    def default_optimizers(self):
        return {"generator": adam(self.learning_rate), "discriminator": adam(self.learning_rate)}

    def train_step(self, real):
        real = self.to_network_range(real)      # data arrive in [0, 1]; tanh works in [-1, 1]
        z = self.sample_latent(ops.shape(real)[0])
        # 1. Freeze the generator, train the discriminator on real and forged images.
        d_loss = self.update(self.discriminator, self.optimizer["discriminator"],
                             lambda: self.discriminator_loss(real, z))
        # 2. Freeze the discriminator, train the generator to fool it.
        g_loss = self.update(self.generator, self.optimizer["generator"],
                             lambda: self.generator_loss(z))
        return self.track(d_loss=d_loss, g_loss=g_loss)
