"""Image grids and atomic image files."""

from __future__ import annotations

import math
import os

import numpy as np
from PIL import Image

from ganzoo.files import atomic_path

# Files that are read as images wherever ganzoo lists a folder or picks a
# writer by name: one list, so that a folder that trains also samples.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")


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


def caption_rows(pictures, captions, padding=2):
    """Tiles `pictures` (len(captions) * k images, NHWC in [0, 1]) in one row
    per caption, enlarging small images to at least 64 px, and writes each
    row's caption to its right (white on black, PIL's default font).

    Returns:
        One HWC image in [0, 1] with the pictures' channels.
    """
    from PIL import ImageDraw, ImageFont

    pictures = np.asarray(pictures, "float32")
    zoom = max(1, 64 // pictures.shape[1])
    if zoom > 1:
        pictures = pictures.repeat(zoom, axis=1).repeat(zoom, axis=2)
    tiled = grid(pictures, rows=len(captions), padding=padding)
    tile = pictures.shape[1] + padding
    font_size = int(min(14, max(9, tile * 0.35)))
    try:
        font = ImageFont.load_default(size=font_size)
    except TypeError:  # Pillow < 10.1: one bitmap size
        font = ImageFont.load_default()
    shown = [_shorten(c) or "(empty caption)" for c in captions]
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    width = max(probe.textbbox((0, 0), text, font=font)[2] for text in shown) + 2 * padding + 4
    label = Image.new("L", (width, tiled.shape[0]), 0)
    pen = ImageDraw.Draw(label)
    for row, text in enumerate(shown):
        pen.text((4, padding + row * tile + (tile - padding - font_size) // 2), text, fill=255, font=font)
    text_part = np.repeat(np.asarray(label, "float32")[..., None] / 255.0, tiled.shape[-1], axis=-1)
    return np.concatenate([tiled, text_part], axis=1)


def _shorten(text, limit=60):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
