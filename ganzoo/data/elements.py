"""Tasks' batch mapping: from a source's example dicts to the elements a model trains on.

One plain function per task, `(ds, info, image_shape, **options) -> ds`: it maps
the source's unbatched example dicts (`{"image": uint8 HxWxC, "label": int32}`)
to unbatched elements of the task's structure; the pipeline caches, shuffles
and batches afterwards. The task objects of `ganzoo.tasks` call these
(`Task.elements`), which also say which task draws random elements.
"""

import tensorflow as tf

from ganzoo.data import paired as _paired
from ganzoo.data.decode import prepare_image
from ganzoo.data.degrade import DEFAULT_SCALE
from ganzoo.errors import GanzooError

__all__ = ["captioned", "conditional", "paired", "prepare_image", "unconditional", "unpaired"]


def unconditional(ds, info, image_shape):
    """Elements are images, float32 (H, W, C) in [0, 1].

    Args:
        ds: a dataset of example dicts with a uint8 `"image"`.
        info: the source's `SourceInfo`.
        image_shape: `(H, W, C)` to resize and convert to, C 1 or 3.

    Returns:
        The dataset of images, unbatched.
    """
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


def conditional(ds, info, image_shape, num_classes=None):
    """Elements are `(image, label)`: float32 (H, W, C) in [0, 1] and an int32 scalar.

    Args:
        ds: a dataset of example dicts with a uint8 `"image"` and a `"label"`.
        info: the source's `SourceInfo`; it must be labelled.
        image_shape: `(H, W, C)` to resize and convert to, C 1 or 3.
        num_classes: the model's classes, if known: reading a label outside
            0 .. num_classes - 1 then fails with an `InvalidArgumentError`
            that names the label and the range.

    Returns:
        The dataset of `(image, label)` pairs, unbatched.

    Raises:
        GanzooError: if the source has no class labels.
    """
    _require_labels(info, "conditional")

    def label_of(example):
        label = tf.cast(example["label"], tf.int32)
        if num_classes is None:
            return label
        in_range = tf.logical_and(label >= 0, label < num_classes)
        check = tf.debugging.Assert(in_range, [f"a label of '{info.name}' is out of range: the model has "
                                               f"{num_classes} classes, valid labels are 0 .. {num_classes - 1}; "
                                               "label:", label])
        with tf.control_dependencies([check]):
            return tf.identity(label)

    return ds.map(
        lambda example: (prepare_image(example["image"], image_shape), label_of(example)),
        num_parallel_calls=tf.data.AUTOTUNE,
    )


def paired(ds, info, image_shape, scale=DEFAULT_SCALE):
    """Elements are `(lr, hr)`: float32 `(H/scale, W/scale, C)` and `(H, W, C)` in
    [0, 1], a random aligned crop pair per example, drawn anew every epoch
    (`ganzoo.data.paired.make_pair`).

    Args:
        ds: a dataset of example dicts with a uint8 `"image"` (the HR image) and
            optionally a uint8 `"lr"` of the same scene.
        info: the source's `SourceInfo`.
        image_shape: `(H, W, C)` of the HR crop, H and W multiples of `scale`.
        scale: the super-resolution factor (the model's `scale`).

    Returns:
        The dataset of `(lr, hr)` pairs, unbatched.

    Raises:
        GanzooError: if the crop's sides are not multiples of `scale`.
    """
    return _paired.paired(ds, info, image_shape, scale=scale)


def unpaired(domains, info, image_shape):
    """The "unpaired" task: one stream of float32 images in [0, 1] of
    `image_shape` per domain.

    Args:
        domains: a tuple of datasets of example dicts, one per domain (what
            `ganzoo.data.unpaired.open_domains` returns).
        info: the pair's `SourceInfo`.
        image_shape: `(H, W, C)` to resize and convert to, C 1 or 3.

    Returns:
        A tuple of datasets of images, one per domain, unbatched.

    Raises:
        GanzooError: if `domains` is a single dataset (not a two-domain source).
    """
    if not isinstance(domains, tuple):
        raise GanzooError(
            f"task 'unpaired' needs a two-domain source (a TFDS cycle_gan/<config> dataset, a folder with "
            f"trainA/ and trainB/, or an embedded set such as chalk2ink); '{info.name}' is not one"
        )
    return tuple(
        ds.map(lambda example: prepare_image(example["image"], image_shape), num_parallel_calls=tf.data.AUTOTUNE)
        for ds in domains
    )


def captioned(ds, info, image_shape):
    """Elements are `(image, text)`: float32 (H, W, C) in [0, 1] and a string scalar.

    Args:
        ds: a dataset of example dicts with a uint8 `"image"` and a `"text"`.
        info: the source's `SourceInfo`.
        image_shape: `(H, W, C)` to resize and convert to, C 1 or 3.

    Returns:
        The dataset of `(image, text)` pairs, unbatched.
    """
    return ds.map(lambda example: (prepare_image(example["image"], image_shape),
                                   tf.cast(example["text"], tf.string)),
                  num_parallel_calls=tf.data.AUTOTUNE)
