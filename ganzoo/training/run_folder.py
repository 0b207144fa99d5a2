"""A run directory's boundaries: what `ganzoo fit` may write into, and the
repair of what a killed run left half-done.

A run's files are committed in order at each epoch end (grid, CSV row, then
the checkpoint), so a kill leaves at most files that are ahead of the
checkpoint; `repair` removes those, and the resumed run writes them again,
the same as a run that was never stopped.
"""

from __future__ import annotations

import csv
import io
import os
import re

from ganzoo.errors import GanzooError
from ganzoo.files import atomic_path
from ganzoo.training.run_files import RUN_FILE

CSV_FILE = "metrics.csv"
SAMPLES = "samples"
_IGNORED = (".lock",)  # left by a run that died before writing run.json
_GRID = re.compile(r"epoch_(\d+)\.png$")


def check_new(out):
    """`out` is a place for a new run: missing, empty, or a run of ganzoo's."""
    if not os.path.exists(out):
        return
    if not os.path.isdir(out):
        raise GanzooError(f"--out {out} is a file, not a folder; choose a folder for the run")
    if os.path.exists(os.path.join(out, RUN_FILE)):
        return
    others = sorted(n for n in os.listdir(out) if n not in _IGNORED and not n.startswith(".incomplete-"))
    if others:
        shown = ", ".join(others[:4]) + (", ..." if len(others) > 4 else "")
        raise GanzooError(f"--out {out} holds other files ({shown}) and is not a ganzoo run; choose a new or "
                          "empty folder, so that nothing in it is overwritten")


def check_outside_data(out, source):
    """The run's own files must never become its training data."""
    if not source or not os.path.isabs(str(source)):
        return  # a dataset name, not a folder
    data = os.path.realpath(str(source))
    run = os.path.realpath(out)
    if run == data or run.startswith(data.rstrip(os.sep) + os.sep):
        raise GanzooError(f"--out {out} is inside the training data {source}; the run's grids would become "
                          "training images. Choose an --out outside the data folder")


def repair(out, state, echo=print, going_on=True):
    """Removes what a killed run wrote after its last checkpoint (`state`,
    None when there is none): temporary files, CSV rows of later epochs (and
    a half-written last line), grids of later epochs. The row and grid of an
    epoch that a `--steps` run ended inside (`state["ended_early"]`) go
    too, without a word, when the run goes on (`going_on`): it finishes
    that epoch and rewrites them."""
    epochs = state["epoch"] if state else 0
    removed = _remove_temporary(out) + _remove_temporary(os.path.join(out, SAMPLES))
    ended = 1 if state and state.get("ended_early") else 0
    rows = _trim_csv(os.path.join(out, CSV_FILE), epochs + ended)
    grids = _remove_grids(os.path.join(out, SAMPLES), epochs + ended)
    if ended and going_on:
        # The last epoch of a run cut short by --steps wrote its row and grid
        # as it ended; the run now goes on inside it and writes them again.
        _trim_csv(os.path.join(out, CSV_FILE), epochs)
        _remove_grids(os.path.join(out, SAMPLES), epochs)
    if removed or rows or grids:
        parts = [f"{n} {what}" for n, what in ((removed, "unfinished temporary file(s)"),
                                             (rows, "CSV row(s)"), (grids, "grid(s)")) if n]
        echo(f"repaired {out}: removed {', '.join(parts)} written after the checkpoint")


def _remove_temporary(folder):
    if not os.path.isdir(folder):
        return 0
    count = 0
    for name in os.listdir(folder):
        if name.startswith(".incomplete-"):
            try:
                os.unlink(os.path.join(folder, name))
                count += 1
            except OSError:
                pass
    return count


def _trim_csv(path, epochs):
    """Keeps the header and the rows of epochs before `epochs`; returns how
    many rows (or broken lines) it dropped."""
    if not os.path.exists(path):
        return 0
    with open(path, newline="") as f:
        text = f.read()
    lines = text.splitlines(keepends=True)
    if not lines:
        return 0
    header = next(csv.reader([lines[0]]))
    if not lines[0].endswith("\n") or "epoch" not in header:
        kept, dropped = [], len(lines)
    else:
        column = header.index("epoch")
        kept, dropped = [lines[0]], 0
        for line in lines[1:]:
            row = next(csv.reader([line]), [])
            complete = line.endswith("\n") and len(row) == len(header)
            if complete and _int(row[column]) is not None and _int(row[column]) < epochs:
                kept.append(line)
            else:
                dropped += 1
    if dropped:
        with atomic_path(path, suffix=".csv") as tmp:
            with io.open(tmp, "w", newline="") as f:
                f.writelines(kept)
    return dropped


def _int(text):
    try:
        return int(text)
    except ValueError:
        return None


def _remove_grids(folder, epochs):
    if not os.path.isdir(folder):
        return 0
    count = 0
    for name in os.listdir(folder):
        match = _GRID.match(name)
        if match and int(match.group(1)) > epochs:
            os.unlink(os.path.join(folder, name))
            count += 1
    return count
