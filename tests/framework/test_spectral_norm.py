"""Spectral normalisation trains on the active backend: Keras'
`SpectralNormalization` assigns its power-iteration vector and the normalised
kernel inside the step, and those assignments must reach the variables (on JAX
they travel out of the stateless step with every other variable)."""

import numpy as np


def test_spectral_normalisation_keeps_its_updates_through_fit():
    import keras
    import tensorflow as tf
    from keras import layers, ops

    from ganzoo.model import GAN

    class SpectralGAN(GAN):
        def __init__(self, **kwargs):
            super().__init__(image_shape=(8, 8, 1), latent_dim=8, **kwargs)
            self.generator = keras.Sequential([keras.Input((8,)), layers.Dense(64, activation="sigmoid"),
                                               layers.Reshape((8, 8, 1))])
            self.discriminator = keras.Sequential([keras.Input((8, 8, 1)), layers.Flatten(),
                                                   layers.SpectralNormalization(layers.Dense(16)),
                                                   layers.LeakyReLU(0.2), layers.Dense(1)])

        def train_step(self, real):
            real = self.to_network_range(real)
            z = self.sample_latent(ops.shape(real)[0])
            d_loss = self.update(self.discriminator, self.optimizer["discriminator"],
                                 lambda: self.discriminator_loss(real, z))
            g_loss = self.update(self.generator, self.optimizer["generator"], lambda: self.generator_loss(z))
            return self.track(d_loss=d_loss, g_loss=g_loss)

    model = SpectralGAN(seed=0)
    model.compile()
    normalised = model.discriminator.layers[1]
    u_before = np.array(normalised.vector_u)
    sigma_before = np.linalg.svd(np.array(normalised.layer.kernel), compute_uv=False)[0]
    batch = np.random.default_rng(0).random((16, 8, 8, 1), dtype=np.float32)
    history = model.fit(tf.data.Dataset.from_tensors(batch).repeat(), steps_per_epoch=5, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][0])
    assert np.abs(np.array(normalised.vector_u) - u_before).max() > 1e-3    # the power iteration ran
    sigma = np.linalg.svd(np.array(normalised.layer.kernel), compute_uv=False)[0]
    assert sigma_before > 1.5 and abs(sigma - 1.0) < 0.05                   # the kernel was normalised
