"""SRGAN as a user runs it: `ganzoo fit` on the embedded photos with a stage
switch across `--resume`, `ganzoo sample --input` for a file and a folder,
and `ganzoo evaluate --metrics psnr,ssim --data DIR`."""

import csv
import json

import numpy as np
import pytest
from PIL import Image

from ganzoo.cli import main
from ganzoo.testing import run_cli

TINY = ["--set", "generator_filters=8", "--set", "residual_blocks=2", "--set", "discriminator_filters=4",
        "--set", "discriminator_dense=16", "--set", "image_shape=32x32x3", "--set", "content_loss=mse",
        "--set", "pretrain_steps=4"]


def run_main(args, capsys):
    code, out, err = run_cli(args, capsys)
    assert code == 0, err
    return out


@pytest.mark.slow
def test_the_default_fit_runs_offline(tmp_path, capsys, monkeypatch):
    """`ganzoo fit srgan` with no network and an empty KERAS_HOME: the default
    (cpu) preset's content loss is the pixel MSE, and its first stage needs no
    VGG anyway; the VGG19 loader is made to fail to prove it is never asked."""
    import keras

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.setattr(keras.applications, "VGG19",
                        lambda *a, **k: pytest.fail("the default srgan run asked for the VGG19 weights"))
    run = tmp_path / "run"
    out = run_main(["fit", "srgan", "--steps", "5", "--batch-size", "2", "--out", str(run), "--quiet",
                    *TINY[:-4], "--set", "pretrain_steps=3"], capsys)
    assert "to step 5" in out and (run / "model.keras").exists()
    config = json.loads((run / "run.json").read_text())["settings"]["config"]
    assert config["content_loss"] == "mse"
    with open(run / "metrics.csv") as f:
        assert float(list(csv.DictReader(f))[-1]["d_loss"]) > 0.0     # stage 2 ran, on the MSE content loss


@pytest.mark.slow
def test_fit_resume_sample_and_evaluate(tmp_path, capsys, monkeypatch):
    import keras

    run = tmp_path / "run"
    # Offline without VGG19 weights, a VGG content loss and no pre-training: a
    # one-line error before any step, and the run can be started again in the
    # same directory with another content loss.
    with monkeypatch.context() as patch:
        patch.setattr(keras.applications, "VGG19", lambda *a, **k: (_ for _ in ()).throw(Exception("URL fetch failure")))
        with pytest.raises(SystemExit) as exit_info:
            main(["fit", "srgan", "--steps", "3", "--batch-size", "4", "--out", str(run), "--quiet",
                  *TINY[:-4], "--set", "content_loss=vgg54", "--set", "pretrain_steps=0"])
        assert exit_info.value.code == 1
        err = capsys.readouterr().err
        assert "error: cannot load the VGG19 ImageNet weights" in err and "--set content_loss=mse" in err

    out = run_main(["fit", "srgan", "--steps", "3", "--batch-size", "4", "--out", str(run), "--seed", "0",
                    "--precision", "float32", "--quiet", *TINY], capsys)
    assert "training srgan on photos (32x32x3) to step 3, batch 4" in out
    settings = json.loads((run / "run.json").read_text())["settings"]
    assert settings["config"]["pretrain_steps"] == 4       # the schedule is part of the config
    assert (run / "samples" / "epoch_0001.png").exists()
    # The preview: one row per example of (bicubic | SRGAN | HR) crops.
    grid = np.asarray(Image.open(run / "samples" / "epoch_0001.png"))
    width, height = 3 * 32 + 4 * 2, 4 * 32 + 5 * 2          # 3 columns, 4 rows (the batch), 2 px padding
    assert grid.shape[1] * height == grid.shape[0] * width

    out = run_main(["fit", "srgan", "--steps", "6", "--out", str(run), "--resume", "--quiet"], capsys)
    assert "resuming srgan from step 3" in out
    with open(run / "metrics.csv") as f:
        rows = list(csv.DictReader(f))
    # Stage 1 for steps 0-2; step 3 is the last of stage 1, steps 4-5 adversarial.
    assert [float(r["stage"]) for r in rows] == [1.0, pytest.approx(5 / 3)]
    assert float(rows[0]["d_loss"]) == 0.0 and float(rows[1]["d_loss"]) > 0.0

    # Upscale a file and a folder.
    photo = tmp_path / "photo.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (20, 30, 3), dtype=np.uint8)).save(photo)
    out = run_main(["sample", str(run), "--input", str(photo), "--out", str(tmp_path / "photo_x4.png")], capsys)
    assert Image.open(tmp_path / "photo_x4.png").size == (120, 80)
    folder = tmp_path / "inputs"
    folder.mkdir()
    Image.fromarray(np.zeros((10, 12, 3), np.uint8)).save(folder / "a.png")
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(folder / "b.jpg")
    run_main(["sample", str(run), "--input", str(folder), "--out", str(tmp_path / "upscaled")], capsys)
    assert Image.open(tmp_path / "upscaled" / "a.png").size == (48, 40)
    assert Image.open(tmp_path / "upscaled" / "b.png").size == (32, 32)

    # PSNR/SSIM against bicubic on a folder of HR images.
    hr = tmp_path / "hr"
    hr.mkdir()
    for i in range(2):
        Image.fromarray(np.random.default_rng(i).integers(0, 256, (64, 48, 3), dtype=np.uint8)).save(hr / f"{i}.png")
    out = run_main(["evaluate", str(run), "--metrics", "psnr,ssim", "--data", str(hr)], capsys)
    values = dict(line.split() for line in out.splitlines() if line.startswith(("psnr.", "ssim.")))
    assert set(values) >= {"psnr.psnr", "psnr.bicubic_psnr", "psnr.gain_db", "ssim.ssim", "ssim.bicubic_ssim"}
    assert values["psnr.images"] == "2" and 0 < float(values["ssim.ssim"]) <= 1
    assert json.loads((run / "evaluation.json").read_text())["results"]["psnr"]["images"] == 2


def test_fit_takes_only_channels_from_a_folder(tmp_path):
    """A model trained on crops keeps its crop size whatever the folder's image size."""
    from ganzoo.data import inspect
    from ganzoo.registry import get_plugin
    from ganzoo.runs import RunPlan

    for i in range(2):
        Image.fromarray(np.zeros((300, 500), np.uint8)).save(tmp_path / f"{i}.png")
    plugin = get_plugin("srgan")
    def plan(size):
        return RunPlan(info=inspect(tmp_path), image_size=size, batch_size=16, total_steps=None, seed=None)

    assert plugin.model_class.run_config(plan(None))["image_shape"] == (96, 96, 1)
    assert plugin.model_class.run_config(plan(128))["image_shape"] == (128, 128, 1)
    assert plugin.default_batch_size == 16
