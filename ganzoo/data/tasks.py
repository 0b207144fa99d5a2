"""Image preparation shared by the tasks' batch mapping (see `ganzoo.tasks`)."""

import tensorflow as tf



def prepare_image(image, image_shape):
    """Converts a uint8 HxWxC image to float32 in [0, 1] of shape `image_shape`.

    Args:
        image: A uint8 (or other integer) tensor of shape (H, W, C), C in 1, 3, 4.
        image_shape: Target `(H, W, C)` with C 1 or 3.

    Returns:
        A float32 tensor of shape `image_shape`, values in [0, 1].
    """
    height, width, channels = image_shape
    image = tf.image.convert_image_dtype(image, tf.float32)
    if image.shape[-1] == 4:
        image = image[..., :3]
    if channels == 3 and image.shape[-1] == 1:
        image = tf.repeat(image, 3, axis=-1)
    elif channels == 1 and image.shape[-1] != 1:
        image = tf.image.rgb_to_grayscale(image)
    if tuple(image.shape[:2]) != (height, width):
        image = tf.image.resize(image, (height, width), method="bilinear", antialias=True)
        # Bilinear weights are convex, but float rounding can leave tiny overshoots.
        image = tf.clip_by_value(image, 0.0, 1.0)
    image.set_shape((height, width, channels))
    return image
