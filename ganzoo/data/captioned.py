"""Captioned data (task "captioned"): images with sentences that describe them.

Three kinds of source, one interface:

- an embedded captioned set, such as `shapes` (see `ganzoo.data.shapes`),
  with splits "train" and "test" (the held-out attribute pairs);
- a folder with a `metadata.jsonl` file, the convention of Hugging Face image
  folders: one JSON object per line,

      {"file_name": "0001.png", "text": "a small red circle at the top left"}
      {"file_name": "0001.png", "text": "a tiny red disk in the upper left"}
      {"file_name": "0002.jpg", "text": ["a bird with a red crown", "a small red-headed bird"]}

  `file_name` is relative to the folder of the metadata file; an image may
  have several captions (one line each, or `"text"` as a list). Split
  "train" reads `FOLDER/metadata.jsonl`, or `FOLDER/train/metadata.jsonl`
  when the folder has split subfolders (`FOLDER/test/metadata.jsonl` for
  split "test"); slices as in `"train[:10%]"` select images. A bad line
  (invalid JSON, no `file_name`, empty or missing `text`, a file that does
  not exist or does not decode) is skipped with a warning that names the
  metadata file and the line number; no usable line at all is an error;
- a TFDS dataset with captions: an "image" feature and captions under
  "captions" (a sequence whose "text" holds the sentences, as in
  `coco_captions`), "caption" or "text".

Every source gives one example per (image, caption) pair, `{"image": uint8
HxWxC, "text": tf.string scalar}`, so an epoch shows every caption once.
Captions are made valid UTF-8 (bad bytes become U+FFFD) and stripped; the
text encoder of the model does the rest (lower case, punctuation,
vocabulary, length).
"""

from __future__ import annotations

import dataclasses
import pathlib

import numpy as np

from ganzoo.data import caption_folders
from ganzoo.data.caption_folders import METADATA, CaptionedFile, metadata_file, read_metadata  # noqa: F401
from ganzoo.data.common import parse_split, slice_split
from ganzoo.data.source import SourceInfo, resolve
from ganzoo.errors import GanzooError

#: TFDS feature names that hold captions, in order of preference.
TFDS_CAPTION_KEYS = ("captions", "caption", "text")


# ------------------------------------------------------------------ embedded
def _embedded_arrays(name, split):
    from ganzoo.data import embedded

    arrays, _ = embedded.LOADERS[name]()
    if "text" not in arrays:
        raise GanzooError(f"embedded dataset {name!r} has no captions; captioned embedded sets: "
                          f"{', '.join(captioned_embedded())}")
    base, _ = parse_split(split)
    if base == "train":
        pass
    elif base == "test" and name in embedded.TEST_LOADERS:
        arrays, _ = embedded.TEST_LOADERS[name]()
    else:
        raise GanzooError(f"embedded dataset {name!r} has splits 'train' and 'test'; got {split!r}")
    index = slice_split(np.arange(len(arrays["image"])), split, f"embedded dataset {name!r}")
    return arrays["image"][index], arrays["text"][index]


def captioned_embedded():
    """Names of the embedded sets that have captions."""
    from ganzoo.data import embedded

    return tuple(name for name in embedded.EMBEDDED if name in _CAPTIONED_EMBEDDED)


_CAPTIONED_EMBEDDED = ("shapes",)


# ------------------------------------------------------------------ TFDS
def _tfds_caption_key(features, name):
    key = next((k for k in TFDS_CAPTION_KEYS if k in features), None)
    if key is None:
        raise GanzooError(
            f"TFDS dataset {name!r} has no captions (no feature named {', '.join(TFDS_CAPTION_KEYS)}); "
            "use a captioned dataset such as coco_captions, or a folder with a metadata.jsonl"
        )
    return key


