"""PSNR/SSIM against bicubic on the held-back photos, a side-by-side picture,
and a seam check of tiled generation, for trained SRGAN models.

    python benchmarks/srgan_measure.py RUN_OR_KERAS [MORE ...] --picture out.png

Each model is evaluated as the SR literature reports (Y channel, 4-pixel
border, 8-bit LR input from antialiased bicubic downscaling; see
`ganzoo.metrics.super_resolution`). The picture shows, for a crop of each
held-back photo, bicubic | the last model | the real HR image.
"""

from __future__ import annotations

import argparse

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="run directories or .keras files")
    parser.add_argument("--picture", default="srgan_side_by_side.png")
    parser.add_argument("--crop", type=int, default=192, help="HR crop size of the picture")
    args = parser.parse_args()

    from ganzoo import images
    from ganzoo.data.photos import held_back, names
    from ganzoo.metrics.super_resolution import (
        bicubic_upscale, evaluate_super_resolution, make_low_res, modcrop, psnr_y)
    from ganzoo.runs import load_run_model

    photos = [modcrop(p) for p in held_back()]
    model = None
    for path in args.models:
        model = load_run_model(path)
        scores = evaluate_super_resolution(model, photos)
        print(f"{path}: step {int(model.step)}: PSNR {scores['psnr']:.2f} dB (bicubic {scores['bicubic_psnr']:.2f}), "
              f"SSIM {scores['ssim']:.4f} (bicubic {scores['bicubic_ssim']:.4f}) on {scores['images']} held-back "
              f"photos ({', '.join(names('test'))})")

    # Seams: whole-image generation against small tiles (default overlap).
    low_res = make_low_res(photos[1])
    whole = model.generate(images=low_res, tile_size=1024)
    tiled = model.generate(images=low_res, tile_size=64)
    print(f"tiles of 64 LR px (overlap 24) vs whole image: max |difference| {np.abs(whole - tiled).max():.5f}, "
          f"PSNR between them {psnr_y(tiled[0], whole[0]):.1f} dB")

    rows = []
    c = args.crop
    for photo in photos:
        top, left = (photo.shape[0] - c) // 2 // 4 * 4, (photo.shape[1] - c) // 2 // 4 * 4
        hr = photo[top:top + c, left:left + c]
        lr = make_low_res(hr)
        rows += [bicubic_upscale(lr), model.generate(images=lr)[0], hr]
    picture = images.grid(np.stack(rows), rows=len(photos), padding=4, pad_value=1.0)
    images.save_image(picture, args.picture, scale=2)
    print(f"wrote {args.picture}: columns bicubic | SRGAN | HR, one row per held-back photo")


if __name__ == "__main__":
    main()
