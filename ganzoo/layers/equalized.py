"""Equalised learning rate (Karras et al., 2018, section 4.1): weights drawn
from N(0, 1) and scaled at run time by He's constant."""

from __future__ import annotations

import math

import keras
from keras import ops


def _he_scale(fan_in, gain, lr_multiplier):
    return gain / math.sqrt(fan_in) * lr_multiplier


@keras.saving.register_keras_serializable(package="ganzoo")
class EqualizedDense(keras.layers.Layer):
    """A dense layer with equalised learning rate.

    The stored kernel is drawn from N(0, 1 / lr_multiplier^2) and multiplied
    in every call by `gain / sqrt(fan_in) * lr_multiplier` (the bias by
    `lr_multiplier`). The effective weight then starts as He's initialisation,
    while Adam, whose steps do not depend on the gradient's scale, moves every
    layer at the same relative speed (ProGAN, section 4.1). `lr_multiplier`
    lowers one layer's learning rate by that factor: StyleGAN's mapping
    network uses 0.01.

    Args:
        units: output size.
        gain: He's gain (sqrt(2) before a (Leaky)ReLU, 1 for a linear output).
        lr_multiplier: learning-rate multiplier of this layer.
        use_bias: add a bias.
        bias_initializer: initial value of the effective bias (a float; AdaIN's
            style scales start at 1).
        **kwargs: Keras layer arguments.

    Example:

    ```python
    w = EqualizedDense(512, lr_multiplier=0.01)(z)
    ```
    """

    def __init__(self, units, gain=math.sqrt(2.0), lr_multiplier=1.0, use_bias=True, bias_initializer=0.0, **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.gain = float(gain)
        self.lr_multiplier = float(lr_multiplier)
        self.use_bias = bool(use_bias)
        self.bias_initializer = float(bias_initializer)

    def build(self, input_shape):
        fan_in = int(input_shape[-1])
        self.scale = _he_scale(fan_in, self.gain, self.lr_multiplier)
        self.kernel = self.add_weight(name="kernel", shape=(fan_in, self.units),
                                      initializer=keras.initializers.RandomNormal(0.0, 1.0 / self.lr_multiplier))
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.units,),
                                        initializer=keras.initializers.Constant(self.bias_initializer / self.lr_multiplier))

    def call(self, inputs):
        kernel = ops.cast(self.kernel, self.compute_dtype) * self.scale
        outputs = ops.matmul(inputs, kernel)
        if self.use_bias:
            outputs = outputs + ops.cast(self.bias, self.compute_dtype) * self.lr_multiplier
        return outputs

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "gain": self.gain, "lr_multiplier": self.lr_multiplier,
                "use_bias": self.use_bias, "bias_initializer": self.bias_initializer}


@keras.saving.register_keras_serializable(package="ganzoo")
class EqualizedConv2D(keras.layers.Layer):
    """A stride-1 "same" convolution (NHWC) with equalised learning rate.

    The kernel is drawn from N(0, 1) and scaled in every call by
    `gain / sqrt(kernel_size^2 * in_channels) * lr_multiplier` (ProGAN,
    section 4.1).

    Args:
        filters: output channels.
        kernel_size: side of the square kernel.
        gain: He's gain.
        lr_multiplier: learning-rate multiplier of this layer.
        use_bias: add a bias.
        **kwargs: Keras layer arguments.

    Example:

    ```python
    y = EqualizedConv2D(64, 3)(x)
    ```
    """

    def __init__(self, filters, kernel_size=3, gain=math.sqrt(2.0), lr_multiplier=1.0, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.kernel_size = int(kernel_size)
        self.gain = float(gain)
        self.lr_multiplier = float(lr_multiplier)
        self.use_bias = bool(use_bias)

    def build(self, input_shape):
        channels = int(input_shape[-1])
        k = self.kernel_size
        self.scale = _he_scale(k * k * channels, self.gain, self.lr_multiplier)
        self.kernel = self.add_weight(name="kernel", shape=(k, k, channels, self.filters),
                                      initializer=keras.initializers.RandomNormal(0.0, 1.0 / self.lr_multiplier))
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros")

    def call(self, inputs):
        kernel = ops.cast(self.kernel, self.compute_dtype) * self.scale
        outputs = ops.conv(inputs, kernel, strides=1, padding="same")
        if self.use_bias:
            outputs = outputs + ops.cast(self.bias, self.compute_dtype) * self.lr_multiplier
        return outputs

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size, "gain": self.gain,
                "lr_multiplier": self.lr_multiplier, "use_bias": self.use_bias}