def _tfds_info(builder, name, split):
    from ganzoo.data import tfds_source

    image, _ = tfds_source.image_and_label_features(builder, name)
    _tfds_caption_key(builder.info.features, name)
    try:
        num_images = int(builder.info.splits[split].num_examples) or None
    except Exception:  # noqa: BLE001 - split sizes exist only once prepared
        num_images = None
    # One example per caption; the number of captions per image is unknown before reading.
    return SourceInfo(name=name, kind="tfds", num_examples=None if num_images is None else num_images,
                      image_shape=tuple(image.shape))


# ------------------------------------------------------------------ the interface
def describe(source, split="train", data_dir=None):
    """Describes a captioned source without decoding its images.

    Args:
        source: an embedded captioned set (`"shapes"`), a folder with a
            `metadata.jsonl`, or a TFDS dataset with captions (`"coco_captions"`).
        split: the split ("train", "test", slices as in "train[:10%]").
        data_dir: TFDS data directory; ignored for other sources.

    Returns:
        A `SourceInfo`; `num_examples` counts (image, caption) pairs (for a
        TFDS dataset, images, or None before it is prepared).
    """
    kind, name = resolve(source)
    if kind == "embedded":
        images, texts = _embedded_arrays(name, split)
        from ganzoo.data import embedded

        base = embedded.info(name)
        return dataclasses.replace(base, num_examples=int(np.size(texts)), num_classes=None, class_names=None)
    if kind == "folder":
        path, entries = caption_folders.folder_entries(pathlib.Path(name), split, verify=False)
        return caption_folders.folder_info(pathlib.Path(name), entries)
    from ganzoo.data import tfds_source

    return _tfds_info(tfds_source.open_builder(name, data_dir), name, split)


def open(kind, name, split, data_dir=None, shuffle=True, seed=None):  # noqa: A001 - the contract's name
    """Opens a captioned source as example dicts.

    Args:
        kind: "embedded", "folder" or "tfds", as `ganzoo.data.source.resolve` returns it.
        name: the embedded or TFDS name, or the folder path.
        split: the split ("train", "test", slices as in "train[:10%]").
        data_dir: TFDS data directory.
        shuffle: shuffle the files (folders and TFDS; the pipeline shuffles examples).
        seed: shuffle seed.

    Returns:
        `(dataset, SourceInfo)`: a `tf.data.Dataset` of `{"image": uint8 HxWxC,
        "text": tf.string scalar}`, one element per (image, caption) pair.
    """
    import tensorflow as tf

    if kind == "embedded":
        images, texts = _embedded_arrays(name, split)
        per_image = texts.shape[1] if texts.ndim == 2 else 1
        flat_images = np.repeat(images, per_image, axis=0)
        flat_texts = texts.reshape(-1).astype(str)
        ds = tf.data.Dataset.from_tensor_slices({"image": flat_images, "text": list(flat_texts)})
        return ds.map(_clean), describe(name, split)
    if kind == "folder":
        folder = pathlib.Path(name)
        path, entries = caption_folders.folder_entries(folder, split, verify=True)
        info = caption_folders.folder_info(folder, entries)
        channels = info.image_shape[2]
        paths = [str(e.path) for e in entries for _ in e.captions]
        texts = [c for e in entries for c in e.captions]
        ds = tf.data.Dataset.from_tensor_slices({"path": paths, "text": texts})
        if shuffle:
            ds = ds.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)

        def decode(example):
            image = tf.io.decode_image(tf.io.read_file(example["path"]), channels=3, expand_animations=False)
            if channels == 1:
                image = tf.image.rgb_to_grayscale(image)
            return _clean({"image": image, "text": example["text"]})

        ds = ds.map(decode, num_parallel_calls=tf.data.AUTOTUNE).ignore_errors(log_warning=True)
        return ds, info
    return _open_tfds(name, split, data_dir, shuffle, seed)


def _clean(example):
    import tensorflow as tf

    text = tf.strings.unicode_transcode(example["text"], "UTF-8", "UTF-8", errors="replace")
    return {"image": example["image"], "text": tf.strings.strip(text)}


