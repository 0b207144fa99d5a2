"""Datasets shipped inside the package, so that ganzoo trains with no network.

To add a set, put its file in `ganzoo/data/embedded/` (with a LICENSE file)
and add one entry to `_LOADERS`: a function returning `(arrays, SourceInfo)`
where `arrays` maps example keys ("image", "label", ...) to numpy arrays with
one row per example.
"""

import dataclasses
import functools
import importlib.resources
import io

import numpy as np

from ganzoo.data.source import SourceInfo, split_range


def _read_npz(filename):
    # `importlib.resources` finds the file inside an installed wheel or zip too,
    # where a path relative to `__file__` may not exist.
    ref = importlib.resources.files("ganzoo.data").joinpath("embedded").joinpath(filename)
    with np.load(io.BytesIO(ref.read_bytes())) as npz:
        return {key: npz[key] for key in npz.files}


@functools.lru_cache(maxsize=None)
def _load_digits():
    raw = _read_npz("digits.npz")
    arrays = {"image": raw["images"], "label": raw["labels"].astype(np.int32)}
    info = SourceInfo(
        name="digits",
        kind="embedded",
        num_examples=len(raw["labels"]),
        # 8x8 is too small for most generators; like MNIST they get 28x28 by
        # default, while image_shape=(8, 8, 1) keeps the native size.
        image_shape=(28, 28, 1),
        num_classes=10,
        class_names=tuple(str(i) for i in range(10)),
    )
    return arrays, info


def _load_chalk2ink():
    # Two domains derived from digits; defined with the unpaired task.
    from ganzoo.data.unpaired import load_chalk2ink

    return load_chalk2ink("train")


def _load_photos():
    # Real photographs for super-resolution, served as training tiles (see photos.py).
    from ganzoo.data.photos import load_embedded

    return load_embedded()


def _load_shapes():
    # Captioned shapes (see shapes.py); split "train" here, "test" through ganzoo.data.captioned.
    from ganzoo.data import shapes

    arrays = shapes.split_arrays("train")
    info = SourceInfo(name="shapes", kind="embedded", num_examples=len(arrays["image"]),
                      image_shape=(shapes.SIZE, shapes.SIZE, 3))
    return {"image": arrays["image"], "text": arrays["text"]}, info


_LOADERS = {
    "digits": _load_digits,
    "chalk2ink": _load_chalk2ink,
    "photos": _load_photos,
    "shapes": _load_shapes,
}

EMBEDDED = tuple(_LOADERS)


def info(name, split="train"):
    """Returns the `SourceInfo` of embedded dataset `name` for `split`."""
    _, base = _LOADERS[name]()
    start, stop = split_range(split, base.num_examples, f"embedded dataset {name!r}")
    return _with_count(base, stop - start)


def load(name, split="train"):
    """Returns `(dataset of example dicts, SourceInfo)` for embedded set `name`."""
    import tensorflow as tf

    arrays, base = _LOADERS[name]()
    start, stop = split_range(split, base.num_examples, f"embedded dataset {name!r}")
    sliced = {key: value[start:stop] for key, value in arrays.items()}
    return tf.data.Dataset.from_tensor_slices(sliced), _with_count(base, stop - start)


def _with_count(base, count):
    return dataclasses.replace(base, num_examples=count)
