"""The "paired" task's mapping: (low-resolution, high-resolution) crops for super-resolution.

Each source example gives one training pair per epoch:

- a random `image_shape` crop of the high-resolution image (HR), and the
  aligned low-resolution crop (LR), `scale` times smaller on each side (the
  model's `scale`, 4 when it names none);
- LR made by the bicubic degradation of the HR crop (`ganzoo.data.degrade`:
  antialiased bicubic downsampling, rounded to 8 bits like a saved image),
  unless the source gives its own aligned LR image (TFDS
  `div2k/bicubic_x4`, `div2k/unknown_x4`, ...: an `"lr"` feature next to the
  `"hr"` image);
- the same random flip (left-right) and rotation by a multiple of 90 degrees
  applied to both (rotations only by 180 degrees for non-square crops).

Crops are drawn anew every epoch, so the pipeline never caches this task's
elements (see `ganzoo.tasks.paired`: `random_elements`). In a training stream
each example carries its own seed (`DRAW_SEED`: the run's seed, the round and
the position), and every draw is stateless, so the crops are the same in
every run with that seed and after a resume. Images smaller than the crop are first
enlarged (bicubic) to fit it.
"""

from __future__ import annotations

import tensorflow as tf

from ganzoo.data.common import DRAW_SEED
from ganzoo.data.decode import to_float as _to_float
from ganzoo.data.degrade import DEFAULT_SCALE, bicubic_degradation, downscale, quantize
from ganzoo.errors import GanzooError

__all__ = ["SCALE", "check_shape", "downscale", "make_pair", "paired", "quantize"]

#: The default super-resolution factor (a model's `scale` overrides it).
SCALE = DEFAULT_SCALE


def _at_least(image, height, width):
    """Enlarges `image` (bicubic) so that it is at least height x width."""
    shape = tf.shape(image)
    factor = tf.maximum(tf.cast(height, tf.float32) / tf.cast(shape[0], tf.float32),
                        tf.cast(width, tf.float32) / tf.cast(shape[1], tf.float32))

    def enlarge():
        size = tf.cast(tf.math.ceil(tf.cast(shape[:2], tf.float32) * factor), tf.int32)
        size = tf.maximum(size, [height, width])
        return tf.clip_by_value(tf.image.resize(image, size, method="bicubic"), 0.0, 1.0)

    return tf.cond(factor > 1.0, enlarge, lambda: image)


class _Draws:
    """Random scalars for one example: stateless from `seed` (int64 pair)
    when given, else from TensorFlow's stateful generator."""

    def __init__(self, seed=None):
        self.seed = None if seed is None else tf.cast(seed, tf.int64)
        self.count = 0

    def uniform(self, minval=0.0, maxval=1.0, dtype=tf.float32):
        if self.seed is None:
            return tf.random.uniform((), minval, maxval, dtype=dtype)
        self.count += 1  # each draw of the example its own stream
        seed = tf.random.experimental.stateless_fold_in(self.seed, self.count)
        return tf.random.stateless_uniform((), seed, minval, maxval, dtype=dtype)

    def offset(self, limit):
        return self.uniform(0, limit + 1, dtype=tf.int32)


def _crop_and_degrade(hr, height, width, scale, draws):
    hr = _at_least(hr, height, width)
    shape = tf.shape(hr)
    y, x = draws.offset(shape[0] - height), draws.offset(shape[1] - width)
    hr = hr[y:y + height, x:x + width]
    return bicubic_degradation(hr, scale), hr


