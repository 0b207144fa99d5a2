"""Reading a run leaves its folder as it was (issue 17 item 7): `ganzoo
sample`, `ganzoo evaluate`, `ganzoo info`, `ganzoo export` and `load_run_model`
change no file's name, size, bytes or modification time, and add none, except the
result `ganzoo evaluate` is documented to write (`RUN/evaluation.json`)."""

import hashlib
import json
import os
import pathlib
import shutil

import pytest
from click.testing import CliRunner

from ganzoo.cli import cli
from ganzoo.training.run_files import load_run_model

FIXTURE = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "run_dcgan_v0"


def _snapshot(folder):
    """Every file and folder under `folder`: size, sha256 and mtime (ns)."""
    seen = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = os.path.join(root, name)
            stat = os.stat(path)
            digest = None
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
            seen[os.path.relpath(path, folder)] = (stat.st_size if digest else None, digest, stat.st_mtime_ns)
    return seen


@pytest.fixture(params=["final model", "checkpoint only"])
def run(request, tmp_path):
    """The old run folder; or the same without its final model and with a
    stale `checkpoint.json` (a kill between the checkpoint's two writes),
    which loading used to rewrite."""
    run = tmp_path / "run"
    shutil.copytree(FIXTURE, run)
    if request.param == "checkpoint only":
        (run / "model.keras").unlink()
        (run / "checkpoint.json").write_text(json.dumps({"epoch": 0, "epoch_step": 2, "step": 2}))
    return run


def _unchanged(run, before, added=()):
    after = _snapshot(run)
    for name in added:
        after.pop(name, None)
    assert after == before


def test_load_run_model_writes_nothing(run):
    before = _snapshot(run)
    assert load_run_model(run).steps_done == 4
    _unchanged(run, before)


def test_sample_writes_nothing_into_the_run(run, tmp_path):
    before = _snapshot(run)
    result = CliRunner().invoke(cli, ["sample", str(run), "--n", "4", "--out", str(tmp_path / "grid.png")])
    assert result.exit_code == 0, result.output
    _unchanged(run, before)


@pytest.mark.tensorflow_only
def test_export_writes_nothing_into_the_run(run, tmp_path):
    before = _snapshot(run)
    result = CliRunner().invoke(cli, ["export", str(run), "--format", "onnx", "--out", str(tmp_path / "g.onnx")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "g.onnx").exists() and (tmp_path / "g.onnx.json").exists()
    _unchanged(run, before)


def test_info_writes_nothing_into_the_run(run, monkeypatch):
    before = _snapshot(run)
    monkeypatch.chdir(run)  # where a stray write of the command would land
    result = CliRunner().invoke(cli, ["info", "dcgan"])
    assert result.exit_code == 0, result.output
    _unchanged(run, before)


@pytest.mark.slow
def test_evaluate_writes_only_its_result(run):
    before = _snapshot(run)
    result = CliRunner().invoke(cli, ["evaluate", str(run), "--metrics", "classifier", "--n", "20"])
    assert result.exit_code == 0, result.output
    assert (run / "evaluation.json").exists()
    _unchanged(run, before, added=("evaluation.json",))
