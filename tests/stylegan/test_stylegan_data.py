"""Image data for StyleGAN: faces are centre-cropped to the model's aspect
ratio before resizing, not squashed."""

import numpy as np


def test_images_are_centre_cropped_to_the_target_aspect_then_resized():
    import tensorflow as tf

    from ganzoo.data import decode

    # A 218x178 "celeb_a" frame: a 178x178 white square in the middle, black bands above and below.
    frame = np.zeros((218, 178, 1), np.uint8)
    frame[20:198] = 255
    square = decode.prepare_image(tf.constant(frame), (32, 32, 1)).numpy()
    assert square.shape == (32, 32, 1) and square.min() > 0.99     # the bands were cut off, not squeezed in
    wide = decode.prepare_image(tf.constant(frame), (16, 32, 1)).numpy()
    assert wide.shape == (16, 32, 1) and wide.min() > 0.99         # 2:1 crop from the middle rows
    tall = decode.prepare_image(tf.constant(frame), (64, 16, 1)).numpy()
    assert tall.shape == (64, 16, 1)
    assert tall[:4].max() < 0.5 and tall[-4:].max() < 0.5 and tall[28:36].min() > 0.99   # keeps the full height
