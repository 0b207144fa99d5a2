"""PixelShuffle against a reference, and the SR metrics against hand-computed values."""

import numpy as np
import pytest

from ganzoo.errors import GanzooError


# ------------------------------------------------------------------ PixelShuffle
def reference_pixel_shuffle(x, r):
    """Shi et al.'s periodic shuffling written out with loops (TensorFlow's
    depth_to_space channel order): out[n, h*r+i, w*r+j, c] = x[n, h, w, (i*r+j)*C + c]."""
    n, height, width, depth = x.shape
    channels = depth // (r * r)
    out = np.zeros((n, height * r, width * r, channels), x.dtype)
    for h in range(height):
        for w in range(width):
            for i in range(r):
                for j in range(r):
                    out[:, h * r + i, w * r + j, :] = x[:, h, w, (i * r + j) * channels:(i * r + j + 1) * channels]
    return out


@pytest.mark.parametrize("r,channels", [(2, 3), (3, 2), (2, 64)])
def test_pixel_shuffle_matches_the_reference(r, channels):
    from keras import ops

    from ganzoo.layers import PixelShuffle

    x = np.random.default_rng(0).normal(size=(2, 5, 7, channels * r * r)).astype("float32")
    out = ops.convert_to_numpy(PixelShuffle(r)(x))
    np.testing.assert_array_equal(out, reference_pixel_shuffle(x, r))
    assert PixelShuffle(r).compute_output_shape((None, None, 7, channels * r * r)) == (None, None, 7 * r, channels)


def test_pixel_shuffle_serializes_and_checks_its_input():
    import keras

    from ganzoo.layers import PixelShuffle

    layer = keras.layers.deserialize(keras.layers.serialize(PixelShuffle(2, name="shuffle")))
    assert isinstance(layer, PixelShuffle) and layer.scale == 2 and layer.name == "shuffle"
    with pytest.raises(ValueError, match="divisible by 4"):
        PixelShuffle(2)(np.zeros((1, 2, 2, 6), "float32"))
    with pytest.raises(ValueError, match="integer scale"):
        PixelShuffle(1.5)



def _sub_pixel_upsampling(initializer, r=2, channels=3):
    import keras

    from ganzoo.layers import PixelShuffle

    keras.utils.set_random_seed(0)
    conv = keras.layers.Conv2D(channels * r * r, 3, padding="same", kernel_initializer=initializer,
                               bias_initializer="zeros")
    return lambda x: keras.ops.convert_to_numpy(PixelShuffle(r)(conv(x))), conv


@pytest.mark.parametrize("r", [2, 3])
def test_icnr_starts_the_sub_pixel_convolution_as_nearest_neighbour(r):
    """Aitken et al. 2017: with ICNR every r x r block after the shuffle starts
    identical; Keras' default (glorot) draws a different filter per position."""
    from ganzoo.layers import ICNR

    x = np.random.default_rng(0).normal(size=(2, 6, 5, 4)).astype("float32")
    for initializer, nearest in ((ICNR(r), True), ("glorot_uniform", False)):
        upsample, _ = _sub_pixel_upsampling(initializer, r)
        out = upsample(x)
        corner = np.repeat(np.repeat(out[:, ::r, ::r], r, axis=1), r, axis=2)
        assert np.allclose(out, corner, atol=1e-6) == nearest, initializer


def test_icnr_serializes_and_checks_the_channels():
    import keras

    from ganzoo.layers import ICNR

    upsample, conv = _sub_pixel_upsampling(ICNR(2, initializer="he_normal"))
    upsample(np.zeros((1, 4, 4, 4), "float32"))
    restored = keras.initializers.deserialize(keras.initializers.serialize(ICNR(2, initializer="he_normal")))
    assert isinstance(restored, ICNR) and restored.scale == 2
    assert type(restored.initializer).__name__ == "HeNormal"
    kernel = keras.ops.convert_to_numpy(conv.kernel)
    np.testing.assert_array_equal(kernel[..., :3], kernel[..., 9:])   # positions share one drawn kernel
    with pytest.raises(ValueError, match="divisible by 4"):
        ICNR(2)((3, 3, 8, 6))
    with pytest.raises(ValueError, match="integer scale"):
        ICNR(1)


