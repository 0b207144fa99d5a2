"""What the image-to-image tasks share: checking input images and
translating files and folders for `ganzoo sample --input`."""

from __future__ import annotations

import os
import warnings

import numpy as np

from ganzoo import images as images_lib
from ganzoo.errors import GanzooError



def as_image_batch(images, channels, what="generate(images=...)"):
    """Images as float32 NHWC in [0, 1] with `channels` channels.

    Accepts one HWC image or a batch, float in [0, 1] or uint8; converts grey
    to RGB and RGB(A) to grey as the model needs."""
    if images is None:
        raise GanzooError(f"{what}: pass images, float NHWC or HWC in [0, 1]")
    try:
        array = np.asarray(images)
    except ValueError:
        array = np.asarray(images, dtype=object)
    if array.dtype == np.uint8:
        array = array.astype("float32") / 255.0
    if array.dtype == object or not np.issubdtype(array.dtype, np.number):
        raise GanzooError(f"{what} needs one array of equal-sized images; pass images of different sizes one "
                          "call each")
    array = array.astype("float32")
    if array.ndim == 3:
        array = array[None]
    if array.ndim != 4 or len(array) < 1 or min(array.shape[1:3]) < 1:
        raise GanzooError(f"{what} needs images of shape (n, height, width, channels) or (height, width, "
                          f"channels); got {np.shape(images)}")
    if not np.isfinite(array).all() or array.min() < 0.0 or array.max() > 1.0:
        raise GanzooError(f"{what} needs pixel values in [0, 1]; divide 8-bit images by 255")
    if array.shape[-1] != channels:
        if array.shape[-1] == 1 and channels == 3:
            array = np.repeat(array, 3, axis=-1)
        elif array.shape[-1] in (3, 4) and channels == 1:
            array = array[..., :3].mean(axis=-1, keepdims=True)
        elif array.shape[-1] == 4 and channels == 3:
            array = array[..., :3]
        else:
            raise GanzooError(f"images have {array.shape[-1]} channels; this model takes {channels}")
    return array


def input_files(path):
    """The image files of `--input` (a file or a folder) and whether it was a folder."""
    path = os.path.abspath(os.path.expanduser(path))
    if os.path.isdir(path):
        files = sorted(os.path.join(path, f) for f in os.listdir(path) if f.lower().endswith(images_lib.IMAGE_SUFFIXES))
        if not files:
            raise GanzooError(f"--input {path}: the folder has no images")
        return files, True
    if not os.path.isfile(path):
        raise GanzooError(f"--input {path}: no such file or folder")
    return [path], False


def translate_files(model, input_path, out, **conditions):
    """Runs `model.generate(images=...)` on each input file; writes PNGs to
    `out` (a file for one input, a folder for a folder); returns the paths
    (a `Written` list: `skipped` counts the folder's unreadable files).

    In a folder, a file that is not a readable image (corrupt, truncated,
    not an image at all) is skipped with a warning naming it, so one bad file
    does not lose the rest; a folder with no readable image is an error.
    """
    from ganzoo.data.common import image_problem
    from ganzoo.tasks.base import Written

    if input_path is None:
        raise GanzooError(f"a {model.task} model translates images: pass --input FILE_OR_FOLDER")
    files, is_folder = input_files(input_path)
    written = Written()
    for path in files:
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
        target = os.path.join(out, os.path.splitext(os.path.basename(path))[0] + ".png") if is_folder else out
        written.append(images_lib.save_image(result, target))
    if not written:
        raise GanzooError(f"--input {input_path}: none of its {len(files)} image files could be read (see the "
                          "warnings above); pass a folder of PNG or JPEG images")
    return written
