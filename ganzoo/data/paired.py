"""The "paired" task: (low-resolution, high-resolution) crops for super-resolution.

Each source example gives one training pair per epoch:

- a random `image_shape` crop of the high-resolution image (HR), and the
  aligned low-resolution crop (LR), `SCALE` times smaller on each side;
- LR made by antialiased bicubic downsampling of the HR crop (the "bicubic
  degradation" of the super-resolution literature), rounded to 8 bits like a
  saved image, unless the source gives its own aligned LR image (TFDS
  `div2k/bicubic_x4`, `div2k/unknown_x4`, ...: an `"lr"` feature next to the
  `"hr"` image);
- the same random flip (left-right) and rotation by a multiple of 90 degrees
  applied to both (rotations only by 180 degrees for non-square crops).

Crops are drawn anew every epoch, so the pipeline never caches this task's
elements (see `tasks.RANDOM_TASKS`). Images smaller than the crop are first
enlarged (bicubic) to fit it.
"""

from __future__ import annotations

import tensorflow as tf

SCALE = 4


def downscale(images, scale=SCALE):
    """Antialiased bicubic downsampling by `scale` (float images in [0, 1],
    HWC or NHWC, sides multiples of `scale`), clipped to [0, 1]."""
    shape = tf.shape(images)
    size = tf.stack([shape[-3] // scale, shape[-2] // scale])
    small = tf.image.resize(images, size, method="bicubic", antialias=True)
    return tf.clip_by_value(small, 0.0, 1.0)


def quantize(images):
    """Rounds float images in [0, 1] to the 256 levels of an 8-bit file."""
    return tf.round(images * 255.0) / 255.0


def _channels(image, channels):
    if channels == 3 and image.shape[-1] == 1:
        return tf.repeat(image, 3, axis=-1)
    if channels == 1 and image.shape[-1] != 1:
        return tf.image.rgb_to_grayscale(image)
    return image


def _to_float(image, channels):
    image = tf.image.convert_image_dtype(image, tf.float32)
    if image.shape[-1] == 4:
        image = image[..., :3]
    return _channels(image, channels)


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


def _random_offset(limit):
    return tf.random.uniform((), 0, limit + 1, dtype=tf.int32)


def _crop_and_degrade(hr, height, width, scale):
    hr = _at_least(hr, height, width)
    shape = tf.shape(hr)
    y, x = _random_offset(shape[0] - height), _random_offset(shape[1] - width)
    hr = hr[y:y + height, x:x + width]
    return quantize(downscale(hr, scale)), hr


def _crop_given(lr, hr, height, width, scale):
    """An aligned crop of a given (lr, hr) pair; offsets on the LR grid."""
    small_h, small_w = height // scale, width // scale
    lr_shape, hr_shape = tf.shape(lr), tf.shape(hr)
    # The part of the pair where both exist (tolerates an LR one pixel short).
    limit_h = tf.minimum(lr_shape[0], hr_shape[0] // scale) - small_h
    limit_w = tf.minimum(lr_shape[1], hr_shape[1] // scale) - small_w
    y, x = _random_offset(limit_h), _random_offset(limit_w)
    return (lr[y:y + small_h, x:x + small_w],
            hr[y * scale:(y + small_h) * scale, x * scale:(x + small_w) * scale])


def _given_is_usable(lr, hr, height, width, scale):
    """Whether `lr` is `hr` downscaled by `scale` (to a pixel) and big enough."""
    lr_shape, hr_shape = tf.shape(lr)[:2], tf.shape(hr)[:2]
    aligned = tf.reduce_all(tf.abs(lr_shape * scale - hr_shape) < scale)
    big_enough = tf.reduce_all(lr_shape >= [height // scale, width // scale])
    return tf.logical_and(aligned, big_enough)


def _flip_and_rotate(lr, hr, square):
    flip = tf.random.uniform(()) < 0.5
    lr = tf.cond(flip, lambda: tf.image.flip_left_right(lr), lambda: lr)
    hr = tf.cond(flip, lambda: tf.image.flip_left_right(hr), lambda: hr)
    turns = tf.random.uniform((), 0, 4, dtype=tf.int32) if square else 2 * tf.random.uniform((), 0, 2, dtype=tf.int32)
    return tf.image.rot90(lr, turns), tf.image.rot90(hr, turns)


def make_pair(example, image_shape, scale=SCALE, augment=True):
    """One (lr, hr) training pair from a source example (see the module doc).

    Args:
        example: dict with a uint8 `"image"` (the HR image) and optionally a
            uint8 `"lr"` of the same scene, `scale` times smaller.
        image_shape: `(H, W, C)` of the HR crop; H and W multiples of `scale`.
        scale: the super-resolution factor.
        augment: random flip and rotation.

    Returns:
        `(lr, hr)` float32 tensors of shapes `(H/scale, W/scale, C)` and
        `(H, W, C)`, values in [0, 1].
    """
    height, width, channels = image_shape
    hr = _to_float(example["image"], channels)
    if "lr" in example:
        lr = _to_float(example["lr"], channels)
        lr, hr = tf.cond(
            _given_is_usable(lr, hr, height, width, scale),
            lambda: _crop_given(lr, hr, height, width, scale),
            # Not the pair this task needs (another scale, or too small):
            # make the LR from the HR image, as for sources without one.
            lambda: _crop_and_degrade(hr, height, width, scale),
        )
    else:
        lr, hr = _crop_and_degrade(hr, height, width, scale)
    if augment:
        lr, hr = _flip_and_rotate(lr, hr, square=height == width)
    lr.set_shape((height // scale, width // scale, channels))
    hr.set_shape((height, width, channels))
    return lr, hr


def check_shape(image_shape, scale=SCALE):
    """Raises `GanzooError` unless the HR crop's sides are multiples of `scale`."""
    from ganzoo.errors import GanzooError

    height, width, _ = image_shape
    if height % scale or width % scale or height < scale or width < scale:
        raise GanzooError(
            f"super-resolution crops need sides that are multiples of the scale {scale}; "
            f"got image_shape {tuple(image_shape)}, use e.g. (96, 96, 3)"
        )


def paired(ds, info, image_shape):
    """Elements are `(lr, hr)`: float32 `(H/4, W/4, C)` and `(H, W, C)` in [0, 1],
    a random aligned crop pair per example (see the module doc)."""
    check_shape(image_shape)
    return ds.map(lambda example: make_pair(example, image_shape), num_parallel_calls=tf.data.AUTOTUNE)


def full_images(source, split="train", data_dir=None, limit=None, channels=3):
    """The whole high-resolution images of a source, for evaluation.

    A folder or TFDS dataset gives its images (TFDS super-resolution sets their
    `"hr"` image) at full size; the embedded `"photos"` give their held-back
    test photos, since their training tiles are what a model trained on.

    Returns:
        A list of float32 HWC arrays in [0, 1], of different sizes.
    """
    from ganzoo.data import photos, sources
    from ganzoo.data.source import resolve

    kind, name = resolve(source)
    if kind == "embedded" and name == photos.NAME:
        images = photos.held_back()
        images = [im.mean(axis=-1, keepdims=True) if channels == 1 else im for im in images]
        return images[:limit] if limit else images
    ds, _ = sources.open_source(source, split, data_dir=data_dir, shuffle=False)
    result = []
    for example in ds:
        result.append(_to_float(example["image"], channels).numpy())
        if limit and len(result) >= limit:
            break
    return result
