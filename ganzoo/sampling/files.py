"""What `ganzoo sample` writes: a grid PNG, or a folder of numbered PNGs
streamed a batch at a time, and the lines it prints about them.

Where the output goes (unconditional and conditional models):

- `--out FILE.png` (the default `samples.png`): one grid of all the images,
  for at most `GRID_LIMIT` images; more would not be a picture anyone can
  read, and the grid would hold every image in memory at once, so more is
  an error that says to pass a folder;
- `--out FOLDER` (an existing folder, or a name without an image suffix):
  one numbered PNG per image (`000000.png`, ...; `7_000000.png` for label
  7), generated and written `STREAM_BATCH` images at a time, so memory does
  not grow with `--n`.

One rule for every file `ganzoo sample` writes (a grid, numbered images, the
outputs of an `--input` folder, a plugin's own figures): an existing file is
never overwritten unless `--force` is given (`force=True` of
`ganzoo.sampling.sample`); the error names the file. The check runs before
anything is generated.
"""

from __future__ import annotations

import contextlib
import contextvars
import os

from ganzoo import images as images_lib
from ganzoo.errors import GanzooError, article, setting
from ganzoo.images import IMAGE_SUFFIXES

#: The most images `ganzoo sample` tiles into one grid PNG.
GRID_LIMIT = 1024

#: Images generated (and held in memory) at a time when writing a folder.
STREAM_BATCH = 256

#: `summary` lists each path up to this many files.
SUMMARY_PATHS = 8


_OVERWRITE = contextvars.ContextVar("ganzoo_sample_overwrite", default=False)


@contextlib.contextmanager
def overwriting(allowed):
    """Inside it, `check_new` lets existing files be replaced when `allowed`
    (`ganzoo sample --force`); `ganzoo.sampling.sample(force=...)` sets it."""
    token = _OVERWRITE.set(bool(allowed))
    try:
        yield
    finally:
        _OVERWRITE.reset(token)


def check_new(paths):
    """`GanzooError` naming the first of `paths` that already exists, unless
    overwriting is allowed (`overwriting(True)`, i.e. `--force`)."""
    if _OVERWRITE.get():
        return
    for path in paths:
        path = os.fspath(path)
        if os.path.exists(path) and not os.path.isdir(path):
            raise GanzooError(f"{path} already exists; pass {setting('force', 'True', flag='--force')} to overwrite "
                              f"it, or another {setting('out', flag='--out', python='out path')}")


def is_picture_path(out):
    """Whether `out` names one image file (a grid), not a folder."""
    out = os.fspath(out)
    return not (os.path.isdir(out) or out.endswith(("/", os.sep))) and out.lower().endswith(IMAGE_SUFFIXES)


class Written(list):
    """The paths a sampler wrote, and how many inputs it skipped
    (unreadable `--input` files), for the summary `ganzoo sample` prints."""

    skipped = 0


def summary(paths, out):
    """The lines `ganzoo sample` prints for what a sampler returned: each
    path when there are a few, else one count; skipped inputs are counted."""
    skipped = getattr(paths, "skipped", 0) or 0
    paths = list(paths)
    lines = [f"wrote {p}" for p in paths] if len(paths) <= SUMMARY_PATHS else []
    if len(paths) > SUMMARY_PATHS or skipped:
        line = f"wrote {len(paths)} image file(s) to {out}"
        if skipped:
            line += f"; skipped {skipped} unreadable input file(s) (see the warnings above)"
        lines.append(line)
    return lines


def reject_options(task, options):
    """A one-line error for `ganzoo sample` flags that do not apply to `task`."""
    given = sorted(name for name, value in options.items() if value not in (None, (), False))
    if given:
        flags = ", ".join("--" + name.replace("_", "-") for name in given)
        raise GanzooError(f"{flags} do(es) not apply to {article(task)} model")


def save_picture(picture, out, width=700):
    """Writes one figure as a PNG scaled up by a whole factor to about
    `width` pixels (small images stay readable); returns `[path]`. An
    existing file is replaced only under `--force` (`check_new`)."""
    check_new([out])
    return [images_lib.save_image(picture, out, scale=max(1, width // max(picture.shape[:2])))]


def to_folder(out, total):
    """Whether `out` asks for one file per image; `GanzooError` for a grid
    of more than `GRID_LIMIT` images."""
    out = os.fspath(out)
    if not is_picture_path(out):
        return True
    if total > GRID_LIMIT:
        raise GanzooError(
            f"--out {out}: a grid holds at most {GRID_LIMIT} images, not {total}; pass --out FOLDER to write one "
            f"numbered PNG per image (streamed {STREAM_BATCH} at a time)"
        )
    return False


def write_numbered(batches, out, total, name=None):
    """Writes the images of `batches` (an iterable of NHWC arrays in [0, 1],
    `total` images in all) to the folder `out`, one PNG each, as they come.

    Args:
        batches: iterable of float arrays (n, H, W, C); only one is held at a time.
        out: the folder (created if needed).
        total: the number of images (for the file names' width).
        name: `name(i, digits)` -> file name of image i; `i` zero-padded by default.

    Returns:
        A `Written` list of the paths.

    Raises:
        GanzooError: `out` already holds one of the files, and overwriting
            is not allowed (`--force`).
    """
    out = os.fspath(out)
    if os.path.exists(out) and not os.path.isdir(out):
        raise GanzooError(f"--out {out} is a file; pass a folder (or a .png file for a grid)")
    digits = max(6, len(str(total - 1)))
    name = name or (lambda i, width: f"{i:0{width}d}.png")
    if os.path.isdir(out) and not _OVERWRITE.get():
        existing = set(os.listdir(out))
        clash = next((name(i, digits) for i in range(total) if name(i, digits) in existing), None)
        if clash is not None:
            raise GanzooError(f"{setting('out', out)} already holds {clash}; pass "
                              f"{setting('force', 'True', flag='--force')} to overwrite its files, or a new or empty "
                              "folder")
    os.makedirs(out, exist_ok=True)
    written, i = Written(), 0
    for batch in batches:
        for image in batch:
            written.append(images_lib.save_image(image, os.path.join(out, name(i, digits))))
            i += 1
    return written
