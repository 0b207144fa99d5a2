"""What a data source is: the bottom of `ganzoo.data`, importing none of it.

Every source module returns a `tf.data.Dataset` of dicts `{"image": uint8 HxWxC,
"label": int32}` ("label" only when labelled) together with a `SourceInfo`.
No TensorFlow here, so that `inspect()` of embedded data and folders stays
cheap.
"""

import dataclasses
import os
import re
import sys
import warnings

from ganzoo.errors import GanzooError, setting


#: Key the pipeline adds to each example of a task that draws at random
#: (`Task.random_elements`) in a repeated stream: an int64 pair `(round key,
#: position in the round)`, the seed of that example's stateless draws. The
#: draws then depend on the run's seed and the example's place alone, not on
#: how many threads mapped before it, so a run and its resumption read the
#: same crops.
DRAW_SEED = "draw_seed"


@dataclasses.dataclass(frozen=True)
class SourceInfo:
    """Facts about a data source, known before any image is decoded.

    Attributes:
        name: The dataset name (embedded or TFDS) or the folder path.
        kind: `"embedded"`, `"tfds"` or `"folder"`.
        num_examples: Examples in the requested split, or `None` if unknown
            (a TFDS dataset that is not prepared yet).
        image_shape: The native or preferred `(H, W, C)`; `load()` resizes to
            it unless told otherwise. A TFDS dataset of variable-size images
            has `None` for H and W.
        num_classes: Number of classes, or `None` when unlabelled.
        class_names: Class names indexed by label, or `None` when unlabelled.
        sizes: `{(H, W): count}` of the readable images of a folder opened by
            `load()` (for the warning about centre crops), else `None`.
    """

    name: str
    kind: str
    num_examples: "int | None"
    image_shape: tuple
    num_classes: "int | None" = None
    class_names: "tuple | None" = None
    sizes: "dict | None" = dataclasses.field(default=None, repr=False, compare=False)

    @property
    def labelled(self):
        return self.num_classes is not None


#: The messages `warn` has shown in this process: a source is described and
#: opened again for every epoch (and by `inspect` before `load`), and one bad
#: file or line should cost one warning, not one per opening.
_WARNED = set()


def warn(message):
    """Warns with the location of the first caller outside `ganzoo.data` and
    `ganzoo.tasks` (whose task objects open sources); each message once per
    process (`forget_warnings` starts over)."""
    if message in _WARNED:
        return
    _WARNED.add(message)
    # The internal call depth differs between load() and inspect(), so a fixed
    # stacklevel would blame ganzoo's own code.
    package_dir = os.path.dirname(os.path.abspath(__file__))
    internal = {package_dir, os.path.join(os.path.dirname(package_dir), "tasks")}
    level, frame = 2, sys._getframe(1)
    while frame is not None and os.path.dirname(os.path.abspath(frame.f_code.co_filename)) in internal:
        level, frame = level + 1, frame.f_back
    warnings.warn(message, UserWarning, stacklevel=level)


def warn_crops(info, image_shape):
    """One warning for a source whose images (`info.sizes`) have another
    aspect ratio than `image_shape`: `decode.prepare_image` centre-crops
    them to it before resizing, and a user should not find out from the
    samples (a red|green|blue strip trained as all green)."""
    if not info.sizes:
        return
    height, width = image_shape[:2]
    cropped = {}
    for (h, w), count in info.sizes.items():
        # As decode.prepare_image computes the crop.
        crop = (min(h, round(w * height / width)), min(w, round(h * width / height)))
        if crop != (h, w):
            cropped[(h, w)] = (crop, count)
    if not cropped:
        return
    (h, w), (crop, _) = max(cropped.items(), key=lambda item: item[1][1])
    total = sum(info.sizes.values())
    odd = sum(count for _, count in cropped.values())
    warn(f"{info.kind} '{info.name}': {odd} of its {total} images have another aspect ratio than the "
         f"{width}x{height} they are resized to (e.g. {w}x{h}); each is centre-cropped to that ratio first, so a "
         f"{w}x{h} image trains as its middle {crop[1]}x{crop[0]} only; crop or pad them yourself to keep more")


