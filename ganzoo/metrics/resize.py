"""The resizes that feed the Inception network, as separable matrices.

Both resizes are linear and separable, so each is two matrices: one for
rows and one for columns, `out = R @ image @ C.T` per channel. The matrices
are built here in NumPy; `resize` applies them with NumPy and
`ganzoo.metrics.features` applies the same matrices with `keras.ops` on the
accelerator.

- `reference`: TF1's `ResizeBilinear` with `align_corners=False` and no
  half-pixel centres, the op inside the 2015 Inception graph (TTUR's FID,
  torch-fidelity's `interpolate_compat_tensorflow`). Source coordinate
  `i * in / out` (float32, as TF computes it), neighbours `floor` and
  `min(floor + 1, in - 1)`. `tf.image.resize` and `keras.ops.image.resize`
  use half-pixel centres: a different image (up to 160/255 apart on noise).
- `clean`: PIL's bicubic resize of float images (mode "F", a = -0.5), with
  the kernel widened by the scale when shrinking (antialiasing); clean-fid's
  resize (Parmar et al. 2022). Output clipped to [0, 255] as clean-fid does.
"""

from __future__ import annotations

import functools

import numpy as np

from ganzoo.errors import GanzooError

MODES = ("reference", "clean")
SIZE = 299


@functools.lru_cache(maxsize=32)
def bilinear_matrix(in_size, out_size):
    """TF1 `ResizeBilinear(align_corners=False, half_pixel_centers=False)`
    as an `(out_size, in_size)` float32 matrix."""
    scale = np.float32(in_size) / np.float32(out_size)
    matrix = np.zeros((out_size, in_size), np.float32)
    for i in range(out_size):
        source = np.float32(i) * scale
        lower = int(np.floor(source))
        upper = min(lower + 1, in_size - 1)
        lerp = np.float32(source - np.float32(lower))
        lower = min(lower, in_size - 1)
        matrix[i, lower] += np.float32(1.0) - lerp
        matrix[i, upper] += lerp
    matrix.setflags(write=False)
    return matrix


def _bicubic(x, a=-0.5):
    x = abs(x)
    if x < 1.0:
        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
    if x < 2.0:
        return (((x - 5.0) * x + 8.0) * x - 4.0) * a
    return 0.0


@functools.lru_cache(maxsize=32)
def bicubic_matrix(in_size, out_size):
    """PIL's `Image.resize(..., BICUBIC)` on a float image, as an
    `(out_size, in_size)` float64 matrix (support 2, widened by the scale
    when downscaling; weights normalised to sum to 1)."""
    scale = in_size / out_size
    filterscale = max(scale, 1.0)
    support = 2.0 * filterscale
    matrix = np.zeros((out_size, in_size), np.float64)
    for i in range(out_size):
        centre = (i + 0.5) * scale
        low = max(int(centre - support + 0.5), 0)
        high = min(int(centre + support + 0.5), in_size)
        weights = np.array([_bicubic((j - centre + 0.5) / filterscale) for j in range(low, high)])
        total = weights.sum()
        if total != 0:
            weights = weights / total
        matrix[i, low:high] = weights
    matrix.setflags(write=False)
    return matrix


def matrices(height, width, mode, size=SIZE):
    """The row and column matrices of `mode` for `height x width` images."""
    if mode == "reference":
        return bilinear_matrix(height, size), bilinear_matrix(width, size)
    if mode == "clean":
        return bicubic_matrix(height, size), bicubic_matrix(width, size)
    raise GanzooError(f"unknown resize mode {mode!r}; choose one of {', '.join(MODES)}")


def resize(images, mode="reference", size=SIZE):
    """Resizes NHWC images (values in [0, 255]) to `size x size`, NumPy.

    Args:
        images: array `(n, h, w, c)`.
        mode: "reference" or "clean".
        size: output side (299).

    Returns:
        float32 `(n, size, size, c)`; "clean" is clipped to [0, 255].
    """
    images = np.asarray(images, np.float64 if mode == "clean" else np.float32)
    rows, cols = matrices(images.shape[1], images.shape[2], mode, size)
    out = np.einsum("ih,nhwc,jw->nijc", rows.astype(images.dtype), images, cols.astype(images.dtype),
                    optimize=True)
    if mode == "clean":
        out = np.clip(out, 0.0, 255.0)
    return out.astype(np.float32)


def quantise(images):
    """Images in [0, 1] to uint8 as saved images are: `floor(255 x + 0.5)`
    after clipping (round half up, as torchvision's `save_image`)."""
    x = np.clip(np.asarray(images, np.float32), 0.0, 1.0)
    return np.floor(x * 255.0 + 0.5).astype(np.uint8)
