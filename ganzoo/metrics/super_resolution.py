"""PSNR and SSIM of super-resolved images, measured as the SR literature does.

Papers since SRCNN (Dong et al. 2014) and SRGAN (Ledig et al. 2017) report
PSNR (dB) and SSIM on the luminance (Y) channel of YCbCr (ITU-R BT.601, the
range MATLAB's `rgb2ycbcr` gives: Y in [16, 235] for RGB in [0, 1]), after
removing a border of `scale` pixels on each side, with 255 as peak value.
SSIM is Wang et al. (2004) with an 11x11 Gaussian window (sigma 1.5),
K1 = 0.01, K2 = 0.03, averaged over the positions where the whole window
fits (as `tf.image.ssim` and scikit-image's `structural_similarity(...,
gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
data_range=255)`), computed in float64 NumPy.

`evaluate_super_resolution` follows the usual protocol on whole images:
the HR image is cropped to a multiple of the scale, the LR input is its
antialiased bicubic downscaling rounded to 8 bits, and the model's output
and the bicubic upscaling of the same LR input (the baseline every paper
compares with) are rounded to 8 bits, as saved images are, before measuring.

Images are float arrays in [0, 1], HWC or NHWC; RGB (3 channels) or grey
(1 channel: measured directly, as Y).
"""

from __future__ import annotations

import numpy as np

from ganzoo.errors import GanzooError

# ITU-R BT.601 luma of RGB in [0, 1], giving Y in [16, 235] (MATLAB rgb2ycbcr).
_Y_WEIGHTS = np.array([65.481, 128.553, 24.966])
_Y_OFFSET = 16.0


def rgb_to_y(images):
    """Luma Y in [16, 235] of RGB images in [0, 1] (grey images: 255 x value).

    Args:
        images: float array (..., H, W, 3) or (..., H, W, 1).

    Returns:
        float64 array (..., H, W).
    """
    images = np.asarray(images, dtype=np.float64)
    if images.shape[-1] == 1:
        return images[..., 0] * 255.0
    if images.shape[-1] != 3:
        raise GanzooError(f"images must have 1 or 3 channels, got shape {images.shape}")
    return images[..., 0] * _Y_WEIGHTS[0] + images[..., 1] * _Y_WEIGHTS[1] + images[..., 2] * _Y_WEIGHTS[2] \
        + _Y_OFFSET


def _pair(sr, hr, border):
    sr, hr = np.asarray(sr, dtype=np.float64), np.asarray(hr, dtype=np.float64)
    if sr.shape != hr.shape:
        raise GanzooError(f"super-resolved and reference images differ in shape: {sr.shape} vs {hr.shape}")
    if sr.ndim == 3:
        sr, hr = sr[None], hr[None]
    if sr.ndim != 4:
        raise GanzooError(f"images must be HWC or NHWC, got shape {sr.shape}")
    border = int(border)
    height, width = sr.shape[1:3]
    if border < 0 or height <= 2 * border or width <= 2 * border:
        raise GanzooError(f"cannot crop a border of {border} pixels from {height}x{width} images")
    y_sr, y_hr = rgb_to_y(sr), rgb_to_y(hr)
    if border:
        y_sr, y_hr = y_sr[:, border:-border, border:-border], y_hr[:, border:-border, border:-border]
    return y_sr, y_hr


def _psnr(y_sr, y_hr):
    mse = np.square(y_sr - y_hr).mean(axis=(1, 2))
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(255.0 ** 2 / mse)


def psnr_y(sr, hr, border=4):
    """PSNR (dB) on the Y channel, `border` pixels cropped, peak 255.

    Args:
        sr: super-resolved images, float in [0, 1], HWC or NHWC.
        hr: the reference images, same shape.
        border: pixels removed on each side before measuring (the scale).

    Returns:
        The PSNR as a float; for NHWC input, the mean of the per-image PSNRs
        (how benchmark tables average). `inf` for identical images.

    Example:

    >>> psnr_y(np.full((8, 8, 3), 0.5), np.full((8, 8, 3), 0.6), border=2)  # 20 log10(255 / 21.9)
    21.32...
    """
    return float(_psnr(*_pair(sr, hr, border)).mean())


SSIM_WINDOW, SSIM_SIGMA, SSIM_K1, SSIM_K2 = 11, 1.5, 0.01, 0.03


