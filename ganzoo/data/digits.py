"""The embedded `digits`: the UCI handwritten digits (1,797 8x8 grey images,
10 classes), as shipped by scikit-learn; see `embedded/LICENSE-digits.txt`."""

import functools

import numpy as np

from ganzoo.data.common import SourceInfo
from ganzoo.data.package_files import read_npz

NAME = "digits"


@functools.lru_cache(maxsize=None)
def load_embedded():
    """`(arrays, SourceInfo)` of the embedded dataset `"digits"`: "image"
    (1797, 8, 8, 1) uint8 and "label" (1797,) int32."""
    raw = read_npz("digits.npz")
    arrays = {"image": raw["images"], "label": raw["labels"].astype(np.int32)}
    info = SourceInfo(
        name=NAME,
        kind="embedded",
        num_examples=len(raw["labels"]),
        # 8x8 is too small for most generators; like MNIST they get 28x28 by
        # default, while image_shape=(8, 8, 1) keeps the native size.
        image_shape=(28, 28, 1),
        num_classes=10,
        class_names=tuple(str(i) for i in range(10)),
    )
    return arrays, info
