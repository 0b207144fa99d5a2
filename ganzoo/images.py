"""Image grids and atomic image files."""

from __future__ import annotations

import math
import os

import numpy as np
from PIL import Image

from ganzoo.files import atomic_path


def to_uint8(images) -> np.ndarray:
    """Float images in [0, 1] (NHWC or HWC) to uint8."""
    return (np.clip(np.asarray(images, dtype="float32"), 0.0, 1.0) * 255.0 + 0.5).astype("uint8")


def grid(images, rows=None, padding=2, pad_value=0.0) -> np.ndarray:
    """Tiles NHWC images in [0, 1] into one HWC image, row by row.

    Args:
        images: array of shape (n, h, w, c).
        rows: number of rows; a near-square layout when None.
        padding: pixels between tiles.
        pad_value: value of the padding pixels.
    """
    images = np.asarray(images, dtype="float32")
    n, h, w, c = images.shape
    rows = rows or max(1, int(math.floor(math.sqrt(n))))
    cols = int(math.ceil(n / rows))
    out = np.full((rows * (h + padding) + padding, cols * (w + padding) + padding, c), pad_value, "float32")
    for i, image in enumerate(images):
        r, col = divmod(i, cols)
        y, x = padding + r * (h + padding), padding + col * (w + padding)
        out[y:y + h, x:x + w] = image
    return out


def save_image(image, path, scale=1):
    """Writes an HWC image in [0, 1] to `path` atomically (temp file, then rename),
    so an interrupted run never leaves a truncated file. `scale` enlarges small
    images with nearest-neighbour so that 28 px digits stay readable."""
    array = to_uint8(image)
    if array.shape[-1] == 1:
        array = array[..., 0]
    picture = Image.fromarray(array)
    if scale > 1:
        picture = picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST)
    path = os.fspath(path)
    suffix = os.path.splitext(path)[1] or ".png"
    with atomic_path(path, suffix=suffix) as tmp:
        picture.save(tmp)
    return path


def load_image(path) -> np.ndarray:
    """Reads an image file as float32 HWC RGB in [0, 1]."""
    with Image.open(path) as picture:
        return np.asarray(picture.convert("RGB"), dtype="float32") / 255.0
