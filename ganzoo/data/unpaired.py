"""Two-domain data for unpaired translation (task "unpaired", e.g. CycleGAN).

A two-domain source has images of a domain A and of a domain B that are not
paired: a horse photo in A has no zebra twin in B, and the two domains may
hold different numbers of images. Three kinds of source are two-domain:

- the TFDS `cycle_gan/<config>` datasets (horse2zebra, monet2photo, ...):
  split "train" reads the TFDS splits `trainA` and `trainB`, split "test"
  reads `testA` and `testB`; slices apply to each domain
  (`"train[:10%]"` is `trainA[:10%]` and `trainB[:10%]`);
- a folder with `trainA/` and `trainB/` subfolders of images (and optional
  `testA/` `testB/` for split "test"), the layout of the CycleGAN datasets;
- an embedded set whose classes are named "A" and "B", such as `chalk2ink`
  (below), which works offline.

`open_domains` returns one dataset of example dicts per domain; the pipeline
shuffles and repeats each domain on its own and zips them, so that batch
element i of A and of B are drawn independently. An epoch is as many pairs
as the larger domain has images (the smaller domain cycles), as in the
CycleGAN authors' `UnalignedDataset`.

This module imports TensorFlow only inside the functions that build
datasets, so `info()` stays cheap.
"""

from __future__ import annotations

import functools
import pathlib
import re

import numpy as np

from ganzoo.data.source import SourceInfo, resolve, split_range
from ganzoo.errors import GanzooError

DOMAINS = ("A", "B")

# ------------------------------------------------------------------ chalk2ink

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
    from ganzoo.data.embedded import _read_npz

    digits = _read_npz("digits.npz")["images"]          # (1797, 8, 8, 1) uint8
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
    info = SourceInfo(
        name="chalk2ink",
        kind="embedded",
        num_examples=len(arrays["label"]),
        image_shape=(32, 32, 3),
        num_classes=2,
        class_names=DOMAINS,
    )
    return arrays, info


# Embedded two-domain sets that also have held-out test images.
_EMBEDDED_TEST = {"chalk2ink": lambda: load_chalk2ink("test")}


# ------------------------------------------------------------------ splits
_SPLIT = re.compile(r"^\s*(train|test)\s*(\[.*\])?\s*$")


def _parse_split(split):
    """`"train[:10%]"` -> `("train", "[:10%]")`."""
    match = _SPLIT.match(split) if isinstance(split, str) else None
    if match is None:
        raise GanzooError(
            f"an unpaired dataset has splits 'train' and 'test' (each read from its domains A and B), "
            f"optionally sliced as in 'train[:10%]'; got split {split!r}"
        )
    return match.group(1), match.group(2) or ""


# ------------------------------------------------------------------ sources
def _embedded_arrays(name, split):
    from ganzoo.data import embedded

    base, part = _parse_split(split)
    arrays, info = embedded._LOADERS[name]()
    if info.class_names != DOMAINS:
        raise GanzooError(
            f"embedded dataset {name!r} is not a two-domain set (its classes are not 'A' and 'B'); "
            f"use one of: {', '.join(two_domain_embedded())}"
        )
    if base == "test":
        if name not in _EMBEDDED_TEST:
            raise GanzooError(f"embedded dataset {name!r} has no test split")
        arrays, info = _EMBEDDED_TEST[name]()
    result = []
    for domain in range(2):
        rows = np.flatnonzero(arrays["label"] == domain)
        start, stop = split_range(f"train{part}", len(rows), f"domain {DOMAINS[domain]} of {name!r}")
        result.append(arrays["image"][rows[start:stop]])
    return result, info


def two_domain_embedded():
    """Names of the embedded sets that are two-domain (classes "A" and "B")."""
    from ganzoo.data import embedded

    return tuple(name for name, loader in embedded._LOADERS.items() if loader()[1].class_names == DOMAINS)


def _folder_domains(folder, split):
    base, part = _parse_split(split)
    subfolders = [folder / f"{base}{d}" for d in DOMAINS]
    missing = [p.name for p in subfolders if not p.is_dir()]
    if missing:
        raise GanzooError(
            f"folder '{folder}' has no {' and no '.join(m + '/' for m in missing)} subfolder; an unpaired "
            f"dataset folder holds {base}A/ and {base}B/ with the images of each domain (the CycleGAN layout)"
        )
    return subfolders, f"train{part}"