def _gaussian_window(size=SSIM_WINDOW, sigma=SSIM_SIGMA):
    x = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    window = np.exp(-0.5 * x * x / (sigma * sigma))
    return window / window.sum()


def _filter_valid(x, window):
    """Separable correlation of the last two axes with `window`, where the
    whole window fits ('valid'); the result comes transposed (`(..., w', h')`:
    SSIM only averages it)."""
    from numpy.lib.stride_tricks import sliding_window_view

    size = len(window)
    out = np.einsum("...hwk,k->...hw", sliding_window_view(x, size, axis=-2), window)
    out = np.ascontiguousarray(np.swapaxes(out, -1, -2))
    return np.einsum("...hwk,k->...hw", sliding_window_view(out, size, axis=-2), window)


def _ssim(y_sr, y_hr, peak=255.0):
    """Per-image mean SSIM of `(n, h, w)` float64 arrays:
    `(2 mu_x mu_y + C1)(2 cov + C2) / ((mu_x^2 + mu_y^2 + C1)(var_x + var_y + C2))`
    with Gaussian-weighted moments (population variances), in place."""
    c1, c2 = (SSIM_K1 * peak) ** 2, (SSIM_K2 * peak) ** 2
    maps = np.empty((5,) + y_sr.shape)
    maps[0], maps[1] = y_sr, y_hr
    np.multiply(y_sr, y_sr, out=maps[2])
    np.multiply(y_hr, y_hr, out=maps[3])
    np.multiply(y_sr, y_hr, out=maps[4])
    mu_x, mu_y, xx, yy, xy = _filter_valid(maps, _gaussian_window())
    mu_xy = mu_x * mu_y
    mu_squares = mu_x * mu_x
    mu_squares += mu_y * mu_y
    xx += yy
    xx -= mu_squares
    xx += c2                      # var_x + var_y + C2
    xy -= mu_xy
    xy *= 2.0
    xy += c2                      # 2 cov + C2
    mu_xy *= 2.0
    mu_xy += c1                   # 2 mu_x mu_y + C1
    mu_squares += c1              # mu_x^2 + mu_y^2 + C1
    mu_xy *= xy
    mu_squares *= xx
    mu_xy /= mu_squares
    return mu_xy.mean(axis=(1, 2))


def ssim_y(sr, hr, border=4):
    """SSIM on the Y channel (Gaussian 11x11, sigma 1.5), `border` pixels cropped.

    Args:
        sr: super-resolved images, float in [0, 1], HWC or NHWC.
        hr: the reference images, same shape.
        border: pixels removed on each side before measuring.

    Returns:
        The SSIM as a float; for NHWC input, the mean over images.
    """
    y_sr, y_hr = _pair(sr, hr, border)
    if min(y_sr.shape[1:3]) < SSIM_WINDOW:
        raise GanzooError(f"SSIM needs at least 11x11 pixels after the border crop, got {y_sr.shape[1:3]}")
    return float(_ssim(y_sr, y_hr).mean())


def psnr_ssim_y(sr, hr, border=4):
    """`(psnr_y(sr, hr, border), ssim_y(sr, hr, border))`, converting to Y once."""
    y_sr, y_hr = _pair(sr, hr, border)
    if min(y_sr.shape[1:3]) < SSIM_WINDOW:
        raise GanzooError(f"SSIM needs at least 11x11 pixels after the border crop, got {y_sr.shape[1:3]}")
    return float(_psnr(y_sr, y_hr).mean()), float(_ssim(y_sr, y_hr).mean())


def modcrop(image, scale=4):
    """Crops an HWC image (top-left kept) to sides that are multiples of `scale`."""
    height, width = image.shape[0] - image.shape[0] % scale, image.shape[1] - image.shape[1] % scale
    return image[:height, :width]


def _resize(images, size):
    from keras import ops

    resized = ops.image.resize(np.asarray(images, np.float32), size, interpolation="bicubic", antialias=True)
    return np.clip(ops.convert_to_numpy(resized), 0.0, 1.0)


def quantize(images):
    """Rounds float images in [0, 1] to the 256 levels of an 8-bit file (a float32 array)."""
    from ganzoo.data.degrade import quantize

    return np.asarray(quantize(np.asarray(images, np.float32)))


