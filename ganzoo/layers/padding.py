"""Padding layers."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="ganzoo")
class ReflectionPadding2D(keras.layers.Layer):
    """Pads height and width by mirroring the image at its border (NHWC).

    Reflection padding keeps convolutions from seeing an artificial black
    frame; Johnson et al. (2016) and CycleGAN's ResNet generators (Zhu et
    al. 2017) pad with it before their 7x7 and 3x3 convolutions. The edge
    row itself is not repeated (numpy's and PyTorch's "reflect"), so each
    padding must be smaller than the padded size.

    Args:
        padding: an int for all four sides, or `(pad_height, pad_width)`.
        **kwargs: Keras layer arguments (`name`, `dtype`).

    Example:

    ```python
    x = keras.Input((32, 32, 3))
    y = ReflectionPadding2D(3)(x)          # (None, 38, 38, 3)
    y = keras.layers.Conv2D(64, 7)(y)      # back to 32 x 32
    ```
    """

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(padding, int):
            padding = (padding, padding)
        self.padding = tuple(int(p) for p in padding)
        if len(self.padding) != 2 or min(self.padding) < 0:
            raise ValueError(f"padding must be an int or (pad_height, pad_width) >= 0, got {padding!r}")

    def call(self, inputs):
        ph, pw = self.padding
        return ops.pad(inputs, [[0, 0], [ph, ph], [pw, pw], [0, 0]], mode="reflect")

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        ph, pw = self.padding
        return (batch, None if height is None else height + 2 * ph, None if width is None else width + 2 * pw,
                channels)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}
