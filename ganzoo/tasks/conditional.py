"""The "conditional" task: images of a chosen class."""

from __future__ import annotations

import numpy as np

from ganzoo import images as images_lib
from ganzoo.errors import GanzooError
from ganzoo.tasks.base import SampleOption, Task, random_images, reject_options

PREVIEW_COLUMNS = 10
PREVIEW_MAX_ROWS = 100


def check_labels(labels, num_classes):
    """Labels as an int32 array of shape (n,); `GanzooError` if any is not a
    whole number in 0 .. num_classes - 1."""
    array = np.asarray(labels)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.integer) or
                                     np.issubdtype(array.dtype, np.floating)):
        raise GanzooError(f"labels must be integers 0 .. {num_classes - 1}; got {labels!r}")
    array = array.reshape(-1)
    if np.issubdtype(array.dtype, np.floating) and not np.all(np.mod(array, 1) == 0):
        raise GanzooError(f"labels must be whole numbers 0 .. {num_classes - 1}; got {array.tolist()}")
    bad = array[(array < 0) | (array >= num_classes)]
    if bad.size:
        raise GanzooError(
            f"label {bad[0]:g} is out of range: this model has {num_classes} classes, "
            f"valid labels are 0 .. {num_classes - 1}"
        )
    return array.astype("int32")


class Conditional(Task):
    """Batches are `(images, labels)`; `generate(labels=[...], seed=)`.

    A model of this task has `num_classes`."""

    name = "conditional"
    summary = "images of a chosen class: generate(labels=[...], seed=)"
    batch = "(images, labels): float32 (batch, H, W, C) in [0, 1] and int32 (batch,)"
    metrics = ("classifier", "fid", "kid", "is", "pr", "dc", "intra_fid")
    sample_options = (SampleOption("labels", "--label", "Class label(s); one row of --n images per label.",
                                   type="int", multiple=True),)

    def check_source(self, info):
        if not info.labelled:
            raise GanzooError(
                f"dataset '{info.name}' has no class labels, which task 'conditional' needs; "
                f"use a labelled dataset or a folder with one subfolder of images per class"
            )

    def elements(self, ds, info, image_shape, model=None):
        from ganzoo.data import elements

        self.check_source(info)
        return elements.conditional(ds, info, image_shape)

    def prepare_generation(self, model, n=None, labels=None, **conditions):
        """`generate(labels=[...])`: one image per label; `generate(n, labels=7)`:
        n images of one class."""
        if conditions:
            raise TypeError(f"{type(model).__name__}.generate() takes labels=, not {', '.join(conditions)}")
        if labels is None:
            raise GanzooError(f"a conditional model needs labels: generate(labels=[...]) with classes "
                              f"0 .. {model.num_classes - 1}")
        scalar = np.ndim(labels) == 0
        labels = check_labels(labels, model.num_classes)
        if scalar and n is not None:
            labels = np.repeat(labels, int(n))
        elif n is not None and int(n) != len(labels):
            raise GanzooError(f"generate() got n={n} but {len(labels)} labels; pass one label per image (or drop n)")
        if len(labels) < 1:
            raise GanzooError("generate() needs at least one label")
        return len(labels), {"labels": labels}

    def preview(self, model, examples=None, seed=0):
        """One row per class (up to 100), 10 columns; column j uses the same
        latent z_j in every row, so a column shows one style across classes."""
        rows = min(model.num_classes, PREVIEW_MAX_ROWS)
        labels = np.repeat(np.arange(rows, dtype="int32"), PREVIEW_COLUMNS)
        # The same seed for every row: generate() draws latents in order, so
        # draw one row's latents per call.
        pictures = [model.generate(labels=labels[r * PREVIEW_COLUMNS:(r + 1) * PREVIEW_COLUMNS], seed=seed)
                    for r in range(rows)]
        return images_lib.grid(np.concatenate(pictures), rows=rows)

    def sample(self, model, *, out, count=64, seed=0, labels=(), **options):
        """`count` images of each `--label` (a row each), or the preview grid;
        with a folder `out`, one PNG each (`7_000000.png`), streamed (see
        `ganzoo.sampling`)."""
        from ganzoo import sampling

        reject_options(self, options)
        if labels and sampling.to_folder(out, count * len(labels)):
            wanted = check_labels(np.repeat(np.asarray(labels, "int32"), count), model.num_classes)
            batches = model.generate_batches(labels=wanted, seed=seed, batch_size=sampling.STREAM_BATCH)
            return sampling.write_numbered(batches, out, len(wanted),
                                           name=lambda i, digits: f"{wanted[i]}_{i:0{digits}d}.png")
        if labels:
            wanted = np.repeat(np.asarray(labels, "int32"), count)
            grid = images_lib.grid(model.generate(labels=wanted, seed=seed), rows=len(labels))
        else:
            grid = sampling.preview(model, seed=seed)
        return [images_lib.save_image(grid, out, scale=max(1, 700 // max(grid.shape[:2])))]

    def test_batch(self, model, n, rng):
        return random_images(rng, n, model.image_shape), (np.arange(n) % model.num_classes).astype("int32")

    def test_generate_kwargs(self, model, n, rng):
        return {"labels": np.arange(n) % model.num_classes}


task = Conditional()
