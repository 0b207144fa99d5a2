"""Adaptive instance normalisation (Huang & Belongie, 2017) as StyleGAN uses it."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="ganzoo")
class AdaIN(keras.layers.Layer):
    """`AdaIN(x, y) = y_s * (x - mean(x)) / std(x) + y_b`, per sample and channel.

    Each feature map of `x` (NHWC) is normalised to zero mean and unit
    variance over its pixels, then scaled and shifted by the style
    `(y_s, y_b)`, both of shape (batch, channels). In StyleGAN (Karras et al.,
    2019, eq. 1) the style is a learned affine map of w.

    Args:
        epsilon: added to the variance.
        **kwargs: Keras layer arguments.

    Example:

    ```python
    y = AdaIN()([x, style_scale, style_bias])
    ```
    """

    def __init__(self, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = float(epsilon)

    def call(self, inputs):
        x, scale, bias = inputs
        dtype = x.dtype
        x = ops.cast(x, "float32")
        mean = ops.mean(x, axis=(1, 2), keepdims=True)
        centred = x - mean
        variance = ops.mean(ops.square(centred), axis=(1, 2), keepdims=True)
        normalised = centred * ops.rsqrt(variance + self.epsilon)
        scale = ops.cast(scale, "float32")[:, None, None, :]
        bias = ops.cast(bias, "float32")[:, None, None, :]
        return ops.cast(scale * normalised + bias, dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}
