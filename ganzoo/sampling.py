"""`ganzoo sample`: images from a trained model; the model's task decides what.

The flags beyond `--n`, `--seed` and `--out` belong to the task (`--label`,
`--input`, `--direction`, `--text`, ...) or to the model (`extra_sample_options`);
they are checked against the loaded model, so each flag's error names it.

Where the output goes (unconditional and conditional models):

- `--out FILE.png` (the default `samples.png`): one grid of all the images,
  for at most `GRID_LIMIT` images; more would not be a picture anyone can
  read, and the grid would hold every image in memory at once, so more is
  an error that says to pass a folder;
- `--out FOLDER` (an existing folder, or a name without an image suffix):
  one numbered PNG per image (`000000.png`, ...; `7_000000.png` for label
  7), generated and written `STREAM_BATCH` images at a time, so memory does
  not grow with `--n`. Existing files are never overwritten.
"""

from __future__ import annotations

import os

from ganzoo.errors import GanzooError
from ganzoo.images import IMAGE_SUFFIXES

#: The most images `ganzoo sample` tiles into one grid PNG.
GRID_LIMIT = 1024

#: Images generated (and held in memory) at a time when writing a folder.
STREAM_BATCH = 256



def sample(run, *, count=64, seed=0, out="samples.png", **options):
    """Generates from the model of `run` and writes PNG files; returns their paths.

    Args:
        run: a run directory or a `.keras` file.
        count: images (per condition, where the task has conditions).
        seed: seed of the latents.
        out: the PNG file (a grid), or a folder for one PNG per image (see
            the module doc), or a folder for a folder of inputs.
        **options: the task's and model's sample options by name
            (`labels=(7,)`, `input_path="photo.png"`, `texts=("a red circle",)`).
    """
    from ganzoo.runs import load_run_model

    model = load_run_model(run)
    return model.sample(out=out, count=count, seed=seed, **options)


def preview(model, examples=None, seed=0):
    """The model's preview grid, an HWC float image in [0, 1].

    Temporary stand-in of helper A's branch for the `ganzoo.sampling` package
    of the core split (issue 17), which provides the same function.
    """
    return model.preview(examples, seed=seed)


def to_folder(out, total):
    """Whether `out` asks for one file per image; `GanzooError` for a grid
    of more than `GRID_LIMIT` images."""
    out = os.fspath(out)
    if os.path.isdir(out) or out.endswith(("/", os.sep)) or not out.lower().endswith(IMAGE_SUFFIXES):
        return True
    if total > GRID_LIMIT:
        raise GanzooError(
            f"--out {out}: a grid holds at most {GRID_LIMIT} images, not {total}; pass --out FOLDER to write one "
            f"numbered PNG per image (streamed {STREAM_BATCH} at a time)"
        )
    return False


def write_numbered(batches, out, total, name=None):
    """Writes the images of `batches` (an iterable of NHWC arrays in [0, 1],
    `total` images in all) to the folder `out`, one PNG each, as they come.

    Args:
        batches: iterable of float arrays (n, H, W, C); only one is held at a time.
        out: the folder (created if needed).
        total: the number of images (for the file names' width).
        name: `name(i, digits)` -> file name of image i; `i` zero-padded by default.

    Returns:
        A `ganzoo.tasks.base.Written` list of the paths.
    """
    from ganzoo import images as images_lib
    from ganzoo.tasks.base import Written

    out = os.fspath(out)
    if os.path.exists(out) and not os.path.isdir(out):
        raise GanzooError(f"--out {out} is a file; pass a folder (or a .png file for a grid)")
    digits = max(6, len(str(total - 1)))
    name = name or (lambda i, width: f"{i:0{width}d}.png")
    if os.path.isdir(out):
        existing = set(os.listdir(out))
        clash = next((name(i, digits) for i in range(total) if name(i, digits) in existing), None)
        if clash is not None:
            raise GanzooError(f"--out {out} already holds {clash}; pass a new or empty folder (sample files are "
                              "never overwritten)")
    os.makedirs(out, exist_ok=True)
    written, i = Written(), 0
    for batch in batches:
        for image in batch:
            written.append(images_lib.save_image(image, os.path.join(out, name(i, digits))))
            i += 1
    return written
