"""CycleGAN's networks (Zhu et al. 2017, appendix 7.2), as in the authors' code.

Generator (Johnson et al. 2016): c7s1-64, d128, d256, R256 x n, u128, u64,
c7s1-3, where c7s1-k is a 7x7 convolution with k filters after reflection
padding, dk a 3x3 stride-2 convolution, Rk a residual block of two 3x3
convolutions with reflection padding, and uk a 3x3 stride-1/2 transposed
convolution; instance normalisation and ReLU after every convolution but the
last, which has tanh. Six blocks for 128 px images, nine for 256 px.

Discriminator: the 70x70 PatchGAN, C64-C128-C256-C512 (4x4 convolutions,
stride 2 for the first three, 1 for the last, padding 1, instance
normalisation on all but C64, LeakyReLU 0.2) and a final 4x4 convolution to
one channel: a map of real/fake scores, one per overlapping 70x70 patch.

Weights are drawn from N(0, 0.02); instance normalisation has no affine
parameters and no running statistics (the authors' `InstanceNorm2d` with
`affine=False`), so convolutions followed by it need no bias.
"""

import keras
from keras import layers

from ganzoo.errors import GanzooError
from ganzoo.layers import ReflectionPadding2D
from ganzoo.layers import normal_init as weight_init

PATCH_LAYERS = 3  # strided layers of the 70x70 PatchGAN


def instance_norm(name=None):
    """Instance normalisation: each image's channels to zero mean, unit variance
    (Ulyanov et al. 2016), epsilon 1e-5 as PyTorch's; computed in float32."""
    return layers.GroupNormalization(groups=-1, epsilon=1e-5, center=False, scale=False, name=name)


def default_residual_blocks(image_shape):
    """The paper's choice: 9 residual blocks for 256 px and larger images, 6 below."""
    return 9 if min(image_shape[:2]) >= 256 else 6


def check_image_shape(image_shape):
    height, width, channels = image_shape
    if height % 4 or width % 4 or min(height, width) < 24:
        raise GanzooError(
            f"CycleGAN needs image sides that are multiples of 4 (two stride-2 stages in the generator) "
            f"and at least 24 (the PatchGAN discriminator's three); got {height}x{width}"
        )
    if channels not in (1, 3):
        raise GanzooError(f"CycleGAN images have 1 or 3 channels, got {channels}")


def _conv(filters, kernel, strides=1, name=None, bias=False):
    return layers.Conv2D(filters, kernel, strides=strides, padding="valid", use_bias=bias,
                         kernel_initializer=weight_init(), name=name)


def residual_block(x, filters, name):
    """x + IN(conv3x3(pad(ReLU(IN(conv3x3(pad(x)))))))."""
    y = ReflectionPadding2D(1, name=f"{name}_pad1")(x)
    y = _conv(filters, 3, name=f"{name}_conv1")(y)
    y = instance_norm(f"{name}_norm1")(y)
    y = layers.ReLU(name=f"{name}_relu")(y)
    y = ReflectionPadding2D(1, name=f"{name}_pad2")(y)
    y = _conv(filters, 3, name=f"{name}_conv2")(y)
    y = instance_norm(f"{name}_norm2")(y)
    return layers.Add(name=f"{name}_add")([x, y])


def build_generator(image_shape, filters=64, blocks=9, name="generator"):
    """The ResNet generator; fully convolutional, so it also translates images
    of other sizes (multiples of 4) than `image_shape`.

    Args:
        image_shape: (height, width, channels) of the images it translates.
        filters: filters of the first layer (ngf, 64 in the paper); the two
            downsampling stages double them.
        blocks: residual blocks at a quarter of the resolution.
        name: model name.
    """
    channels = image_shape[-1]
    images = keras.Input((None, None, channels), name="image")
    x = ReflectionPadding2D(3, name="stem_pad")(images)
    x = _conv(filters, 7, name="stem_conv")(x)
    x = instance_norm("stem_norm")(x)
    x = layers.ReLU(name="stem_relu")(x)
    for i in range(2):
        x = layers.ZeroPadding2D(1, name=f"down{i}_pad")(x)
        x = _conv(filters * 2 ** (i + 1), 3, strides=2, name=f"down{i}_conv")(x)
        x = instance_norm(f"down{i}_norm")(x)
        x = layers.ReLU(name=f"down{i}_relu")(x)
    for i in range(blocks):
        x = residual_block(x, filters * 4, name=f"res{i}")
    for i in range(2):
        x = layers.Conv2DTranspose(filters * 2 ** (1 - i), 3, strides=2, padding="same", use_bias=False,
                                   kernel_initializer=weight_init(), name=f"up{i}_conv")(x)
        x = instance_norm(f"up{i}_norm")(x)
        x = layers.ReLU(name=f"up{i}_relu")(x)
    x = ReflectionPadding2D(3, name="head_pad")(x)
    x = _conv(channels, 7, name="head_conv", bias=True)(x)
    outputs = layers.Activation("tanh", dtype="float32", name="tanh")(x)
    return keras.Model(images, outputs, name=name)


def build_discriminator(image_shape, filters=64, name="discriminator"):
    """The 70x70 PatchGAN: (N, H, W, C) images -> (N, h, w, 1) patch scores
    (30x30 for 256 px), float32, no sigmoid (least-squares loss).

    Args:
        image_shape: (height, width, channels) of the images it judges.
        filters: filters of the first layer (ndf, 64 in the paper); doubled
            at each of the next three layers.
        name: model name.
    """
    images = keras.Input((None, None, image_shape[-1]), name="image")
    x = images
    for i in range(PATCH_LAYERS + 1):
        x = layers.ZeroPadding2D(1, name=f"c{i}_pad")(x)
        x = _conv(filters * 2 ** i, 4, strides=2 if i < PATCH_LAYERS else 1, name=f"c{i}_conv", bias=i == 0)(x)
        if i > 0:
            x = instance_norm(f"c{i}_norm")(x)
        x = layers.LeakyReLU(0.2, name=f"c{i}_lrelu")(x)
    x = layers.ZeroPadding2D(1, name="score_pad")(x)
    scores = layers.Conv2D(1, 4, padding="valid", kernel_initializer=weight_init(), dtype="float32",
                           name="score")(x)
    return keras.Model(images, scores, name=name)