def _open_tfds(name, split, data_dir, shuffle, seed):
    import tensorflow as tf
    import tensorflow_datasets as tfds

    from ganzoo.data import tfds_source

    builder = tfds_source.open_builder(name, data_dir)
    _tfds_info(builder, name, split)   # refuses a dataset without captions before any download
    if not builder.is_prepared():
        if not tfds_source.network_available():
            raise tfds_source.no_network_error(name)
        try:
            builder.download_and_prepare()
        except Exception as error:  # noqa: BLE001 - TFDS raises many types; users need one line
            raise GanzooError(f"cannot download TFDS dataset {name!r}: {tfds_source.first_line(error)}") from error
    try:
        ds = tfds.load(name, split=split, data_dir=data_dir, download=False, shuffle_files=shuffle,
                       read_config=tfds.ReadConfig(shuffle_seed=seed))
    except Exception as error:  # noqa: BLE001
        raise GanzooError(f"cannot read split {split!r} of TFDS dataset {name!r}: "
                          f"{tfds_source.first_line(error)}") from error
    features = builder.info.features
    key = _tfds_caption_key(features, name)

    def pairs(example):
        captions = example[key]
        if isinstance(captions, dict):
            captions = captions["text"]
        captions = tf.reshape(captions, (-1,))
        image = example["image"]
        if image.dtype != tf.uint8:
            image = tf.image.convert_image_dtype(image, tf.uint8, saturate=True)
        count = tf.shape(captions)[0]
        return tf.data.Dataset.from_tensor_slices({
            "image": tf.repeat(image[None], count, axis=0), "text": captions})

    ds = ds.flat_map(pairs).map(_clean, num_parallel_calls=tf.data.AUTOTUNE)
    ds = ds.filter(lambda example: tf.strings.length(example["text"]) > 0)
    return ds, _tfds_info(builder, name, split)


def captions(source, split="train", data_dir=None, limit=None):
    """Every caption of a source's split, in order (for a vocabulary).

    Args:
        source: as for `describe`.
        split: the split.
        data_dir: TFDS data directory.
        limit: read at most this many captions (TFDS datasets are large).
    """
    kind, name = resolve(source)
    if kind == "embedded":
        _, texts = _embedded_arrays(name, split)
        found = [str(t) for t in np.reshape(texts, -1)]
    elif kind == "folder":
        _, entries = caption_folders.folder_entries(pathlib.Path(name), split, verify=False)
        found = [c for e in entries for c in e.captions]
    else:
        ds, _ = _open_tfds(name, split, data_dir, shuffle=False, seed=None)
        ds = ds.map(lambda example: example["text"])
        if limit is not None:
            ds = ds.take(limit)
        found = [t.decode("utf-8", errors="replace") for t in ds.as_numpy_iterator()]
    return found[:limit] if limit is not None else found


def preview_captions(source, n=8, split="train", data_dir=None):
    """Fixed captions for a model's per-epoch grid: for `shapes`, half seen
    combinations and half held-out ones (never in training); otherwise the
    first `n` distinct captions of the split."""
    kind, name = resolve(source)
    if kind == "embedded" and name == "shapes":
        from ganzoo.data import shapes

        seen = [shapes.canonical_caption(*names) for names in (
            ("red", "circle", "top left", "large"), ("green", "square", "bottom right", "large"),
            ("blue", "triangle", "center", "large"), ("yellow", "circle", "top right", "small"))]
        unseen = [shapes.canonical_caption(colour, kind_, position, "large") for (colour, kind_), position in
                  zip(shapes.HELD_OUT, ("center", "top left", "bottom left", "center", "bottom right", "top right"))]
        return (seen[: n - n // 2] + unseen[: n // 2])[:n]
    found = []
    for caption in captions(source, split, data_dir=data_dir, limit=10_000):
        if caption not in found:
            found.append(caption)
        if len(found) == n:
            break
    return found
