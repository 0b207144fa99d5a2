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
  (`ganzoo.data.chalk2ink`), which works offline.

`open_domains` returns one dataset of example dicts per domain; the pipeline
shuffles and repeats each domain on its own and zips them, so that batch
element i of A and of B are drawn independently. An epoch is as many pairs
as the larger domain has images (the smaller domain cycles), as in the
CycleGAN authors' `UnalignedDataset`.

This module opens sources only; turning their example dicts into the task's
elements is `ganzoo.data.elements.unpaired`. It imports TensorFlow only inside
the functions that build datasets, so `info()` stays cheap.
"""

from __future__ import annotations

import pathlib
import re

import numpy as np

from ganzoo.data import embedded, folders, tfds_source
from ganzoo.data.chalk2ink import (  # noqa: F401 - re-exported: chalk2ink was defined here before
    CHALK2INK_INK,
    CHALK2INK_PAPER,
    chalk2ink_mapping,
    load_chalk2ink,
)
from ganzoo.data.common import DOMAINS, SourceInfo, split_range
from ganzoo.data.source import resolve
from ganzoo.errors import GanzooError


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
    base, part = _parse_split(split)
    arrays, info = embedded.arrays(name)
    if info.class_names != DOMAINS:
        raise GanzooError(
            f"embedded dataset {name!r} is not a two-domain set (its classes are not 'A' and 'B'); "
            f"use one of: {', '.join(two_domain_embedded())}"
        )
    if base == "test":
        if name not in embedded.TEST_LOADERS:
            raise GanzooError(f"embedded dataset {name!r} has no test split")
        arrays, info = embedded.TEST_LOADERS[name]()
    result = []
    for domain in range(2):
        rows = np.flatnonzero(arrays["label"] == domain)
        start, stop = split_range(f"train{part}", len(rows), f"domain {DOMAINS[domain]} of {name!r}")
        result.append(arrays["image"][rows[start:stop]])
    return result, info


def two_domain_embedded():
    """Names of the embedded sets that are two-domain (classes "A" and "B")."""
    return tuple(name for name, loader in embedded.LOADERS.items() if loader()[1].class_names == DOMAINS)


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
        subfolders, sub_split = _folder_domains(pathlib.Path(name), split)
        infos = [folders.info(p, sub_split) for p in subfolders]
        return _pair_info(name, kind, [i.num_examples for i in infos], infos[0].image_shape)
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
        subfolders, sub_split = _folder_domains(pathlib.Path(name), split)
        opened = [folders.load(p, sub_split, shuffle=shuffle, seed=s) for p, s in zip(subfolders, seeds)]
        datasets = tuple(ds.map(lambda e: {"image": e["image"]}) for ds, _ in opened)
        return datasets, _pair_info(name, kind, [i.num_examples for _, i in opened], opened[0][1].image_shape)

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