def _crop_given(lr, hr, height, width, scale, draws):
    """An aligned crop of a given (lr, hr) pair; offsets on the LR grid."""
    small_h, small_w = height // scale, width // scale
    lr_shape, hr_shape = tf.shape(lr), tf.shape(hr)
    # The part of the pair where both exist (tolerates an LR one pixel short).
    limit_h = tf.minimum(lr_shape[0], hr_shape[0] // scale) - small_h
    limit_w = tf.minimum(lr_shape[1], hr_shape[1] // scale) - small_w
    y, x = draws.offset(limit_h), draws.offset(limit_w)
    return (lr[y:y + small_h, x:x + small_w],
            hr[y * scale:(y + small_h) * scale, x * scale:(x + small_w) * scale])


def _given_is_usable(lr, hr, height, width, scale):
    """Whether `lr` is `hr` downscaled by `scale` (to a pixel) and big enough."""
    lr_shape, hr_shape = tf.shape(lr)[:2], tf.shape(hr)[:2]
    aligned = tf.reduce_all(tf.abs(lr_shape * scale - hr_shape) < scale)
    big_enough = tf.reduce_all(lr_shape >= [height // scale, width // scale])
    return tf.logical_and(aligned, big_enough)


def _flip_and_rotate(lr, hr, square, draws):
    flip = draws.uniform() < 0.5
    lr = tf.cond(flip, lambda: tf.image.flip_left_right(lr), lambda: lr)
    hr = tf.cond(flip, lambda: tf.image.flip_left_right(hr), lambda: hr)
    turns = draws.uniform(0, 4, tf.int32) if square else 2 * draws.uniform(0, 2, tf.int32)
    return tf.image.rot90(lr, turns), tf.image.rot90(hr, turns)


def make_pair(example, image_shape, scale=SCALE, augment=True):
    """One (lr, hr) training pair from a source example (see the module doc).

    Args:
        example: dict with a uint8 `"image"` (the HR image) and optionally a
            uint8 `"lr"` of the same scene, `scale` times smaller, and the
            int64 pair `DRAW_SEED` of stateless draws (else stateful ones).
        image_shape: `(H, W, C)` of the HR crop; H and W multiples of `scale`.
        scale: the super-resolution factor.
        augment: random flip and rotation.

    Returns:
        `(lr, hr)` float32 tensors of shapes `(H/scale, W/scale, C)` and
        `(H, W, C)`, values in [0, 1].
    """
    height, width, channels = image_shape
    draws = _Draws(example.get(DRAW_SEED))
    hr = _to_float(example["image"], channels)
    if "lr" in example:
        lr = _to_float(example["lr"], channels)
        lr, hr = tf.cond(
            _given_is_usable(lr, hr, height, width, scale),
            lambda: _crop_given(lr, hr, height, width, scale, draws),
            # Not the pair this task needs (another scale, or too small):
            # make the LR from the HR image, as for sources without one.
            lambda: _crop_and_degrade(hr, height, width, scale, draws),
        )
    else:
        lr, hr = _crop_and_degrade(hr, height, width, scale, draws)
    if augment:
        lr, hr = _flip_and_rotate(lr, hr, height == width, draws)
    lr.set_shape((height // scale, width // scale, channels))
    hr.set_shape((height, width, channels))
    return lr, hr


def check_shape(image_shape, scale=SCALE):
    """Raises `GanzooError` unless the HR crop's sides are multiples of `scale`."""
    height, width, _ = image_shape
    if height % scale or width % scale or height < scale or width < scale:
        raise GanzooError(
            f"super-resolution crops need sides that are multiples of the scale {scale}; "
            f"got image_shape {tuple(image_shape)}, use e.g. (96, 96, 3)"
        )


def paired(ds, info, image_shape, scale=SCALE):
    """Elements are `(lr, hr)`: float32 `(H/scale, W/scale, C)` and `(H, W, C)` in
    [0, 1], a random aligned crop pair per example (see the module doc).

    Args:
        ds: a dataset of example dicts (`"image"`, optionally `"lr"`).
        info: the source's `SourceInfo` (unused; every source can serve this task).
        image_shape: `(H, W, C)` of the HR crop, H and W multiples of `scale`.
        scale: the super-resolution factor (the model's `scale`).

    Returns:
        The dataset of `(lr, hr)` pairs, unbatched.
    """
    check_shape(image_shape, scale)
    return ds.map(lambda example: make_pair(example, image_shape, scale), num_parallel_calls=tf.data.AUTOTUNE)
