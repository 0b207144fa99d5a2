"""The embedded `photos` set: real photographs for super-resolution, offline.

Ten photographs with free licences (public domain or CC0, credited in
`embedded/photos/CREDITS.txt`, written by `scripts/make_photos.py`):

- `train/`: eight photos. The embedded dataset `"photos"` serves them as
  overlapping `TILE` x `TILE` tiles, a `GRID` x `GRID` grid over each photo
  (nearly flat tiles, such as the black sky of the deep field, are left out),
  so that every example has the same shape, each photo weighs about the
  same, and an epoch is a pass over the tiles; the `"paired"` task then draws
  a random crop, flip and rotation from each tile.
- `test/`: two photos (a cat, a coffee cup) that are never trained on: the
  held-back set of the super-resolution tests and evaluations.

No TensorFlow here: photos are decoded with PIL.
"""

from __future__ import annotations

import functools
import io

import numpy as np

from ganzoo.data.common import SourceInfo
from ganzoo.data.package_files import embedded_file
from ganzoo.images import IMAGE_SUFFIXES

NAME = "photos"
SPLITS = ("train", "test")
TILE = 128
# Tiles per side of the grid laid over each photo, so that every photo gives
# the same number of (overlapping) tiles whatever its size.
GRID = 13
# Tiles whose grey-level standard deviation is below this (out of 255) are
# nearly flat: they teach super-resolution nothing.
MIN_TILE_STD = 6.0
# The training crop the tiles are meant for (SRGAN's 96 px high-resolution crop).
PREFERRED_SHAPE = (96, 96, 3)


def _folder(split):
    if split not in SPLITS:
        raise ValueError(f"the embedded photos have splits {', '.join(SPLITS)}, not {split!r}")
    return embedded_file(NAME, split)


def names(split="test"):
    """File names of the photos of `split`, sorted."""
    return sorted(p.name for p in _folder(split).iterdir() if p.name.lower().endswith(IMAGE_SUFFIXES))


@functools.lru_cache(maxsize=None)
def _decoded(split):
    from PIL import Image

    folder = _folder(split)
    photos = []
    for name in names(split):
        with Image.open(io.BytesIO(folder.joinpath(name).read_bytes())) as image:
            photos.append(np.asarray(image.convert("RGB"), dtype=np.uint8))
    return tuple(photos)


def load_photos(split="test"):
    """The photos of `split` at full size, as uint8 HWC RGB arrays.

    Args:
        split: `"test"` (the held-back photos) or `"train"`.

    Returns:
        A list of arrays of different sizes (copies; change them freely).

    Example:

    >>> [p.shape for p in load_photos("test")]
    [(300, 451, 3), (400, 600, 3)]
    """
    return [photo.copy() for photo in _decoded(split)]


def held_back(dtype="float32"):
    """The held-back test photos as float HWC RGB arrays in [0, 1]."""
    return [photo.astype(dtype) / 255.0 for photo in _decoded("test")]


def tiles(photos, tile=TILE, grid=GRID, min_std=MIN_TILE_STD):
    """`tile` x `tile` tiles on a `grid` x `grid` grid over each photo (they
    overlap), flat ones left out; photos smaller than a tile give none.

    Returns:
        A uint8 array of shape (n, tile, tile, 3).
    """
    result = []
    for photo in photos:
        height, width = photo.shape[:2]
        if height < tile or width < tile:
            continue
        rows = np.unique(np.linspace(0, height - tile, grid).round().astype(int))
        cols = np.unique(np.linspace(0, width - tile, grid).round().astype(int))
        for y in rows:
            for x in cols:
                patch = photo[y:y + tile, x:x + tile]
                if patch.shape[:2] == (tile, tile) and patch.mean(axis=-1).std() >= min_std:
                    result.append(patch)
    return np.stack(result) if result else np.zeros((0, tile, tile, 3), np.uint8)


@functools.lru_cache(maxsize=None)
def load_embedded():
    """`(arrays, SourceInfo)` of the embedded dataset `"photos"` (training tiles)."""
    images = tiles(_decoded("train"))
    info = SourceInfo(
        name=NAME,
        kind="embedded",
        num_examples=len(images),
        image_shape=PREFERRED_SHAPE,
    )
    return {"image": images}, info
