"""Killed with SIGKILL at random moments (and inside file commits) and resumed
each time, a run ends in the state of a run that was never stopped: the same
weights, optimizer state, step, CSV rows and grids, bit for bit (CPU,
deterministic ops). On every installed backend, each run in its own processes
(`KERAS_BACKEND`): on JAX the trainer keeps the step's state apart from the
variables inside an epoch (keras-team/keras #19054), so a checkpoint taken
between epoch ends, or on Ctrl-C, must hold the state of the step it names."""

import importlib.util
import json
import os
import random
import signal
import subprocess
import time

import pytest

from killloop import compare_runs, environment, fit_command, kill_loop, run_to_end

pytestmark = pytest.mark.slow  # a dozen subprocesses per case: deselect with -m "not slow"

TINY = {
    "dcgan": ["--epochs", "3", "--batch-size", "32", "--set", "generator_filters=8",
              "--set", "discriminator_filters=8", "--set", "latent_dim=16"],
    "cgan": ["--epochs", "3", "--batch-size", "32", "--set", "generator_filters=8", "--set", "discriminator_filters=8", "--set", "latent_dim=16"],
    "cyclegan": ["--steps", "40", "--set", "generator_filters=4", "--set", "discriminator_filters=4",
                 "--set", "residual_blocks=1", "--set", "pool_size=3"],
}
KILLS = 4
# The other backends' dcgan case: two epochs of 28 steps, a third of TINY's
# steps (eager PyTorch takes ~6x TensorFlow's time per step on CPU).
SHORT_DCGAN = ["--epochs", "2", "--batch-size", "64", "--set", "generator_filters=8",
               "--set", "discriminator_filters=8", "--set", "latent_dim=16"]

OTHER_BACKENDS = [name for name in ("jax", "torch") if importlib.util.find_spec(name) is not None]
# TensorFlow runs every plugin; each other backend dcgan: BatchNorm statistics,
# two Adam optimizers and the seeded latent stream, all in JAX's stateless step.
# GANZOO_KILL_LOOP=all runs every plugin here on every installed backend (by
# hand: about an hour on 2 CPU cores, eager PyTorch's cyclegan the dearest).
CASES = [("tensorflow", plugin) for plugin in sorted(TINY)] + [(backend, "dcgan") for backend in OTHER_BACKENDS]
if os.environ.get("GANZOO_KILL_LOOP") == "all":
    CASES = [(backend, plugin) for backend in ("tensorflow", *OTHER_BACKENDS) for plugin in sorted(TINY)]


@pytest.mark.parametrize("backend, plugin", CASES)
def test_killed_and_resumed_run_equals_uninterrupted_run(backend, plugin, tmp_path):
    size = SHORT_DCGAN if (backend, plugin) != ("tensorflow", "dcgan") and plugin == "dcgan" else TINY[plugin]
    args = [plugin, *size, "--seed", "5", "--checkpoint-steps", "6"]
    run_to_end(args + ["--out", str(tmp_path / "reference")], tmp_path, backend=backend)
    kills, resumes, outputs = kill_loop(args + ["--out", str(tmp_path / "killed")], tmp_path, kills=KILLS,
                                        rng=random.Random(plugin), backend=backend)
    assert kills == KILLS and resumes == KILLS
    # Some resume started inside an epoch, from a checkpoint taken between epoch ends.
    assert any("steps into epoch" in output for output in outputs), outputs
    assert compare_runs(str(tmp_path / "reference"), str(tmp_path / "killed")) == []
    assert not os.path.exists(tmp_path / "killed" / ".lock")


@pytest.mark.parametrize("backend", [name for name in OTHER_BACKENDS if name == "jax"])
def test_ctrl_c_inside_an_epoch_saves_the_state_the_step_reached(backend, tmp_path):
    """Ctrl-C in the middle of a JAX epoch, where the Keras variables lag the
    step: the checkpoint written on the way out, resumed to the end, gives the
    uninterrupted run. One epoch of 224 steps; the only checkpoint inside it
    is the one Ctrl-C asks for."""
    args = ["dcgan", "--epochs", "1", "--batch-size", "8", "--set", "generator_filters=4",
            "--set", "discriminator_filters=4", "--set", "latent_dim=8", "--seed", "5",
            "--checkpoint-steps", "100000"]
    run_to_end(args + ["--out", str(tmp_path / "reference")], tmp_path, backend=backend)
    out = tmp_path / "interrupted"
    process = subprocess.Popen(fit_command(args + ["--out", str(out)]), cwd=tmp_path,
                               env=environment(backend=backend), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    line = process.stdout.readline()
    while line and not line.startswith("training "):
        line = process.stdout.readline()
    time.sleep(1.0)  # past the step's compilation, inside the epoch
    process.send_signal(signal.SIGINT)
    output = process.communicate(timeout=600)[0]
    assert process.returncode == 130, output[-2000:]
    assert "stopping after this step" in output and "continue with the same command and --resume" in output
    state = json.loads((out / "checkpoint.json").read_text())
    assert 0 < state["epoch_step"] == state["step"] < 224 and "trackers" in state, state
    resumed = run_to_end(args + ["--out", str(out), "--resume"], tmp_path, backend=backend)
    assert f"{state['step']} steps into epoch" in resumed.stdout + resumed.stderr
    assert compare_runs(str(tmp_path / "reference"), str(out)) == []
