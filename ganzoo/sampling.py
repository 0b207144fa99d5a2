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

#: The most images `ganzoo sample` tiles into one grid PNG.
GRID_LIMIT = 1024

#: Images generated (and held in memory) at a time when writing a folder.
STREAM_BATCH = 256

_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")


def preview(model, examples=None, seed=0):
    """A picture of training progress: one HWC image in [0, 1].

    The sample-grid callback calls it after each epoch with the same `seed`
    (and the same `examples`, a fixed batch of training data), so successive
    grids are comparable. The model's own `preview(examples, seed)` draws it
    when its class defines one (SRGAN, text2image), else its task (64 images
    of an unconditional model, one row per class, input / output columns, ...).
    """
    if callable(getattr(type(model), "preview", None)):
        return model.preview(examples, seed)
    return model.task.preview(model, examples, seed)


def sample_options(model):
    """The `ganzoo sample` flags of `model`: its task's, then the model's own
    `extra_sample_options` (a class attribute of `SampleOption`s)."""
    return (*model.task.sample_options, *getattr(model, "extra_sample_options", ()))


def sample(model, *, out="samples.png", count=64, seed=0, **options):
    """Generates from `model` and writes PNG files; returns their paths.

    The model's own `sample(out=..., count=..., seed=..., **options)` writes
    them when its class defines one (for its `extra_sample_options`), else
    its task.

    Args:
        model: a ganzoo model, or a run directory or `.keras` file to load.
        out: the PNG file (a grid), or a folder for one PNG per image (see
            the module doc), or a folder for a folder of inputs.
        count: images (per condition, where the task has conditions).
        seed: seed of the latents.
        **options: the task's and model's sample options by name
            (`labels=(7,)`, `input_path="photo.png"`, `texts=("a red circle",)`).
    """
    if isinstance(model, (str, os.PathLike)):
        from ganzoo.runs import load_run_model

        model = load_run_model(model)
    if callable(getattr(type(model), "sample", None)):
        return model.sample(out=out, count=count, seed=seed, **options)
    return model.task.sample(model, out=out, count=count, seed=seed, **options)


def to_folder(out, total):
    """Whether `out` asks for one file per image; `GanzooError` for a grid
    of more than `GRID_LIMIT` images."""
    out = os.fspath(out)
    if os.path.isdir(out) or out.endswith(("/", os.sep)) or not out.lower().endswith(_IMAGE_SUFFIXES):
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
