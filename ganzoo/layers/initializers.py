"""Weight initialisers the GAN papers share."""

import keras
from keras import ops


def normal_init(stddev=0.02):
    """N(0, 0.02), the initialisation of DCGAN (Radford et al. 2016), pix2pix
    and CycleGAN."""
    return keras.initializers.RandomNormal(0.0, stddev)


def gamma_init():
    """BatchNorm scale drawn from N(1, 0.02), as the DCGAN reference code does."""
    return keras.initializers.RandomNormal(1.0, 0.02)


@keras.saving.register_keras_serializable(package="ganzoo")
class ICNR(keras.initializers.Initializer):
    """ICNR: the kernel of a convolution before `PixelShuffle(scale)`, drawn so
    that the pair starts as nearest-neighbour upsampling.

    Aitken et al. (2017), "Checkerboard artifact free sub-pixel convolution"
    (https://arxiv.org/abs/1707.02937): a sub-pixel convolution whose
    `scale x scale` groups of output channels are initialised independently
    computes a different filter at each of the `scale x scale` output
    positions, so even a flat input comes out as a periodic grid (a
    checkerboard) that training must then unlearn. ICNR draws one kernel for
    the `C` channels after the shuffle (with `initializer`) and repeats it
    for every sub-pixel position, so each output pixel of a block starts
    identical.

    The channel order is `keras.ops.depth_to_space`'s (`PixelShuffle`):
    output channel `(i * scale + j) * C + c` fills pixel `(i, j)` of channel
    `c`, so the repeated kernel is the drawn one tiled along the last axis.

    Args:
        scale: the upsampling factor of the `PixelShuffle` that follows.
        initializer: the initialiser of the drawn kernel (a Keras initialiser
            or its name; default "glorot_uniform", Keras' `Conv2D` default).

    Example:

    ```python
    x = keras.layers.Conv2D(64 * 4, 3, padding="same", kernel_initializer=ICNR(2))(x)
    x = PixelShuffle(2)(x)          # starts as nearest-neighbour upsampling
    ```
    """

    def __init__(self, scale=2, initializer="glorot_uniform"):
        if isinstance(scale, bool) or int(scale) != scale or scale < 2:
            raise ValueError(f"ICNR needs an integer scale >= 2, got {scale!r}")
        self.scale = int(scale)
        self.initializer = keras.initializers.get(initializer)

    def __call__(self, shape, dtype=None):
        *window, channels = shape
        positions = self.scale * self.scale
        if channels % positions:
            raise ValueError(f"ICNR({self.scale}) needs output channels divisible by {positions}, got {channels}")
        kernel = self.initializer((*window, channels // positions), dtype=dtype)
        return ops.tile(kernel, [1] * len(window) + [positions])

    def get_config(self):
        return {"scale": self.scale, "initializer": keras.initializers.serialize(self.initializer)}
