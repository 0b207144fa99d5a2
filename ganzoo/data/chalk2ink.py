"""The embedded two-domain set `chalk2ink`, offline data for unpaired translation.

White chalk digits on a black board (domain A) and other digits in dark red
ink on cream paper (domain B), built from the embedded UCI digits; the true
A -> B mapping is known (`chalk2ink_mapping`), so translation error can be
measured. Opened for the "unpaired" task by `ganzoo.data.unpaired`.
"""

from __future__ import annotations

import functools

import numpy as np

from ganzoo.data.common import DOMAINS, SourceInfo
from ganzoo.data.package_files import read_npz

NAME = "chalk2ink"

#: Domain B's colours: paper (where domain A is black) and ink (where A is white), RGB in [0, 1].
CHALK2INK_PAPER = np.array([0.98, 0.94, 0.80], np.float32)
CHALK2INK_INK = np.array([0.60, 0.08, 0.12], np.float32)
_CHALK2INK_TEST = 197
_CHALK2INK_SEED = 2017


def chalk2ink_mapping(images):
    """The true A -> B mapping of `chalk2ink`: T(x) = paper + (ink - paper) * x.

    Applied to each pixel of an image of domain A (white chalk digits on a
    black board, RGB with equal channels, values in [0, 1]), it gives the
    image of domain B (dark red ink on cream paper). T is affine in the pixel
    value, so it commutes with the bilinear resizing of the data pipeline:
    `chalk2ink_mapping(resize(x)) == resize(chalk2ink_mapping(x))`, and it
    is invertible (ink and paper differ in every channel).

    Args:
        images: float array (..., H, W, 3) in [0, 1], or (..., H, W, 1).

    Returns:
        float32 array (..., H, W, 3) in [0, 1].
    """
    images = np.asarray(images, np.float32)
    if images.shape[-1] == 1:
        images = np.repeat(images, 3, axis=-1)
    gray = images.mean(axis=-1, keepdims=True)
    return CHALK2INK_PAPER + (CHALK2INK_INK - CHALK2INK_PAPER) * gray


@functools.lru_cache(maxsize=None)
def _chalk2ink_parts():
    digits = read_npz("digits.npz")["images"]          # (1797, 8, 8, 1) uint8
    order = np.random.default_rng(_CHALK2INK_SEED).permutation(len(digits))
    test, train = order[:_CHALK2INK_TEST], order[_CHALK2INK_TEST:]

    def domains(indices):
        half = (len(indices) + 1) // 2
        chalk = np.repeat(digits[indices[:half]], 3, axis=-1)
        ink = (chalk2ink_mapping(digits[indices[half:]].astype(np.float32) / 255.0) * 255.0).round()
        images = np.concatenate([chalk, ink.astype(np.uint8)])
        labels = np.repeat(np.arange(2, dtype=np.int32), [half, len(indices) - half])
        return {"image": images, "label": labels}

    return {"train": domains(train), "test": domains(test)}


def load_chalk2ink(split="train"):
    """The embedded two-domain set `chalk2ink`: `(arrays, SourceInfo)`.

    Built at load time from the embedded UCI digits (1,797 8x8 images, see
    `LICENSE-digits.txt`), shuffled with a fixed seed and cut into disjoint
    parts, so no digit image appears in both domains (they are genuinely
    unpaired) and none of the test images is in training:

    - domain A ("chalk"): white digits on black, RGB;
    - domain B ("ink"): other digits, dark red on cream paper, that is
      `chalk2ink_mapping(x)` of their chalk image x.

    Split "train" has 800 + 800 images, split "test" 99 + 98. Images are
    8x8 uint8 and are resized to 32x32x3 by default. Arrays: "image"
    (N, 8, 8, 3) uint8 and "label" (N,) int32, 0 for A and 1 for B.
    Because the true mapping is known, translation error can be measured:
    `mean |G_AB(x) - chalk2ink_mapping(x)|` against the do-nothing baseline
    `mean |x - chalk2ink_mapping(x)|` (about 0.86).
    """
    arrays = _chalk2ink_parts()[split]
    info = SourceInfo(name=NAME, kind="embedded", num_examples=len(arrays["label"]),
                      image_shape=(32, 32, 3), num_classes=2, class_names=DOMAINS)
    return arrays, info
