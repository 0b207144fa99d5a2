"""The run folders `ganzoo serve` shows: found under the given folders,
described from their files, and each file read only when it lies inside its
run (no `..`, no link out).

Nothing here writes: a run is read as `ganzoo sample` and `ganzoo info` read
it (`ganzoo.training.run_files.read_run`, `checkpoints.read_state`).
"""

from __future__ import annotations

import csv
import os
import re

from ganzoo.errors import GanzooError
from ganzoo.files import read_json
from ganzoo.training import checkpoints, lock, run_files
from ganzoo.training.run_folder import CSV_FILE, SAMPLES

EVALUATION_FILE = "evaluation.json"
GRID = re.compile(r"epoch_(\d+)\.png$")

#: How deep below a given folder runs are looked for (runs/project/dcgan is 2).
MAX_DEPTH = 4


def inside(path, folder):
    """Whether `path`, links resolved, lies in `folder` (itself resolved)."""
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def find_runs(roots):
    """Every run folder (one holding run.json) under `roots`, by name.

    A run's name is its path below its root (`dcgan`, `faces/stylegan2`);
    with several roots the same path in two of them gets `~2`, `~3`. A
    linked folder whose target lies outside its root is not a run here.

    Args:
        roots: folders to look in (links resolved once, here).

    Returns:
        A dict name -> (absolute run folder, its root), in name order.
    """
    found = {}
    for root in roots:
        root = os.path.realpath(root)
        for folder in _run_folders(root):
            relative = os.path.relpath(folder, root)
            name = os.path.basename(root) if relative == os.curdir else relative.replace(os.sep, "/")
            unique, k = name, 1
            while unique in found:
                k += 1
                unique = f"{name}~{k}"
            found[unique] = (folder, root)
    return dict(sorted(found.items()))


def _run_folders(root):
    if not os.path.isdir(root):
        return
    depth0 = root.count(os.sep)
    for folder, dirs, names in os.walk(root, followlinks=True):
        if not inside(folder, root) or folder.count(os.sep) - depth0 > MAX_DEPTH:
            dirs[:] = []
            continue
        if run_files.RUN_FILE in names:
            dirs[:] = []      # a run's own folders (samples/, tensorboard/) hold no runs
            yield folder
        else:
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))


def run_file(folder, name):
    """`folder/name` when it is a file inside `folder` (links resolved), else None."""
    path = os.path.join(folder, name)
    return path if os.path.isfile(path) and inside(path, folder) else None


def grids(folder):
    """The epoch grids of a run: a list of (epoch, path), oldest first."""
    samples = os.path.join(folder, SAMPLES)
    if not os.path.isdir(samples) or not inside(samples, folder):
        return []
    found = []
    for name in os.listdir(samples):
        match = GRID.fullmatch(name)
        if match and run_file(samples, name) and inside(os.path.join(samples, name), folder):
            found.append((int(match.group(1)), os.path.join(samples, name)))
    return sorted(found)


def metrics(folder):
    """metrics.csv as `{"columns": [...], "rows": [[numbers]]}` (unreadable cells are null)."""
    path = run_file(folder, CSV_FILE)
    if path is None:
        return {"columns": [], "rows": []}
    with open(path, newline="") as f:
        table = list(csv.reader(f))
    if not table:
        return {"columns": [], "rows": []}
    return {"columns": table[0], "rows": [[_number(cell) for cell in row] for row in table[1:] if row]}


def _number(text):
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None   # JSON has no NaN


def state_of(folder):
    """`training` (a live process holds its lock), `finished` (it has its
    final model) or `interrupted` (stopped before the end)."""
    if lock.live_holder(folder) is not None:
        return "training"
    return "finished" if run_file(folder, run_files.MODEL_FILE) else "interrupted"


def progress(folder):
    """The (step, epoch) of the run's last checkpoint, or (None, None) before the first."""
    try:
        state = checkpoints.read_state(folder)
    except (GanzooError, OSError, ValueError):
        return None, None
    return (None, None) if state is None else (state.get("step"), state.get("epoch"))


def stamp(folder):
    """Changes when the run's saved model changes (a new checkpoint or final model)."""
    times = []
    for name in (run_files.MODEL_FILE, checkpoints.WEIGHTS, checkpoints.STATE):
        path = run_file(folder, name)
        times.append(os.stat(path).st_mtime_ns if path else 0)
    return tuple(times)


def total_steps(settings):
    """The steps the run was asked for: `--steps`, or its epochs times their length."""
    if settings.get("total_steps"):
        return settings["total_steps"]
    epochs, length = settings.get("epochs"), settings.get("steps_per_epoch")
    return epochs * length if isinstance(epochs, int) and isinstance(length, int) else None


def summary(name, folder):
    """What the Runs page shows of one run (JSON-ready)."""
    record = _record(folder)
    settings = record.get("settings", {}) if record else {}
    found = grids(folder)
    step, epoch = progress(folder)
    evaluation = read_json(run_file(folder, EVALUATION_FILE)) if run_file(folder, EVALUATION_FILE) else None
    return {
        "name": name,
        "plugin": (record or {}).get("plugin"),
        "task": _task(record),
        "data": settings.get("source"),
        "steps_done": step,
        "total_steps": total_steps(settings),
        "epochs_done": epoch,
        "epochs": settings.get("epochs") if not settings.get("total_steps") else None,
        "state": state_of(folder),
        "latest_grid": found[-1][0] if found else None,
        "evaluation": _scores(evaluation),
    }


def details(name, folder):
    """What the page of one run shows: the summary, run.json, every grid's
    epoch, metrics.csv and evaluation.json (JSON-ready)."""
    evaluation = run_file(folder, EVALUATION_FILE)
    return {
        **summary(name, folder),
        "run": _record(folder),
        "grids": [epoch for epoch, _ in grids(folder)],
        "metrics": metrics(folder),
        "evaluation_file": read_json(evaluation) if evaluation else None,
    }


def _record(folder):
    if run_file(folder, run_files.RUN_FILE) is None:
        return None
    try:
        return run_files.read_run(folder)
    except GanzooError:
        return None


def _task(record):
    from ganzoo.registry import get_plugin

    try:
        return get_plugin(record["plugin"]).task
    except (GanzooError, KeyError, TypeError):
        return None


def _scores(evaluation):
    """metric -> {key: number} of evaluation.json's results, protocols left out."""
    results = evaluation.get("results") if isinstance(evaluation, dict) else None
    if not isinstance(results, dict):
        return {}
    scores = {}
    for metric, values in results.items():
        if isinstance(values, dict):
            numbers = {k: v for k, v in values.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
            if numbers:
                scores[metric] = numbers
    return scores
