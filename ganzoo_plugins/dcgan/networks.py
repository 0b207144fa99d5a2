"""DCGAN's networks, following the architecture guidelines of Radford et al.:
strided convolutions instead of pooling, BatchNorm in both networks (not on
G's output nor D's input), ReLU in G with tanh output, LeakyReLU 0.2 in D, no
hidden fully connected layers, weights drawn from N(0, 0.02)."""

import keras
from keras import layers

from ganzoo.errors import GanzooError


def weight_init():
    return keras.initializers.RandomNormal(0.0, 0.02)


def gamma_init():
    return keras.initializers.RandomNormal(1.0, 0.02)


def resolution_plan(size):
    """Start resolution and number of stride-2 stages for an image size:
    28 = 7 x 2^2, 32 = 4 x 2^3, 64 = 4 x 2^4, 128 = 4 x 2^5."""
    for start in (4, 7):
        stages, s = 0, size
        while s > start and s % 2 == 0:
            s //= 2
            stages += 1
        if s == start and stages >= 1:
            return start, stages
    raise GanzooError(
        f"DCGAN needs a square image size of 4 or 7 times a power of two (28, 32, 64, 128, ...); got {size}"
    )


def build_generator(image_shape, latent_dim, filters, name="generator"):
    """z -> project and reshape to start x start -> transposed convolutions
    that double the resolution and halve the filters -> tanh image."""
    height, width, channels = image_shape
    if height != width:
        raise GanzooError(f"DCGAN generates square images; got {height}x{width}")
    start, stages = resolution_plan(height)
    top = filters * 2 ** (stages - 1)
    z = keras.Input((latent_dim,), name="z")
    x = layers.Dense(start * start * top, use_bias=False, kernel_initializer=weight_init(), name="project")(z)
    x = layers.Reshape((start, start, top))(x)
    x = layers.BatchNormalization(gamma_initializer=gamma_init())(x)
    x = layers.ReLU()(x)
    for i in range(stages - 1):
        x = layers.Conv2DTranspose(top // 2 ** (i + 1), 4, strides=2, padding="same", use_bias=False,
                                   kernel_initializer=weight_init(), name=f"up_{i}")(x)
        x = layers.BatchNormalization(gamma_initializer=gamma_init())(x)
        x = layers.ReLU()(x)
    x = layers.Conv2DTranspose(channels, 4, strides=2, padding="same", kernel_initializer=weight_init(),
                               name="to_image")(x)
    images = layers.Activation("tanh", dtype="float32", name="tanh")(x)
    return keras.Model(z, images, name=name)


def build_discriminator(image_shape, filters, name="discriminator"):
    """image -> strided convolutions that halve the resolution and double the
    filters (no BatchNorm on the first) -> flatten -> one logit."""
    _, stages = resolution_plan(image_shape[0])
    images = keras.Input(image_shape, name="image")
    x = images
    for i in range(stages):
        x = layers.Conv2D(filters * 2 ** i, 4, strides=2, padding="same", use_bias=i == 0,
                          kernel_initializer=weight_init(), name=f"down_{i}")(x)
        if i > 0:
            x = layers.BatchNormalization(gamma_initializer=gamma_init())(x)
        x = layers.LeakyReLU(0.2)(x)
    x = layers.Flatten()(x)
    logit = layers.Dense(1, kernel_initializer=weight_init(), dtype="float32", name="logit")(x)
    return keras.Model(images, logit, name=name)
