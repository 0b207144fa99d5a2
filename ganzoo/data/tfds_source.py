"""TensorFlow Datasets as a source: any TFDS dataset with an "image" feature.

Offline, `tfds.load` spends about 205 s in retries before it fails, so an
unprepared dataset is only downloaded after a quick reachability check.
"""


from ganzoo.data.common import SourceInfo
from ganzoo.data.embedded import EMBEDDED
from ganzoo.data.source import unknown_source_error
from ganzoo.errors import GanzooError, setting

_PROBE_HOST = ("storage.googleapis.com", 443)


def network_available(timeout=3.0):
    """Tells within about `timeout` seconds whether TFDS's servers can be reached.

    Args:
        timeout: Seconds to wait for a TCP connection (DNS lookup included).

    Returns:
        `True` if a TCP connection to storage.googleapis.com:443 succeeded,
        `False` on any `OSError` or when it took longer than `timeout`.

    Example:

    >>> if not network_available(timeout=1.0):
    ...     print("offline: use --dataset digits")
    """
    from ganzoo.reachability import reachable

    return reachable(*_PROBE_HOST, timeout=timeout)


def first_line(error):
    """The first line of an error's message (TFDS errors run to pages), or its type's name."""
    text = str(error).strip()
    return text.splitlines()[0].rstrip(" :") if text else type(error).__name__


def open_builder(name, data_dir):
    """`tfds.builder(name)`, its errors turned into `GanzooError`s."""
    import tensorflow_datasets as tfds

    try:
        return tfds.builder(name, data_dir=data_dir)
    except tfds.core.registered.DatasetNotFoundError:
        raise unknown_source_error(name) from None
    except (ValueError, KeyError) as error:
        raise GanzooError(f"cannot open TFDS dataset {name!r}: {first_line(error)}") from error


# The main image of an example: "image", or "hr" in super-resolution datasets
# (div2k), whose other image features ("lr") are passed on under their names.
IMAGE_KEYS = ("image", "hr")


def _image_key(features):
    return next((key for key in IMAGE_KEYS if key in features), IMAGE_KEYS[0])


def image_and_label_features(builder, name):
    """`(image feature, ClassLabel feature or None)` of a builder; a dataset without an image is refused."""
    import tensorflow_datasets as tfds

    features = builder.info.features
    key = _image_key(features)
    image = features[key] if key in features else None
    if not isinstance(image, tfds.features.Image):
        raise GanzooError(
            f"TFDS dataset {name!r} has no 'image' feature; ganzoo.data loads image datasets"
        )
    label = features["label"] if "label" in features else None
    # celeb_a and the like have no "label"; a non-ClassLabel "label" is no class either.
    if not isinstance(label, tfds.features.ClassLabel):
        label = None
    return image, label


def _info(builder, name, split):
    image, label = image_and_label_features(builder, name)
    try:
        num_examples = int(builder.info.splits[split].num_examples)
    except Exception:  # noqa: BLE001 - split sizes exist only once prepared
        num_examples = None
    return SourceInfo(
        name=name,
        kind="tfds",
        num_examples=num_examples or None,
        image_shape=tuple(image.shape),
        num_classes=label.num_classes if label is not None else None,
        class_names=tuple(label.names) if label is not None else None,
    )


def info(name, split="train", data_dir=None):
    """Returns the `SourceInfo` of TFDS dataset `name` without downloading it."""
    return _info(open_builder(name, data_dir), name, split)


def no_network_error(name):
    """The error for a TFDS dataset that is not prepared and cannot be downloaded."""
    return GanzooError(
        f"cannot download TFDS dataset {name!r}: no network. On a connected machine run "
        f'"tfds build {name} --data_dir DIR", copy DIR here and pass {setting("data_dir", "DIR")}, '
        f"or use an embedded dataset such as {setting('dataset', EMBEDDED[0], python=f'dataset={EMBEDDED[0]!r}')}."
    )


def load(name, split="train", data_dir=None, shuffle=True, seed=None, check=None):
    """Returns `(dataset of example dicts, SourceInfo)` for TFDS dataset `name`.

    Downloads and prepares the dataset first if it is not in `data_dir`,
    failing within seconds when offline. `check`, if given, is called with the
    `SourceInfo` before any download, so that a dataset unfit for the task is
    refused before gigabytes are fetched.
    """
    import tensorflow as tf
    import tensorflow_datasets as tfds

    builder = open_builder(name, data_dir)
    _, label = image_and_label_features(builder, name)
    if check is not None:
        check(_info(builder, name, split))
    if not builder.is_prepared():
        if not network_available():
            raise no_network_error(name)
        try:
            builder.download_and_prepare()
        except Exception as error:  # noqa: BLE001 - TFDS raises many types; users need one line
            raise GanzooError(
                f"cannot download TFDS dataset {name!r}: {first_line(error)}; "
                f'try "tfds build {name}" to see the full error'
            ) from error
    try:
        ds = tfds.load(
            name,
            split=split,
            data_dir=data_dir,
            download=False,
            shuffle_files=shuffle,
            read_config=tfds.ReadConfig(shuffle_seed=seed),
        )
    except Exception as error:  # noqa: BLE001 - e.g. an unknown split; users need one line
        raise GanzooError(
            f"cannot read split {split!r} of TFDS dataset {name!r}: {first_line(error)}"
        ) from error
    # Prepared now, so split sizes are known.
    source_info = _info(builder, name, split)

    features = builder.info.features
    key = _image_key(features)
    extra = [k for k in features if k != key and isinstance(features[k], tfds.features.Image)]

    def to_example(example):
        out = {}
        for name_in, name_out in ((key, "image"), *((k, k) for k in extra)):
            image = example[name_in]
            if image.dtype != tf.uint8:
                image = tf.image.convert_image_dtype(image, tf.uint8, saturate=True)
            out[name_out] = image
        if label is not None:
            out["label"] = tf.cast(example["label"], tf.int32)
        return out

    return ds.map(to_example, num_parallel_calls=tf.data.AUTOTUNE), source_info
