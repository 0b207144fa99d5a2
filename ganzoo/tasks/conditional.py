"""The "conditional" task: images of a chosen class."""

from __future__ import annotations

import numpy as np

from ganzoo.errors import GanzooError
from ganzoo.tasks.base import Task, per_image


def check_labels(labels, num_classes):
    """Labels as an int32 array of shape (n,); `GanzooError` if any is not a
    whole number in 0 .. num_classes - 1."""
    array = np.asarray(labels)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.integer) or
                                     np.issubdtype(array.dtype, np.floating)):
        raise GanzooError(f"labels must be integers 0 .. {num_classes - 1}; got {labels!r}")
    array = array.reshape(-1)
    if np.issubdtype(array.dtype, np.floating) and not np.all(np.mod(array, 1) == 0):
        raise GanzooError(f"labels must be whole numbers 0 .. {num_classes - 1}; got {array.tolist()}")
    bad = array[(array < 0) | (array >= num_classes)]
    if bad.size:
        raise GanzooError(
            f"label {bad[0]:g} is out of range: this model has {num_classes} classes, "
            f"valid labels are 0 .. {num_classes - 1}"
        )
    return array.astype("int32")


class Conditional(Task):
    """Batches are `(images, labels)`; `generate(labels=[...], seed=)`.

    A model of this task has `num_classes`."""

    name = "conditional"
    summary = "images of a chosen class: generate(labels=[...], seed=)"
    batch = "(images, labels): float32 (batch, H, W, C) in [0, 1] and int32 (batch,)"

    def check_source(self, info):
        if not info.labelled:
            raise GanzooError(
                f"dataset '{info.name}' has no class labels, which task 'conditional' needs; "
                f"use a labelled dataset or a folder with one subfolder of images per class"
            )

    element_mapping = "conditional"

    def elements(self, ds, info, image_shape, model=None):
        """`(image, label)` elements; with a `model`, labels outside
        0 .. model.num_classes - 1 are refused here, where they enter, since
        no backend's step can be relied on to refuse them (JAX clamps an
        out-of-range index): a source with more classes than the model at
        once, a label beyond its source's classes when it is read."""
        self.check_source(info)
        from ganzoo.data import elements

        num_classes = getattr(model, "num_classes", None)
        if num_classes is not None and info.num_classes is not None and info.num_classes > num_classes:
            raise GanzooError(f"dataset '{info.name}' has {info.num_classes} classes but the model only "
                              f"{num_classes} (labels 0 .. {num_classes - 1}); create it with "
                              f"num_classes={info.num_classes}")
        return elements.conditional(ds, info, image_shape, num_classes=num_classes)

    def check_batch(self, model, x, y=None):
        """Labels given as arrays (`y`, or the second of an `(images, labels)`
        tuple) must be whole numbers in 0 .. model.num_classes - 1."""
        if y is None and isinstance(x, (tuple, list)) and len(x) == 2:
            y = x[1]
        if y is None or hasattr(y, "element_spec") or not hasattr(y, "__len__"):
            return  # no labels, or a dataset / generator: checked where it was built
        check_labels(y, model.num_classes)

    def prepare_generation(self, model, n=None, labels=None, **conditions):
        """`generate(labels=[...])`: one image per label; `generate(n, labels=7)`:
        n images of one class."""
        if conditions:
            raise TypeError(f"{type(model).__name__}.generate() takes labels=, not {', '.join(conditions)}")
        if labels is None:
            raise GanzooError(f"a conditional model needs labels: generate(labels=[...]) with classes "
                              f"0 .. {model.num_classes - 1}")
        labels = per_image(check_labels(labels, model.num_classes), n, np.ndim(labels) == 0, "label")
        return len(labels), {"labels": labels}


task = Conditional()
