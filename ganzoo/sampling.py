"""`ganzoo sample`: images from a trained model, by the model's task."""

from __future__ import annotations

import os

import numpy as np

from ganzoo import images
from ganzoo.errors import GanzooError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")


def _input_files(path):
    path = os.path.abspath(os.path.expanduser(path))
    if os.path.isdir(path):
        files = sorted(os.path.join(path, f) for f in os.listdir(path) if f.lower().endswith(IMAGE_SUFFIXES))
        if not files:
            raise GanzooError(f"--input {path}: the folder has no images")
        return files, True
    if not os.path.isfile(path):
        raise GanzooError(f"--input {path}: no such file or folder")
    return [path], False


def sample(run, *, count=64, seed=0, labels=(), input_path=None, direction=None, out="samples.png", texts=()):
    """Generates from the model of `run` and writes PNG files; returns their paths.

    Unconditional models write a grid of `count` images. Conditional models
    write `count` images of each `--label` (one row per label), or one row
    per class without labels. Text-to-image models write `count` images of
    each `--text` (one row per caption, the caption beside it), or their
    preview grid without texts. Image-to-image models translate the `--input`
    file (to `out`) or folder (into the folder `out`, same file names).
    """
    from ganzoo.runs import load_run_model

    model = load_run_model(run)
    if model.task in ("paired", "unpaired"):
        if input_path is None:
            raise GanzooError(f"a {model.task} model translates images: pass --input FILE_OR_FOLDER")
        return _translate(model, input_path, direction, out)
    if input_path is not None or direction is not None:
        raise GanzooError(f"--input and --direction apply to image-to-image models, not to a {model.task} model")
    if texts and model.task != "captioned":
        raise GanzooError(f"--text applies to text-to-image models, not to a {model.task} model")
    if model.task == "captioned":
        grid = model.caption_grid(list(texts), columns=count, seed=seed) if texts else model.preview(seed=seed)
    elif model.task == "conditional":
        if labels:
            wanted = np.repeat(np.asarray(labels, "int32"), count)
            grid = images.grid(model.generate(labels=wanted, seed=seed), rows=len(labels))
        else:
            grid = model.preview(seed=seed)
    elif model.task == "unconditional":
        if labels:
            raise GanzooError("--label applies to conditional models; this model is unconditional")
        grid = images.grid(model.generate(count, seed=seed))
    else:
        raise GanzooError(f"ganzoo sample does not handle {model.task} models yet")
    return [images.save_image(grid, out, scale=max(1, 700 // max(grid.shape[:2])))]


def _translate(model, input_path, direction, out):
    files, is_folder = _input_files(input_path)
    conditions = {} if direction is None else {"direction": direction}
    written = []
    for path in files:
        source = images.load_image(path)
        if model.image_shape[-1] == 1:
            source = source.mean(axis=-1, keepdims=True)
        result = model.generate(images=source[None], **conditions)[0]
        target = os.path.join(out, os.path.splitext(os.path.basename(path))[0] + ".png") if is_folder else out
        written.append(images.save_image(result, target))
    return written
