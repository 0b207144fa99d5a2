"""Pixelwise feature normalisation (Karras et al., 2018, section 4.2)."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="ganzoo")
class PixelNorm(keras.layers.Layer):
    """Normalises each feature vector to unit mean square over the last axis:
    `x / sqrt(mean(x^2, axis=-1) + epsilon)`.

    ProGAN applies it after each generator convolution; StyleGAN to z before
    the mapping network, so that z lies near the sphere of radius
    sqrt(latent_dim).

    Args:
        epsilon: added under the square root.
        **kwargs: Keras layer arguments.

    Example:

    ```python
    z = PixelNorm()(keras.Input((512,)))
    ```
    """

    def __init__(self, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = float(epsilon)

    def call(self, inputs):
        squares = ops.mean(ops.square(ops.cast(inputs, "float32")), axis=-1, keepdims=True)
        return inputs * ops.cast(ops.rsqrt(squares + self.epsilon), inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}
