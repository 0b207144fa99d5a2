"""The "unpaired" task: translation between two domains learnt from unpaired images."""

from __future__ import annotations

import numpy as np

from ganzoo import images as images_lib
from ganzoo.errors import GanzooError
from ganzoo.tasks.base import SampleOption, Task, random_images, reject_options
from ganzoo.tasks.translation import as_image_batch, translate_files

PREVIEW_COLUMNS = 8


class Unpaired(Task):
    """Batches are `(images_a, images_b)` drawn independently from two
    domains; `generate(images=x, direction="a2b")`.

    A model of this task may list its `directions` (default `("a2b", "b2a")`)."""

    name = "unpaired"
    summary = "translation A <-> B from unpaired images: generate(images=x, direction='a2b')"
    batch = "(images_a, images_b): float32 (batch, H, W, C) in [0, 1] each, drawn independently"
    sample_options = (
        SampleOption("input_path", "--input", "Image file or folder to translate.", type="path"),
        SampleOption("direction", "--direction", "Translation direction, e.g. a2b or b2a."),
    )

    def describe(self, source, split="train", data_dir=None):
        from ganzoo.data import unpaired

        return unpaired.info(source, split, data_dir=data_dir)

    def open(self, source, split="train", data_dir=None, shuffle=True, seed=None):
        from ganzoo.data import unpaired
        from ganzoo.data.source import resolve

        kind, name = resolve(source)
        return unpaired.open_domains(kind, name, split, data_dir=data_dir, shuffle=shuffle, seed=seed)

    def elements(self, ds, info, image_shape, model=None):
        from ganzoo.data import elements

        return elements.unpaired(ds, info, image_shape)

    @staticmethod
    def directions(model):
        return tuple(getattr(model, "directions", ("a2b", "b2a")))

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

    def preview(self, model, examples=None, seed=0):
        """Rows: A, G_AB(A), G_BA(G_AB(A)), B, G_BA(B), G_AB(G_BA(B)) for up to
        8 fixed training images of each domain: input, translated,
        reconstructed, as in the CycleGAN paper's figures."""
        if examples is None:
            raise GanzooError("an unpaired preview needs examples: a batch (images_a, images_b)")
        images_a, images_b = examples
        k = min(PREVIEW_COLUMNS, len(images_a), len(images_b))
        images_a = np.asarray(images_a, "float32")[:k]
        images_b = np.asarray(images_b, "float32")[:k]
        a2b, b2a = self.directions(model)[:2]
        fake_b = model.generate(images=images_a, direction=a2b)
        rec_a = model.generate(images=fake_b, direction=b2a)
        fake_a = model.generate(images=images_b, direction=b2a)
        rec_b = model.generate(images=fake_a, direction=a2b)
        return images_lib.grid(np.concatenate([images_a, fake_b, rec_a, images_b, fake_a, rec_b]), rows=6)

    def sample(self, model, *, out, count=64, seed=0, input_path=None, direction=None, **options):
        reject_options(self, options)
        return translate_files(model, input_path, out, **({} if direction is None else {"direction": direction}))

    def test_batch(self, model, n, rng):
        return random_images(rng, n, model.image_shape), random_images(rng, n, model.image_shape)

    def test_generate_kwargs(self, model, n, rng):
        return {"images": random_images(rng, n, model.image_shape)}


task = Unpaired()
