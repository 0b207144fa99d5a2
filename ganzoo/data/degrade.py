"""The bicubic degradation of super-resolution: the one definition of how a
low-resolution input is made from a high-resolution image, shared by the
"paired" task's training pairs (`ganzoo.data.paired`) and the PSNR/SSIM
evaluation (`ganzoo.metrics.super_resolution`).

The LR image is the antialiased bicubic downscaling of the HR image by the
model's `scale` (MATLAB's `imresize`, the usual "bicubic" degradation of the
SR literature), clipped to [0, 1] and rounded to 8 bits like a saved image.
"""

import tensorflow as tf

#: The scale when a model names none (SRGAN's x4).
DEFAULT_SCALE = 4


def downscale(images, scale=DEFAULT_SCALE):
    """Antialiased bicubic downsampling by `scale` (float images in [0, 1],
    HWC or NHWC, sides multiples of `scale`), clipped to [0, 1].

    Args:
        images: float tensor or array, HWC or NHWC.
        scale: the integer factor each side shrinks by.

    Returns:
        A float32 tensor, HWC or NHWC, each side `scale` times smaller.
    """
    images = tf.convert_to_tensor(images, tf.float32)
    shape = tf.shape(images)
    size = tf.stack([shape[-3] // scale, shape[-2] // scale])
    small = tf.image.resize(images, size, method="bicubic", antialias=True)
    return tf.clip_by_value(small, 0.0, 1.0)


def quantize(images):
    """Rounds float images in [0, 1] to the 256 levels of an 8-bit file (a float32 tensor)."""
    return tf.round(tf.convert_to_tensor(images, tf.float32) * 255.0) / 255.0


def bicubic_degradation(hr, scale=DEFAULT_SCALE):
    """The LR input of `hr`: `quantize(downscale(hr, scale))`.

    Args:
        hr: float images in [0, 1], HWC or NHWC, sides multiples of `scale`.
        scale: the super-resolution factor.

    Returns:
        A float32 tensor `scale` times smaller on each side, on 8-bit levels.
    """
    return quantize(downscale(hr, scale))
