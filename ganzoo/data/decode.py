"""From a source's uint8 image to float32 in [0, 1]: the one conversion every
task's mapping uses (dtype, alpha, channels, size). TensorFlow ops; this module
is imported only when a dataset is built."""

import tensorflow as tf


def to_float(image, channels):
    """A uint8 (or other integer) HxWxC image as float32 in [0, 1] with `channels` channels.

    Args:
        image: tensor of shape (H, W, C), C in 1, 3, 4 (alpha is dropped).
        channels: 1 (grey, ITU-R BT.601 luma) or 3 (RGB; grey is repeated).

    Returns:
        A float32 tensor (H, W, channels), values in [0, 1].
    """
    image = tf.image.convert_image_dtype(image, tf.float32)
    if image.shape[-1] == 4:
        image = image[..., :3]
    if channels == 3 and image.shape[-1] == 1:
        image = tf.repeat(image, 3, axis=-1)
    elif channels == 1 and image.shape[-1] != 1:
        image = tf.image.rgb_to_grayscale(image)
    return image


def prepare_image(image, image_shape):
    """Converts a uint8 HxWxC image to float32 in [0, 1] of shape `image_shape`.

    Args:
        image: A uint8 (or other integer) tensor of shape (H, W, C), C in 1, 3, 4.
        image_shape: Target `(H, W, C)` with C 1 or 3.

    Returns:
        A float32 tensor of shape `image_shape`, values in [0, 1].
    """
    height, width, channels = image_shape
    image = to_float(image, channels)
    if tuple(image.shape[:2]) != (height, width):
        # Centre crop to the target's aspect ratio first, so that faces
        # (celeb_a's 218x178) and photos are not squashed.
        size = tf.shape(image)
        crop_h = tf.minimum(size[0], tf.cast(tf.round(tf.cast(size[1], tf.float32) * height / width), tf.int32))
        crop_w = tf.minimum(size[1], tf.cast(tf.round(tf.cast(size[0], tf.float32) * width / height), tf.int32))
        image = tf.image.crop_to_bounding_box(image, (size[0] - crop_h) // 2, (size[1] - crop_w) // 2, crop_h, crop_w)
        image = tf.image.resize(image, (height, width), method="bilinear", antialias=True)
        # Bilinear weights are convex, but float rounding can leave tiny overshoots.
        image = tf.clip_by_value(image, 0.0, 1.0)
    image.set_shape((height, width, channels))
    return image
