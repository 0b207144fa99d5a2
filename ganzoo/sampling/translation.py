"""Pictures of image-to-image models (tasks "paired" and "unpaired"): the
preview shows inputs beside outputs; `ganzoo sample --input` translates a
file or a folder of files."""

from __future__ import annotations

import os
import warnings

import numpy as np

from ganzoo import images as images_lib
from ganzoo.errors import GanzooError, article, setting
from ganzoo.images import IMAGE_SUFFIXES
from ganzoo.sampling import files
from ganzoo.sampling.base import SampleOption, Sampler

UNPAIRED_PREVIEW_COLUMNS = 8
PAIRED_PREVIEW_ROWS = 6
INPUT = SampleOption("input_path", "--input", "Image file or folder to translate.", type="path")


def input_files(path):
    """The image files of `--input` (a file or a folder) and whether it was a folder."""
    path = os.path.abspath(os.path.expanduser(path))
    if os.path.isdir(path):
        found = sorted(os.path.join(path, f) for f in os.listdir(path) if f.lower().endswith(IMAGE_SUFFIXES))
        if not found:
            raise GanzooError(f"--input {path}: the folder has no images")
        return found, True
    if not os.path.isfile(path):
        raise GanzooError(f"--input {path}: no such file or folder")
    return [path], False


def _target(path, out, is_folder):
    """Where the output of input `path` goes: `out/NAME.png` for a folder, else `out`."""
    return os.path.join(out, os.path.splitext(os.path.basename(path))[0] + ".png") if is_folder else os.fspath(out)


def translate_files(model, input_path, out, **conditions):
    """Runs `model.generate(images=...)` on each input file; writes PNGs to
    `out` (a file for one input, a folder for a folder); returns the paths
    (a `Written` list: `skipped` counts the folder's unreadable files).

    In a folder, a file that is not a readable image (corrupt, truncated,
    not an image at all) is skipped with a warning naming it, so one bad file
    does not lose the rest; a folder with no readable image is an error.
    An output file that exists is an error before anything is translated,
    unless `--force` (`ganzoo.sampling.files.check_new`).
    """
    from ganzoo.data.common import image_problem

    if input_path is None:
        raise GanzooError(f"{article(model.task).capitalize()} model translates images: pass "
                          f"{setting('input_path', 'FILE_OR_FOLDER', flag='--input FILE_OR_FOLDER')}")
    paths, is_folder = input_files(input_path)
    if is_folder and os.path.isfile(out):
        raise GanzooError(f"--out {out} is a file; an --input folder is translated into a folder: pass --out FOLDER")
    targets = [_target(path, out, is_folder) for path in paths]
    files.check_new(targets)   # before translating anything
    written = files.Written()
    for path, target in zip(paths, targets):
        problem = image_problem(path)
        if problem is not None:
            if not is_folder:
                raise GanzooError(f"--input {path}: not a readable image ({problem}); pass a PNG or JPEG file")
            warnings.warn(f"--input: skipping '{path}': not a readable image ({problem})", UserWarning, stacklevel=2)
            written.skipped += 1
            continue
        source = images_lib.load_image(path)
        if model.image_shape[-1] == 1:
            source = source.mean(axis=-1, keepdims=True)
        result = model.generate(images=source[None], **conditions)[0]
        written.append(images_lib.save_image(result, target))
    if not written:
        raise GanzooError(f"--input {input_path}: none of its {len(paths)} image files could be read (see the "
                          "warnings above); pass a folder of PNG or JPEG images")
    return written


class PairedSampler(Sampler):
    """Super-resolution: (bicubic | model | real) rows; `--input` upscales."""

    task = "paired"
    options = (SampleOption("input_path", "--input", "Image file or folder to upscale.", type="path"),)

    def preview(self, model, examples=None, seed=0):
        """Rows of (bicubic | model | real HR) for up to 6 examples `(lr, hr)`."""
        from ganzoo.metrics.super_resolution import bicubic_upscale

        if examples is None:
            raise GanzooError("a paired preview needs examples: a batch (low_res, high_res)")
        low_res, high_res = (np.asarray(x, "float32")[:PAIRED_PREVIEW_ROWS] for x in examples)
        upscaled = model.generate(images=low_res)
        bicubic = bicubic_upscale(low_res, model.scale)
        columns = np.stack([bicubic, upscaled, high_res], axis=1)      # (n, 3, H, W, C)
        return images_lib.grid(columns.reshape(-1, *columns.shape[2:]), rows=len(low_res))

    def sample(self, model, *, out, count=64, seed=0, input_path=None, **options):
        files.reject_options(self.task, options)
        return translate_files(model, input_path, out)


class UnpairedSampler(Sampler):
    """Two-domain translation: the CycleGAN paper's figure rows; `--input`
    translates, `--direction` picks the way."""

    task = "unpaired"
    options = (INPUT, SampleOption("direction", "--direction", "Translation direction, e.g. a2b or b2a."))

    def preview(self, model, examples=None, seed=0):
        """Rows: A, G_AB(A), G_BA(G_AB(A)), B, G_BA(B), G_AB(G_BA(B)) for up to
        8 fixed training images of each domain: input, translated,
        reconstructed, as in the CycleGAN paper's figures."""
        from ganzoo.tasks.unpaired import directions

        if examples is None:
            raise GanzooError("an unpaired preview needs examples: a batch (images_a, images_b)")
        images_a, images_b = examples
        k = min(UNPAIRED_PREVIEW_COLUMNS, len(images_a), len(images_b))
        images_a = np.asarray(images_a, "float32")[:k]
        images_b = np.asarray(images_b, "float32")[:k]
        a2b, b2a = directions(model)[:2]
        fake_b = model.generate(images=images_a, direction=a2b)
        rec_a = model.generate(images=fake_b, direction=b2a)
        fake_a = model.generate(images=images_b, direction=b2a)
        rec_b = model.generate(images=fake_a, direction=a2b)
        return images_lib.grid(np.concatenate([images_a, fake_b, rec_a, images_b, fake_a, rec_b]), rows=6)

    def sample(self, model, *, out, count=64, seed=0, input_path=None, direction=None, **options):
        files.reject_options(self.task, options)
        return translate_files(model, input_path, out, **({} if direction is None else {"direction": direction}))


paired = PairedSampler()
unpaired = UnpairedSampler()
