"""Images sent to the server (for models that take an image): limited in
bytes, type and pixels, checked to decode completely, kept only in the
server's scratch folder for the one request; and the bicubic enlargement the
Play page shows beside a super-resolved image."""

from __future__ import annotations

import os
import tempfile

from ganzoo.errors import GanzooError

#: The largest upload, in bytes.
MAX_BYTES = 8 * 1024 * 1024

#: The most pixels of an uploaded image (a model's output can be much larger: x4 is 16 times).
MAX_PIXELS = 1024 * 1024

#: Content types accepted, and the suffix the file gets.
TYPES = {"image/png": ".png", "image/jpeg": ".jpg"}

#: The enlargements the bicubic endpoint draws.
MAX_SCALE = 8


class UploadError(GanzooError):
    """A refused upload; `status` is the HTTP status that answers it."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


def check_header(content_type, length):
    """Refuses a body by its headers, before reading it."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind not in TYPES:
        raise UploadError(f"an upload is a PNG or JPEG image (Content-Type image/png or image/jpeg), not "
                          f"{kind or 'nothing'}", status=415)
    if length is None:
        raise UploadError("an upload needs a Content-Length header", status=411)
    if length <= 0:
        raise UploadError("the upload is empty; send a PNG or JPEG image as the request body")
    if length > MAX_BYTES:
        raise UploadError(f"the upload is {length} bytes; the most is {MAX_BYTES} ({MAX_BYTES // 2**20} MiB)",
                          status=413)
    return TYPES[kind]


def save_upload(body, suffix, folder):
    """Writes `body` to a new file in `folder` (the server's scratch) and
    checks it is an image that decodes to its last pixel and is not too
    large; returns its path. The caller removes the folder."""
    from PIL import Image

    from ganzoo.data.common import image_problem

    handle, path = tempfile.mkstemp(suffix=suffix, dir=folder)
    with os.fdopen(handle, "wb") as f:
        f.write(body)
    try:
        with Image.open(path) as image:
            width, height = image.size        # the header only: a huge image is refused before decoding
    except Exception:  # noqa: BLE001 - PIL raises many types for bad files
        raise UploadError("the upload is not a readable image; send a PNG or JPEG file") from None
    if width * height > MAX_PIXELS:
        raise UploadError(f"the image is {width}x{height}; the most is {MAX_PIXELS} pixels (1024x1024): make "
                          "it smaller first", status=413)
    problem = image_problem(path)
    if problem is not None:
        raise UploadError(f"the upload is not a readable image ({problem}); send a PNG or JPEG file")
    return path


def bicubic_png(path, scale, folder):
    """The image at `path` enlarged `scale` times by bicubic interpolation
    (the baseline super-resolution is measured against), as PNG bytes."""
    from ganzoo import images as images_lib
    from ganzoo.metrics.super_resolution import bicubic_upscale

    if not 1 <= scale <= MAX_SCALE:
        raise UploadError(f"scale={scale}: pass a whole number from 1 to {MAX_SCALE}")
    out = os.path.join(folder, "bicubic.png")
    images_lib.save_image(bicubic_upscale(images_lib.load_image(path), scale), out)
    with open(out, "rb") as f:
        return f.read()
