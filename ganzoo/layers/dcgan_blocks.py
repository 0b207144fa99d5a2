"""The convolutional stacks of DCGAN (Radford et al. 2016), for every plugin
that builds on them: strided convolutions instead of pooling, BatchNorm,
ReLU / LeakyReLU(0.2), N(0, 0.02) weights. Functional-API helpers: each takes
a Keras tensor and returns one."""

import keras
from keras import layers

from ganzoo.layers.initializers import gamma_init, normal_init
from ganzoo.layers.batch_norm import batch_normalization


def resolution_plan(size):
    """Start resolution and number of stride-2 stages for a square image size:
    16 = 4 x 2^2, 28 = 7 x 2^2, 32 = 4 x 2^3, 64 = 4 x 2^4, 128 = 4 x 2^5.

    Returns:
        `(start, stages)`, or None when the size is not 4 or 7 times a power of two.
    """
    for start in (4, 7):
        stages, s = 0, size
        while s > start and s % 2 == 0:
            s //= 2
            stages += 1
        if s == start and stages >= 1:
            return start, stages
    return None


def upsampling_stack(x, start, stages, filters, channels):
    """Vector -> project and reshape to start x start -> stride-2 transposed
    convolutions (BatchNorm, ReLU) that double the resolution and halve the
    filters -> a tanh image of `channels` channels (float32 output).

    Args:
        x: the input vector (z, or z joined with a condition).
        start: side of the first feature map.
        stages: number of stride-2 stages (the output side is start * 2^stages).
        filters: filters of the last hidden stage; doubled at each coarser one.
        channels: image channels.
    """
    top = filters * 2 ** (stages - 1)
    x = layers.Dense(start * start * top, use_bias=False, kernel_initializer=normal_init(), name="project")(x)
    x = layers.Reshape((start, start, top))(x)
    x = batch_normalization(gamma_initializer=gamma_init())(x)
    x = layers.ReLU()(x)
    for i in range(stages - 1):
        x = layers.Conv2DTranspose(top // 2 ** (i + 1), 4, strides=2, padding="same", use_bias=False,
                                   kernel_initializer=normal_init(), name=f"up_{i}")(x)
        x = batch_normalization(gamma_initializer=gamma_init())(x)
        x = layers.ReLU()(x)
    x = layers.Conv2DTranspose(channels, 4, strides=2, padding="same", kernel_initializer=normal_init(),
                               name="to_image")(x)
    return layers.Activation("tanh", dtype="float32", name="tanh")(x)


def downsampling_stack(x, stages, filters):
    """Image -> stride-2 convolutions that halve the resolution and double the
    filters (LeakyReLU 0.2; BatchNorm on all but the first) -> feature map.

    Args:
        x: the input image (possibly with extra channels such as label maps).
        stages: number of stride-2 stages.
        filters: filters of the first stage; doubled at each one after.
    """
    for i in range(stages):
        x = layers.Conv2D(filters * 2 ** i, 4, strides=2, padding="same", use_bias=i == 0,
                          kernel_initializer=normal_init(), name=f"down_{i}")(x)
        if i > 0:
            x = batch_normalization(gamma_initializer=gamma_init())(x)
        x = layers.LeakyReLU(0.2)(x)
    return x
