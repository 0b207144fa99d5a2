"""Pictures of unconditional and conditional models: grids of generated images."""

from __future__ import annotations

import numpy as np

from ganzoo import images as images_lib
from ganzoo.sampling import files
from ganzoo.sampling.base import SampleOption, Sampler
from ganzoo.tasks.conditional import check_labels

PREVIEW_COLUMNS = 10
PREVIEW_MAX_ROWS = 100


class UnconditionalSampler(Sampler):
    """64 images per preview; `ganzoo sample` writes a grid of `--n`, or one
    PNG each in a folder, streamed (see `ganzoo.sampling.files`)."""

    task = "unconditional"

    def preview(self, model, examples=None, seed=0):
        """64 images from fixed latent vectors."""
        return images_lib.grid(model.generate(64, seed=seed))

    def sample(self, model, *, out, count=64, seed=0, **options):
        files.reject_options(self.task, options)
        if files.to_folder(out, count):
            batches = model.generate_batches(count, seed=seed, batch_size=files.STREAM_BATCH)
            return files.write_numbered(batches, out, count)
        return files.save_picture(images_lib.grid(model.generate(count, seed=seed)), out)


class ConditionalSampler(Sampler):
    """One row per class in the preview; `ganzoo sample --label N` writes
    `--n` images of each label."""

    task = "conditional"
    options = (SampleOption("labels", "--label", "Class label(s); one row of --n images per label.",
                            type="int", multiple=True),)

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
        with a folder `out`, one PNG each (`7_000000.png`), streamed."""
        from ganzoo import sampling

        files.reject_options(self.task, options)
        if labels and files.to_folder(out, count * len(labels)):
            wanted = check_labels(np.repeat(np.asarray(labels, "int32"), count), model.num_classes)
            batches = model.generate_batches(labels=wanted, seed=seed, batch_size=files.STREAM_BATCH)
            return files.write_numbered(batches, out, len(wanted),
                                        name=lambda i, digits: f"{wanted[i]}_{i:0{digits}d}.png")
        if labels:
            wanted = np.repeat(np.asarray(labels, "int32"), count)
            grid = images_lib.grid(model.generate(labels=wanted, seed=seed), rows=len(labels))
        else:
            grid = sampling.preview(model, seed=seed)   # the model's own preview, where it has one
        return files.save_picture(grid, out)


unconditional = UnconditionalSampler()
conditional = ConditionalSampler()
