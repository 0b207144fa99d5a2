"""The original GAN: Algorithm 1 of Goodfellow et al. (2014)."""

import keras
from keras import ops

from ganzoo.model import GAN, adam
from ganzoo.errors import GanzooError
from ganzoo_plugins.vanilla.networks import build_discriminator, build_generator


@keras.saving.register_keras_serializable(package="ganzoo", name="vanilla")
class VanillaGAN(GAN):
    """The multilayer-perceptron GAN of Goodfellow et al. (2014).

    A forger G maps noise z to images; an investigator D tells them from real
    ones. They play the minimax game

        min_G max_D  E_x[log D(x)] + E_z[log(1 - D(G(z)))]

    by alternating gradient steps: k steps on D with G frozen, then one on G
    with D frozen (Algorithm 1). The paper's own advice, used by default, is
    that G maximise log D(G(z)) instead ("non_saturating"), because
    log(1 - D(G(z))) has almost no gradient while D easily rejects early
    samples; `loss="minimax"` keeps the game exactly as written. Adam
    (beta_1 0.5) replaces the paper's SGD with momentum; its learning rate
    is 1e-3, not DCGAN's 2e-4, because at 2e-4 an MLP on the 1,797 digits
    is far from converged after the default 5,600 steps. Samples come from
    an exponential moving average of the generator (`ema`), which averages
    out the step-to-step jitter of the game; runs much shorter than a few
    thousand steps want a smaller decay. With two hidden layers and dropout
    0.5 in D these took the default run's classifier Fréchet distance from
    18 to 7 (docs/plugins/vanilla.md).

    Paper: https://arxiv.org/abs/1406.2661

    Args:
        image_shape: (height, width, channels) of the images.
        latent_dim: size of the noise vector z ~ N(0, I).
        hidden_units: width of each hidden layer of both networks.
        hidden_layers: number of hidden layers in each network.
        dropout: dropout rate after each hidden layer of the discriminator.
        discriminator_steps: k, discriminator steps per generator step.
        learning_rate: Adam learning rate of both networks.
        beta_1: Adam's beta_1 for both networks.
        loss: "non_saturating" (default) or "minimax" (the value function as written),
            or any name in `ganzoo.losses.LOSSES`.
        ema: decay of an exponential moving average of the generator's
            weights used for sampling, in [0, 1); 0 samples from the trained
            generator itself, as the paper did.
        seed: seed of the model's random stream.

    Example:

    ```python
    model = ganzoo.create("vanilla", image_shape=(28, 28, 1))
    model.compile()
    model.fit(ganzoo.data.load("digits", model), epochs=30)
    images = model.generate(16, seed=0)
    ```
    """

    def __init__(self, image_shape=(28, 28, 1), latent_dim=100, hidden_units=256, hidden_layers=2,
                 dropout=0.5, discriminator_steps=1, learning_rate=1e-3, beta_1=0.5, loss="non_saturating",
                 ema=0.999, seed=None, **kwargs):
        super().__init__(image_shape=image_shape, latent_dim=latent_dim, seed=seed, **kwargs)
        self.hidden_units = hidden_units
        self.hidden_layers = hidden_layers
        self.dropout = dropout
        self.discriminator_steps = discriminator_steps
        self.learning_rate = learning_rate
        self.beta_1 = beta_1
        self.default_loss = loss
        self.generator = build_generator(self.image_shape, self.latent_dim, hidden_units, hidden_layers)
        self.discriminator = build_discriminator(self.image_shape, hidden_units, hidden_layers, dropout)
        if not 0.0 <= float(ema) < 1.0:
            raise GanzooError(f"ema must be a decay in [0, 1) (0: off), got {ema}")
        if ema:
            self.average(self.generator, decay=float(ema))

    @classmethod
    def from_config(cls, config):
        # Models saved before `ema` existed sampled from the trained generator;
        # today's default would add an averaged copy their files do not hold.
        return super().from_config({"ema": 0.0, **config})

    def default_optimizers(self):
        return {"generator": adam(self.learning_rate, self.beta_1),
                "discriminator": adam(self.learning_rate, self.beta_1)}

    def train_step(self, real):
        real = self.to_network_range(real)      # data arrive in [0, 1]; G's tanh works in [-1, 1]
        batch = ops.shape(real)[0]
        # 1. Freeze the generator; k steps of the discriminator (Algorithm 1).
        for _ in range(self.discriminator_steps):
            z = self.sample_latent(batch)
            d_loss = self.update(self.discriminator, self.optimizer["discriminator"],
                                 lambda: self.discriminator_loss(real, z))
        # 2. Freeze the discriminator; one step of the generator.
        z = self.sample_latent(batch)
        g_loss = self.update(self.generator, self.optimizer["generator"],
                             lambda: self.generator_loss(z))
        return self.track(d_loss=d_loss, g_loss=g_loss)
