"""The mapping network f: Z -> W shared by StyleGAN and StyleGAN2."""

from __future__ import annotations

import keras
from keras import layers

from ganzoo.layers import EqualizedDense, PixelNorm


def build_mapping(latent_dim, style_dim, num_layers=8, lr_multiplier=0.01, name="mapping"):
    """z -> pixel norm -> `num_layers` x (equalised dense, LeakyReLU 0.2) -> w.

    Karras et al. (2019), section 2: eight 512-wide layers whose learning
    rate is 100 times lower (`lr_multiplier` 0.01) than the synthesis
    network's.
    """
    z = keras.Input((latent_dim,), name="z")
    x = PixelNorm(name="normalize_z")(z)
    for i in range(num_layers):
        x = EqualizedDense(style_dim, lr_multiplier=lr_multiplier, name=f"dense_{i}")(x)
        x = layers.LeakyReLU(0.2, name=f"lrelu_{i}")(x)
    return keras.Model(z, x, name=name)
