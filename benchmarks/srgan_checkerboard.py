"""Y-PSNR against bicubic and the sub-pixel grid pattern of trained SRGAN
models, on photos that were never trained on.

    python benchmarks/srgan_checkerboard.py RUN_OR_KERAS [MORE ...] [--picture grids.png] [--trained]

A model trained with `ema` upscales with its moving average of the
generator; `--trained` measures the trained generator of the same run instead.

Held-out photos: the two held-back photos of the embedded set (chelsea,
coffee) and, when scikit-image is installed, three of its sample photos that
the embedded training set does not contain (motorcycle_left, coins, moon; the
training photos are the other scikit-image samples listed in
`ganzoo/data/embedded/photos/CREDITS.txt`). Each is a 256x256 centre crop;
the LR input is its 8-bit antialiased bicubic downscaling; PSNR is on Y with
a 4-pixel border, outputs rounded to 8 bits (`ganzoo.metrics.super_resolution`).

The grid pattern: a x4 generator made of two x2 sub-pixel convolutions can
draw a pattern of period 4 that neither the input nor bicubic has. Its
measure is the part of `D = Y(SR) - Y(bicubic)` that repeats with period 4:
the means of D over each of the 16 positions (y mod 4, x mod 4), taken over
the flat pixels (local 7x7 standard deviation of the bicubic image's Y under
2 levels), minus their mean. `grid` is their RMS in Y levels (0-255): the
amplitude of the repeating pattern, which is also the energy of D at the
frequencies k/4 (the 16-point DFT of those means). The same measure of
`HR - bicubic` is the level real photos have (`grid_hr`).
"""

from __future__ import annotations

import argparse
import os

import numpy as np

PERIOD = 4
FLAT_STD = 2.0


def held_out_photos(size=256):
    """`[(name, HWC float32 in [0, 1])]`: 256x256 centre crops of photos never trained on."""
    from ganzoo.data.photos import held_back, names

    photos = list(zip(names("test"), held_back()))
    try:
        import skimage.data
    except ImportError:
        print("scikit-image is not installed: only the two held-back photos")
    else:
        from PIL import Image

        folder = os.path.dirname(skimage.data.__file__)
        for name in ("motorcycle_left", "coins", "moon"):
            image = np.asarray(Image.open(os.path.join(folder, name + ".png")), np.float32) / 255.0
            photos.append((name, np.repeat(image[..., None], 3, -1) if image.ndim == 2 else image))
    crops = []
    for name, photo in photos:
        top = (photo.shape[0] - size) // 2 // PERIOD * PERIOD
        left = (photo.shape[1] - size) // 2 // PERIOD * PERIOD
        crops.append((name, np.ascontiguousarray(photo[top:top + size, left:left + size, :3])))
    return crops


def _box_std(y, size=7):
    pad = size // 2
    padded = np.pad(y, pad, mode="reflect")
    sums = np.cumsum(np.cumsum(np.pad(padded, ((1, 0), (1, 0))), 0), 1)
    sq = np.cumsum(np.cumsum(np.pad(padded ** 2, ((1, 0), (1, 0))), 0), 1)

    def window(s):
        return s[size:, size:] - s[:-size, size:] - s[size:, :-size] + s[:-size, :-size]

    n = size * size
    return np.sqrt(np.maximum(window(sq) / n - (window(sums) / n) ** 2, 0.0))


def _flattest_window(flat, size=64):
    """Top-left corner (multiples of 4) of the `size` window holding the most flat pixels."""
    best, corner = -1, (0, 0)
    for top in range(0, flat.shape[0] - size + 1, PERIOD * 4):
        for left in range(0, flat.shape[1] - size + 1, PERIOD * 4):
            count = flat[top:top + size, left:left + size].sum()
            if count > best:
                best, corner = count, (top, left)
    return corner


def grid_amplitude(difference, mask):
    """RMS (Y levels) of the period-4 means of `difference` over `mask`, less their mean."""
    means = np.zeros((PERIOD, PERIOD))
    for a in range(PERIOD):
        for b in range(PERIOD):
            sub = difference[a::PERIOD, b::PERIOD][mask[a::PERIOD, b::PERIOD]]
            means[a, b] = sub.mean() if sub.size else 0.0
    return float(np.sqrt(np.mean(np.square(means - means.mean())))), means - means.mean()


