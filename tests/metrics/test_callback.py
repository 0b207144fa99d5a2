"""`ganzoo fit --eval-every`: scores during training, CSV/TensorBoard logs, best checkpoint."""

import csv
import json
import os

import pytest

from ganzoo.errors import GanzooError
from ganzoo.metrics.callback import InceptionEvaluation, parse_every
from ganzoo.testing import run_cli

TINY = ["--set", "generator_filters=4", "--set", "discriminator_filters=4", "--set", "latent_dim=8"]




def test_parse_every():
    assert parse_every("5") == (5, "epoch")
    assert parse_every("3 epochs") == (3, "epoch")
    assert parse_every("500steps") == (500, "step")
    with pytest.raises(GanzooError):
        parse_every("often")
    with pytest.raises(GanzooError, match="choose from fid, kid, is"):
        InceptionEvaluation("digits", ".", metrics="fid,psnr")


def _folder(path, count=24):
    import numpy as np
    from PIL import Image

    from ganzoo.data import embedded

    arrays, _ = embedded.arrays("digits")
    path.mkdir()
    for i in range(count):
        Image.fromarray((arrays["image"][i, ..., 0] * (255 / arrays["image"].max())).astype(np.uint8)).save(
            path / f"{i:03d}.png")
    return path


def test_fit_scores_every_two_epochs_and_keeps_the_best(tmp_path, capsys, synthetic_pb):
    out = tmp_path / "run"
    data = _folder(tmp_path / "images")
    # 4 epochs on 24 images, evaluations after epochs 2 and 4.
    code, stdout, err = run_cli(["fit", "dcgan", "--data", str(data), "--image-size", "28", "--epochs", "4",
                                  "--batch-size", "8",
                                  "--out", str(out), "--seed", "1", "--quiet", "--precision", "float32", *TINY,
                                  "--eval-every", "2", "--eval-metrics", "fid,kid", "--eval-n", "20",
                                  "--inception-weights", synthetic_pb], capsys)
    assert code == 0, err
    history = json.loads((out / "evaluations.json").read_text())
    assert [entry["epoch"] for entry in history] == [2, 4]
    assert all(entry["eval_fid"] > 0 and entry["protocol"]["generated"] == 20 for entry in history)
    assert history[0]["protocol"]["real"] == 24
    rows = list(csv.DictReader((out / "metrics.csv").open()))
    assert len(rows) == 4
    assert rows[0]["eval_fid"] == "NA" and float(rows[1]["eval_fid"]) == pytest.approx(history[0]["eval_fid"])
    assert rows[2]["eval_fid"] == "NA"
    assert float(rows[3]["eval_kid"]) == pytest.approx(history[1]["eval_kid"])
    best = json.loads((out / "best.json").read_text())
    assert best["metric"] == "eval_fid"
    assert best["value"] == pytest.approx(min(entry["eval_fid"] for entry in history))
    assert (out / "best.weights.h5").exists()
    events = [f for root, _, files in os.walk(out / "tensorboard" / "eval") for f in files if "tfevents" in f]
    assert events
    assert history[0]["step"] < history[1]["step"]
    assert f"evaluation at step {history[0]['step']}: fid" in stdout


def test_no_evaluation_falls_in_the_run_costs_nothing(tmp_path, synthetic_pb):
    import ganzoo

    model = ganzoo.create("dcgan", image_shape=(28, 28, 1), generator_filters=4, discriminator_filters=4,
                          latent_dim=8)
    model.compile()
    from ganzoo import data

    train = data.load("digits", model, batch_size=32)
    scorer = InceptionEvaluation("digits", str(tmp_path), every=1000, unit="step", n=20, real_n=24,
                                 inception_weights=synthetic_pb)
    model.fit(train, epochs=1, steps_per_epoch=3, callbacks=[scorer], verbose=0)
    assert scorer.evaluations == 0 and scorer.seconds == 0.0
    assert not os.path.exists(tmp_path / "evaluations.json")
    scorer.every = 3  # the next run hits step 6
    model.fit(train, epochs=1, steps_per_epoch=3, callbacks=[scorer], verbose=0)
    assert scorer.evaluations == 1 and scorer.history[0]["step"] == 6 and scorer.seconds > 0
