"""Several devices on JAX: `--strategy mirrored` is `keras.distribution.DataParallel`.

The fast tests run when the suite runs with KERAS_BACKEND=jax (one CPU
device: a DataParallel of one). The slow ones start JAX in subprocesses whose
CPU appears as two devices (`--xla_force_host_platform_device_count=2`, set
before JAX starts) and run from any backend's suite.
"""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from ganzoo.errors import GanzooError

on_jax = pytest.mark.skipif(keras.backend.backend() != "jax", reason="keras.distribution on JAX only")
HERE = os.path.dirname(__file__)


@on_jax
def test_mirrored_is_data_parallel_and_one_clears_it():
    from ganzoo.training import distribution

    try:
        strategy = distribution.strategy("mirrored")
        assert isinstance(keras.distribution.distribution(), keras.distribution.DataParallel)
        assert strategy.num_replicas_in_sync == 1 and distribution.is_chief(strategy)
        assert distribution.describe(strategy) == "1 replica (DataParallel)"
        one = distribution.strategy("one")
        assert keras.distribution.distribution() is None and distribution.describe(one) == "1 replica"
    finally:
        keras.distribution.set_distribution(None)


@on_jax
def test_sync_batchnorm_builds_on_jax():
    """Keras refuses `synchronized=True` off TensorFlow; on JAX the statistics
    are the global batch's anyway (the step sees the whole sharded batch)."""
    import ganzoo

    with ganzoo.layers.synchronized_batchnorm():
        layer = ganzoo.layers.batch_normalization()
    assert layer.synchronized is False


# One process (JAX, TensorFlow and ganzoo start once); each case compiles a
# tiny model's step twice. The cases cover each kind of state a replica could
# get wrong, once: dropout masks drawn over the batch (vanilla_dropout),
# BatchNorm statistics (dcgan), image pools and instance norm (cyclegan), and
# lazy R1, path length, style mixing and the EMA copy (stylegan2). All nine
# cases of tests/distribution/test_replication.py passed on JAX on 6 Dec 2026
# (vanilla, cgan, wgan_gp, srgan and stylegan too, each under 8e-6; CI keeps
# these four to stay in its time budget); run the script with all of them:
# `python tests/backends/jax_replication_check.py 2 vanilla cgan ...`.
CASES = ["vanilla_dropout", "dcgan", "cyclegan", "stylegan2"]
# Measured (relative to each weight's change): cyclegan 5.5e-5 (instance norm
# of 4-filter maps), the others 3e-6 at most: float summation order. The same
# tolerance as tests/distribution/test_replication.py.
TOLERANCE = 1e-4


@pytest.mark.slow
def test_two_devices_take_the_single_device_steps():
    """The check of tests/distribution/test_replication.py on JAX: two SGD
    steps of each plugin on two devices and on one, same global batch,
    weights and draws; every weight (BatchNorm statistics, pools, EMA copies,
    seed states included) must agree.

    At XLA's default optimisation level, not the tests' quick-compile level 0
    (tests/conftest.py): at level 0 cyclegan's two-device step differed by
    2.5e-3 of a weight's change (its losses still to 2e-7), since the
    unoptimised code sums the instance norms' 4-filter maps in another order
    on each side; the comparison must be of what users run."""
    quick = ("--xla_backend_optimization_level", "--xla_llvm_disable_expensive_passes")
    flags = " ".join(flag for flag in os.environ.get("XLA_FLAGS", "").split() if not flag.startswith(quick))
    env = {**os.environ, "KERAS_BACKEND": "jax", "TF_CPP_MIN_LOG_LEVEL": "3", "XLA_FLAGS": flags}
    result = subprocess.run([sys.executable, os.path.join(HERE, "jax_replication_check.py"), "2", *CASES],
                            capture_output=True, text=True, timeout=1200, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    reports = [json.loads(line[len("RESULT "):]) for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    assert [r["case"] for r in reports] == CASES
    for report in reports:
        assert report["replicas"] == 2 and report["shardings"] == ["NamedSharding"], report
        assert report["moved"] > 0, report
        assert report["max_relative_difference"] < TOLERANCE, report
        for key, value in report["losses_one"].items():
            assert np.isclose(report["losses_two"][key], value, rtol=1e-4, atol=1e-6), report


def ganzoo_fit(out, *args):
    env = {**os.environ, "KERAS_BACKEND": "jax", "TF_CPP_MIN_LOG_LEVEL": "3",
           "XLA_FLAGS": (os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=2").strip()}
    command = [sys.executable, "-m", "ganzoo.cli", "fit", "dcgan", "--backend", "jax", "--out", str(out), "--quiet",
               *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=900, env=env)


@pytest.mark.slow
def test_ganzoo_fit_mirrored_on_jax_checkpoints_and_resumes(tmp_path):
    """`ganzoo fit dcgan --backend jax --strategy mirrored` end to end on two
    devices: a batch that does not divide is refused, a run checkpoints
    mid-epoch and draws its grid under the distribution, resumes on two
    devices and again on one. Four ganzoo processes of about 20 s of CPU each (8 minutes
    of wall time on the shared 2-core machine under a load of 16)."""
    out = tmp_path / "run"
    tiny = ["--set", "generator_filters=4", "--set", "discriminator_filters=4", "--set", "latent_dim=8",
            "--precision", "float32", "--seed", "1"]
    refused = ganzoo_fit(out, "--strategy", "mirrored", "--steps", "2", "--batch-size", "5", *tiny)
    assert refused.returncode != 0
    assert "--batch-size 5 is the global batch and must divide by the 2 replicas; pass --batch-size 4 or 6" \
        in refused.stderr + refused.stdout
    done = ganzoo_fit(out, "--strategy", "mirrored", "--steps", "3", "--batch-size", "4", "--checkpoint-steps", "2",
                      "--sync-batchnorm", *tiny)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "batch 4, 2 replicas (DataParallel)" in done.stdout and "after 3 steps" in done.stdout, done.stdout
    assert json.loads((out / "run.json").read_text())["settings"]["strategy"] == "mirrored"
    assert list((out / "samples").iterdir())
    resumed = ganzoo_fit(out, "--strategy", "mirrored", "--steps", "5", "--resume")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "2 replicas (DataParallel)" in resumed.stdout and "after 5 steps" in resumed.stdout, resumed.stdout
    alone = ganzoo_fit(out, "--strategy", "one", "--steps", "6", "--resume")
    assert alone.returncode == 0, alone.stderr[-3000:]
    assert "batch 4, 1 replica," in alone.stdout and "after 6 steps" in alone.stdout, alone.stdout
    losses = [line.split(",") for line in (out / "metrics.csv").read_text().splitlines()[1:]]
    assert losses and all(np.isfinite(float(value)) for row in losses for value in row[1:])
