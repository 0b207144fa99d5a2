"""Regenerate `ganzoo/data/embedded/digits.npz` from scikit-learn's copy of the UCI digits.

The embedded set is exactly `sklearn.datasets.load_digits()` (1,797 8x8 images, labels 0-9,
pixel values 0..16, high = ink), rescaled to uint8 0..255 with round(x * 255 / 16) so ink stays
bright on a dark background, as in MNIST. scikit-learn ships the data in its wheel, so this
needs no network.

Usage:
    python scripts/make_digits.py [--out PATH]
"""

import argparse
import pathlib

import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "ganzoo" / "data" / "embedded" / "digits.npz"


def make_arrays():
    """Returns `(images, labels)`: uint8 (1797, 8, 8, 1) in 0..255 and uint8 (1797,)."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    raw = np.asarray(digits.images, dtype=np.float64)
    if raw.min() < 0 or raw.max() > 16:
        raise SystemExit(f"unexpected pixel range {raw.min()}..{raw.max()} in sklearn digits")
    images = np.round(raw * 255.0 / 16.0).astype(np.uint8)[..., None]
    labels = np.asarray(digits.target, dtype=np.uint8)
    return images, labels


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    images, labels = make_arrays()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, images=images, labels=labels)
    print(f"wrote {args.out}: images {images.shape} {images.dtype}, labels {labels.shape}, "
          f"classes {np.bincount(labels).tolist()}")


if __name__ == "__main__":
    main()
