"""The embedded captioned set `shapes`: coloured shapes described in words.

Every image is 32x32 RGB: one shape on a black background, described by four
attributes, each drawn from a small set:

- colour: red, green, blue, yellow, purple, white;
- kind: circle, square, triangle;
- position: top left, top right, bottom left, bottom right, center;
- size: small, large.

Each image has three captions written from varied templates and synonyms
("a small red circle at the top left", "there is a tiny red disk in the upper
left", "in the top left corner, a little red circle", ...).

Six (colour, kind) pairs never occur in split "train": they form split
"test", so that a grid of test captions ("a large red triangle in the
center") shows combinations of known words the model never saw together.

`scripts/make_shapes.py` draws the set (deterministic: numpy + PIL) into
`ganzoo/data/embedded/shapes.npz`; `ganzoo.metrics.captions` reads the
attributes back from images.
"""

from __future__ import annotations

import functools

import numpy as np

COLOURS = ("red", "green", "blue", "yellow", "purple", "white")
#: RGB of each colour, 0..255 (the drawing jitters each channel by up to +-12).
COLOUR_RGB = np.array([(225, 45, 45), (50, 190, 60), (60, 90, 235), (235, 215, 50), (160, 70, 210),
                       (235, 235, 235)], np.float32)
KINDS = ("circle", "square", "triangle")
POSITIONS = ("top left", "top right", "bottom left", "bottom right", "center")
#: Centre (x, y) of each position in a 32x32 image (the drawing jitters it by up to +-1.5 px).
POSITION_CENTRES = np.array([(9.5, 9.5), (22.5, 9.5), (9.5, 22.5), (22.5, 22.5), (16.0, 16.0)], np.float32)
SIZES = ("small", "large")
#: Half the side of the shape's bounding box, px (jittered by up to +-0.5).
SIZE_RADII = (4.5, 7.5)
ATTRIBUTES = ("colour", "kind", "position", "size")
VALUES = {"colour": COLOURS, "kind": KINDS, "position": POSITIONS, "size": SIZES}
SIZE = 32

#: (colour, kind) pairs only in split "test": each colour misses one kind, each kind two colours.
HELD_OUT = (("red", "triangle"), ("green", "circle"), ("blue", "square"), ("yellow", "triangle"),
            ("purple", "circle"), ("white", "square"))

_SIZE_WORDS = {"small": ("small", "little", "tiny"), "large": ("large", "big")}
_KIND_WORDS = {"circle": ("circle", "disk"), "square": ("square", "box"), "triangle": ("triangle",)}
_POSITION_PHRASES = {
    "top left": ("at the top left", "in the top left corner", "in the upper left"),
    "top right": ("at the top right", "in the top right corner", "in the upper right"),
    "bottom left": ("at the bottom left", "in the bottom left corner", "in the lower left"),
    "bottom right": ("at the bottom right", "in the bottom right corner", "in the lower right"),
    "center": ("in the center", "in the middle"),
}
_POSITION_WORDS = {"top left": ("top left", "upper left"), "top right": ("top right", "upper right"),
                   "bottom left": ("bottom left", "lower left"), "bottom right": ("bottom right", "lower right"),
                   "center": ("center", "middle")}
_TEMPLATES = (
    "a {size} {colour} {kind} {position}",
    "there is a {size} {colour} {kind} {position}",
    "{position}, a {size} {colour} {kind}",
    "{size} {colour} {kind} {position}",
    "a {colour} {kind}, {size}, {position}",
)


def canonical_caption(colour, kind, position, size):
    """The plain caption of an attribute combination: "a small red circle at the top left"."""
    return f"a {size} {colour} {kind} {_POSITION_PHRASES[position][0]}"


def random_caption(rng, colour, kind, position, size):
    """One caption of the combination, with a random template and random synonyms."""
    def pick(options):
        return options[int(rng.integers(len(options)))]

    return pick(_TEMPLATES).format(size=pick(_SIZE_WORDS[size]), colour=colour, kind=pick(_KIND_WORDS[kind]),
                                   position=pick(_POSITION_PHRASES[position]))


def parse_caption(text):
    """The attributes a caption names, as a dict of value indices (missing ones are absent).

    Understands every synonym the set uses, so captions written by hand in the
    same vocabulary ("a big blue box in the lower right") can be checked too.
    """
    text = " " + " ".join(str(text).lower().replace(",", " ").split()) + " "
    found = {}
    for i, colour in enumerate(COLOURS):
        if f" {colour} " in text:
            found["colour"] = i
    for i, kind in enumerate(KINDS):
        if any(f" {word} " in text for word in _KIND_WORDS[kind]):
            found["kind"] = i
    for i, size in enumerate(SIZES):
        if any(f" {word} " in text for word in _SIZE_WORDS[size]):
            found["size"] = i
    for i, position in enumerate(POSITIONS):
        if any(f" {words} " in text for words in _POSITION_WORDS[position]):
            found["position"] = i
    return found


@functools.lru_cache(maxsize=None)
def load_arrays():
    """The stored set: a dict with "image" uint8 (N, 32, 32, 3), "text" str (N, 3),
    "attributes" int (N, 4) (indices into COLOURS, KINDS, POSITIONS, SIZES) and
    "held_out" bool (N,) (True for split "test")."""
    from ganzoo.data.package_files import read_npz

    raw = read_npz("shapes.npz")
    return {"image": raw["images"], "text": raw["texts"], "attributes": raw["attributes"].astype(np.int32),
            "held_out": raw["held_out"].astype(bool)}


def split_arrays(split):
    """The arrays of split "train" (seen pairs) or "test" (held-out pairs)."""
    arrays = load_arrays()
    keep = arrays["held_out"] if split == "test" else ~arrays["held_out"]
    return {key: value[keep] for key, value in arrays.items()}


def held_out_captions():
    """One canonical caption per held-out pair (large, in the center): for unseen-caption grids."""
    return [canonical_caption(colour, kind, "center", "large") for colour, kind in HELD_OUT]


def load_embedded(split="train"):
    """`(arrays, SourceInfo)` of a split: "image" uint8 (N, 32, 32, 3) and
    "text" str (N, 3), for the catalogue in `embedded.py`."""
    from ganzoo.data.common import SourceInfo

    arrays = split_arrays(split)
    info = SourceInfo(name="shapes", kind="embedded", num_examples=len(arrays["image"]),
                      image_shape=(SIZE, SIZE, 3))
    return {"image": arrays["image"], "text": arrays["text"]}, info
