"""Killed with SIGKILL at random moments (and inside file commits) and resumed
each time, a run ends in the state of a run that was never stopped: the same
weights, optimizer state, step, CSV rows and grids, bit for bit (CPU,
deterministic ops)."""

import os
import random

import pytest

from killloop import compare_runs, kill_loop, run_to_end

pytestmark = pytest.mark.slow  # a dozen subprocesses per plugin: deselect with -m "not slow"

TINY = {
    "dcgan": ["--epochs", "3", "--batch-size", "32", "--set", "generator_filters=8",
              "--set", "discriminator_filters=8", "--set", "latent_dim=16"],
    "cgan": ["--epochs", "3", "--batch-size", "32", "--set", "generator_filters=8", "--set", "discriminator_filters=8", "--set", "latent_dim=16"],
    "cyclegan": ["--steps", "40", "--set", "generator_filters=4", "--set", "discriminator_filters=4",
                 "--set", "residual_blocks=1", "--set", "pool_size=3"],
}
KILLS = 4


@pytest.mark.parametrize("plugin", sorted(TINY))
def test_killed_and_resumed_run_equals_uninterrupted_run(plugin, tmp_path):
    args = [plugin, *TINY[plugin], "--seed", "5", "--checkpoint-steps", "6"]
    run_to_end(args + ["--out", str(tmp_path / "reference")], tmp_path)
    kills, resumes, outputs = kill_loop(args + ["--out", str(tmp_path / "killed")], tmp_path, kills=KILLS,
                                        rng=random.Random(plugin))
    assert kills == KILLS and resumes == KILLS
    # Some resume started inside an epoch, from a checkpoint taken between epoch ends.
    assert any("steps into epoch" in output for output in outputs), outputs
    assert compare_runs(str(tmp_path / "reference"), str(tmp_path / "killed")) == []
    assert not os.path.exists(tmp_path / "killed" / ".lock")