def make_low_res(hr, scale=4):
    """The LR input of the bicubic degradation (`ganzoo.data.degrade`, the same
    one the "paired" task trains on): antialiased bicubic downscaling by
    `scale` (HWC or NHWC, sides multiples of `scale`), rounded to 8 bits."""
    from ganzoo.data.degrade import bicubic_degradation

    return np.asarray(bicubic_degradation(np.asarray(hr, np.float32), scale))


def bicubic_upscale(lr, scale=4):
    """The bicubic baseline: LR images (HWC or NHWC) enlarged `scale` times, clipped to [0, 1]."""
    height, width = np.shape(lr)[-3:-1]
    return _resize(lr, (height * scale, width * scale))


def evaluate_super_resolution(model, hr_images, scale=4, border=None, **generate_kwargs):
    """PSNR and SSIM (Y channel) of a model and of bicubic upscaling.

    Args:
        model: a super-resolution model: `model.generate(images=lr)` returns
            the `scale`-times larger images (float32 NHWC in [0, 1]).
        hr_images: high-resolution images, float in [0, 1]: a list of HWC
            arrays of any sizes, or one NHWC array.
        scale: the model's upscaling factor.
        border: pixels cropped before measuring; `scale` if None.
        **generate_kwargs: passed to `model.generate` (e.g. tile sizes).

    Returns:
        A dict of means over the images: `psnr`, `ssim` (the model),
        `bicubic_psnr`, `bicubic_ssim`, and `images` (how many).

    Example:

    ```python
    from ganzoo.data.photos import held_back
    scores = evaluate_super_resolution(model, held_back())
    scores["psnr"] - scores["bicubic_psnr"]     # dB gained over bicubic
    ```
    """
    border = scale if border is None else border
    images = list(hr_images)
    if not images:
        raise GanzooError("no high-resolution images to evaluate on")
    scores = {"psnr": [], "ssim": [], "bicubic_psnr": [], "bicubic_ssim": []}
    for hr in images:
        hr = modcrop(np.asarray(hr, np.float32), scale)
        if min(hr.shape[:2]) < scale * 4:
            raise GanzooError(f"image of {hr.shape[0]}x{hr.shape[1]} pixels is too small to evaluate at x{scale}")
        lr = make_low_res(hr, scale)
        sr = quantize(model.generate(images=lr[None], **generate_kwargs)[0])
        bicubic = quantize(bicubic_upscale(lr, scale))
        for prefix, output in (("", sr), ("bicubic_", bicubic)):
            psnr, ssim = psnr_ssim_y(output, hr, border)
            scores[prefix + "psnr"].append(psnr)
            scores[prefix + "ssim"].append(ssim)
    result = {key: float(np.mean(values)) for key, values in scores.items()}
    result["images"] = len(images)
    return result


def evaluate_source(model, real, options):
    """`evaluate_super_resolution` on the images of `real.source` (a
    `ganzoo.metrics.RealData`), at most `options["n"]` of them, for
    `ganzoo evaluate --metrics psnr,ssim`. The result is kept on `real`, so
    that asking for both metrics upscales the images once."""
    from ganzoo.data.pipeline import full_images

    key = (id(model), real.source, real.split, real.data_dir)
    cached = getattr(real, "_super_resolution", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    limit = int(options.get("n") or 0) or None
    hr_images = full_images(real.source, real.split, real.data_dir, limit=limit, channels=model.image_shape[-1])
    result = evaluate_super_resolution(model, hr_images, scale=getattr(model, "scale", 4))
    real._super_resolution = (key, result)
    return result


def psnr_metric(model, real, options):
    """The `psnr` metric: Y-channel PSNR of the model and of bicubic upscaling (dB)."""
    scores = evaluate_source(model, real, options)
    return {"psnr": scores["psnr"], "bicubic_psnr": scores["bicubic_psnr"],
            "gain_db": scores["psnr"] - scores["bicubic_psnr"], "images": scores["images"]}


def ssim_metric(model, real, options):
    """The `ssim` metric: Y-channel SSIM of the model and of bicubic upscaling."""
    scores = evaluate_source(model, real, options)
    return {"ssim": scores["ssim"], "bicubic_ssim": scores["bicubic_ssim"], "images": scores["images"]}
