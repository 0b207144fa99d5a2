"""Image grids and atomic image files."""

from __future__ import annotations

import math
import os

import numpy as np
from PIL import Image

from ganzoo.files import atomic_path


def to_range(images, pixel_range=(-1.0, 1.0), dtype="float32"):
    """Maps images in [0, 1] to `pixel_range` (a network's range), as a tensor.

    The one conversion every plugin uses (`GAN.to_network_range` calls it)."""
    from keras import ops

    low, high = pixel_range
    return ops.cast(images, dtype) * (high - low) + low


def from_range(images, pixel_range=(-1.0, 1.0)):
    """Maps images in `pixel_range` back to [0, 1], float32, clipped."""
    from keras import ops

    low, high = pixel_range
    return ops.clip((ops.cast(images, "float32") - low) / (high - low), 0.0, 1.0)


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


def caption_rows(grid_image, captions, width=None):
    """Writes `captions[i]` to the left of row i of a grid (rows of equal
    height, as `grid(..., rows=len(captions))` makes); returns the wider image."""
    from PIL import ImageDraw, ImageFont

    grid_image = np.asarray(grid_image, dtype="float32")
    height, _, channels = grid_image.shape
    rows = max(1, len(captions))
    row_height = height / rows
    font = ImageFont.load_default()
    width = width or max(8 + int(font.getlength(str(c))) for c in captions) if captions else 0
    band = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(band)
    for i, caption in enumerate(captions):
        draw.text((4, int(i * row_height + row_height / 2 - 5)), str(caption), fill=255, font=font)
    text = np.asarray(band, dtype="float32")[..., None] / 255.0
    text = np.repeat(text, channels, axis=-1)
    return np.concatenate([text, grid_image], axis=1)


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
