"""The "unconditional" task: images from noise alone."""

from __future__ import annotations

from ganzoo import images as images_lib
from ganzoo.tasks.base import Task, random_images, reject_options


class Unconditional(Task):
    """Batches are images, float32 NHWC in [0, 1]; `generate(n, seed=)`."""

    name = "unconditional"
    summary = "images from noise: generate(n, seed=)"
    batch = "images, float32 (batch, H, W, C) in [0, 1]"

    def elements(self, ds, info, image_shape, model=None):
        from ganzoo.data import elements

        return elements.unconditional(ds, info, image_shape)

    def preview(self, model, examples=None, seed=0):
        """64 images from fixed latent vectors."""
        return images_lib.grid(model.generate(64, seed=seed))

    def sample(self, model, *, out, count=64, seed=0, **options):
        """A grid of `count` images, or one PNG each in a folder, streamed
        (see `ganzoo.sampling`)."""
        from ganzoo import sampling

        reject_options(self, options)
        if sampling.to_folder(out, count):
            batches = model.generate_batches(count, seed=seed, batch_size=sampling.STREAM_BATCH)
            return sampling.write_numbered(batches, out, count)
        grid = images_lib.grid(model.generate(count, seed=seed))
        return [images_lib.save_image(grid, out, scale=max(1, 700 // max(grid.shape[:2])))]

    def test_batch(self, model, n, rng):
        return random_images(rng, n, model.image_shape)


task = Unconditional()
