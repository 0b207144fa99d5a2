"""A run directory is owned (only an empty folder or a run of ganzoo's),
locked (one process at a time), kept apart from its data, and resumable when
its data moved."""

import json
import os
import shutil
import socket
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from ganzoo.training.lock import LOCK_FILE
from ganzoo.testing import run_cli

TINY = ["--set", "generator_filters=4", "--set", "discriminator_filters=4", "--set", "latent_dim=8",
        "--batch-size", "8", "--quiet"]




def _classes(folder, names, per_class=10):
    rng = np.random.default_rng(0)
    for name in names:
        (folder / name).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            pixels = rng.integers(0, 255, (28, 28), dtype=np.uint8)
            Image.fromarray(pixels).save(folder / name / f"{i}.png")
    return folder


def test_a_folder_with_other_files_is_refused(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    code, _, err = run_cli(["fit", "dcgan", "--out", str(tmp_path), "--steps", "1"], capsys)
    assert code == 1 and "holds other files (notes.txt) and is not a ganzoo run" in err
    assert os.listdir(tmp_path) == ["notes.txt"] and (tmp_path / "notes.txt").read_text() == "mine"


def test_out_inside_the_data_is_refused(tmp_path, capsys):
    data = _classes(tmp_path / "data", ["a"])
    for out in (data, data / "run"):
        code, _, err = run_cli(["fit", "dcgan", "--data", str(data), "--out", str(out), "--steps", "1"], capsys)
        assert code == 1 and "is inside the training data" in err, err
    assert not (data / "run").exists()


def test_a_live_lock_stops_a_second_process(tmp_path, capsys):
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / LOCK_FILE).write_text(json.dumps({"pid": holder.pid, "host": socket.gethostname()}))
        code, _, err = run_cli(["fit", "dcgan", "--out", str(tmp_path), "--steps", "1"], capsys)
        assert code == 1 and f"in use by another ganzoo process (pid {holder.pid})" in err
    finally:
        holder.kill()
        holder.wait()
    assert os.listdir(tmp_path) == [LOCK_FILE]  # nothing else written


def test_a_lock_of_another_host_names_the_file_to_delete(tmp_path, capsys):
    (tmp_path / LOCK_FILE).write_text(json.dumps({"pid": 1, "host": "elsewhere"}))
    code, _, err = run_cli(["fit", "dcgan", "--out", str(tmp_path), "--steps", "1"], capsys)
    assert code == 1 and "locked by pid 1 on host elsewhere" in err and f"delete {tmp_path / LOCK_FILE}" in err


@pytest.mark.slow
def test_a_stale_lock_is_taken_over(tmp_path, capsys):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    (tmp_path / LOCK_FILE).write_text(json.dumps({"pid": gone.pid, "host": socket.gethostname()}))
    code, out, err = run_cli(["fit", "dcgan", "--out", str(tmp_path), "--steps", "1", *TINY], capsys)
    assert code == 0, err
    assert f"taking over the lock of {tmp_path} from pid {gone.pid}" in out
    assert not (tmp_path / LOCK_FILE).exists() and (tmp_path / "model.keras").exists()


@pytest.mark.slow
def test_resume_with_moved_data_and_changed_classes(tmp_path, capsys):
    data = _classes(tmp_path / "data", ["cat", "dog"])
    out = tmp_path / "run"
    args = ["fit", "cgan", "--out", str(out), *TINY]
    code, _, err = run_cli([*args, "--data", str(data), "--steps", "1"], capsys)
    assert code == 0, err
    assert json.loads((out / "run.json").read_text())["settings"]["class_names"] == ["cat", "dog"]

    moved = tmp_path / "moved"
    shutil.move(str(data), str(moved))
    code, _, err = run_cli([*args, "--resume", "--steps", "2"], capsys)
    assert code == 1 and "error:" in err and "Traceback" not in err, err
    code, out_text, err = run_cli([*args, "--resume", "--steps", "2", "--data", str(moved)], capsys)
    assert code == 0, err
    assert "resuming cgan from step 1" in out_text
    assert json.loads((out / "run.json").read_text())["settings"]["source"] == str(moved)

    _classes(moved, ["emu"])
    code, _, err = run_cli([*args, "--resume", "--steps", "3"], capsys)
    assert code == 1 and "now has other classes than the run was trained on (new: emu)" in err, err


@pytest.mark.slow
def test_resume_notes_another_version_and_keeps_the_saved_configuration(tmp_path, capsys):
    out = tmp_path / "run"
    code, _, err = run_cli(["fit", "dcgan", "--out", str(out), "--steps", "1", *TINY], capsys)
    assert code == 0, err
    record = json.loads((out / "run.json").read_text())
    assert record["created_with"] == record["ganzoo_version"]
    record["ganzoo_version"] = record["created_with"] = "0.0.1"
    (out / "run.json").write_text(json.dumps(record))
    code, text, err = run_cli(["fit", "dcgan", "--out", str(out), "--steps", "2", "--resume", "--quiet"], capsys)
    assert code == 0, err
    assert "saved by ganzoo 0.0.1" in text
    record = json.loads((out / "run.json").read_text())
    assert record["created_with"] == "0.0.1" and record["settings"]["config"]["generator_filters"] == 4


@pytest.mark.slow
def test_ctrl_c_saves_a_checkpoint_and_says_how_to_continue(tmp_path):
    out = tmp_path / "run"
    command = [sys.executable, "-m", "ganzoo.cli", "fit", "dcgan", "--out", str(out), "--steps", "100000",
               "--checkpoint-steps", "100000", *TINY]
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    line = process.stdout.readline()
    while line and not line.startswith("training "):
        line = process.stdout.readline()
    import time

    time.sleep(3)
    process.send_signal(signal_sigint())
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr[-2000:]
    assert "continue with the same command and --resume" in stderr
    state = json.loads((out / "checkpoint.json").read_text())
    assert state["step"] > 0 and ("trackers" in state or state["epoch_step"] == 0)
    assert not (out / "model.keras").exists() and not (out / LOCK_FILE).exists()


