"""The top of `ganzoo.data`: apply a task's mapping to a source's examples, then
cache, shuffle, repeat, batch and prefetch.

Layers, bottom to top (nothing imports upward; `tests/data/test_data_layers.py`
checks it): base modules (`common`, `decode`, `degrade`, `package_files`), the
sources (`digits`, `chalk2ink`, `photos`, `folders`, the `embedded` catalogue,
`source.resolve`, `tfds_source`, `sources`, the two-domain `unpaired`), the
tasks' mapping (`elements`, `paired`), and this module with the package's
`load`/`inspect`. Task objects (`ganzoo.tasks`) call into these layers.
"""

import numpy as np
import tensorflow as tf

from ganzoo.data import photos, sources
from ganzoo.data.common import DRAW_SEED
from ganzoo.data.decode import to_float
from ganzoo.data.source import resolve
from ganzoo.errors import GanzooError, on_command_line, setting

CACHE_LIMIT_BYTES = 1 << 30
SHUFFLE_BUFFER = 10_000


def check_image_shape(image_shape, info):
    """Returns `image_shape` as a tuple of 3 ints, or raises `GanzooError`."""
    if image_shape is None:
        image_shape = info.image_shape
        if any(d is None for d in image_shape[:2]):
            raise GanzooError(
                f"images in '{info.name}' have no fixed size; pass "
                f"{setting('image_shape', '(H, W, C)', flag='--image-size N')}"
            )
        if image_shape[2] is None:
            image_shape = (*image_shape[:2], 3)
    try:
        shape = tuple(int(d) for d in image_shape)
    except (TypeError, ValueError):
        shape = ()
    if len(shape) != 3 or min(shape[:2]) < 1 or shape[2] not in (1, 3):
        raise GanzooError(
            f"image_shape must be (height, width, channels) with channels 1 or 3, "
            f"got {image_shape!r}"
        )
    return shape


def _partial_batch_remedy(num_examples):
    """What to do about a source smaller than one batch, in the caller's terms."""
    remedy = f"lower {setting('batch_size')} to at most {num_examples}"
    return remedy if on_command_line() else f"{remedy}, or pass drop_remainder=False to keep the partial batch"


def _num_examples(ds, info):
    return info.num_examples or _cardinality(ds)


def _cardinality(ds):
    """Examples in `ds`, or None when tf.data cannot tell."""
    cardinality = int(ds.cardinality())
    return cardinality if cardinality >= 0 else None


def build(ds, info, task, image_shape, *, batch_size, shuffle, seed, repeat,
          drop_remainder, cache, model=None, start=0):
    """Applies the task's mapping (`task.elements`, given the `model`, whose
    options such as the super-resolution `scale` it may read), then cache,
    shuffle, repeat, batch and prefetch.

    A repeated stream is a sequence of rounds (passes over the examples),
    round r shuffled with a seed drawn from `(seed, r)`; `start` examples of
    it are skipped, so a resumed run reads on exactly where it stopped.

    A tuple of datasets (the domains of an unpaired source) becomes a tuple of
    independent streams, zipped; see `build_independent`."""
    task = _task(task)
    if isinstance(ds, tuple):
        return build_independent(ds, info, task, image_shape, batch_size=batch_size, shuffle=shuffle, seed=seed,
                                 repeat=repeat, drop_remainder=drop_remainder, cache=cache, model=model,
                                 start=start)
    num_examples = _num_examples(ds, info)
    if repeat and task.random_elements:
        # Each example's draws are seeded by its round and place, so the
        # rounds come first and the task's mapping after them.
        ds = rounds(ds, num_examples, shuffle=shuffle, seed=seed, start=start, draw_seeds=True)
        ds = task.elements(ds, info, image_shape, model=model)
        return _batched(ds, batch_size, drop_remainder)
    ds = task.elements(ds, info, image_shape, model=model)
    if cache is None:
        height, width, channels = image_shape
        # Decoded float32 images; unknown size means it could be anything, so no.
        cache = (num_examples is not None and not task.random_elements
                 and num_examples * height * width * channels * 4 < CACHE_LIMIT_BYTES)
    if cache:
        ds = ds.cache()
    if repeat:
        ds = rounds(ds, num_examples, shuffle=shuffle, seed=seed, start=start)
    elif shuffle:
        buffer = min(num_examples or SHUFFLE_BUFFER, SHUFFLE_BUFFER)
        ds = ds.shuffle(buffer, seed=seed, reshuffle_each_iteration=True)
    if not repeat and drop_remainder and num_examples is not None and num_examples < batch_size:
        raise GanzooError(
            f"dataset '{info.name}' has {num_examples} examples, fewer than one batch of "
            f"{batch_size}; {_partial_batch_remedy(num_examples)}"
        )
    return _batched(ds, batch_size, drop_remainder)


