"""The "unconditional" task: images from noise alone."""

from __future__ import annotations

from ganzoo.tasks.base import Task


class Unconditional(Task):
    """Batches are images, float32 NHWC in [0, 1]; `generate(n, seed=)`."""

    name = "unconditional"
    summary = "images from noise: generate(n, seed=)"
    batch = "images, float32 (batch, H, W, C) in [0, 1]"

    def elements(self, ds, info, image_shape, model=None):
        from ganzoo.data import elements

        return elements.unconditional(ds, info, image_shape)


task = Unconditional()
