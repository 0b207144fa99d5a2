"""SRGAN's networks (Ledig et al. 2017, figure 4).

Generator (SRResNet): a 9x9 convolution and PReLU; B residual blocks of
conv3x3-BN-PReLU-conv3x3-BN with an identity skip; conv3x3-BN and a long skip
from the first PReLU; per x2 of the scale a conv3x3 to 4x the filters, a
pixel shuffle and a PReLU; a 9x9 convolution to the image. Fully
convolutional (PReLU slopes are shared over height and width), so a model
trained on 24 px crops upscales images of any size.

Two departures from the paper are options, both on by default for the reasons
given in `SRGAN`'s docstring: `batch_norm=False` leaves out the BatchNorm
layers, and `bicubic_skip=True` adds the bicubic upscaling of the input to the
output (the network learns the residual; its last convolution starts at zero,
so an untrained generator is exactly bicubic interpolation).

Discriminator: eight 3x3 convolutions, 64 to 512 filters, strides 1, 2, 1, 2,
... (BatchNorm after all but the first, LeakyReLU 0.2), a dense layer of 1024
units, LeakyReLU, and one logit (the paper's sigmoid lives in the loss).
With `antialias=True` (the `cpu` preset) a fixed binomial blur (`ganzoo.layers.Blur`, no
weights) comes before each stride-2 convolution.
"""

import math

import keras
from keras import layers

from ganzoo.errors import GanzooError
from ganzoo.layers import Blur, ICNR, PixelShuffle
from ganzoo.layers import batch_normalization


def upsampling_stages(scale):
    """Number of x2 pixel-shuffle stages for `scale` (a power of two >= 2)."""
    stages = int(round(math.log2(scale))) if scale >= 2 else 0
    if stages < 1 or 2 ** stages != scale:
        raise GanzooError(f"the scale must be a power of two (2, 4, 8); got {scale}")
    return stages


def _prelu(name):
    # One slope per channel, shared over height and width: any input size works.
    return layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25), shared_axes=[1, 2], name=name)


@keras.saving.register_keras_serializable(package="ganzoo_srgan")
class BicubicUpSampling(layers.Layer):
    """Bicubic enlargement by `scale`, the same on every backend.

    `UpSampling2D(interpolation="bicubic")` is Keys' cubic with a = -0.5 on
    TensorFlow but a = -0.75 on PyTorch (Keras calls `F.interpolate` without
    antialiasing there): 0.09 apart on random images. With `antialias=True`
    PyTorch uses a = -0.5 as well (2e-7 from TensorFlow), and TensorFlow gives
    exactly what it gave without it when enlarging, so it keeps the plain
    kernel there (`ResizeBicubic`, which ONNX can express; the antialiased
    one is `ScaleAndTranslate`, which it cannot). No weights: models saved
    with `UpSampling2D` load unchanged.

    Args:
        scale: the enlargement factor.
    """

    def __init__(self, scale, **kwargs):
        super().__init__(**kwargs)
        self.scale = int(scale)

    def call(self, images):
        import keras
        from keras import ops

        shape = ops.shape(images)
        return ops.image.resize(images, (shape[1] * self.scale, shape[2] * self.scale), interpolation="bicubic",
                                antialias=keras.backend.backend() != "tensorflow")

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        return (batch, None if height is None else height * self.scale,
                None if width is None else width * self.scale, channels)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


def build_generator(channels=3, scale=4, filters=64, residual_blocks=16, batch_norm=False, bicubic_skip=True,
                    name="generator"):
    """SRResNet: LR images (any size, network range) -> `scale` times larger images.

    Args:
        channels: image channels (3 RGB, 1 grey).
        scale: upscaling factor, a power of two (the paper: 4).
        filters: filters of the residual trunk (the paper: 64).
        residual_blocks: number of residual blocks (the paper: 16).
        batch_norm: BatchNorm after the trunk's convolutions, as in the paper.
        bicubic_skip: add the bicubic upscaling of the input to the output.
        name: model name.
    """
    if residual_blocks < 1 or filters < 1:
        raise GanzooError(f"the generator needs residual_blocks >= 1 and filters >= 1; got {residual_blocks}, {filters}")
    stages = upsampling_stages(scale)
    low_res = keras.Input((None, None, channels), name="low_res")

    def conv(x, size, n, label):
        return layers.Conv2D(n, size, padding="same", use_bias=not batch_norm, name=label)(x)

    def norm(x, label):
        return batch_normalization(name=label)(x) if batch_norm else x

    x = layers.Conv2D(filters, 9, padding="same", name="head")(low_res)
    x = head = _prelu("head_prelu")(x)
    for i in range(residual_blocks):
        y = norm(conv(x, 3, filters, f"block_{i}_conv_1"), f"block_{i}_bn_1")
        y = _prelu(f"block_{i}_prelu")(y)
        y = norm(conv(y, 3, filters, f"block_{i}_conv_2"), f"block_{i}_bn_2")
        x = layers.Add(name=f"block_{i}_skip")([x, y])
    x = norm(conv(x, 3, filters, "trunk_conv"), "trunk_bn")
    x = layers.Add(name="long_skip")([head, x])
    for i in range(stages):
        # ICNR: the sub-pixel convolution starts as nearest-neighbour upsampling, not as four
        # independent filters whose differences would print a 4x4 grid over flat regions.
        x = layers.Conv2D(filters * 4, 3, padding="same", kernel_initializer=ICNR(2), name=f"upsample_{i}_conv")(x)
        x = PixelShuffle(2, name=f"upsample_{i}_shuffle")(x)
        x = _prelu(f"upsample_{i}_prelu")(x)
    output = layers.Conv2D(channels, 9, padding="same", dtype="float32", name="to_image",
                           kernel_initializer="zeros" if bicubic_skip else "glorot_uniform")(x)
    if bicubic_skip:
        upscaled = BicubicUpSampling(scale, dtype="float32", name="bicubic")(low_res)
        output = layers.Add(dtype="float32", name="residual")([upscaled, output])
    return keras.Model(low_res, output, name=name)


def build_discriminator(image_shape, filters=64, dense_units=1024, name="discriminator", antialias=False):
    """The paper's discriminator on HR crops of `image_shape`: one logit per image.

    Args:
        image_shape: (height, width, channels) of the HR crops.
        filters: filters of the first two convolutions; doubled every two
            (the paper: 64 -> 512).
        dense_units: units of the hidden dense layer (the paper: 1024).
        name: model name.
        antialias: blur (`ganzoo.layers.Blur`, [1, 2, 1]) the input of each stride-2 convolution;
            no weights are added (the paper: no blur).
    """
    images = keras.Input(tuple(image_shape), name="image")
    x = layers.Conv2D(filters, 3, padding="same", name="conv_0")(images)
    x = layers.LeakyReLU(0.2)(x)
    for i in range(1, 8):
        if antialias and i % 2:
            x = Blur(name=f"blur_{i}")(x)
        x = layers.Conv2D(filters * 2 ** (i // 2), 3, strides=1 + i % 2, padding="same", use_bias=False,
                          name=f"conv_{i}")(x)
        x = batch_normalization(name=f"bn_{i}")(x)
        x = layers.LeakyReLU(0.2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(dense_units, name="dense")(x)
    x = layers.LeakyReLU(0.2)(x)
    logit = layers.Dense(1, dtype="float32", name="logit")(x)
    return keras.Model(images, logit, name=name)
