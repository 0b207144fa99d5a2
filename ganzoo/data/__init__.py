"""Training data for ganzoo: embedded sets, TFDS datasets and image folders.

`load()` returns a batched `tf.data.Dataset` shaped for a model's task;
`inspect()` describes a source without decoding it. TensorFlow is imported on
first use, so importing this package stays cheap.
"""

from ganzoo.data.embedded import EMBEDDED
from ganzoo.data.common import warn_crops, warn_sizes
from ganzoo.data.source import SourceInfo
from ganzoo.errors import GanzooError

__all__ = ["EMBEDDED", "SourceInfo", "inspect", "load"]


def load(source, model=None, *, task=None, image_shape=None, batch_size=64, split="train",
         data_dir=None, shuffle=True, seed=None, repeat=False, drop_remainder=True, cache=None, start=0):
    """Loads a dataset as batched, prefetched training input.

    Args:
        source: An embedded dataset name (see `EMBEDDED`, e.g. `"digits"`), a TFDS dataset name with an "image"
            feature (e.g. `"mnist"`), or a folder (str or `pathlib.Path`) of images or of one subfolder per class.
        model: Optional model; its `task` and `image_shape` attributes are the defaults for both.
        task: `"unconditional"` (images), `"conditional"` (`(images, labels)`), `"unpaired"`
            (`(images_a, images_b)`, two domains), `"paired"` (`(low_res, high_res)` random crops,
            `model.scale` apart, 4 without one; see `ganzoo.data.paired`) or `"captioned"`; which
            sources serve each: the task table of docs/data.md. Defaults to the model's task, else
            `"unconditional"`.
        image_shape: `(H, W, C)` to resize (antialiased bilinear) and convert channels to, C 1 or 3. Defaults
            to the model's, else the source's native or preferred shape (`inspect(source).image_shape`).
        batch_size: Examples per batch.
        split: Split to read; TFDS slices such as `"train[:10%]"` work for every source (embedded sets
            and folders have only `"train"`).
        data_dir: TFDS data directory; ignored for other sources.
        shuffle, seed: Whether to shuffle (files, then examples, every epoch), and its seed.
        repeat: Whether to repeat forever. A repeated stream's order depends only on `seed` and the
            position in it (round r of the examples is shuffled with a seed drawn from `(seed, r)`).
        start: With `repeat`, examples to skip: a resumed run's position (steps done times the batch size).
        drop_remainder: Whether to drop the last partial batch.
        cache: Cache decoded examples in memory: `None` does so when they fit in about 1 GiB (float32)
            and the task draws no random crops (not `"paired"`), `True`/`False` force it.

    Returns:
        A `tf.data.Dataset` (tf.data's autotuner off: `ganzoo.data.autotune`) of the task's elements: float32 NHWC images in [0, 1] (`"unconditional"`),
        `(images, labels)` with int32 labels of shape (batch,) (`"conditional"`), and so on.

    Raises:
        GanzooError: For an unknown source, a missing or empty folder, a TFDS dataset that cannot be downloaded
            (fails within seconds offline), a task the source cannot serve, or a bad `image_shape`.

    Example:

    >>> ds = ganzoo.data.load("digits", task="conditional", image_shape=(32, 32, 1))
    >>> images, labels = next(iter(ds))
    >>> images.shape, labels.dtype
    (TensorShape([64, 32, 32, 1]), tf.int32)
    """
    from ganzoo import registry
    from ganzoo.data import pipeline
    from ganzoo.data.autotune import without_autotuner

    if model is not None:
        task = task if task is not None else getattr(model, "task", None)
        if image_shape is None:
            image_shape = getattr(model, "image_shape", None)
    task = registry.task(task if task is not None else "unconditional")  # fails before any download
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise GanzooError(f"batch_size must be a positive integer, got {batch_size!r}")
    ds, info = task.open(source, split, data_dir=data_dir, shuffle=shuffle, seed=seed)
    image_shape = pipeline.check_image_shape(image_shape, info)
    if not task.random_elements:   # random crops (paired) choose their own part of each image
        warn_crops(info, image_shape)
    # No autotuning thread: deleting the iterator at the end of every fit()
    # could wait for its next wake-up (ganzoo.data.autotune).
    return without_autotuner(pipeline.build(
        ds, info, task, image_shape, batch_size=batch_size, shuffle=shuffle, seed=seed,
        repeat=repeat, drop_remainder=drop_remainder, cache=cache, model=model, start=start,
    ))


def inspect(source, *, split="train", data_dir=None, task=None):
    """Describes a data source without downloading or decoding it.

    Args:
        source: As for `load()`: an embedded name, a TFDS name or a folder.
        split: Split whose size to report.
        data_dir: TFDS data directory; ignored for other sources.
        task: Optional task (name or `ganzoo.tasks.Task`); it describes the
            source as it reads it (`"unpaired"`: the two domains, with
            `num_examples` = pairs in an epoch).

    Returns:
        A `SourceInfo`. For a TFDS dataset that is not prepared yet,
        `num_examples` is `None`; for a folder it counts image files without
        checking that they decode.

    Example:

    >>> ganzoo.data.inspect("digits")
    SourceInfo(name='digits', kind='embedded', num_examples=1797, image_shape=(28, 28, 1), num_classes=10, class_names=('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'))
    """
    from ganzoo import registry

    task = registry.task(task if task is not None else "unconditional")
    info = task.describe(source, split, data_dir=data_dir)
    if not task.random_elements:   # random crops (paired) take any size as it is
        warn_sizes(info)
    return info


def size_origin(source, image_shape, *, data_dir=None, task=None) -> str:
    """Where a run's `image_shape` came from, when it is the data's own size,
    as a clause for an error about that size (a model refusing it); "" when
    the size is not the data's (the user chose it) or the source cannot say.

    Example: " (40x40 is the most common size of the images of folder 'data',
    not one you chose; pass --image-size N for another)".
    """
    try:
        info = inspect(source, data_dir=data_dir, task=task)
    except Exception:  # noqa: BLE001 - only adds to another error
        return ""
    if info.image_shape is None or tuple(info.image_shape[:2]) != tuple(image_shape[:2]):
        return ""
    from ganzoo.errors import setting

    height, width = image_shape[:2]
    where = (f"the most common size of the images of folder '{info.name}'" if info.kind == "folder"
             else f"the image size of dataset '{info.name}'")
    return (f" ({width}x{height} is {where}, not a size you chose; pass "
            f"{setting('image_shape', '(H, W, C)', flag='--image-size N')} for another)")
