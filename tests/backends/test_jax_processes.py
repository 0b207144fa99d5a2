"""Several JAX processes: `--strategy multi-worker` on JAX joins the processes
named by `KERAS_DISTRIBUTION_JOB_ADDRESSES`, `..._NUM_PROCESSES` and
`..._PROCESS_ID` (`jax.distributed`, CPU collectives through Gloo) and trains
one `DataParallel` over every process's devices. Here two processes of one
CPU device each, on 127.0.0.1, stand for two machines.
"""

import json
import os
import socket
import subprocess
import sys

import keras
import numpy as np
import pytest

from ganzoo.errors import GanzooError

HERE = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(HERE, os.pardir, "distribution"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(process_id=None, port=None):
    # XLA's default level, as in tests/backends/test_jax_data_parallel.py: the
    # comparison must be of the code users run, not the tests' quick-compile level.
    quick = ("--xla_backend_optimization_level", "--xla_llvm_disable_expensive_passes")
    flags = " ".join(flag for flag in os.environ.get("XLA_FLAGS", "").split() if not flag.startswith(quick))
    env = {**os.environ, "KERAS_BACKEND": "jax", "TF_CPP_MIN_LOG_LEVEL": "3", "XLA_FLAGS": flags}
    for name in ("KERAS_DISTRIBUTION_JOB_ADDRESSES", "KERAS_DISTRIBUTION_NUM_PROCESSES",
                 "KERAS_DISTRIBUTION_PROCESS_ID"):
        env.pop(name, None)
    if process_id is not None:
        env.update(KERAS_DISTRIBUTION_JOB_ADDRESSES=f"127.0.0.1:{port}", KERAS_DISTRIBUTION_NUM_PROCESSES="2",
                   KERAS_DISTRIBUTION_PROCESS_ID=str(process_id))
    return env


def run_processes(command, cwd, timeout=900):
    """`command` in two joined JAX processes; their CompletedProcess-like
    `(returncode, stdout, stderr)`, process 0 first."""
    port = free_port()
    started = [subprocess.Popen(command, cwd=cwd, env=environment(i, port), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for i in (0, 1)]
    results = []
    try:
        for process in started:
            out, err = process.communicate(timeout=timeout)
            results.append((process.returncode, out, err))
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
    return results


def reports(stdout):
    return [json.loads(line[len("RESULT "):]) for line in stdout.splitlines() if line.startswith("RESULT ")]


@pytest.mark.skipif(keras.backend.backend() != "jax", reason="keras.distribution on JAX only")
def test_multi_worker_without_its_variables_is_one_line_on_jax(monkeypatch):
    from ganzoo.training import distribution

    for name in ("KERAS_DISTRIBUTION_JOB_ADDRESSES", "KERAS_DISTRIBUTION_NUM_PROCESSES",
                 "KERAS_DISTRIBUTION_PROCESS_ID"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(GanzooError, match="^--strategy multi-worker on JAX needs KERAS_DISTRIBUTION_JOB_ADDRESSES, "
                                          "KERAS_DISTRIBUTION_NUM_PROCESSES, KERAS_DISTRIBUTION_PROCESS_ID on every "
                                          "process") as caught:
        distribution.strategy("multi-worker")
    assert "\n" not in str(caught.value)


# BatchNorm statistics over the processes' halves (dcgan) and lazy R1, path
# length, mixing and the EMA copy (stylegan2): what a process could get wrong.
CASES = ["dcgan", "stylegan2"]
# As tests/backends/test_jax_data_parallel.py (one process, two devices):
# float summation order only. Measured: dcgan 3.8e-6.
TOLERANCE = 1e-4


@pytest.mark.slow
def test_two_processes_take_the_single_device_steps(tmp_path):
    """Two SGD steps of each case on two joined processes (one device each)
    and on one process with one device, the same global batch, weights and
    draws: every weight must agree, and both processes must hold the same."""
    from replication_check import largest_relative_difference

    script = os.path.join(HERE, "jax_process_check.py")
    one = subprocess.run([sys.executable, script, "one", str(tmp_path), *CASES], capture_output=True, text=True,
                         timeout=900, env=environment())
    assert one.returncode == 0, one.stderr[-3000:]
    joined = run_processes([sys.executable, script, "joined", str(tmp_path), *CASES], tmp_path)
    for returncode, _, stderr in joined:
        assert returncode == 0, stderr[-3000:]
    alone, first, second = reports(one.stdout), reports(joined[0][1]), reports(joined[1][1])
    assert [r["case"] for r in alone] == [r["case"] for r in first] == [r["case"] for r in second] == CASES
    for single, zero, other in zip(alone, first, second):
        case = single["case"]
        assert (zero["processes"], zero["replicas"]) == (2, 2), zero
        assert (single["processes"], single["replicas"]) == (1, 1), single
        weights = {tag: _load(tmp_path / f"{case}.{tag}.npz") for tag in ("start", "one", "process0", "process1")}
        for a, b in zip(weights["process0"], weights["process1"]):
            np.testing.assert_array_equal(a, b)   # one replicated model, not two
        worst, where, moved = largest_relative_difference(single["paths"], weights["start"], weights["one"],
                                                          weights["process0"])
        assert moved > 0, case
        assert worst < TOLERANCE, (case, worst, where)
        for key, value in single["losses"].items():
            assert np.isclose(zero["losses"][key], value, rtol=1e-4, atol=1e-6), (case, single, zero)


def _load(path):
    with np.load(path) as file:
        return [file[f"arr_{i}"] for i in range(len(file.files))]


@pytest.mark.slow
def test_ganzoo_fit_multi_worker_on_two_jax_processes(tmp_path):
    """`ganzoo fit dcgan --backend jax --strategy multi-worker` on two joined
    processes: process 0 writes the run folder, the other a scratch folder of
    its own; the losses are one device's on the same global batch; the run
    resumes on two processes again."""
    tiny = ["--set", "generator_filters=4", "--set", "discriminator_filters=4", "--set", "latent_dim=8",
            "--precision", "float32", "--seed", "1", "--batch-size", "8", "--quiet"]

    def fit(out, *args):
        return [sys.executable, "-m", "ganzoo.cli", "fit", "dcgan", "--backend", "jax", "--out", str(out), *tiny, *args]

    for steps, resume in ((4, []), (6, ["--resume"])):
        alone = subprocess.run(fit(tmp_path / "alone", "--steps", str(steps), *resume), capture_output=True,
                               text=True, timeout=900, cwd=tmp_path, env=environment())
        assert alone.returncode == 0, alone.stderr[-3000:]
        joined = run_processes(fit(tmp_path / "joined", "--strategy", "multi-worker", "--steps", str(steps), *resume),
                               tmp_path)
        for returncode, stdout, stderr in joined:
            assert returncode == 0, stderr[-3000:]
        assert "2 replicas (DataParallel on 2 processes)" in joined[0][1], joined[0][1]
        assert f"after {steps} steps" in joined[0][1] and f"after {steps} steps" in joined[1][1]
    assert "ganzoo-worker-" in joined[1][1] and "ganzoo-worker-" not in joined[0][1]
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["alone", "joined"]
    # One row per `ganzoo fit` (steps 1-4, then 5-6): each the mean losses of the
    # same global batches, on one device and on two processes.
    rows = {name: np.loadtxt(tmp_path / name / "metrics.csv", delimiter=",", skiprows=1)
            for name in ("alone", "joined")}
    assert rows["alone"].shape == rows["joined"].shape == (2, 3), rows
    np.testing.assert_allclose(rows["joined"], rows["alone"], rtol=1e-4)
