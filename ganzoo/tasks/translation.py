"""What the image-to-image tasks share: checking the input images of `generate()`."""

from __future__ import annotations

import numpy as np

from ganzoo.errors import GanzooError


def as_image_batch(images, channels, what="generate(images=...)"):
    """Images as float32 NHWC in [0, 1] with `channels` channels.

    Accepts one HWC image or a batch, float in [0, 1] or uint8; converts grey
    to RGB and RGB(A) to grey as the model needs."""
    if images is None:
        raise GanzooError(f"{what}: pass images, float NHWC or HWC in [0, 1]")
    try:
        array = np.asarray(images)
    except ValueError:
        array = np.asarray(images, dtype=object)
    if array.dtype == np.uint8:
        array = array.astype("float32") / 255.0
    if array.dtype == object or not np.issubdtype(array.dtype, np.number):
        raise GanzooError(f"{what} needs one array of equal-sized images; pass images of different sizes one "
                          "call each")
    array = array.astype("float32")
    if array.ndim == 3:
        array = array[None]
    if array.ndim != 4 or len(array) < 1 or min(array.shape[1:3]) < 1:
        raise GanzooError(f"{what} needs images of shape (n, height, width, channels) or (height, width, "
                          f"channels); got {np.shape(images)}")
    if not np.isfinite(array).all() or array.min() < 0.0 or array.max() > 1.0:
        raise GanzooError(f"{what} needs pixel values in [0, 1]; divide 8-bit images by 255")
    if array.shape[-1] != channels:
        if array.shape[-1] == 1 and channels == 3:
            array = np.repeat(array, 3, axis=-1)
        elif array.shape[-1] in (3, 4) and channels == 1:
            array = array[..., :3].mean(axis=-1, keepdims=True)
        elif array.shape[-1] == 4 and channels == 3:
            array = array[..., :3]
        else:
            raise GanzooError(f"images have {array.shape[-1]} channels; this model takes {channels}")
    return array
