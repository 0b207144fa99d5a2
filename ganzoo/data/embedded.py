"""The catalogue of datasets shipped inside the package, so that ganzoo trains
with no network.

To add a set, put its file in `ganzoo/data/embedded/` (with a LICENSE file),
write a module for it next to this one (as `digits.py`, `chalk2ink.py` and
`photos.py` are; it may import `common` and `package_files`, nothing above),
and add one entry to `LOADERS`: a function returning `(arrays, SourceInfo)`
where `arrays` maps example keys ("image", "label", ...) to numpy arrays with
one row per example. A set with held-out test examples (read by tasks with a
"test" split, such as "unpaired") adds its test loader to `TEST_LOADERS`.
"""

import dataclasses

from ganzoo.data import chalk2ink, digits, photos, shapes
from ganzoo.data.common import split_range

LOADERS = {
    "digits": digits.load_embedded,
    # Two domains derived from digits, for the unpaired task.
    "chalk2ink": lambda: chalk2ink.load_chalk2ink("train"),
    # Real photographs for super-resolution, served as training tiles (see photos.py).
    "photos": photos.load_embedded,
    # Coloured shapes with captions, for the captioned task (see shapes.py).
    "shapes": shapes.load_embedded,
}

# Held-out test examples of the sets that have them.
TEST_LOADERS = {
    "chalk2ink": lambda: chalk2ink.load_chalk2ink("test"),
    "shapes": lambda: shapes.load_embedded("test"),
}

EMBEDDED = tuple(LOADERS)


def arrays(name):
    """`(arrays, SourceInfo)` of embedded set `name`: the whole "train" split as numpy arrays."""
    return LOADERS[name]()


def info(name, split="train"):
    """Returns the `SourceInfo` of embedded dataset `name` for `split`."""
    _, base = LOADERS[name]()
    start, stop = split_range(split, base.num_examples, f"embedded dataset {name!r}")
    return _with_count(base, stop - start)


def load(name, split="train"):
    """Returns `(dataset of example dicts, SourceInfo)` for embedded set `name`."""
    import tensorflow as tf

    arrays_, base = LOADERS[name]()
    start, stop = split_range(split, base.num_examples, f"embedded dataset {name!r}")
    sliced = {key: value[start:stop] for key, value in arrays_.items()}
    return tf.data.Dataset.from_tensor_slices(sliced), _with_count(base, stop - start)


def _with_count(base, count):
    return dataclasses.replace(base, num_examples=count)
