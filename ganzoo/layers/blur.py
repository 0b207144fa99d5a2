"""The low-pass filter of StyleGAN's up- and downsampling."""

from __future__ import annotations

import numpy as np

import keras
from keras import ops


def binomial_kernel(taps=(1.0, 2.0, 1.0)):
    """The separable 2-D filter `outer(taps, taps)`, normalised to sum 1."""
    taps = np.asarray(taps, "float32")
    kernel = np.outer(taps, taps)
    return kernel / kernel.sum()


@keras.saving.register_keras_serializable(package="ganzoo")
class Blur(keras.layers.Layer):
    """Depthwise low-pass filtering with the [1, 2, 1] binomial filter.

    StyleGAN (Karras et al., 2019, appendix C, after Zhang 2019) filters the
    activations after each upsampling and before each downsampling, which
    turns nearest-neighbour resampling into (approximately) bilinear.
    "same" padding with zeros; each channel is filtered alone.

    Args:
        taps: the 1-D filter (normalised to sum 1 in 2-D).
        **kwargs: Keras layer arguments.

    Example:

    ```python
    y = Blur()(keras.layers.UpSampling2D()(x))
    ```
    """

    def __init__(self, taps=(1.0, 2.0, 1.0), **kwargs):
        super().__init__(**kwargs)
        self.taps = tuple(float(t) for t in taps)

    def build(self, input_shape):
        self.channels = int(input_shape[-1])

    def call(self, inputs):
        kernel = np.tile(binomial_kernel(self.taps)[:, :, None, None], (1, 1, self.channels, 1))
        return ops.depthwise_conv(inputs, ops.cast(kernel, inputs.dtype), strides=1, padding="same")

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "taps": list(self.taps)}
