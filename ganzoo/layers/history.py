"""A history of generated images for the discriminator."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="ganzoo")
class ImageHistory(keras.layers.Layer):
    """The image buffer of Shrivastava et al. (2017) as CycleGAN uses it.

    The discriminator is shown generated images drawn partly from a history
    of earlier generators' outputs rather than only the latest ones, which
    damps oscillation (Zhu et al. 2017, section 4, a buffer of 50). Calling
    the layer with a batch of generated images returns the batch to show the
    discriminator and updates the history, image by image as in the
    authors' `ImagePool.query`:

    - while the history holds fewer than `size` images, the image is stored
      and returned unchanged;
    - once it is full, with probability `probability` the image replaces a
      stored image chosen at random and that stored image is returned in
      its place; otherwise the image is returned unchanged.

    A batch is handled at once: its images take distinct random slots (two
    images aimed at one slot, possible only when the batch is larger than
    the history, both receive the stored image, and the first is stored).

    The history and its fill count are non-trainable variables, so they are
    saved and restored with the model's weights and updated inside a
    compiled `train_step`. Images are kept in float32. Under a
    `tf.distribute` strategy the history is shared by the replicas and
    updated with the whole global batch, in the order one device would.

    Args:
        size: number of images kept (50 in CycleGAN); 0 returns every
            image unchanged and keeps nothing.
        image_shape: `(height, width, channels)` of the images.
        probability: chance that an image, once the history is full, is
            exchanged for a stored one (0.5 in CycleGAN).
        seed: seed of the layer's random stream, or None.
        **kwargs: Keras layer arguments (`name`).

    Example:

    ```python
    history = ImageHistory(50, (256, 256, 3))
    shown = history(fake_b)        # what the discriminator judges as fake
    ```
    """

    def __init__(self, size=50, image_shape=(32, 32, 3), probability=0.5, seed=None, **kwargs):
        kwargs["dtype"] = "float32"
        super().__init__(**kwargs)
        self.size = int(size)
        self.image_shape = tuple(int(v) for v in image_shape)
        self.probability = float(probability)
        self.seed = seed
        if self.size < 0 or not 0.0 <= self.probability <= 1.0:
            raise ValueError(f"ImageHistory needs size >= 0 and 0 <= probability <= 1, got {size}, {probability}")
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.images = self.add_weight(shape=(self.size, *self.image_shape), initializer="zeros", dtype="float32",
                                      trainable=False, autocast=False, name="images")
        self.count = self.add_weight(shape=(), initializer="zeros", dtype="int32", trainable=False, name="count")
        self.built = True

    def call(self, images):
        if self.size == 0:
            return images
        from ganzoo import replicas

        # Under a tf.distribute strategy the history is one for all replicas:
        # each replica runs the whole global batch through it (the same
        # draws, the same new history everywhere, as one device) and keeps
        # its own rows of what is shown.
        local = ops.shape(images)[0]
        images = replicas.global_batch(ops.cast(images, "float32"))
        size = self.size
        n = ops.shape(images)[0]
        flat = ops.reshape(images, (n, -1))
        history = ops.reshape(self.images, (size, -1))
        count = ops.convert_to_tensor(self.count)
        index = ops.arange(n, dtype="int32")
        slots = ops.arange(size, dtype="int32")

        # 1. Until the history is full, images are stored and shown as they are.
        fill_slot = count + index
        filling = fill_slot < size
        fill = ops.cast(ops.logical_and(filling[:, None], fill_slot[:, None] == slots[None, :]), "float32")
        history = self._write(history, fill, flat)

        # 2. Then each image is exchanged, with `probability`, for a stored one,
        #    which takes its place in the batch. Distinct random slots per batch.
        draw = keras.random.uniform((n,), seed=self.seed_generator)
        exchange = ops.logical_and(ops.logical_not(filling), draw < self.probability)
        order = ops.cast(ops.argsort(keras.random.uniform((size,), seed=self.seed_generator)), "int32")
        target = ops.take(order, index % size)
        swap = ops.cast(ops.logical_and(exchange[:, None], target[:, None] == slots[None, :]), "float32")
        swap = swap * ops.cast(ops.cumsum(swap, axis=0) <= 1.0, "float32")  # the first of duplicates is stored
        shown = ops.where(exchange[:, None], ops.take(history, target, axis=0), flat)
        history = self._write(history, swap, flat)

        self.images.assign(ops.reshape(history, (size, *self.image_shape)))
        self.count.assign(ops.minimum(count + ops.cast(n, "int32"), size))
        return replicas.local_rows(ops.reshape(shown, ops.shape(images)), local)

    @staticmethod
    def _write(history, writes, flat):
        """Rows of `flat` into the slots marked in the one-hot (batch, size) `writes`."""
        kept = 1.0 - ops.sum(writes, axis=0)
        return history * kept[:, None] + ops.matmul(ops.transpose(writes), flat)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "size": self.size, "image_shape": self.image_shape,
                "probability": self.probability, "seed": self.seed}
