"""stylegan as a user runs it: `ganzoo fit` on the embedded digits (28 px
rounded up to 32), `--resume` in the middle of a fade, the schedule in
metrics.csv, and `ganzoo sample --mix / --interpolate`."""

import csv
import json

import numpy as np
import pytest
from PIL import Image

from ganzoo.cli import main
from ganzoo.testing import run_cli

TINY = ["--set", "latent_dim=8", "--set", "style_dim=8", "--set", "mapping_layers=1", "--set", "generator_filters=4",
        "--set", "discriminator_filters=4", "--set", "fade_images=16", "--set", "stable_images=8"]


def run_main(args, capsys):
    code, out, err = run_cli(args, capsys)
    assert code == 0, err
    return out


@pytest.mark.slow  # two `ganzoo fit` runs through every stage (about a minute on 2 cores)
def test_fit_resume_mid_fade_and_sample_grids(tmp_path, capsys):
    run = tmp_path / "run"
    out = run_main(["fit", "stylegan", "--steps", "4", "--batch-size", "4", "--out", str(run), "--seed", "0",
                    "--precision", "float32", "--quiet", *TINY], capsys)
    assert "training stylegan on digits (32x32x1) to step 4, batch 4" in out
    assert json.loads((run / "run.json").read_text())["settings"]["config"]["fade_images"] == 16
    # 16 images: 8 of the 4 px base, then 8 px half faded in.
    out = run_main(["fit", "stylegan", "--steps", "7", "--out", str(run), "--resume", "--quiet"], capsys)
    assert "resuming stylegan from step 4" in out
    with open(run / "metrics.csv") as f:
        rows = list(csv.DictReader(f))
    # The step's level before counting its images: step 4 used 12 images (alpha 0.25),
    # step 7 used 24 (8 px, alpha 1).
    assert [(float(r["resolution"]), float(r["alpha"])) for r in rows] == [(8.0, 0.25), (8.0, 1.0)]

    out = run_main(["sample", str(run), "--mix", "--out", str(tmp_path / "mix.png")], capsys)
    mix = np.asarray(Image.open(tmp_path / "mix.png"))
    # 5 sources + the blank corner across, 4 destinations + the source row down, 32 px cells, 2 px padding.
    width, height = 6 * 32 + 7 * 2, 5 * 32 + 6 * 2
    assert mix.shape[1] * height == mix.shape[0] * width
    run_main(["sample", str(run), "--interpolate", "5", "--out", str(tmp_path / "interp.png")], capsys)
    interp = np.asarray(Image.open(tmp_path / "interp.png"))
    width, height = 5 * 32 + 6 * 2, 4 * 32 + 5 * 2
    assert interp.shape[1] * height == interp.shape[0] * width


def test_sample_grid_flags_need_a_model_that_offers_them(tmp_path, capsys):
    import ganzoo

    path = tmp_path / "d.keras"
    ganzoo.create("dcgan", image_shape=(28, 28, 1), generator_filters=4, discriminator_filters=4).save(str(path))
    with pytest.raises(SystemExit) as exit_info:
        main(["sample", str(path), "--mix"])
    assert exit_info.value.code == 1
    assert "--mix" in capsys.readouterr().err
