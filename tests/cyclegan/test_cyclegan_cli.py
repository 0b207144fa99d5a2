"""`ganzoo fit cyclegan` on the embedded two-domain set, then `ganzoo sample --input --direction`."""

import json

import numpy as np
import pytest
from PIL import Image

from ganzoo.testing import run_cli

TINY = ["--set", "generator_filters=4", "--set", "discriminator_filters=4", "--set", "residual_blocks=1",
        "--set", "pool_size=3"]




@pytest.mark.slow
def test_fit_plans_the_decay_writes_grids_and_samples_files_and_folders(tmp_path, capsys):
    import keras

    import ganzoo

    run = tmp_path / "run"
    code, out, err = run_cli(["fit", "cyclegan", "--steps", "4", "--batch-size", "4", "--out", str(run),
                               "--seed", "1", "--quiet", *TINY], capsys)
    assert code == 0, err
    settings = json.loads((run / "run.json").read_text())["settings"]
    assert settings["source"] == "chalk2ink"
    assert settings["config"]["image_shape"] == [32, 32, 3]
    assert settings["config"]["training_steps"] == 4                 # filled in from --steps
    # The epoch grid: rows A, G_AB(A), G_BA(G_AB(A)), B, G_BA(B), G_AB(G_BA(B)); 4 columns (the batch).
    grid = Image.open(run / "samples" / "epoch_0001.png")
    scale = grid.size[0] // (4 * 34 + 2)                             # small images are enlarged
    assert scale >= 1 and grid.size == (scale * (4 * 34 + 2), scale * (6 * 34 + 2))
    model = ganzoo.load_model(run / "model.keras")
    assert int(model.step) == 4
    assert float(model.optimizer["generator"].learning_rate) == pytest.approx(0.0, abs=1e-12)   # decayed to 0

    # One file (of another size), B -> A.
    photo = tmp_path / "photo.jpg"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (40, 48, 3), dtype=np.uint8)).save(photo)
    code, out, err = run_cli(["sample", str(run), "--input", str(photo), "--direction", "b2a",
                               "--out", str(tmp_path / "out.png")], capsys)
    assert code == 0, err
    result = np.asarray(Image.open(tmp_path / "out.png"), np.float32) / 255
    assert result.shape == (32, 32, 3)
    expected = model.generate(images=np.asarray(Image.open(photo), np.float32)[None] / 255, direction="b2a")[0]
    assert np.abs(result - expected).max() <= 1 / 255 + 1e-6

    # A folder, A -> B by default: one output per input, same names.
    folder = tmp_path / "inputs"
    folder.mkdir()
    for name in ("x.png", "y.png"):
        Image.fromarray(np.full((32, 32, 3), 30, np.uint8)).save(folder / name)
    code, out, err = run_cli(["sample", str(run), "--input", str(folder), "--out", str(tmp_path / "outs")], capsys)
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "outs").iterdir()) == ["x.png", "y.png"]
    keras.mixed_precision.set_global_policy("float32")


def test_a_folder_without_domains_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "photos").mkdir()
    Image.fromarray(np.zeros((32, 32, 3), np.uint8)).save(tmp_path / "photos" / "a.png")
    code, out, err = run_cli(["fit", "cyclegan", "--data", str(tmp_path / "photos"), "--steps", "1",
                               "--out", str(tmp_path / "run"), *TINY], capsys)
    assert code == 1
    assert "trainA/ and no trainB/" in err and "Traceback" not in err


@pytest.mark.slow
def test_resume_continues_the_schedule_and_the_histories(tmp_path, capsys):
    import keras

    import ganzoo

    run = tmp_path / "run"
    common = ["--batch-size", "2", "--out", str(run), "--quiet", *TINY]
    code, out, err = run_cli(["fit", "cyclegan", "--steps", "2", "--seed", "3", "--set", "training_steps=8",
                               *common], capsys)
    assert code == 0, err
    first = ganzoo.load_model(run / "model.keras")
    assert int(first.history_a.count.numpy()) == 3                    # 2 steps x 2 images, capacity 3
    code, out, err = run_cli(["fit", "cyclegan", "--steps", "6", "--resume", *common], capsys)
    assert code == 0, err
    assert "resuming cyclegan from step 2" in out
    model = ganzoo.load_model(run / "model.keras")
    assert int(model.step) == 6
    for name in ("generator", "discriminator_a", "discriminator_b"):
        assert int(model.optimizer[name].iterations.numpy()) == 6
        # training_steps=8 as planned: constant to step 4, then 2e-4 * (1 - 2/4) at step 6.
        assert float(model.optimizer[name].learning_rate) == pytest.approx(1e-4)
    assert int(model.history_b.count.numpy()) == 3
    assert not np.array_equal(model.history_b.images.numpy(), first.history_b.images.numpy())
    keras.mixed_precision.set_global_policy("float32")
