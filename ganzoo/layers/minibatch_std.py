"""Minibatch standard deviation (Karras et al., 2018, section 3)."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="ganzoo")
class MinibatchStdDev(keras.layers.Layer):
    """Appends one feature map: the average over features and pixels of the
    standard deviation of each feature at each pixel across a group of
    samples, so the discriminator can see a lack of variety in a batch.

    The batch is split into groups of `group_size` samples (the whole batch
    if smaller; the batch must then be a multiple of the group size), as in
    ProGAN; each sample receives its group's statistic.

    Args:
        group_size: samples per group (ProGAN and StyleGAN: 4).
        epsilon: added to the variance.
        **kwargs: Keras layer arguments.

    Example:

    ```python
    x = MinibatchStdDev()(features)      # (B, H, W, C + 1)
    ```
    """

    def __init__(self, group_size=4, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.group_size = int(group_size)
        self.epsilon = float(epsilon)

    def call(self, inputs):
        x = ops.cast(inputs, "float32")
        shape = ops.shape(x)
        batch, height, width, channels = shape[0], shape[1], shape[2], shape[3]
        # A Python int where the batch size is known (always on JAX, whose
        # reshape needs concrete sizes), a tensor where it is not.
        group = min(self.group_size, batch) if isinstance(batch, int) else ops.minimum(self.group_size, batch)
        # Sample b goes to group b % M (M = batch / group): groups are strided.
        grouped = ops.reshape(x, (group, -1, height, width, channels))
        variance = ops.mean(ops.square(grouped - ops.mean(grouped, axis=0, keepdims=True)), axis=0)
        stddev = ops.sqrt(variance + self.epsilon)                               # (M, H, W, C)
        statistic = ops.mean(stddev, axis=(1, 2, 3), keepdims=True)              # (M, 1, 1, 1)
        statistic = ops.tile(statistic, (group, height, width, 1))               # (B, H, W, 1)
        return ops.concatenate([inputs, ops.cast(statistic, inputs.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], None if input_shape[-1] is None else input_shape[-1] + 1)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size, "epsilon": self.epsilon}
