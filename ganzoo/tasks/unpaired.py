"""The "unpaired" task: translation between two domains learnt from unpaired images."""

from __future__ import annotations

import numpy as np

from ganzoo.errors import GanzooError
from ganzoo.tasks.base import OwnReaderTask
from ganzoo.tasks.translation import as_image_batch


def directions(model):
    """The translation directions of `model` (its `directions`, else a2b and b2a)."""
    return tuple(getattr(model, "directions", ("a2b", "b2a")))


class Unpaired(OwnReaderTask):
    """Batches are `(images_a, images_b)` drawn independently from two
    domains; `generate(images=x, direction="a2b")`.

    A model of this task may list its `directions` (default `("a2b", "b2a")`)."""

    name = "unpaired"
    summary = "translation A <-> B from unpaired images: generate(images=x, direction='a2b')"
    batch = "(images_a, images_b): float32 (batch, H, W, C) in [0, 1] each, drawn independently"

    reader, describe_function, open_function = "unpaired", "info", "open_domains"

    element_mapping = "unpaired"

    directions = staticmethod(directions)

    def prepare_generation(self, model, n=None, images=None, direction="a2b", **conditions):
        """`generate(images=x, direction="a2b")`: x float (n, H, W, C) or
        (H, W, C) in [0, 1], resized to the model's `image_shape` if its size
        differs (the networks are fully convolutional, but learnt at that size)."""
        if conditions:
            raise TypeError(f"{type(model).__name__}.generate() takes images= and direction=, "
                            f"not {', '.join(conditions)}")
        directions = self.directions(model)
        if direction not in directions:
            raise GanzooError(f"direction must be one of {', '.join(repr(d) for d in directions)}, got {direction!r}")
        images = as_image_batch(images, model.image_shape[-1])
        if images.shape[1:3] != tuple(model.image_shape[:2]):
            from keras import ops

            resized = ops.image.resize(images, model.image_shape[:2], interpolation="bilinear", antialias=True)
            images = np.clip(ops.convert_to_numpy(resized), 0.0, 1.0)
        if n is not None and int(n) != len(images):
            raise GanzooError(f"generate() got n={n} but {len(images)} images; drop n")
        code = np.full(len(images), directions.index(direction), dtype="int32")
        return len(images), {"images": images, "direction": code}


task = Unpaired()