def warn_sizes(info):
    """One warning for a folder whose images (`info.sizes`, a sample of them
    after `inspect`) have several sizes: the data's size is the most common
    one, which a model may then refuse, naming a size the user never chose."""
    if not info.sizes or len(info.sizes) < 2 or info.image_shape is None:
        return
    counts = sorted(info.sizes.items(), key=lambda item: -item[1])
    seen = ", ".join(f"{w}x{h} ({n})" for (h, w), n in counts[:4])
    more = f" and {len(counts) - 4} more" if len(counts) > 4 else ""
    height, width = info.image_shape[:2]
    warn(f"{info.kind} '{info.name}' holds images of several sizes: {seen}{more} among the first "
         f"{sum(info.sizes.values())}; the data's size is the most common, {width}x{height}, and every image is "
         f"centre-cropped and resized to the size used; choose it with "
         f"{setting('image_shape', '(H, W, C)', flag='--image-size N')}")


def forget_warnings():
    """Lets `warn` show again the messages it has shown (tests start each one afresh)."""
    _WARNED.clear()


def image_problem(path):
    """None if the image file at `path` decodes to its last pixel, else the
    reason, in one line.

    PIL's `verify()` alone reads headers and checksums, so a truncated JPEG
    passes it and TensorFlow later decodes it as a half-grey image; a full
    `load()` finds the missing bytes. JPEGs decode in draft mode (libjpeg's
    1/8 scale), which still reads every byte but costs about a third: roughly
    0.1 ms for a 28 px PNG and 9 ms for a 1-megapixel JPEG on one core.
    """
    from PIL import Image, ImageFile

    # A user's (or library's) LOAD_TRUNCATED_IMAGES = True would make load()
    # pad the missing part with grey instead of raising: the very bug.
    saved, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        with Image.open(path) as image:
            image.verify()
        with Image.open(path) as image:
            if image.format == "JPEG":
                image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()
    except Exception as error:  # noqa: BLE001 - PIL raises many types for bad files
        text = str(error).strip().splitlines()
        return text[0] if text else type(error).__name__
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = saved
    return None


def looks_like_path(source):
    """Whether a string is unambiguously meant as a folder path."""
    # TFDS names may contain "/" ("cycle_gan/horse2zebra"), so only these
    # prefixes mark a string as unambiguously meant to be a folder.
    return source.startswith((".", "~", os.sep)) or (os.altsep and source.startswith(os.altsep))


_SPLIT_RE = re.compile(r"^train(?:\[\s*(-?\d+%?)?\s*:\s*(-?\d+%?)?\s*\])?$")


def split_range(split, num_examples, name):
    """Resolves a `"train"` or `"train[a:b]"` split of a one-split source.

    Embedded sets and folders have a single split, `"train"`; slices follow
    TFDS syntax (`"train[:10%]"`, `"train[100:]"`) so the same `split` strings
    work for every kind of source.

    Returns:
        A `(start, stop)` pair of indices into the source's examples.
    """
    match = _SPLIT_RE.match(split.strip()) if isinstance(split, str) else None
    if match is None:
        raise GanzooError(
            f"{name} has only a 'train' split, got split {split!r}; "
            f"use 'train' or a slice such as 'train[:10%]'"
        )

    def bound(text, default):
        if text is None:
            return default
        if text.endswith("%"):
            value = round(int(text[:-1]) * num_examples / 100)
        else:
            value = int(text)
        if value < 0:
            value += num_examples
        return min(max(value, 0), num_examples)

    start = bound(match.group(1), 0)
    stop = bound(match.group(2), num_examples)
    return start, max(start, stop)


_NAMED_SPLIT_RE = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*(\[.*\])?\s*$")


def parse_split(split):
    """`"train[:10%]"` -> `("train", "train[:10%]")`: the split's name and a
    slice spec that `split_range` reads."""
    match = _NAMED_SPLIT_RE.match(split) if isinstance(split, str) else None
    if match is None:
        raise GanzooError(f"split must be a name such as 'train' or 'test', optionally sliced "
                          f"as in 'train[:10%]'; got {split!r}")
    return match.group(1), "train" + (match.group(2) or "")


def slice_split(items, split, where):
    """The part of `items` that the slice of `split` selects (`"test[:10]"`:
    the first ten); `where` names the source in errors."""
    base, spec = parse_split(split)
    start, stop = split_range(spec, len(items), where)
    return items[start:stop]


#: The class names that make an embedded set two-domain (task "unpaired"):
#: label 0 is domain A, label 1 domain B.
DOMAINS = ("A", "B")