def measure(model, photos, border=4):
    """Per photo: PSNR of the model and of bicubic (Y, border 4), grid amplitudes."""
    from ganzoo.metrics.super_resolution import bicubic_upscale, make_low_res, psnr_y, quantize, rgb_to_y

    rows = []
    for name, hr in photos:
        lr = make_low_res(hr)
        sr = quantize(model.generate(images=lr[None])[0])
        bicubic = quantize(bicubic_upscale(lr))
        y_sr, y_bic, y_hr = (rgb_to_y(x)[border:-border, border:-border] for x in (sr, bicubic, hr))
        flat = _box_std(y_bic) < FLAT_STD
        rows.append({
            "name": name, "psnr": psnr_y(sr, hr, border), "bicubic": psnr_y(bicubic, hr, border),
            "flat": float(flat.mean()),
            "grid": grid_amplitude(y_sr - y_bic, flat)[0] if flat.any() else float("nan"),
            "grid_all": grid_amplitude(y_sr - y_bic, np.ones_like(flat))[0],
            "grid_hr": grid_amplitude(y_hr - y_bic, flat)[0] if flat.any() else float("nan"),
            "images": (bicubic, sr, hr), "flat_mask": flat,
        })
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="run directories or .keras files")
    parser.add_argument("--picture", help="write bicubic | SR | HR | 0.5 + 8 (SR - bicubic) for the last model")
    parser.add_argument("--trained", action="store_true",
                        help="models with `ema`: measure the trained generator, not its moving average")
    args = parser.parse_args()

    from ganzoo import images
    from ganzoo.runs import load_run_model

    photos = held_out_photos()
    print(f"held-out photos (256x256 centre crops): {', '.join(name for name, _ in photos)}")
    rows = []
    for path in args.models:
        model = load_run_model(path)
        average = model.averaged(model.generator)
        if args.trained and average is not model.generator:
            average.set_weights(model.generator.get_weights())   # upscale with the trained generator
            path = f"{path} (trained generator)"
        elif average is not model.generator:
            path = f"{path} (ema {getattr(model, 'ema', '?')})"
        rows = measure(model, photos)
        deltas = [r["psnr"] - r["bicubic"] for r in rows]
        print(f"{path}: step {int(model.step)}: mean dPSNR {np.mean(deltas):+.3f} dB over bicubic; "
              f"grid (flat) mean {np.nanmean([r['grid'] for r in rows]):.3f}, "
              f"grid (all) mean {np.mean([r['grid_all'] for r in rows]):.3f} Y levels")
        for r, delta in zip(rows, deltas):
            print(f"  {r['name']:16s} PSNR {r['psnr']:6.2f} bicubic {r['bicubic']:6.2f} d {delta:+.2f} dB | "
                  f"grid flat {r['grid']:.3f} all {r['grid_all']:.3f} (HR {r['grid_hr']:.3f}; "
                  f"{100 * r['flat']:.0f}% flat)")
    if args.picture:
        tiles = []
        for r in rows:
            bicubic, sr, hr = r["images"]
            tiles += [bicubic, sr, hr, np.clip(0.5 + 8.0 * (sr - bicubic), 0.0, 1.0)]
        images.save_image(images.grid(np.stack(tiles), rows=len(rows), padding=4, pad_value=1.0), args.picture,
                          scale=2)
        # The same columns on the flattest 64x64 window of each photo, x4: the grid is visible there.
        zoomed = []
        for r in rows:
            top, left = _flattest_window(r["flat_mask"])
            for tile in tiles[len(zoomed):len(zoomed) + 4]:
                zoomed.append(tile[4 + top:4 + top + 64, 4 + left:4 + left + 64])
        zoom_path = os.path.splitext(args.picture)[0] + "_zoom.png"
        images.save_image(images.grid(np.stack(zoomed), rows=len(rows), padding=2, pad_value=1.0), zoom_path,
                          scale=4)
        print(f"wrote {zoom_path}: the flattest 64x64 window of each photo, x4")
        print(f"wrote {args.picture}: rows {', '.join(r['name'] for r in rows)}; "
              "columns bicubic | SR | HR | 0.5 + 8 x (SR - bicubic)")


if __name__ == "__main__":
    main()
