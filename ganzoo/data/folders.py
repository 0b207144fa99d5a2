"""A folder of images as a source: loose images, or one subfolder per class.

Only the folder's own files (or each class subfolder's own files) count; deeper
folders are ignored so that a stray backup folder does not become data.
"""

import collections
import dataclasses
import pathlib

from ganzoo.data.common import SourceInfo, image_problem, split_range, warn
from ganzoo.errors import GanzooError, setting
from ganzoo.images import IMAGE_SUFFIXES

EXTENSIONS = frozenset(IMAGE_SUFFIXES)
_GRAY_MODES = frozenset({"L", "LA", "1", "I", "I;16"})
_SHAPE_SAMPLE = 16


def _images_in(folder):
    return sorted(
        p for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in EXTENSIONS
    )


def _subfolders(folder):
    """The candidate class folders: visible subfolders, except links back to
    the folder or one of its ancestors."""
    root = folder.resolve()
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            target = sub.resolve()
        except (OSError, RuntimeError):  # a loop of links resolves to nothing
            target = None
        # A link to an ancestor would be a "class" holding the parent's own
        # images (and a walk through it would never end): not data.
        if target is None or target == root or target in root.parents:
            warn(f"folder '{folder}': ignoring '{sub.name}', a symlink loop (it leads back to "
                 f"'{target or sub}'); remove the link or point it at a folder of images")
            continue
        yield sub


def _scan(folder):
    """Returns `(paths, labels or None, class_names or None)`, unverified."""
    if not folder.is_dir():
        raise GanzooError(f"'{folder}' is not a folder; pass a folder of images")
    loose = _images_in(folder)
    classes = {}
    for sub in _subfolders(folder):
        files = _images_in(sub)
        # An empty subfolder is not a class: it would be a label no batch can contain.
        if files:
            classes[sub.name] = files
    if classes:
        if loose:
            warn(
                f"folder '{folder}' has both loose images and class subfolders; "
                f"using the subfolders as classes and ignoring {len(loose)} loose images"
            )
        names = tuple(classes)
        paths = [p for name in names for p in classes[name]]
        labels = [i for i, name in enumerate(names) for _ in classes[name]]
        return paths, labels, names
    if not loose:
        extensions = "/".join(sorted(e[1:] for e in EXTENSIONS))
        raise GanzooError(
            f"folder '{folder}' has no images ({extensions}) in it or in its subfolders; "
            f"put images there, or one subfolder of images per class"
        )
    return loose, None, None


def _verify(paths, labels):
    # Every file is decoded once here (see image_problem for the cost), so a
    # bad or truncated file costs a warning now, not a crash in the middle of
    # an epoch or a half-grey training image.
    good_paths, good_labels = [], []
    for i, path in enumerate(paths):
        problem = image_problem(path)
        if problem is not None:
            warn(f"skipping unreadable image '{path}': {problem}")
            continue
        good_paths.append(path)
        if labels is not None:
            good_labels.append(labels[i])
    return good_paths, (good_labels if labels is not None else None)


def native_shape(paths):
    """The most common size among the first few readable files, as (H, W, C),
    and those files' `{(H, W): count}`."""
    from PIL import Image

    sizes, modes = collections.Counter(), set()
    for path in paths[:_SHAPE_SAMPLE]:
        try:
            with Image.open(path) as image:
                sizes[(image.height, image.width)] += 1
                modes.add(image.mode)
        except Exception:  # noqa: BLE001 - unreadable files are reported by _verify
            continue
    if not sizes:
        return (None, None, 3), {}
    (height, width), _ = sizes.most_common(1)[0]
    channels = 1 if modes <= _GRAY_MODES else 3
    return (height, width, channels), dict(sizes)


def _sizes(paths):
    """`{(H, W): count}` of `paths` (headers only; unreadable ones were skipped)."""
    from PIL import Image

    sizes = collections.Counter()
    for path in paths:
        try:
            with Image.open(path) as image:
                sizes[(image.height, image.width)] += 1
        except Exception:  # noqa: BLE001 - _verify reported it
            continue
    return dict(sizes)


def _make_info(folder, paths, class_names):
    shape, sampled = native_shape(paths)
    return SourceInfo(
        name=str(folder),
        kind="folder",
        num_examples=len(paths),
        image_shape=shape,
        num_classes=len(class_names) if class_names else None,
        class_names=class_names,
        sizes=sampled,
    )


def _select(folder, paths, labels, split):
    start, stop = split_range(split, len(paths), f"folder '{folder}'")
    return paths[start:stop], (labels[start:stop] if labels is not None else None)


def info(folder, split="train"):
    """Returns the `SourceInfo` of an image folder.

    Files are not verified here, so `num_examples` counts every image file and
    may exceed what `load()` yields if some files are corrupt.
    """
    folder = pathlib.Path(folder)
    paths, labels, class_names = _scan(folder)
    paths, _ = _select(folder, paths, labels, split)
    return _make_info(folder, paths, class_names)


def load(folder, split="train", shuffle=True, seed=None):
    """Returns `(dataset of example dicts, SourceInfo)` for an image folder."""
    import tensorflow as tf

    folder = pathlib.Path(folder)
    paths, labels, class_names = _scan(folder)
    paths, labels = _select(folder, paths, labels, split)
    paths, labels = _verify(paths, labels)
    if not paths:
        raise GanzooError(f"folder '{folder}' has no readable images; check the files")
    source_info = dataclasses.replace(_make_info(folder, paths, class_names), sizes=_sizes(paths))
    channels = source_info.image_shape[2]

    slices = {"path": [str(p) for p in paths]}
    if labels is not None:
        slices["label"] = tf.constant(labels, tf.int32)
    ds = tf.data.Dataset.from_tensor_slices(slices)
    if shuffle:
        # Shuffling file names is nearly free; it breaks up the class-sorted
        # order that a bounded shuffle buffer after decoding could not.
        ds = ds.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)

    def decode(example):
        # GIFs decode only to 3 channels, so decode RGB and convert after.
        image = tf.io.decode_image(
            tf.io.read_file(example["path"]), channels=3, expand_animations=False
        )
        if channels == 1:
            image = tf.image.rgb_to_grayscale(image)
        out = {"image": image}
        if "label" in example:
            out["label"] = example["label"]
        return out

    ds = ds.map(decode, num_parallel_calls=tf.data.AUTOTUNE)
    # A file that passed PIL's check can still fail to decode; skip it rather
    # than end training mid-epoch.
    ds = ds.ignore_errors(log_warning=True)
    return ds, source_info
