"""A run folder written by the code before the core split (issue 17) still
loads, samples and resumes: `tests/fixtures/run_dcgan_v0` is a 4-step dcgan
run (batch 8, 8 filters, latent 8, seed 1) that the old `ganzoo fit` wrote.

Written by `ganzoo fit dcgan --steps 4 --batch-size 8 --seed 1 --set latent_dim=8
--set generator_filters=8 --set discriminator_filters=8 --out tests/fixtures/run_dcgan_v0`;
never rewrite it with newer code, or the test stops testing old folders."""

import json
import pathlib
import shutil

import numpy as np
from click.testing import CliRunner

from ganzoo.cli import cli

FIXTURE = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "run_dcgan_v0"


def _copy(tmp_path):
    run = tmp_path / "run"
    shutil.copytree(FIXTURE, run)
    return run


def test_the_old_run_folder_loads_and_generates(tmp_path):
    from ganzoo.runs import load_run_model

    model = load_run_model(_copy(tmp_path))
    assert model.steps_done == 4
    images = np.asarray(model.generate(3, seed=0))
    assert images.shape == (3, 28, 28, 1) and np.all(np.isfinite(images))


def test_the_old_run_folder_samples(tmp_path):
    run = _copy(tmp_path)
    result = CliRunner().invoke(cli, ["sample", str(run), "--n", "4", "--out", str(tmp_path / "grid.png")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "grid.png").stat().st_size > 0


def test_the_old_run_folder_resumes(tmp_path):
    run = _copy(tmp_path)
    result = CliRunner().invoke(cli, ["fit", "dcgan", "--resume", "--steps", "6", "--quiet", "--out", str(run)])
    assert result.exit_code == 0, result.output
    assert "resuming dcgan from step 4" in result.output
    state = json.loads((run / "checkpoint.json").read_text())
    assert state["step"] == 6
    from ganzoo.runs import load_run_model

    assert load_run_model(run).steps_done == 6