# ------------------------------------------------------------------ metrics
def test_psnr_y_against_a_hand_computed_value():
    from ganzoo.metrics.super_resolution import psnr_y, rgb_to_y

    hr = np.zeros((12, 12, 3), "float32")
    sr = hr.copy()
    # Inside the 4-pixel border: one pixel off by pure red 0.5 -> Y differs by 65.481 * 0.5.
    sr[6, 6] = (0.5, 0.0, 0.0)
    # In the border: ignored.
    sr[0, :] = 1.0
    mse = (65.481 * 0.5) ** 2 / (4 * 4)          # one pixel of the 4x4 centre
    expected = 10 * np.log10(255.0 ** 2 / mse)   # = 29.87 dB
    assert psnr_y(sr, hr, border=4) == pytest.approx(expected, abs=1e-9)
    assert psnr_y(sr, hr, border=4) == pytest.approx(29.8703, abs=1e-4)
    # The BT.601 luma of MATLAB's rgb2ycbcr: black 16, white 235.
    np.testing.assert_allclose(rgb_to_y(np.array([[[0, 0, 0], [1, 1, 1]]], "float32")), [[16.0, 235.0]])
    # NHWC averages per-image PSNRs; identical images are infinitely good.
    assert psnr_y(np.stack([sr, sr]), np.stack([hr, hr]), border=4) == pytest.approx(expected)
    assert psnr_y(hr, hr) == np.inf


def test_ssim_y():
    from ganzoo.metrics.super_resolution import ssim_y

    rng = np.random.default_rng(0)
    hr = rng.random((40, 40, 3)).astype("float32")
    assert ssim_y(hr, hr) == pytest.approx(1.0, abs=1e-6)
    noisy = np.clip(hr + rng.normal(0, 0.1, hr.shape), 0, 1).astype("float32")
    assert 0.0 < ssim_y(noisy, hr) < 0.95
    # A constant offset on Y leaves contrast and structure; SSIM stays high, PSNR does not.
    assert ssim_y(np.clip(hr * 0.9 + 0.05, 0, 1), hr) > ssim_y(noisy, hr)


def test_metrics_reject_mismatched_or_tiny_images():
    from ganzoo.metrics.super_resolution import psnr_y, ssim_y

    with pytest.raises(GanzooError, match="differ in shape"):
        psnr_y(np.zeros((8, 8, 3)), np.zeros((8, 9, 3)))
    with pytest.raises(GanzooError, match="border"):
        psnr_y(np.zeros((8, 8, 3)), np.zeros((8, 8, 3)), border=4)
    with pytest.raises(GanzooError, match="11x11"):
        ssim_y(np.zeros((16, 16, 3)), np.zeros((16, 16, 3)), border=4)


def test_evaluate_super_resolution_protocol():
    """A 'model' that is bicubic interpolation scores exactly the bicubic
    baseline; a perfect oracle scores infinitely; HR sides are mod-cropped."""
    from ganzoo.metrics.super_resolution import bicubic_upscale, evaluate_super_resolution, make_low_res

    rng = np.random.default_rng(0)
    # 8-bit images, like files on disk (outputs are rounded to 8 bits before measuring).
    hr_images = [np.round(rng.random(shape) * 255).astype("float32") / 255 for shape in [(50, 43, 3), (36, 40, 3)]]

    class Bicubic:
        def generate(self, images):
            return bicubic_upscale(images)

    scores = evaluate_super_resolution(Bicubic(), hr_images)
    assert scores["images"] == 2
    assert scores["psnr"] == scores["bicubic_psnr"] and scores["ssim"] == scores["bicubic_ssim"]
    assert 5 < scores["psnr"] < 20

    class Oracle:  # knows the HR image of each LR input
        def generate(self, images):
            for hr in hr_images:
                hr = hr[:hr.shape[0] // 4 * 4, :hr.shape[1] // 4 * 4]
                if np.array_equal(make_low_res(hr), images[0]):
                    return hr[None]
            raise AssertionError("unexpected input")

    assert evaluate_super_resolution(Oracle(), hr_images)["psnr"] == np.inf


def test_psnr_and_ssim_are_registered_for_paired_models():
    from ganzoo import metrics

    assert metrics.get("psnr", "paired").tasks == ("paired",)
    assert metrics.get("ssim", "paired").name == "ssim"
    with pytest.raises(GanzooError, match="paired"):
        metrics.get("psnr", "unconditional")
