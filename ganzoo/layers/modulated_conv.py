"""StyleGAN2's modulated convolution with weight demodulation."""

from __future__ import annotations

import math

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="ganzoo")
class ModulatedConv2D(keras.layers.Layer):
    """Convolution whose weights are scaled per sample by a style (Karras et
    al., 2020, section 2.2, eqs. 1-3), NHWC, stride 1, "same" padding.

    With style `s` (batch, in_channels) and the equalised weight `w`:

        w'[b, i, j, k] = s[b, i] * w[i, j, k]                      (modulation)
        w''[b, i, j, k] = w'[b, i, j, k] / sqrt(sum_{i, k} w'[b, i, j, k]^2 + eps)   (demodulation)

    (i input channel, j output channel, k kernel position). Rather than a
    grouped convolution with one kernel per sample, this layer uses the
    equivalent form that needs only the ordinary convolution: scale the
    input's channels by `s`, convolve with the shared `w`, and scale the
    output's channels by the demodulation factor
    `d[b, j] = 1 / sqrt(sum_i s[b, i]^2 sum_k w[i, j, k]^2 + eps)`. Plain
    `keras.ops`, no custom kernels. With unit-variance inputs and
    demodulation, the outputs have unit standard deviation (eq. 2-3).

    Args:
        filters: output channels.
        kernel_size: side of the square kernel.
        demodulate: apply the demodulation (toRGB layers do not).
        gain: He's gain of the equalised weight.
        epsilon: added under the demodulation's square root.
        **kwargs: Keras layer arguments.

    Example:

    ```python
    y = ModulatedConv2D(64)([x, style])      # style: (batch, x.shape[-1])
    ```
    """

    def __init__(self, filters, kernel_size=3, demodulate=True, gain=1.0, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.kernel_size = int(kernel_size)
        self.demodulate = bool(demodulate)
        self.gain = float(gain)
        self.epsilon = float(epsilon)

    def build(self, input_shape):
        channels = int(input_shape[0][-1])
        k = self.kernel_size
        self.scale = self.gain / math.sqrt(k * k * channels)
        self.kernel = self.add_weight(name="kernel", shape=(k, k, channels, self.filters),
                                      initializer=keras.initializers.RandomNormal(0.0, 1.0))

    def call(self, inputs):
        x, style = inputs
        kernel = ops.cast(self.kernel, "float32") * self.scale
        style = ops.cast(style, "float32")
        y = ops.conv(x * ops.cast(style[:, None, None, :], x.dtype), ops.cast(kernel, x.dtype),
                     strides=1, padding="same")
        if self.demodulate:
            energy = ops.sum(ops.square(kernel), axis=(0, 1))                       # (in, out)
            factor = ops.rsqrt(ops.matmul(ops.square(style), energy) + self.epsilon)  # (batch, out)
            y = y * ops.cast(factor[:, None, None, :], y.dtype)
        return y

    def compute_output_shape(self, input_shape):
        return (*input_shape[0][:-1], self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "demodulate": self.demodulate, "gain": self.gain, "epsilon": self.epsilon}
