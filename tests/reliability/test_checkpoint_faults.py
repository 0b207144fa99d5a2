"""Faults injected into checkpoint writes: a full disk, a read-only folder, a
diverged model, a damaged file; each is one line naming the path, and the
previous checkpoint is left as it was."""

import errno
import json
import os
import signal

import numpy as np
import pytest

import ganzoo
from ganzoo import files
from ganzoo.callbacks import StopOnNonFinite
from ganzoo.errors import GanzooError
from ganzoo.training import checkpoints
from ganzoo.training import run_folder
from ganzoo.training.interruption import Interruption


@pytest.fixture(scope="module")
def model():
    model = ganzoo.create("dcgan", image_shape=(28, 28, 1), latent_dim=8, generator_filters=4,
                          discriminator_filters=4)
    model.compile()
    return model


@pytest.fixture
def saved(model, tmp_path):
    checkpoints.save(model, str(tmp_path), {"epoch": 1, "epoch_step": 0, "step": 7})
    return tmp_path, (tmp_path / checkpoints.WEIGHTS).read_bytes()


def _unchanged(folder, before):
    assert (folder / checkpoints.WEIGHTS).read_bytes() == before
    assert checkpoints.read_state(str(folder))["step"] == 7
    assert not [n for n in os.listdir(folder) if n.startswith(".incomplete-")]


def test_state_is_stamped_in_the_weights_file(saved):
    folder, _ = saved
    (folder / checkpoints.STATE).unlink()  # killed between the two writes
    assert checkpoints.read_state(str(folder)) == {"epoch": 1, "epoch_step": 0, "step": 7}


def test_restore_reads_and_a_resumed_run_rewrites_a_stale_copy(model, saved):
    folder, _ = saved
    stale = json.dumps({"epoch": 0, "epoch_step": 0, "step": 3})
    (folder / checkpoints.STATE).write_text(stale)
    state = checkpoints.restore(model, str(folder))
    assert state["step"] == 7
    assert (folder / checkpoints.STATE).read_text() == stale  # a read never writes (issue 17)
    checkpoints.sync_state_copy(str(folder), state)  # what resuming does before training on
    assert json.loads((folder / checkpoints.STATE).read_text())["step"] == 7


def test_too_little_free_space_is_one_line_before_writing(model, saved, monkeypatch):
    folder, before = saved

    class Usage:
        free = 1000

    monkeypatch.setattr(checkpoints.shutil, "disk_usage", lambda path: Usage)
    with pytest.raises(GanzooError, match="no space left in .* for the checkpoint .* continue with --resume"):
        checkpoints.save(model, str(folder), {"epoch": 2, "epoch_step": 0, "step": 9})
    _unchanged(folder, before)


@pytest.mark.parametrize("code,reason", [(errno.ENOSPC, "the disk is full"), (errno.EACCES, "permission denied"),
                                         (errno.EROFS, "read-only")])
def test_a_failed_write_keeps_the_previous_checkpoint(model, saved, monkeypatch, code, reason):
    folder, before = saved
    original = type(model).save_weights

    def failing(self, path, **kwargs):
        original(self, path, **kwargs)
        with open(path, "r+b") as f:  # half a file, as a full disk leaves it
            f.truncate(100)
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(type(model), "save_weights", failing)
    with pytest.raises(GanzooError) as info:
        checkpoints.save(model, str(folder), {"epoch": 2, "epoch_step": 0, "step": 9})
    assert reason in str(info.value) and str(folder / checkpoints.WEIGHTS) in str(info.value)
    assert "\n" not in str(info.value)
    _unchanged(folder, before)


def test_a_failed_rename_keeps_the_previous_checkpoint(model, saved, monkeypatch):
    folder, before = saved

    def read_only(src, dst):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(files.os, "replace", read_only)
    with pytest.raises(GanzooError, match="the file system is read-only; the previous checkpoint is kept"):
        checkpoints.save(model, str(folder), {"epoch": 2, "epoch_step": 0, "step": 9})
    monkeypatch.undo()
    _unchanged(folder, before)


def test_a_diverged_model_is_never_saved(model, saved):
    folder, before = saved
    weights = model.get_weights()
    try:
        broken = [w.copy() for w in weights]
        broken[0][...] = np.nan
        model.set_weights(broken)
        with pytest.raises(GanzooError, match="training diverged by step .* holds NaN or Inf"):
            checkpoints.save(model, str(folder), {"epoch": 2, "epoch_step": 0, "step": 9})
    finally:
        model.set_weights(weights)
    _unchanged(folder, before)


def test_a_damaged_checkpoint_is_one_line(saved):
    folder, before = saved
    (folder / checkpoints.WEIGHTS).write_bytes(before[: len(before) // 3])
    with pytest.raises(GanzooError, match="checkpoint.weights.h5 is damaged"):
        checkpoints.read_state(str(folder))


def test_non_finite_logs_stop_training_naming_step_and_value(model):
    guard = StopOnNonFinite()
    guard.set_model(model)
    guard.on_train_batch_end(0, {"d_loss": 0.5, "g_loss": 1.0})
    with pytest.raises(GanzooError, match=r"training diverged at step \d+: g_loss is nan"):
        guard.on_train_batch_end(1, {"d_loss": 0.5, "g_loss": float("nan")})


def test_second_ctrl_c_quits_at_once():
    said = []
    # What was there before: Python's default, or SIG_IGN where the test
    # process was started in the background by a shell without job control.
    before = signal.getsignal(signal.SIGINT)
    interruption = Interruption(echo=said.append)
    with interruption.installed():
        os.kill(os.getpid(), signal.SIGINT)
        assert interruption.requested and "Ctrl-C again" in said[0]
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is before


def test_repair_drops_what_was_written_after_the_checkpoint(tmp_path):
    (tmp_path / "samples").mkdir()
    for epoch in (1, 2, 3):
        (tmp_path / "samples" / f"epoch_{epoch:04d}.png").write_bytes(b"png")
    (tmp_path / "samples" / ".incomplete-abc.png").write_bytes(b"half")
    (tmp_path / ".incomplete-xyz.weights.h5").write_bytes(b"half")
    (tmp_path / "metrics.csv").write_text("epoch,d_loss\n0,1.0\n1,0.9\n2,0.8\n3,0.")  # last line half-written
    said = []
    run_folder.repair(str(tmp_path), {"epoch": 2, "step": 20}, echo=said.append)
    assert (tmp_path / "metrics.csv").read_text() == "epoch,d_loss\n0,1.0\n1,0.9\n"
    assert sorted(os.listdir(tmp_path / "samples")) == ["epoch_0001.png", "epoch_0002.png"]
    assert not (tmp_path / ".incomplete-xyz.weights.h5").exists()
    assert said and "2 unfinished temporary file(s)" in said[0] and "2 CSV row(s)" in said[0]


def test_repair_without_a_checkpoint_empties_the_rows(tmp_path):
    (tmp_path / "metrics.csv").write_text("epoch,d_loss\n0,1.0\n")
    run_folder.repair(str(tmp_path), None, echo=lambda line: None)
    assert (tmp_path / "metrics.csv").read_text() == "epoch,d_loss\n"
