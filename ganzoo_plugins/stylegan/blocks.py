"""Small layers that only the StyleGAN networks use: the learned constant,
the progressive blend, bias + activation, per-layer style selection, and the
discriminator's head that both generations share."""

from __future__ import annotations

import math

import keras
from keras import layers, ops

from ganzoo.layers import EqualizedConv2D, EqualizedDense, MinibatchStdDev


@keras.saving.register_keras_serializable(package="ganzoo")
class ConstantInput(keras.layers.Layer):
    """The synthesis network's learned constant input (Karras et al., 2019),
    one (height, width, channels) tensor repeated for every sample; its
    input only gives the batch size."""

    def __init__(self, channels, height=4, width=4, **kwargs):
        super().__init__(**kwargs)
        self.channels, self.height, self.width = int(channels), int(height), int(width)

    def build(self, input_shape):
        self.constant = self.add_weight(name="constant", shape=(1, self.height, self.width, self.channels),
                                        initializer=keras.initializers.RandomNormal(0.0, 1.0))

    def call(self, inputs):
        batch = ops.shape(inputs)[0]
        return ops.tile(ops.cast(self.constant, self.compute_dtype), (batch, 1, 1, 1))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.height, self.width, self.channels)

    def get_config(self):
        return {**super().get_config(), "channels": self.channels, "height": self.height, "width": self.width}


@keras.saving.register_keras_serializable(package="ganzoo")
class ProgressiveBlend(keras.layers.Layer):
    """`low + (high - low) * clip(level - (stage - 1), 0, 1)`: the fade-in of
    progressive growing (Karras et al., 2018, figure 2).

    `level` (shape (batch, 1)) is the continuous training level: 0 while the
    base resolution trains alone, `s - 1 + alpha` while stage `s` fades in
    with weight alpha, `s` once it is stable. The blend of stage `stage` is
    then 0 (only the lower resolution counts) before its fade-in, alpha
    during it and 1 after."""

    def __init__(self, stage, **kwargs):
        super().__init__(**kwargs)
        self.stage = int(stage)

    def call(self, inputs):
        low, high, level = inputs
        weight = ops.clip(ops.cast(level, "float32") - (self.stage - 1), 0.0, 1.0)
        weight = ops.cast(ops.reshape(weight, (-1, 1, 1, 1)), low.dtype)
        return low + (high - low) * weight

    def compute_output_shape(self, input_shape):
        return input_shape[1]

    def get_config(self):
        return {**super().get_config(), "stage": self.stage}


@keras.saving.register_keras_serializable(package="ganzoo")
class BiasActivation(keras.layers.Layer):
    """A learned bias per channel, then LeakyReLU(0.2) times `gain` (sqrt(2)
    keeps unit-variance activations unit-variance, as equalised learning
    rate assumes)."""

    def __init__(self, negative_slope=0.2, gain=math.sqrt(2.0), **kwargs):
        super().__init__(**kwargs)
        self.negative_slope, self.gain = float(negative_slope), float(gain)

    def build(self, input_shape):
        self.bias = self.add_weight(name="bias", shape=(int(input_shape[-1]),), initializer="zeros")

    def call(self, inputs):
        x = inputs + ops.cast(self.bias, inputs.dtype)
        return ops.leaky_relu(x, self.negative_slope) * self.gain

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope, "gain": self.gain}


@keras.saving.register_keras_serializable(package="ganzoo")
class SelectStyle(keras.layers.Layer):
    """`ws[:, index]`: the w that drives one layer of the synthesis network,
    from the per-layer styles (batch, num_ws, style_dim)."""

    def __init__(self, index, **kwargs):
        super().__init__(**kwargs)
        self.index = int(index)

    def call(self, inputs):
        return inputs[:, self.index]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])

    def get_config(self):
        return {**super().get_config(), "index": self.index}


def discriminator_head(x, plan):
    """The discriminator's last layers on its 4x4 features, the same in v1 and
    v2 (Karras et al. 2018, table 2): minibatch standard deviation, a 3x3
    conv, then dense layers down to one float32 logit (float32 so that the
    loss is reduced in float32 under mixed precision)."""
    x = MinibatchStdDev(4, name="minibatch_stddev")(x)
    x = layers.LeakyReLU(0.2)(EqualizedConv2D(plan.filters(0), 3, name="b0_conv")(x))
    x = layers.Flatten()(x)
    x = layers.LeakyReLU(0.2)(EqualizedDense(plan.filters(0), name="b0_dense")(x))
    return EqualizedDense(1, gain=1.0, dtype="float32", name="logit")(x)
