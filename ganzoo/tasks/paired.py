"""The "paired" task: super-resolution from (low-resolution, high-resolution) pairs."""

from __future__ import annotations

import numpy as np

from ganzoo import images as images_lib
from ganzoo.errors import GanzooError
from ganzoo.tasks.base import SampleOption, Task, random_images, reject_options
from ganzoo.tasks.translation import as_image_batch, translate_files


class Paired(Task):
    """Batches are `(low_res, high_res)` aligned random crops, the low
    resolution `model.scale` times smaller; `generate(images=low_res)` for
    images of any size.

    A model of this task has `scale` (the upscaling factor) and is trained on
    crops of `image_shape` (`trains_on_crops = True`)."""

    name = "paired"
    summary = "super-resolution from (low_res, high_res) pairs: generate(images=low_res)"
    batch = "(low_res, high_res): float32 (batch, H/scale, W/scale, C) and (batch, H, W, C) in [0, 1]"
    random_elements = True
    sample_options = (SampleOption("input_path", "--input", "Image file or folder to upscale.", type="path"),)

    def elements(self, ds, info, image_shape, model=None):
        from ganzoo.data import elements
        from ganzoo.data.degrade import DEFAULT_SCALE

        scale = getattr(model, "scale", None) or DEFAULT_SCALE   # the model's factor, x4 without one
        return elements.paired(ds, info, image_shape, scale=scale)

    def prepare_generation(self, model, n=None, images=None, **conditions):
        """`generate(images=low_res)`: float NHWC or HWC in [0, 1] (or uint8), any size."""
        if conditions:
            raise TypeError(f"{type(model).__name__}.generate() takes images=, not {', '.join(conditions)}")
        if images is None:
            raise GanzooError(f"{type(model).__name__}.generate() upscales images: pass images=LOW_RES, "
                              "float NHWC or HWC in [0, 1]")
        array = as_image_batch(images, model.image_shape[-1])
        if n is not None and int(n) != len(array):
            raise GanzooError(f"generate() got n={n} but {len(array)} images")
        return len(array), {"images": array}

    def preview(self, model, examples=None, seed=0):
        """Rows of (bicubic | model | real HR) for up to 6 examples `(lr, hr)`."""
        from ganzoo.metrics.super_resolution import bicubic_upscale

        if examples is None:
            raise GanzooError("a paired preview needs examples: a batch (low_res, high_res)")
        low_res, high_res = (np.asarray(x, "float32")[:6] for x in examples)
        upscaled = model.generate(images=low_res)
        bicubic = bicubic_upscale(low_res, model.scale)
        columns = np.stack([bicubic, upscaled, high_res], axis=1)      # (n, 3, H, W, C)
        return images_lib.grid(columns.reshape(-1, *columns.shape[2:]), rows=len(low_res))

    def sample(self, model, *, out, count=64, seed=0, input_path=None, **options):
        reject_options(self, options)
        return translate_files(model, input_path, out)

    def test_batch(self, model, n, rng):
        height, width, channels = model.image_shape
        return (random_images(rng, n, (height // model.scale, width // model.scale, channels)),
                random_images(rng, n, model.image_shape))

    def test_generate_kwargs(self, model, n, rng):
        height, width, channels = model.image_shape
        return {"images": random_images(rng, n, (height // model.scale, width // model.scale, channels))}


task = Paired()
