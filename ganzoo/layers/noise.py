"""StyleGAN's per-pixel noise inputs."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="ganzoo")
class NoiseInjection(keras.layers.Layer):
    """Adds a single-channel noise image, scaled by a learned factor per
    channel: `x + scale[c] * noise` (Karras et al., 2019, section 2).

    The noise is an input (shape (batch, H, W, 1)), not drawn inside, so that
    the caller decides: fresh Gaussian noise while training, fixed noise
    images for reproducible generation, or new noise with the same latent to
    see what the noise controls. The scales start at zero.

    Args:
        **kwargs: Keras layer arguments.

    Example:

    ```python
    y = NoiseInjection()([x, noise])
    ```
    """

    def build(self, input_shape):
        channels = int(input_shape[0][-1])
        self.scale = self.add_weight(name="scale", shape=(channels,), initializer="zeros")

    def call(self, inputs):
        x, noise = inputs
        return x + ops.cast(noise, x.dtype) * ops.cast(self.scale, x.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[0]
