"""`generate()`: the contract every ganzoo model keeps, and the model's task.

`generate(n, seed=..., **conditions)` returns float32 NHWC images in [0, 1];
the task (`model.task`) checks the conditions (`prepare_generation`), and
`generate_batch` is the one piece a plugin overrides for a generator of its
own form.
"""

from __future__ import annotations

import numpy as np

import keras
from keras import ops


class TaskAttribute:
    """`Model.task`: declared as a name (or a Task), read as the `Task` object,
    on the class and on instances alike."""

    def __init__(self, task):
        self.declared = task

    def __get__(self, instance, owner=None):
        from ganzoo import tasks

        return tasks.get(self.declared)


class Generation:
    """Mixin of `ganzoo.GAN`: `generate()` and its pieces."""

    def prepare_generation(self, n=None, **conditions):
        """Checks `generate()`'s arguments; returns the count and the per-image
        conditions as arrays of that length. The task does it
        (`self.task.prepare_generation`); override to add a model's own checks."""
        return self.task.prepare_generation(self, n, **conditions)

    def generate_batch(self, n, seed, **conditions):
        """Images in the networks' range for `n` latents drawn from `seed`
        (the averaged generator, if `average()` made one)."""
        return self.averaged(self.generator)(self.sample_latent(n, seed), training=False)

    def generate(self, n=None, *, seed=None, batch_size=128, **conditions):
        """Generates images, float32 NHWC in [0, 1] as a NumPy array.

        Args:
            n: number of images (unconditional models).
            seed: int for reproducible output (the same seed gives the same
                images, also after save and load); None draws fresh latents.
            batch_size: images per forward pass.
            **conditions: what the task conditions on, e.g. `labels=` for
                conditional models, `images=` for translation models,
                `texts=` for text-to-image models.

        Example:

        ```python
        images = model.generate(16, seed=0)   # (16, H, W, C) in [0, 1]
        ```
        """
        return np.concatenate(list(self.generate_batches(n, seed=seed, batch_size=batch_size, **conditions)),
                              axis=0).astype("float32")

    def generate_batches(self, n=None, *, seed=None, batch_size=128, **conditions):
        """`generate()` one batch at a time: yields float32 NHWC arrays in
        [0, 1] of at most `batch_size` images whose concatenation is
        `generate(n, seed=seed, batch_size=batch_size, **conditions)`.

        Memory holds one batch whatever `n` is, so `ganzoo sample --n 100000`
        streams to disk (`ganzoo.sampling.write_numbered`).
        """
        from ganzoo import backends

        backends.get().sync(self)   # JAX: the variables lag inside an epoch (a callback's grid)
        n, conditions = self.prepare_generation(n, **conditions)
        rng = keras.random.SeedGenerator(seed)
        for start in range(0, n, batch_size):
            stop = min(n, start + batch_size)
            part = {key: value[start:stop] for key, value in conditions.items()}
            yield ops.convert_to_numpy(self.from_network_range(self.generate_batch(stop - start, rng, **part))).astype(
                "float32")
