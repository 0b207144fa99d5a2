"""The two multilayer perceptrons of the original GAN."""

import math

import keras
from keras import layers


def build_generator(image_shape, latent_dim, hidden_units, hidden_layers, name="generator"):
    """z -> hidden ReLU layers -> tanh pixels (zero-initialised kernel), reshaped to `image_shape`."""
    z = keras.Input((latent_dim,), name="z")
    x = z
    for i in range(hidden_layers):
        x = layers.Dense(hidden_units, activation="relu", name=f"hidden_{i}")(x)
    # A random output kernel paints every sample with per-pixel noise that the
    # data (smooth, upscaled 8x8 digits) never has and an MLP discriminator
    # hardly penalises: zeros start G at a flat grey image, so every pattern
    # it draws is one the game asked for (measured: 24% -> 9% of the trained
    # kernel off the digits' smooth subspace, visibly less speckle).
    x = layers.Dense(math.prod(image_shape), kernel_initializer="zeros", name="pixels")(x)
    x = layers.Activation("tanh", dtype="float32", name="tanh")(x)
    images = layers.Reshape(image_shape, name="image")(x)
    return keras.Model(z, images, name=name)


def build_discriminator(image_shape, hidden_units, hidden_layers, dropout, name="discriminator"):
    """image -> hidden LeakyReLU layers (with dropout, as Goodfellow et al.) -> one logit."""
    images = keras.Input(image_shape, name="image")
    x = layers.Flatten()(images)
    for i in range(hidden_layers):
        x = layers.Dense(hidden_units, name=f"hidden_{i}")(x)
        x = layers.LeakyReLU(0.2)(x)
        if dropout:
            x = layers.Dropout(dropout)(x)
    logit = layers.Dense(1, dtype="float32", name="logit")(x)
    return keras.Model(images, logit, name=name)