def signal_sigint():
    import signal

    return signal.SIGINT


@pytest.mark.slow
def test_a_run_killed_before_its_final_model_gets_it_on_resume(tmp_path, capsys):
    out = tmp_path / "run"
    from ganzoo.training import loop

    def killed(model, path):
        raise KeyboardInterrupt  # killed between the last checkpoint and the final model

    original = loop.save_model
    loop.save_model = killed
    try:
        code, _, err = run_cli(["fit", "dcgan", "--out", str(out), "--steps", "2", *TINY], capsys)
    finally:
        loop.save_model = original
    assert code != 0 and not (out / "model.keras").exists()
    weights = (out / "checkpoint.weights.h5").read_bytes()
    code, text, err = run_cli(["fit", "dcgan", "--out", str(out), "--steps", "2", "--resume"], capsys)
    assert code == 0, err
    assert "had finished before its final model was written" in text and (out / "model.keras").exists()
    # Nothing trained again, and the final model is the checkpoint now (each weight kept once).
    assert not (out / "checkpoint.weights.h5").exists() and len(weights) > 0
    assert json.loads((out / "checkpoint.json").read_text())["step"] == 2
    code, _, err = run_cli(["fit", "dcgan", "--out", str(out), "--steps", "2", "--resume"], capsys)
    assert code == 1 and "the run already did 2 steps; pass --steps N with N > 2" in err


def _flat(folder, count=10):
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True)
    for i in range(count):
        Image.fromarray(rng.integers(0, 255, (28, 28), dtype=np.uint8)).save(folder / f"{i}.png")
    return folder


def test_a_failed_start_leaves_nothing(tmp_path, capsys):
    """cgan on a folder without labels fails once the data is opened: no
    folder holding only run.json is left (issue 20 item 10)."""
    data = _flat(tmp_path / "flat")
    out = tmp_path / "new"
    code, _, err = run_cli(["fit", "cgan", "--data", str(data), "--out", str(out), "--steps", "1", *TINY], capsys)
    assert code == 1 and "has no class labels" in err, err
    assert not out.exists()
    # A folder the user made stays, empty.
    out.mkdir()
    code, _, err = run_cli(["fit", "cgan", "--data", str(data), "--out", str(out), "--steps", "1", *TINY], capsys)
    assert code == 1 and os.listdir(out) == []


def test_a_run_that_exists_is_refused_with_a_free_out(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "runs" / "dcgan"
    out.mkdir(parents=True)
    (out / "run.json").write_text(json.dumps({"plugin": "dcgan", "settings": {}}))
    (out / "model.keras").write_text("")
    (tmp_path / "runs" / "dcgan-2").mkdir()
    code, _, err = run_cli(["fit", "dcgan", "--steps", "1"], capsys)
    assert code == 1, err
    assert "runs/dcgan already holds a run; pass --resume to continue it, or start another with " \
           "--out runs/dcgan-3" in err, err


def test_sync_batchnorm_without_batchnorm_is_said(tmp_path, capsys):
    code, text, err = run_cli(["fit", "vanilla", "--out", str(tmp_path / "v"), "--steps", "1", "--batch-size", "8",
                               "--quiet", "--sync-batchnorm"], capsys)
    assert code == 0, err
    assert "note: --sync-batchnorm has no effect: vanilla has no BatchNorm layers" in text
    # The end of a run says how big its folder is (issue 20 item 2).
    import re

    assert re.search(r"^run folder \S*v: \d+ (KB|MB) \(model\.keras \d+ (KB|MB), also the checkpoint\)$", text, flags=re.M), text


@pytest.mark.slow
def test_a_run_killed_after_its_final_model_finishes_on_resume(tmp_path, capsys):
    """Killed after model.keras was written but before it became the
    checkpoint: the resume makes it the checkpoint and ends (exit 0), so the
    kill loop's resumes always finish."""
    out = tmp_path / "run"
    from ganzoo.training import checkpoints

    original = checkpoints.fold_into_final
    checkpoints.fold_into_final = lambda model, directory: 0
    try:
        code, _, err = run_cli(["fit", "dcgan", "--out", str(out), "--steps", "2", *TINY], capsys)
    finally:
        checkpoints.fold_into_final = original
    assert code == 0 and (out / "checkpoint.weights.h5").exists() and (out / "model.keras").exists(), err
    code, text, err = run_cli(["fit", "dcgan", "--out", str(out), "--steps", "2", "--resume"], capsys)
    assert code == 0, err
    assert "now holds its checkpoint too" in text and not (out / "checkpoint.weights.h5").exists()
    code, _, err = run_cli(["fit", "dcgan", "--out", str(out), "--steps", "2", "--resume"], capsys)
    assert code == 1 and "the run already did 2 steps" in err



def test_a_failed_start_offline_leaves_nothing(tmp_path, capsys, monkeypatch):
    """A TFDS dataset that is not there, offline: one line, and no folder
    holding only run.json (issue 20 item 10)."""
    from ganzoo.data import tfds_source

    monkeypatch.setattr(tfds_source, "network_available", lambda *a, **k: False)
    out = tmp_path / "run"
    code, _, err = run_cli(["fit", "dcgan", "--dataset", "cifar10", "--data-dir", str(tmp_path / "tfds"),
                            "--out", str(out), "--steps", "1", *TINY], capsys)
    assert code == 1 and "no network" in err, err
    assert not out.exists()
