"""Sub-pixel convolution's rearrangement: channels to space."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="ganzoo")
class PixelShuffle(keras.layers.Layer):
    """Pixel shuffle (Shi et al., 2016): (H, W, C r^2) -> (H r, W r, C), NHWC.

    The "efficient sub-pixel convolution" upsamples by a factor `r` with a
    convolution to `C * r * r` channels at low resolution followed by this
    rearrangement, which moves each group of `r * r` channels to an `r x r`
    block of pixels; SRResNet/SRGAN (Ledig et al., 2017) upsample x4 with two
    such x2 stages. It is `keras.ops.depth_to_space` (TensorFlow's
    `depth_to_space` channel order):

        out[n, h * r + i, w * r + j, c] = in[n, h, w, (i * r + j) * C + c]

    PyTorch's `nn.PixelShuffle` orders channels as `c * r * r + i * r + j`;
    the two differ only by a fixed permutation of the preceding
    convolution's filters, so trained networks are equivalent. Works for any
    height and width (fully convolutional models) and in any dtype.

    Args:
        scale: the upsampling factor r (an integer >= 2).
        **kwargs: Keras layer arguments (`name`, `dtype`).

    Example:

    ```python
    x = keras.Input((None, None, 64))
    y = keras.layers.Conv2D(64 * 4, 3, padding="same")(x)
    y = PixelShuffle(2)(y)                 # (None, 2H, 2W, 64)
    ```
    """

    def __init__(self, scale=2, **kwargs):
        super().__init__(**kwargs)
        if isinstance(scale, bool) or int(scale) != scale or scale < 2:
            raise ValueError(f"PixelShuffle needs an integer scale >= 2, got {scale!r}")
        self.scale = int(scale)

    def build(self, input_shape):
        channels = input_shape[-1]
        if channels is not None and channels % (self.scale * self.scale):
            raise ValueError(
                f"PixelShuffle({self.scale}) needs channels divisible by {self.scale ** 2}, got {channels}"
            )
        self.built = True

    def call(self, inputs):
        return ops.depth_to_space(inputs, self.scale, data_format="channels_last")

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        r = self.scale
        return (batch, None if height is None else height * r, None if width is None else width * r,
                None if channels is None else channels // (r * r))

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}
