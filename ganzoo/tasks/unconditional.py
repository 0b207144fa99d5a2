"""The "unconditional" task: images from noise alone."""

from __future__ import annotations

from ganzoo.tasks.base import Task


class Unconditional(Task):
    """Batches are images, float32 NHWC in [0, 1]; `generate(n, seed=)`."""

    name = "unconditional"
    summary = "images from noise: generate(n, seed=)"
    batch = "images, float32 (batch, H, W, C) in [0, 1]"

    element_mapping = "unconditional"


task = Unconditional()
