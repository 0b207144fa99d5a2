"""`ganzoo fit --strategy multi-worker` with worker processes on localhost
ports: the workers hold equal weights after each step, only the chief
writes the run directory, and the run resumes from the chief's checkpoint
with another number of workers (as after a worker died)."""

import os
import socket
import subprocess
import sys

import numpy as np
import pytest

pytestmark = pytest.mark.slow  # several TensorFlow processes: deselect with -m "not slow"

SCRIPT = os.path.join(os.path.dirname(__file__), "multiworker_check.py")


def free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("localhost", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ",".join(map(str, ports))


def run_workers(count, out, steps, tmp_path, tag, resume=False):
    ports = free_ports(count)
    dumps = [str(tmp_path / f"{tag}_{i}.npz") for i in range(count)]
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    logs = [tmp_path / f"{tag}_{i}.log" for i in range(count)]  # files: a full pipe would block a worker
    procs = []
    for i in range(count):
        with open(logs[i], "w") as log:
            procs.append(subprocess.Popen([sys.executable, SCRIPT, ports, str(i), str(out), str(steps), dumps[i],
                                           *(["--resume"] if resume else [])], stdout=log,
                                          stderr=subprocess.STDOUT, text=True, env=env))
    for p in procs:
        p.wait(timeout=500)
    outputs = [log.read_text() for log in logs]
    for p, output in zip(procs, outputs):
        assert p.returncode == 0, output[-3000:]
    return [np.load(d) for d in dumps], outputs


def assert_equal_weights(dumps):
    first = dumps[0]
    for other in dumps[1:]:
        assert len(first.files) == len(other.files)
        for key in first.files:
            np.testing.assert_allclose(first[key], other[key], rtol=1e-6, atol=1e-7, err_msg=key)


def test_two_workers_train_one_model_and_resume_with_one(tmp_path):
    out = tmp_path / "run"
    # Step 1 on two workers: equal weights; the chief wrote the run.
    dumps, stdout = run_workers(2, out, 1, tmp_path, "a")
    assert_equal_weights(dumps)
    assert "STEP 1" in stdout[0] and "STEP 1" in stdout[1]
    # Finished: model.keras is also the checkpoint (each weight kept once).
    assert (out / "run.json").exists() and (out / "model.keras").exists()
    assert not (out / ".lock").exists()
    # Step 2, resumed on the two workers: equal weights again.
    dumps, stdout = run_workers(2, out, 2, tmp_path, "b", resume=True)
    assert_equal_weights(dumps)
    assert "STEP 2" in stdout[0]
    # Steps 3-4 on one worker: the run resumes with another number of workers.
    dumps, stdout = run_workers(1, out, 4, tmp_path, "c", resume=True)
    assert "STEP 4" in stdout[0]


def test_a_run_whose_worker_died_resumes_from_the_chiefs_checkpoint(tmp_path):
    import json
    import time

    out = tmp_path / "run"
    ports = free_ports(2)
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    logs = [open(tmp_path / f"x{i}.log", "w") for i in range(2)]  # files: a full pipe would block a worker
    procs = [subprocess.Popen([sys.executable, SCRIPT, ports, str(i), str(out), "200", str(tmp_path / f"x{i}.npz")],
                              stdout=logs[i], stderr=subprocess.STDOUT, text=True, env=env)
             for i in range(2)]
    try:
        state = out / "checkpoint.json"
        deadline = time.time() + 400
        while time.time() < deadline and not (state.exists() and json.loads(state.read_text())["step"] >= 2):
            time.sleep(1)
        assert state.exists(), "no checkpoint before the deadline"
        procs[1].kill()                      # a worker dies ...
        procs[1].wait(timeout=60)
        procs[0].wait(timeout=300)
        assert procs[0].returncode != 0      # ... and the chief stops at its next collective
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        for log in logs:
            log.close()
    saved = json.loads(state.read_text())["step"]
    dumps, stdout = run_workers(2, out, saved + 2, tmp_path, "again", resume=True)
    assert_equal_weights(dumps)
    assert f"STEP {saved + 2}" in stdout[0]
