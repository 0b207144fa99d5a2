"""What a data source is, and how a `source` argument picks one.

Every source module returns a `tf.data.Dataset` of dicts `{"image": uint8 HxWxC,
"label": int32}` ("label" only when labelled) together with a `SourceInfo`.
This module imports no TensorFlow so that `inspect()` of embedded data and
folders stays cheap.
"""

import dataclasses
import os
import pathlib
import re
import sys
import warnings

from ganzoo.errors import GanzooError


@dataclasses.dataclass(frozen=True)
class SourceInfo:
    """Facts about a data source, known before any image is decoded.

    Attributes:
        name: The dataset name (embedded or TFDS) or the folder path.
        kind: `"embedded"`, `"tfds"` or `"folder"`.
        num_examples: Examples in the requested split, or `None` if unknown
            (a TFDS dataset that is not prepared yet).
        image_shape: The native or preferred `(H, W, C)`; `load()` resizes to
            it unless told otherwise. A TFDS dataset of variable-size images
            has `None` for H and W.
        num_classes: Number of classes, or `None` when unlabelled.
        class_names: Class names indexed by label, or `None` when unlabelled.
    """

    name: str
    kind: str
    num_examples: "int | None"
    image_shape: tuple
    num_classes: "int | None" = None
    class_names: "tuple | None" = None

    @property
    def labelled(self):
        return self.num_classes is not None


def warn(message):
    """Warns with the location of the first caller outside `ganzoo.data`."""
    # The internal call depth differs between load() and inspect(), so a fixed
    # stacklevel would blame ganzoo's own code.
    package_dir = os.path.dirname(os.path.abspath(__file__))
    level, frame = 2, sys._getframe(1)
    while frame is not None and os.path.dirname(frame.f_code.co_filename) == package_dir:
        level, frame = level + 1, frame.f_back
    warnings.warn(message, UserWarning, stacklevel=level)


def _looks_like_path(source):
    # TFDS names may contain "/" ("cycle_gan/horse2zebra"), so only these
    # prefixes mark a string as unambiguously meant to be a folder.
    return source.startswith((".", "~", os.sep)) or (os.altsep and source.startswith(os.altsep))


def resolve(source):
    """Decides which kind of source `source` names.

    Order: an embedded name, then an existing path, then a TFDS name (checked
    later by the TFDS module, which knows the registry).

    Returns:
        A `(kind, name)` tuple; `name` is a `pathlib.Path` for folders.
    """
    from ganzoo.data import embedded

    if isinstance(source, os.PathLike):
        path = pathlib.Path(source).expanduser()
        if not path.exists():
            raise GanzooError(f"folder '{path}' does not exist; pass an existing folder of images")
        return "folder", path
    if not isinstance(source, str) or not source:
        raise GanzooError(
            f"dataset source must be a dataset name or a folder path, got {source!r}"
        )
    if source in embedded.EMBEDDED:
        return "embedded", source
    path = pathlib.Path(source).expanduser()
    if path.exists():
        return "folder", path
    if _looks_like_path(source):
        raise GanzooError(f"folder '{source}' does not exist; pass an existing folder of images")
    return "tfds", source


def unknown_source_error(source):
    """The error for a name that is neither embedded, TFDS, nor a folder."""
    from ganzoo.data import embedded

    names = ", ".join(embedded.EMBEDDED)
    return GanzooError(
        f"unknown dataset {source!r}: it is neither an embedded dataset ({names}), "
        f"a TFDS dataset, nor an existing folder; check the spelling or pass a folder path"
    )


_SPLIT_RE = re.compile(r"^train(?:\[\s*(-?\d+%?)?\s*:\s*(-?\d+%?)?\s*\])?$")


def split_range(split, num_examples, name):
    """Resolves a `"train"` or `"train[a:b]"` split of a one-split source.

    Embedded sets and folders have a single split, `"train"`; slices follow
    TFDS syntax (`"train[:10%]"`, `"train[100:]"`) so the same `split` strings
    work for every kind of source.

    Returns:
        A `(start, stop)` pair of indices into the source's examples.
    """
    match = _SPLIT_RE.match(split.strip()) if isinstance(split, str) else None
    if match is None:
        raise GanzooError(
            f"{name} has only a 'train' split, got split {split!r}; "
            f"use 'train' or a slice such as 'train[:10%]'"
        )

    def bound(text, default):
        if text is None:
            return default
        if text.endswith("%"):
            value = round(int(text[:-1]) * num_examples / 100)
        else:
            value = int(text)
        if value < 0:
            value += num_examples
        return min(max(value, 0), num_examples)

    start = bound(match.group(1), 0)
    stop = bound(match.group(2), num_examples)
    return start, max(start, stop)
