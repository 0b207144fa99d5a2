"""Draw the embedded captioned set `ganzoo/data/embedded/shapes.npz` (see `ganzoo.data.shapes`).

Deterministic (numpy's PCG64 with a fixed seed, PIL drawing): running it again
writes the same arrays. Each attribute combination (colour, kind, position,
size) gets `--per-combination` images with jittered colour, centre and size,
drawn at 4x and reduced with a box filter (soft edges), and three captions
each. Combinations whose (colour, kind) pair is in `HELD_OUT` are marked
`held_out` (split "test") and get a fifth as many images.

Usage:
    python scripts/make_shapes.py [--out PATH] [--per-combination 40]
"""

import argparse
import itertools
import pathlib

import numpy as np
from PIL import Image, ImageDraw

from ganzoo.data import shapes

REPO = pathlib.Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "ganzoo" / "data" / "embedded" / "shapes.npz"
SEED = 2016
SUPERSAMPLE = 4
CAPTIONS_PER_IMAGE = 3


def draw(kind, colour_rgb, centre, radius, size=shapes.SIZE):
    """One uint8 (size, size, 3) image: the shape on black, soft edges."""
    big = size * SUPERSAMPLE
    canvas = Image.new("RGB", (big, big), (0, 0, 0))
    pen = ImageDraw.Draw(canvas)
    cx, cy, r = (v * SUPERSAMPLE for v in (*centre, radius))
    fill = tuple(int(round(c)) for c in colour_rgb)
    if kind == "circle":
        pen.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fill)
    elif kind == "square":
        side = 0.9 * r   # a square as wide as the circle looks bigger; keep areas closer
        pen.rectangle([cx - side, cy - side, cx + side, cy + side], fill=fill)
    elif kind == "triangle":
        pen.polygon([(cx, cy - r), (cx + r, cy + r), (cx - r, cy + r)], fill=fill)
    else:
        raise ValueError(kind)
    return np.asarray(canvas.resize((size, size), Image.BOX), np.uint8)


def make_arrays(per_combination=40, seed=SEED):
    rng = np.random.default_rng(seed)
    images, texts, attributes, held_out = [], [], [], []
    held = {(shapes.COLOURS.index(c), shapes.KINDS.index(k)) for c, k in shapes.HELD_OUT}
    for combination in itertools.product(*(range(len(shapes.VALUES[a])) for a in shapes.ATTRIBUTES)):
        colour, kind, position, size = combination
        names = [shapes.VALUES[a][i] for a, i in zip(shapes.ATTRIBUTES, combination)]
        is_held_out = (colour, kind) in held
        # Held-out pairs serve only to test: a fifth as many images is enough.
        for _ in range(per_combination // 5 if is_held_out else per_combination):
            rgb = np.clip(shapes.COLOUR_RGB[colour] + rng.uniform(-12, 12, 3), 0, 255)
            centre = shapes.POSITION_CENTRES[position] + rng.uniform(-1.5, 1.5, 2)
            radius = shapes.SIZE_RADII[size] + rng.uniform(-0.5, 0.5)
            images.append(draw(names[1], rgb, centre, radius))
            texts.append([shapes.random_caption(rng, *names) for _ in range(CAPTIONS_PER_IMAGE)])
            attributes.append(combination)
            held_out.append(is_held_out)
    order = rng.permutation(len(images))
    return {
        "images": np.stack(images)[order],
        "texts": np.array(texts, dtype=np.str_)[order],
        "attributes": np.array(attributes, np.uint8)[order],
        "held_out": np.array(held_out, bool)[order],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT)
    parser.add_argument("--per-combination", type=int, default=40)
    args = parser.parse_args(argv)
    arrays = make_arrays(args.per_combination)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **arrays)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB): images {arrays['images'].shape}, "
          f"{int((~arrays['held_out']).sum())} train, {int(arrays['held_out'].sum())} test (held-out pairs)")


if __name__ == "__main__":
    main()