def _batched(ds, batch_size, drop_remainder):
    ds = ds.batch(batch_size, drop_remainder=drop_remainder, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def rounds(ds, num_examples, *, shuffle, seed, start=0, draw_seeds=False):
    """`ds` repeated forever, round r in an order that depends only on
    `(seed, r)`, from example `start` on.

    Keyed rounds, not `shuffle(reshuffle_each_iteration=True).repeat()`:
    there the order of a round depends on how many rounds one iterator has
    read, so a run resumed in round r would read another order than the run
    that was never stopped.

    With `draw_seeds`, each example (a dict) gets `DRAW_SEED`: its round's key
    and its position in the round, the seed of a random task's draws.
    """
    if seed is None:
        seed = int(np.random.default_rng().integers(2**31))
    first, skip = (divmod(int(start), num_examples) if num_examples else (0, int(start)))
    buffer = min(num_examples or SHUFFLE_BUFFER, SHUFFLE_BUFFER)

    def one_round(r):
        this_round = shuffled(r)
        if not draw_seeds:
            return this_round
        key = r * _ROUND_STRIDE + seed
        return this_round.enumerate().map(lambda i, example: {**example, DRAW_SEED: tf.stack([key, i])})

    def shuffled(r):
        if not shuffle:
            return ds
        # The order depends on (seed, r) alone: without the graph-level seed
        # (keras.utils.set_random_seed sets one), which TensorFlow would mix
        # in, and which it cannot compare with a tensor seed when it is 0.
        graph = tf.compat.v1.get_default_graph()
        outer, graph.seed = graph.seed, None
        try:
            return ds.shuffle(buffer, seed=r * _ROUND_STRIDE + seed, reshuffle_each_iteration=False)
        finally:
            graph.seed = outer

    stream = tf.data.Dataset.range(first, _FOREVER).flat_map(one_round)
    stream = stream.skip(skip) if skip else stream
    # flat_map hides that the stream never ends; Keras and users read it.
    return stream.apply(tf.data.experimental.assert_cardinality(tf.data.INFINITE_CARDINALITY))


_ROUND_STRIDE = 1_000_003  # a prime: (seed, round) pairs of nearby seeds do not collide
_FOREVER = 2**62


def _task(task):
    """A task object, also from its name (the registry, below the data layer, resolves it)."""
    from ganzoo import registry

    return registry.task(task)


def build_independent(datasets, info, task, image_shape, *, batch_size, shuffle, seed, repeat,
                      drop_remainder, cache, model=None, start=0):
    """Batches of tuples drawn independently from several streams.

    The task maps the tuple of source datasets to a tuple of element streams.
    Each stream is cached, shuffled (stream i with seed `seed + i`) and
    repeated on its own, and the streams are zipped, so that the elements
    of a tuple are unrelated and the streams may differ in size. An epoch is
    `info.num_examples` tuples (the largest stream's size: every element of
    it once, the smaller streams cycle); when that is unknown, it ends with
    the shortest stream.
    """
    task = _task(task)
    streams = task.elements(datasets, info, image_shape, model=model)
    num_examples = info.num_examples
    if cache is None:
        height, width, channels = image_shape
        cache = (num_examples is not None
                 and len(streams) * num_examples * height * width * channels * 4 < CACHE_LIMIT_BYTES)
    arranged = []
    for i, stream in enumerate(streams):
        if cache:
            stream = stream.cache()
        stream_seed = None if seed is None else seed + i
        if repeat:
            stream = rounds(stream, _cardinality(stream), shuffle=shuffle, seed=stream_seed, start=start)
        else:
            if shuffle:
                stream = stream.shuffle(min(num_examples or SHUFFLE_BUFFER, SHUFFLE_BUFFER), seed=stream_seed,
                                        reshuffle_each_iteration=True)
            if num_examples is not None:
                stream = stream.repeat()
        arranged.append(stream)
    ds = tf.data.Dataset.zip(tuple(arranged))
    if not repeat and num_examples is not None:
        ds = ds.take(num_examples)
        if drop_remainder and num_examples < batch_size:
            raise GanzooError(
                f"dataset '{info.name}' has {num_examples} examples, fewer than one batch of "
                f"{batch_size}; {_partial_batch_remedy(num_examples)}"
            )
    ds = ds.batch(batch_size, drop_remainder=drop_remainder, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def full_images(source, split="train", data_dir=None, limit=None, channels=3):
    """The whole high-resolution images of a source, for super-resolution evaluation.

    A folder or TFDS dataset gives its images (TFDS super-resolution sets their
    `"hr"` image) at full size; the embedded `"photos"` give their held-back
    test photos, since their training tiles are what a model trained on.

    Args:
        source: as for `ganzoo.data.load`.
        split: the split to read.
        data_dir: TFDS data directory.
        limit: most images returned (all if None or 0).
        channels: 1 or 3.

    Returns:
        A list of float32 HWC arrays in [0, 1], of different sizes.
    """
    kind, name = resolve(source)
    if kind == "embedded" and name == photos.NAME:
        images = photos.held_back()
        images = [im.mean(axis=-1, keepdims=True) if channels == 1 else im for im in images]
        return images[:limit] if limit else images
    ds, _ = sources.open_source(source, split, data_dir=data_dir, shuffle=False)
    result = []
    for example in ds:
        result.append(to_float(example["image"], channels).numpy())
        if limit and len(result) >= limit:
            break
    return result
