"""The resizes against TF1's ResizeBilinear and PIL's float bicubic."""

import numpy as np
import pytest
from PIL import Image

from ganzoo.errors import GanzooError
from ganzoo.metrics import resize as rz


def _noise(shape, seed=0):
    return np.random.default_rng(seed).integers(0, 256, shape).astype(np.float32)


@pytest.mark.parametrize("size", [(8, 8), (28, 28), (32, 32), (64, 48), (512, 300)])
def test_reference_resize_matches_tf1_resize_bilinear(size):
    import tensorflow as tf

    images = _noise((2,) + size + (3,), seed=size[0])
    expected = tf.raw_ops.ResizeBilinear(images=images, size=[299, 299], align_corners=False,
                                         half_pixel_centers=False).numpy()
    ours = rz.resize(images, "reference")
    assert ours.shape == (2, 299, 299, 3)
    assert np.abs(ours - expected).max() < 2e-3  # float32 rounding only, in units of 1/255


def test_half_pixel_resizes_are_not_the_reference():
    import keras
    import tensorflow as tf

    images = _noise((1, 32, 32, 3), seed=1)
    reference = rz.resize(images, "reference")
    half_pixel = tf.image.resize(images, (299, 299), method="bilinear").numpy()
    keras_resize = np.asarray(keras.ops.image.resize(images, (299, 299), interpolation="bilinear"))
    assert np.abs(reference - half_pixel).max() > 100  # on noise: up to ~160 of 255
    assert np.abs(reference - keras_resize).max() > 100


@pytest.mark.parametrize("size", [(8, 8), (32, 32), (512, 400)])
def test_clean_resize_matches_pil_float_bicubic(size):
    images = _noise((1,) + size + (3,), seed=2)
    expected = np.stack([np.asarray(Image.fromarray(images[0, ..., c], mode="F").resize((299, 299), Image.BICUBIC))
                         for c in range(3)], axis=-1).clip(0, 255)
    ours = rz.resize(images, "clean")[0]
    assert np.abs(ours - expected).max() < 2e-3


def test_reference_matrix_rows_sum_to_one_and_use_no_half_pixel_offset():
    m = rz.bilinear_matrix(32, 299)
    np.testing.assert_allclose(m.sum(1), 1.0, atol=1e-6)
    assert m[0, 0] == 1.0  # output pixel 0 is input pixel 0 exactly (no half-pixel centre)
    assert m[-1, -1] > 0.9  # the last rows clamp at the border


def test_quantise_rounds_half_up_and_clips():
    x = np.array([-0.5, 0.0, 0.5 / 255, 1.49 / 255, 0.5, 1.0, 2.0], np.float32)
    np.testing.assert_array_equal(rz.quantise(x), [0, 0, 1, 1, 128, 255, 255])


def test_unknown_mode_is_refused():
    with pytest.raises(GanzooError, match="reference, clean"):
        rz.resize(np.zeros((1, 4, 4, 3)), "nearest")
