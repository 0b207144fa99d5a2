"""DCGAN's networks, following the architecture guidelines of Radford et al.:
strided convolutions instead of pooling, BatchNorm in both networks (not on
G's output nor D's input), ReLU in G with tanh output, LeakyReLU 0.2 in D, no
hidden fully connected layers, weights drawn from N(0, 0.02)."""

import keras
from keras import layers

from ganzoo.errors import GanzooError
from ganzoo.layers import downsampling_stack, normal_init, resolution_plan, upsampling_stack


def plan(image_shape):
    """(start, stages) of a square image size of 4 or 7 times a power of two."""
    height, width, _ = image_shape
    if height != width:
        raise GanzooError(f"DCGAN generates square images; got {height}x{width}")
    result = resolution_plan(height)
    if result is None:
        raise GanzooError(
            f"DCGAN needs a square image size of 4 or 7 times a power of two (28, 32, 64, 128, ...); got {height}"
        )
    return result


def build_generator(image_shape, latent_dim, filters, name="generator"):
    """z -> project and reshape to start x start -> transposed convolutions
    that double the resolution and halve the filters -> tanh image."""
    start, stages = plan(image_shape)
    z = keras.Input((latent_dim,), name="z")
    images = upsampling_stack(z, start, stages, filters, image_shape[-1])
    return keras.Model(z, images, name=name)


def build_discriminator(image_shape, filters, name="discriminator"):
    """image -> strided convolutions that halve the resolution and double the
    filters (no BatchNorm on the first) -> flatten -> one logit."""
    _, stages = plan(image_shape)
    images = keras.Input(image_shape, name="image")
    x = layers.Flatten()(downsampling_stack(images, stages, filters))
    logit = layers.Dense(1, kernel_initializer=normal_init(), dtype="float32", name="logit")(x)
    return keras.Model(images, logit, name=name)
