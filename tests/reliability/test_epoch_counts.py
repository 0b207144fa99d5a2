"""Steps, epochs and the progress bar agree, before and after a resume
(issue 20 item 3).

The rules: an epoch is `steps_per_epoch` steps (a pass over the data, or the
whole run when `--steps` is shorter). With `--steps N` the run's last epoch
may be cut short; its progress bar shows the steps it really runs, and the
checkpoint counts it as not done (whole epochs done, steps into the next).
`--resume --steps M` trains until step M; `--resume --epochs E` until E
whole epochs are done; a plain `--resume` finishes the run as it was asked.

Digits hold 1,797 images: batch 600 makes an epoch of 2 steps.
"""

import json
import re

import pytest

from ganzoo.testing import run_cli
from ganzoo.training.callbacks import Checkpoint
from ganzoo.training.loop import fit_span

TINY = ["--batch-size", "600", "--seed", "3", "--quiet", "--set", "generator_filters=4",
        "--set", "discriminator_filters=4", "--set", "latent_dim=8"]


@pytest.mark.parametrize("position,expected", [
    # (epoch, epoch_step, epochs, per_epoch, steps_left) -> (last, steps)
    ((0, 0, 2, 28, 30), (1, 28)),   # --steps 30: one whole epoch first...
    ((1, 0, 2, 28, 2), (2, 2)),     # ...then the last, of the 2 steps it runs
    ((1, 2, 3, 28, None), (2, 26)),  # resumed 2 steps into epoch 2: its rest, alone
    ((2, 0, 3, 28, None), (3, 28)),  # then whole epochs up to --epochs
    ((1, 2, 3, 28, 30), (2, 26)),   # --resume --steps 60 from step 30
    ((2, 0, 3, 28, 4), (3, 4)),
    ((0, 0, 5, 28, None), (5, 28)),  # --epochs 5: one call
    ((0, 0, 3, 28, 84), (3, 28)),   # --steps 84: three whole epochs, one call
    ((0, 3, 1, 10, 7), (1, 7)),
    ((1, 0, 2, 28, 0), (1, 0)),     # nothing left
    ((0, 0, 4, None, None), (4, None)),  # size unknown: whole passes
])
def test_fit_span(position, expected):
    assert fit_span(*position) == expected


def _bars(text):
    """The progress lines of `--quiet` (`steps/steps - ...`) and the epoch headers."""
    return re.findall(r"^(Epoch \d+/\d+(?=\n)|\d+/\d+(?= ))", text + "\n", flags=re.M)


def _state(out):
    return json.loads((out / Checkpoint.STATE).read_text())


def _csv_epochs(out):
    return [line.split(",")[0] for line in (out / "metrics.csv").read_text().splitlines()[1:]]


def test_steps_epochs_and_bar_agree_before_and_after_resume(tmp_path, capsys):
    out = tmp_path / "run"
    args = ["fit", "dcgan", "--out", str(out), *TINY]

    # --steps 3 with 2 steps an epoch: a whole epoch, then one of 1 step, shown as 1/1.
    code, text, err = run_cli([*args, "--steps", "3"], capsys)
    assert code == 0, err
    assert _bars(text) == ["Epoch 1/2", "2/2", "Epoch 2/2", "1/1"], text
    state = _state(out)
    assert (state["step"], state["epoch"], state["epoch_step"]) == (3, 1, 1)
    assert _csv_epochs(out) == ["0", "1"]  # the cut-short epoch still gets its row and grid
    assert sorted(p.name for p in (out / "samples").iterdir()) == ["epoch_0001.png", "epoch_0002.png"]

    # A plain --resume finishes the run as asked: it already did its 3 steps.
    code, text, err = run_cli([*args, "--resume"], capsys)
    assert code == 1 and "the run already did 3 steps" in err, err

    # --resume --steps 6: the rest of epoch 2 (1 step), then epoch 3 whole; epochs done count whole epochs.
    code, text, err = run_cli([*args, "--resume", "--steps", "6"], capsys)
    assert code == 0, err
    assert "from step 3 (1 epoch done, 1 steps into epoch 2)" in text, text
    assert "repaired" not in text  # the row and grid of the cut-short epoch are rewritten, not a repair
    assert _bars(text) == ["Epoch 2/3", "1/1", "Epoch 3/3", "2/2"], text
    state = _state(out)
    assert (state["step"], state["epoch"], state["epoch_step"]) == (6, 3, 0)
    assert _csv_epochs(out) == ["0", "1", "2"]

    # --resume --epochs 5: until 5 whole epochs of 2 steps, step 10.
    code, text, err = run_cli([*args, "--resume", "--epochs", "5"], capsys)
    assert code == 0, err
    assert "from step 6 (3 epochs done)" in text and "for 5 epochs" in text, text
    assert _bars(text) == ["Epoch 4/5", "2/2", "Epoch 5/5", "2/2"], text
    assert _state(out)["step"] == 10 and _state(out)["epoch"] == 5
    assert _csv_epochs(out) == ["0", "1", "2", "3", "4"]
    assert len(list((out / "samples").iterdir())) == 5


def test_resume_epochs_after_a_run_cut_short_trains_whole_epochs(tmp_path, capsys):
    """The issue's case: `--steps 30` (28 a pass), then `--resume --epochs 3`
    stopped at 58; it trains to 3 whole epochs (here 3 x 2 = 6 steps)."""
    out = tmp_path / "run"
    args = ["fit", "dcgan", "--out", str(out), *TINY]
    code, text, err = run_cli([*args, "--steps", "3"], capsys)
    assert code == 0, err
    code, text, err = run_cli([*args, "--resume", "--epochs", "3"], capsys)
    assert code == 0, err
    assert "from step 3 (1 epoch done, 1 steps into epoch 2)" in text, text
    assert _bars(text) == ["Epoch 2/3", "1/1", "Epoch 3/3", "2/2"], text
    assert (_state(out)["step"], _state(out)["epoch"]) == (6, 3)
    assert "after 6 steps" in text


@pytest.mark.slow  # three runs in subprocesses
def test_a_cut_short_run_resumed_equals_one_run(tmp_path):
    """`--steps 3` then `--resume --steps 5` ends as an uninterrupted
    `--steps 5` run, bit for bit (weights, optimizer state, CSV rows, grids):
    the cut-short epoch's running means go on, and the resume starts from
    the final model, which is the finished run's checkpoint (issue 20 item 2)."""
    from killloop import compare_runs, run_to_end

    args = ["dcgan", *[a for a in TINY if a != "--quiet"]]
    run_to_end([*args, "--steps", "5", "--out", str(tmp_path / "one")], tmp_path)
    run_to_end([*args, "--steps", "3", "--out", str(tmp_path / "two")], tmp_path)
    assert not (tmp_path / "two" / Checkpoint.WEIGHTS).exists()  # each weight once: in model.keras
    run_to_end([*args, "--steps", "5", "--resume", "--out", str(tmp_path / "two")], tmp_path)
    assert compare_runs(str(tmp_path / "one"), str(tmp_path / "two")) == []
    assert _csv_epochs(tmp_path / "two") == ["0", "1", "2"]
    assert _state(tmp_path / "two")["epoch"] == 2 and _state(tmp_path / "two")["epoch_step"] == 1
