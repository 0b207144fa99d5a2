"""Reading the attributes of the embedded `shapes` set back from images.

A rule-based checker, no training: it finds the shape (pixels brighter than
a threshold, largest 4-connected component), then reads

- colour: the mean colour of the shape's brighter half, scaled to a maximum
  of 1, nearest to one of `shapes.COLOUR_RGB` (scaled the same way);
- position: the centroid, nearest of `shapes.POSITION_CENTRES`;
- size: the bounding box's longer side, small below 12 px (small shapes span
  about 8-10 px, large ones 13-16 px);
- kind: the fill ratio, area / bounding-box area: a triangle fills about
  half its box, a circle about 0.75, a square 0.9-1 (soft edges included).

Images of other sizes are resized to 32x32 first. An image with no shape
(nothing bright enough) matches no attribute. `checker_accuracy()` reports
how often the checker reads the true attributes of real images.
"""

from __future__ import annotations

import collections

import numpy as np

from ganzoo.data import shapes

THRESHOLD = 0.25
SIZE_SPLIT = 12.0
KIND_SPLITS = (0.61, 0.835)   # fill ratio: triangle < 0.61 <= circle < 0.835 <= square


def _resize(images):
    images = np.asarray(images, np.float32)
    if images.ndim == 3:
        images = images[None]
    if images.shape[-1] == 1:
        images = np.repeat(images, 3, axis=-1)
    if images.shape[1:3] != (shapes.SIZE, shapes.SIZE):
        from PIL import Image

        images = np.stack([
            np.asarray(Image.fromarray((np.clip(im, 0, 1) * 255).astype(np.uint8)).resize(
                (shapes.SIZE, shapes.SIZE), Image.BILINEAR), np.float32) / 255.0
            for im in images])
    return images


def _largest_component(mask):
    height, width = mask.shape
    seen = np.zeros_like(mask)
    best = []
    for start in zip(*np.nonzero(mask)):
        if seen[start]:
            continue
        seen[start] = True
        queue, component = collections.deque([start]), []
        while queue:
            y, x = queue.popleft()
            component.append((y, x))
            for ny, nx in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)):
                if 0 <= ny < height and 0 <= nx < width and mask[ny, nx] and not seen[ny, nx]:
                    seen[ny, nx] = True
                    queue.append((ny, nx))
        if len(component) > len(best):
            best = component
    return best


def read_attributes(images):
    """The attributes of each image as an int array (n, 4): indices into
    `shapes.COLOURS`, `KINDS`, `POSITIONS`, `SIZES`, in `shapes.ATTRIBUTES`
    order; -1 everywhere for an image with no shape.

    Args:
        images: float NHWC (or HWC) in [0, 1], RGB or grey.
    """
    images = _resize(images)
    prototypes = shapes.COLOUR_RGB / shapes.COLOUR_RGB.max(axis=1, keepdims=True)
    result = np.full((len(images), 4), -1, np.int32)
    for i, image in enumerate(images):
        brightness = image.max(axis=-1)
        component = _largest_component(brightness > THRESHOLD)
        if len(component) < 4:
            continue
        ys, xs = (np.array(v) for v in zip(*component))
        values = brightness[ys, xs]
        core = values >= np.median(values)
        colour = image[ys[core], xs[core]].mean(axis=0)
        colour = colour / max(colour.max(), 1e-6)
        result[i, 0] = int(np.argmin(((prototypes - colour) ** 2).sum(axis=1)))
        # Soft edges: count each pixel by its brightness relative to the core.
        area = float(np.clip(values / np.median(values[core]), 0, 1).sum())
        height, width = ys.max() - ys.min() + 1, xs.max() - xs.min() + 1
        fill = area / (height * width)
        result[i, 1] = 0 if KIND_SPLITS[0] <= fill < KIND_SPLITS[1] else (2 if fill < KIND_SPLITS[0] else 1)
        centroid = np.array([(xs * values).sum(), (ys * values).sum()]) / values.sum() + 0.5
        result[i, 2] = int(np.argmin(((shapes.POSITION_CENTRES - centroid) ** 2).sum(axis=1)))
        result[i, 3] = int(max(height, width) >= SIZE_SPLIT)
    return result


def attribute_match(images, wanted):
    """How often each attribute of `images` is the wanted one.

    Args:
        images: float NHWC in [0, 1].
        wanted: int array (n, 4) of attribute indices (-1: not asked for,
            left out of that attribute's share), or a list of n captions
            (parsed with `shapes.parse_caption`).

    Returns:
        A dict from attribute name ("colour", "kind", "position", "size") to
        the share of images that show the wanted value, plus "all" (every
        asked attribute right) and "empty" (share of images with no shape).
    """
    if len(wanted) and isinstance(wanted[0], str):
        wanted = captions_to_attributes(wanted)
    wanted = np.asarray(wanted, np.int32)
    got = read_attributes(images)
    report = {}
    for j, name in enumerate(shapes.ATTRIBUTES):
        asked = wanted[:, j] >= 0
        if asked.any():
            report[name] = float((got[asked, j] == wanted[asked, j]).mean())
    report["all"] = float(np.all((got == wanted) | (wanted < 0), axis=1).mean())
    report["empty"] = float((got[:, 0] < 0).mean())
    return report


def captions_to_attributes(captions):
    """Int array (n, 4) of the attributes each caption names (-1 where it names none)."""
    rows = []
    for caption in captions:
        found = shapes.parse_caption(caption)
        rows.append([found.get(name, -1) for name in shapes.ATTRIBUTES])
    return np.array(rows, np.int32)


def checker_accuracy(split="train"):
    """The checker's own accuracy on the real images of a split: a dict per attribute."""
    arrays = shapes.split_arrays(split)
    return attribute_match(arrays["image"].astype(np.float32) / 255.0, arrays["attributes"])
