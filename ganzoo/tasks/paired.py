"""The "paired" task: super-resolution from (low-resolution, high-resolution) pairs."""

from __future__ import annotations


from ganzoo.errors import GanzooError
from ganzoo.tasks.base import Task
from ganzoo.tasks.translation import as_image_batch


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


task = Paired()