def _pair_info(name, kind, counts, image_shape):
    known = [c for c in counts if c is not None]
    return SourceInfo(
        name=str(name),
        kind=kind,
        # An epoch: as many pairs as the larger domain has images.
        num_examples=max(known) if len(known) == len(counts) else None,
        image_shape=tuple(image_shape),
    )


def info(source, split="train", data_dir=None):
    """The `SourceInfo` of a two-domain source, as the "unpaired" task sees it:
    `num_examples` is the number of pairs in an epoch (the larger domain's
    size, None when unknown) and `image_shape` is domain A's."""
    kind, name = resolve(source)
    if kind == "embedded":
        images, base = _embedded_arrays(name, split)
        return _pair_info(name, kind, [len(x) for x in images], base.image_shape)
    if kind == "folder":
        from ganzoo.data import folders

        subfolders, sub_split = _folder_domains(pathlib.Path(name), split)
        infos = [folders.info(p, sub_split) for p in subfolders]
        return _pair_info(name, kind, [i.num_examples for i in infos], infos[0].image_shape)
    from ganzoo.data import tfds_source

    infos = [tfds_source.info(name, s, data_dir=data_dir) for s in _tfds_splits(split)]
    return _pair_info(name, kind, [i.num_examples for i in infos], infos[0].image_shape)


def _tfds_splits(split):
    base, part = _parse_split(split)
    return tuple(f"{base}{d}{part}" for d in DOMAINS)


def open_domains(kind, name, split="train", data_dir=None, shuffle=True, seed=None):
    """Opens both domains of a two-domain source.

    Args:
        kind, name: what `ganzoo.data.source.resolve` made of the source.
        split: "train" or "test", optionally sliced ("train[:10%]"); the
            slice applies to each domain.
        data_dir: TFDS data directory.
        shuffle: whether to shuffle the files (folders, TFDS) of each domain.
        seed: shuffle seed; domain B uses `seed + 1`.

    Returns:
        `((dataset_a, dataset_b), SourceInfo)`: two datasets of example
        dicts `{"image": uint8 HxWxC}`, and the pair's info (see `info()`).
    """
    import tensorflow as tf

    seeds = (seed, None if seed is None else seed + 1)
    if kind == "embedded":
        images, base = _embedded_arrays(name, split)
        datasets = tuple(tf.data.Dataset.from_tensor_slices({"image": x}) for x in images)
        return datasets, _pair_info(name, kind, [len(x) for x in images], base.image_shape)
    if kind == "folder":
        from ganzoo.data import folders

        subfolders, sub_split = _folder_domains(pathlib.Path(name), split)
        opened = [folders.load(p, sub_split, shuffle=shuffle, seed=s) for p, s in zip(subfolders, seeds)]
        datasets = tuple(ds.map(lambda e: {"image": e["image"]}) for ds, _ in opened)
        return datasets, _pair_info(name, kind, [i.num_examples for _, i in opened], opened[0][1].image_shape)

    from ganzoo.data import tfds_source

    datasets, counts, shape = [], [], None
    for tfds_split, s in zip(_tfds_splits(split), seeds):
        try:
            ds, source_info = tfds_source.load(name, tfds_split, data_dir=data_dir, shuffle=shuffle, seed=s)
        except GanzooError as error:
            if "cannot read split" not in str(error):
                raise
            raise GanzooError(
                f"{error}; an unpaired TFDS dataset needs splits trainA, trainB (and testA, testB), "
                f"as cycle_gan/horse2zebra has"
            ) from error
        cardinality = int(ds.cardinality())
        counts.append(source_info.num_examples or (cardinality if cardinality >= 0 else None))
        datasets.append(ds.map(lambda e: {"image": e["image"]}))
        shape = shape or source_info.image_shape
    return tuple(datasets), _pair_info(name, kind, counts, shape)


# ------------------------------------------------------------------ task
def unpaired(domains, info, image_shape):
    """The "unpaired" task: one stream of float32 images in [0, 1] of
    `image_shape` per domain, from `open_domains`'s example dicts."""
    import tensorflow as tf

    from ganzoo.data.tasks import prepare_image

    if not isinstance(domains, tuple):
        raise GanzooError(
            f"task 'unpaired' needs a two-domain source (a TFDS cycle_gan/<config> dataset, a folder with "
            f"trainA/ and trainB/, or an embedded set such as chalk2ink); '{info.name}' is not one"
        )
    return tuple(
        ds.map(lambda example: prepare_image(example["image"], image_shape), num_parallel_calls=tf.data.AUTOTUNE)
        for ds in domains
    )
