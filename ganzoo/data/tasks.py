"""Tasks: how a dataset of example dicts becomes what a model trains on.

A task is one function `(ds, info, image_shape) -> ds` registered in `TASKS`.
It maps the source's unbatched example dicts (`{"image": uint8 HxWxC,
"label": int32}`) to one unbatched element of the task's structure; the
pipeline caches, shuffles and batches afterwards.
"""

import tensorflow as tf

from ganzoo.data import captioned as captioned_source
from ganzoo.data import paired, unpaired
from ganzoo.errors import GanzooError


def prepare_image(image, image_shape):
    """Converts a uint8 HxWxC image to float32 in [0, 1] of shape `image_shape`.

    Args:
        image: A uint8 (or other integer) tensor of shape (H, W, C), C in 1, 3, 4.
        image_shape: Target `(H, W, C)` with C 1 or 3.

    Returns:
        A float32 tensor of shape `image_shape`, values in [0, 1].
    """
    height, width, channels = image_shape
    image = tf.image.convert_image_dtype(image, tf.float32)
    if image.shape[-1] == 4:
        image = image[..., :3]
    if channels == 3 and image.shape[-1] == 1:
        image = tf.repeat(image, 3, axis=-1)
    elif channels == 1 and image.shape[-1] != 1:
        image = tf.image.rgb_to_grayscale(image)
    if tuple(image.shape[:2]) != (height, width):
        image = tf.image.resize(image, (height, width), method="bilinear", antialias=True)
        # Bilinear weights are convex, but float rounding can leave tiny overshoots.
        image = tf.clip_by_value(image, 0.0, 1.0)
    image.set_shape((height, width, channels))
    return image


def unconditional(ds, info, image_shape):
    """Elements are images, float32 (H, W, C) in [0, 1]."""
    return ds.map(
        lambda example: prepare_image(example["image"], image_shape),
        num_parallel_calls=tf.data.AUTOTUNE,
    )


def _require_labels(info, task):
    if not info.labelled:
        raise GanzooError(
            f"dataset '{info.name}' has no class labels, which task {task!r} needs; "
            f"use a labelled dataset or a folder with one subfolder of images per class"
        )


def conditional(ds, info, image_shape):
    """Elements are `(image, label)`: float32 (H, W, C) in [0, 1] and an int32 scalar."""
    _require_labels(info, "conditional")
    return ds.map(
        lambda example: (
            prepare_image(example["image"], image_shape),
            tf.cast(example["label"], tf.int32),
        ),
        num_parallel_calls=tf.data.AUTOTUNE,
    )


def captioned(ds, info, image_shape):
    """Elements are `(image, text)`: float32 (H, W, C) in [0, 1] and a tf.string scalar
    (see `ganzoo.data.captioned`)."""
    return ds.map(
        lambda example: (prepare_image(example["image"], image_shape), example["text"]),
        num_parallel_calls=tf.data.AUTOTUNE,
    )


TASKS = {
    "unconditional": unconditional,
    "captioned": captioned,
    "conditional": conditional,
    "unpaired": unpaired.unpaired,
    "paired": paired.paired,
}

# Tasks whose elements are random draws (crops, flips): a cache would repeat
# the first epoch's draws forever, so the pipeline caches them only on request.
RANDOM_TASKS = frozenset({"paired"})

# Tasks that read the source their own way: `(kind, name, split, data_dir=,
# shuffle=, seed=) -> (dataset or tuple of datasets, SourceInfo)`. A tuple is
# one independent stream per domain (see `pipeline.build`).
OPENERS = {
    "unpaired": unpaired.open_domains,
    "captioned": captioned_source.open,
}

# Checks that need only a SourceInfo, run before a TFDS download.
_CHECKS = {
    "conditional": lambda info: _require_labels(info, "conditional"),
}


def check(task, info):
    """Raises `GanzooError` if a source described by `info` cannot serve `task`."""
    get(task)
    if task in _CHECKS:
        _CHECKS[task](info)


def get(task):
    """Returns the task function for `task`, or raises `GanzooError`."""
    if task not in TASKS:
        supported = ", ".join(repr(name) for name in TASKS)
        raise GanzooError(
            f"task {task!r} is not supported by ganzoo.data yet (supported: {supported})"
        )
    return TASKS[task]
