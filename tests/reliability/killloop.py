"""Runs `ganzoo fit`, kills it with SIGKILL at random moments (some of them
inside file writes), resumes it each time, and compares the end state with an
uninterrupted run of the same seed. `backend` runs every process on that Keras
backend (`KERAS_BACKEND`; None: the one this process inherits)."""

from __future__ import annotations

import filecmp
import os
import random
import signal
import subprocess
import sys
import time

import numpy as np

# A process that kills itself at its N-th file commit (os.replace): inside a
# checkpoint, CSV or grid write, which a random moment rarely hits.
_LAUNCH = """
import os, signal, sys
kill_at = int(os.environ.get("KILL_AT_COMMIT", "0"))
if kill_at:
    original, count = os.replace, [0]
    def replace(src, dst):
        count[0] += 1
        if count[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return original(src, dst)
    os.replace = replace
from ganzoo.cli import main
main(sys.argv[1:])
"""


def environment(extra=None, backend=None):
    env = dict(os.environ, TF_DETERMINISTIC_OPS="1", TF_CPP_MIN_LOG_LEVEL="3", PYTHONHASHSEED="0")
    if backend:
        env["KERAS_BACKEND"] = backend
    env.update(extra or {})
    return env


def fit_command(args):
    return [sys.executable, "-c", _LAUNCH, "fit", *args, "--quiet"]


def run_to_end(args, cwd, backend=None):
    result = subprocess.run(fit_command(args), cwd=cwd, env=environment(backend=backend), capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def kill_loop(args, cwd, *, kills, rng, window=4.0, commit_share=0.5, backend=None):
    """Starts `ganzoo fit args`, then `--resume` until it finishes; kills the
    first `kills` attempts. Returns (kills done, resumes, outputs)."""
    done_kills = resumes = 0
    outputs = []
    first = True
    out = args[args.index("--out") + 1]
    for _ in range(kills * 3 + 10):
        # A run killed before it wrote run.json has nothing to resume: it starts again.
        started = os.path.exists(os.path.join(out, "run.json"))
        command = fit_command(args + (["--resume"] if started else []))
        extra = {}
        by_commit = done_kills < kills and rng.random() < commit_share
        if by_commit:
            extra["KILL_AT_COMMIT"] = str(rng.randint(1, 12))
        process = subprocess.Popen(command, cwd=cwd, env=environment(extra, backend), stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        seen = ""
        if done_kills < kills and not by_commit:
            seen = _wait_for_training(process)
            time.sleep(rng.uniform(0.0, window))
            process.send_signal(signal.SIGKILL)
        output = seen + process.communicate(timeout=900)[0]
        outputs.append(output)
        if not first:
            resumes += 1
        first = False
        if process.returncode == 0:
            return done_kills, resumes, outputs
        assert process.returncode == -signal.SIGKILL, output[-2000:]
        done_kills += 1
    raise AssertionError("the run never finished:\n" + "\n".join(o[-500:] for o in outputs))


def _wait_for_training(process):
    """Returns the output so far once the process announced its training (or ended)."""
    lines = [process.stdout.readline()]
    while lines[-1] and not lines[-1].startswith("training "):
        lines.append(process.stdout.readline())
    return "".join(lines)


def load_weights(path):
    import ganzoo

    model = ganzoo.load_model(path)
    return model, [v.numpy() for v in model.weights], [v.numpy() for v in model.optimizer.variables]


def compare_runs(reference, resumed):
    """Differences between two run directories' final state, as text lines."""
    problems = []
    _, ref_weights, ref_opt = load_weights(os.path.join(reference, "model.keras"))
    model, weights, opt = load_weights(os.path.join(resumed, "model.keras"))
    if len(ref_weights) != len(weights) or any(not np.array_equal(a, b) for a, b in zip(ref_weights, weights)):
        problems.append("weights differ")
    if len(ref_opt) != len(opt) or any(not np.array_equal(a, b) for a, b in zip(ref_opt, opt)):
        problems.append("optimizer state differs")
    for name in ("metrics.csv",):
        if open(os.path.join(reference, name)).read() != open(os.path.join(resumed, name)).read():
            problems.append(f"{name} differs")
    ref_grids = sorted(os.listdir(os.path.join(reference, "samples")))
    grids = sorted(os.listdir(os.path.join(resumed, "samples")))
    if ref_grids != grids:
        problems.append(f"grids {ref_grids} vs {grids}")
    else:
        for name in grids:
            if not filecmp.cmp(os.path.join(reference, "samples", name), os.path.join(resumed, "samples", name),
                               shallow=False):
                problems.append(f"grid {name} differs")
    leftovers = [n for n in os.listdir(resumed) if n.startswith(".")]
    if leftovers:
        problems.append(f"left over: {leftovers}")
    return problems


if __name__ == "__main__":  # [KERAS_BACKEND=jax] python tests/reliability/killloop.py PLUGIN KILLS ARGS...
    import tempfile

    plugin, kills, *rest = sys.argv[1:]
    base = tempfile.mkdtemp()
    args = [plugin, *rest]
    start = time.time()
    run_to_end(args + ["--out", os.path.join(base, "ref")], base)
    print("reference", round(time.time() - start, 1), "s")
    done, resumes, outputs = kill_loop(args + ["--out", os.path.join(base, "killed")], base, kills=int(kills),
                                 rng=random.Random(0))
    print("kills", done, "resumes", resumes, round(time.time() - start, 1), "s")
    for output in outputs[1:]:
        print([line for line in output.splitlines() if line.startswith(("resuming", "repaired", "no checkpoint"))])
    print(compare_runs(os.path.join(base, "ref"), os.path.join(base, "killed")) or "EQUAL")
