"""Writes ganzoo's embedded `photos` set from the photographs in scikit-image.

The super-resolution plugin needs real photographs to train on offline. The
scikit-image wheel ships a few whose licences allow redistribution (public
domain or CC0); this script copies them into `ganzoo/data/embedded/photos/`:

    train/   photos the embedded `photos` dataset cuts its training tiles from
    test/    held-back photos, never trained on, for evaluation and tests
    CREDITS.txt

Run it once with scikit-image installed (it is not a ganzoo dependency):

    pip install scikit-image && python scripts/make_photos.py

Colour PNG originals are stored as high-quality JPEG (quality 95, 4:4:4) to
keep the package small; JPEG originals are copied byte for byte; the held-back
photos stay lossless PNG because they are the ground truth of evaluations.
"""

from __future__ import annotations

import os
import pathlib
import shutil

from PIL import Image

OUT = pathlib.Path(__file__).resolve().parent.parent / "ganzoo" / "data" / "embedded" / "photos"

# name -> (file in skimage/data, split, how to store it, credit line)
PHOTOS = {
    "astronaut": ("astronaut.png", "train", "jpeg",
                  "Eileen Collins, NASA astronaut; NASA Great Images database (https://flic.kr/p/r9qvLn). "
                  "Public domain (no known copyright restrictions)."),
    "rocket": ("rocket.jpg", "train", "copy",
               "Launch of DSCOVR on Falcon 9, SpaceX (https://www.flickr.com/photos/spacexphotos/16511594820). "
               "Released into the public domain by SpaceX."),
    "hubble_deep_field": ("hubble_deep_field.jpg", "train", "copy",
                          "Hubble eXtreme Deep Field, NASA (hubblesite.org, release 2012-37). Public domain (NASA)."),
    "immunohistochemistry": ("ihc.png", "train", "jpeg",
                             "Immunohistochemical staining of colonic glands, Center for Microscopy And Molecular "
                             "Imaging (CMMI). No known copyright restrictions."),
    "retina": ("retina.jpg", "train", "half",
               "Fundus photograph of a normal left eye, Mikael Häggström (Wikimedia Commons). CC0 1.0. "
               "Stored at half size."),
    "camera": ("camera.png", "train", "png",
               "Camera man (grey), Lav Varshney. CC0."),
    "brick": ("brick.png", "train", "png",
              "Brick wall texture (grey), CC0Textures Bricks25, perspective-corrected by scikit-image. CC0."),
    "gravel": ("gravel.png", "train", "png",
               "Gravel texture (grey), CC0Textures Gravel04, cropped by scikit-image. CC0."),
    "chelsea": ("chelsea.png", "test", "png",
                "Chelsea the cat, Stefan van der Walt. CC0."),
    "coffee": ("coffee.png", "test", "png",
               "Coffee cup, Rachel Michetti, courtesy of Pikolo Espresso Bar. CC0."),
}


def main():
    import skimage

    source = pathlib.Path(skimage.__file__).parent / "data"
    if OUT.exists():
        shutil.rmtree(OUT)
    credits = [
        "ganzoo embedded `photos` dataset: real photographs with free licences, taken from the",
        f"scikit-image {skimage.__version__} data directory (skimage/data) by scripts/make_photos.py.",
        "train/ photos are cut into training tiles; test/ photos are held back for evaluation.",
        "",
    ]
    for name, (filename, split, how, credit) in PHOTOS.items():
        folder = OUT / split
        folder.mkdir(parents=True, exist_ok=True)
        src = source / filename
        if how == "copy":
            target = folder / f"{name}.jpg"
            shutil.copyfile(src, target)
        else:
            with Image.open(src) as image:
                # Grey originals stay grey (smaller files); the loader converts to RGB.
                image = image.convert("L" if image.mode in ("L", "I;16") else "RGB")
                if how == "half":
                    image = image.resize((image.width // 2, image.height // 2), Image.LANCZOS)
                if how in ("jpeg", "half"):
                    target = folder / f"{name}.jpg"
                    image.save(target, quality=95, subsampling=0)
                else:
                    target = folder / f"{name}.png"
                    image.save(target, optimize=True)
        with Image.open(target) as check:
            size = f"{check.width}x{check.height}"
        credits.append(f"{split}/{target.name} ({size}): {credit}")
    (OUT / "CREDITS.txt").write_text("\n".join(credits) + "\n", encoding="utf-8")
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {OUT} ({total / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
