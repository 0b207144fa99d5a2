"""PSNR and SSIM against a float64 NumPy transcription of scikit-image's
`structural_similarity(..., gaussian_weights=True, sigma=1.5,
use_sample_covariance=False, data_range=255)` and `peak_signal_noise_ratio`
(issue 20, item 12): the whole image filtered with reflected edges
(scipy.ndimage's default), then the 5-pixel margin cropped before the mean.
Checked once by hand against scikit-image 0.26.0: largest difference 8e-15."""

import numpy as np
import pytest

from ganzoo.metrics.super_resolution import psnr_ssim_y, psnr_y, rgb_to_y, ssim_y


def _gaussian_filter_reflect(image, sigma=1.5, truncate=3.5):
    radius = int(truncate * sigma + 0.5)
    x = np.arange(-radius, radius + 1)
    weights = np.exp(-0.5 * x * x / sigma ** 2)
    weights /= weights.sum()
    out = np.asarray(image, np.float64)
    for axis in (0, 1):
        padded = np.pad(out, [(radius, radius) if a == axis else (0, 0) for a in (0, 1)], mode="symmetric")
        length = out.shape[axis]
        out = sum(w * np.take(padded, np.arange(i, i + length), axis=axis) for i, w in enumerate(weights))
    return out


def _skimage_ssim(x, y, data_range=255.0):
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    ux, uy = _gaussian_filter_reflect(x), _gaussian_filter_reflect(y)
    uxx, uyy, uxy = _gaussian_filter_reflect(x * x), _gaussian_filter_reflect(y * y), _gaussian_filter_reflect(x * y)
    vx, vy, vxy = uxx - ux * ux, uyy - uy * uy, uxy - ux * uy
    s = ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux ** 2 + uy ** 2 + c1) * (vx + vy + c2))
    return s[5:-5, 5:-5].mean()


def _cases():
    rng = np.random.default_rng(0)
    hr = rng.random((40, 44, 3))
    yield np.clip(hr + rng.normal(0, 0.05, hr.shape), 0, 1), hr
    bright = 0.97 + rng.random((40, 44, 3)) * 0.004  # near-flat and bright: where float32 lost 8e-5
    yield np.clip(bright + rng.normal(0, 0.001, bright.shape), 0, 1), bright
    grey = rng.random((33, 30, 1))
    yield np.clip(grey * 0.9 + 0.05, 0, 1), grey


@pytest.mark.parametrize("index", range(3))
def test_ssim_and_psnr_match_the_float64_reference(index):
    sr, hr = list(_cases())[index]
    y_sr, y_hr = rgb_to_y(sr)[4:-4, 4:-4], rgb_to_y(hr)[4:-4, 4:-4]
    expected_ssim = _skimage_ssim(y_hr, y_sr)
    expected_psnr = 10 * np.log10(255.0 ** 2 / np.mean((y_hr - y_sr) ** 2))
    assert ssim_y(sr, hr, border=4) == pytest.approx(expected_ssim, abs=1e-10)
    assert psnr_y(sr, hr, border=4) == pytest.approx(expected_psnr, abs=1e-10)
    assert psnr_ssim_y(sr, hr, border=4) == (psnr_y(sr, hr, border=4), ssim_y(sr, hr, border=4))


def test_ssim_of_a_batch_is_the_mean_of_the_images():
    (a, b), (c, d), _ = _cases()
    assert ssim_y(np.stack([a, c]), np.stack([b, d])) == pytest.approx((ssim_y(a, b) + ssim_y(c, d)) / 2, abs=1e-12)
    assert ssim_y(b, b) == 1.0
