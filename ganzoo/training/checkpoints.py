"""A run's checkpoint: written so that every crash point leaves a usable run.

One file is the commit point: `checkpoint.weights.h5` holds the networks,
every optimizer's state, the step counter, the random state and, in an HDF5
attribute, the position of the run (epoch, step into the epoch, the running
means of the epoch's logs). It is written to a temporary file and renamed, so
a kill leaves the previous checkpoint or the new one, never a mix.
`checkpoint.json` is a readable copy of the position, written after it;
reading a checkpoint never writes.

When a run ends, its final `model.keras` holds the very weights and
optimizer state of its last checkpoint: `fold_into_final` then makes it the
checkpoint (checkpoint.json names it) and removes checkpoint.weights.h5, so
a finished run keeps each weight once. Training on writes a new
checkpoint.weights.h5, which is read first.

Before a write the free space is checked, and a failed write (disk full,
read-only, no permission) becomes one line naming the path; the previous
checkpoint stays as it was.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile

from ganzoo.errors import GanzooError
from ganzoo.files import atomic_path, read_json, write_json

WEIGHTS = "checkpoint.weights.h5"
STATE = "checkpoint.json"
FINAL = "model.keras"
_IN_FINAL = "weights_in"
_ATTRIBUTE = "ganzoo_state"
_HEADROOM = 1 << 20


def save(model, directory, state):
    """Writes `model`'s weights and `state` (a JSON-able dict) atomically.

    Raises:
        GanzooError: no room, or the folder cannot be written; nothing of the
            previous checkpoint is changed.
    """
    from ganzoo import backends

    backends.get().sync(model)   # JAX: the variables lag inside an epoch (keras #19054)
    path = os.path.join(directory, WEIGHTS)
    _check_finite(model, state)
    needed = _check_space(model, directory, path)
    try:
        with atomic_path(path, suffix=".weights.h5") as tmp:
            _write_staged(model, state, tmp, needed)
        write_json(state, os.path.join(directory, STATE))
    except OSError as exc:
        raise GanzooError(write_error(path, exc)) from None


def _write_staged(model, state, destination, needed):
    """HDF5 is written where there is room for sure, then copied with plain
    file writes: HDF5 that runs out of space mid-write leaves a library in a
    state that crashes the process at exit (seen: exit 139), while a plain
    write fails with an OSError that is reported in one line."""
    staging = _staging_folder(needed, os.path.dirname(destination))
    if staging is None:
        model.save_weights(destination)
        _stamp(destination, state)
        return
    fd, staged = tempfile.mkstemp(dir=staging, prefix="ganzoo-checkpoint-", suffix=".weights.h5")
    os.close(fd)
    try:
        model.save_weights(staged)
        _stamp(staged, state)
        shutil.copyfile(staged, destination)
        with open(destination, "rb+") as f:  # on disk before the rename makes it the checkpoint
            os.fsync(f.fileno())
    finally:
        os.unlink(staged)


def _staging_folder(needed, target):
    """A local folder with room for the HDF5 file (memory first), or None to
    write in place (the target already has room, and no other place has)."""
    for folder in ("/dev/shm", tempfile.gettempdir()):
        try:
            if os.path.isdir(folder) and os.access(folder, os.W_OK) and shutil.disk_usage(folder).free > 2 * needed:
                return folder
        except OSError:
            continue
    return None


def _check_finite(model, state):
    """A diverged model is never saved over the last good checkpoint: a loss
    can still be finite in the step whose update made the weights NaN."""
    import numpy as np

    for variable in model.trainable_variables:
        if not np.all(np.isfinite(keras_to_numpy(variable))):
            raise GanzooError(
                f"training diverged by step {state['step']}: {variable.path} holds NaN or Inf; the last good "
                "checkpoint is kept. Lower the learning rates (--set) or try another --seed"
            )


def keras_to_numpy(variable):
    import keras

    return keras.ops.convert_to_numpy(variable.value).astype("float32")


def _stamp(path, state):
    import h5py

    with h5py.File(path, "a") as f:
        f.attrs[_ATTRIBUTE] = json.dumps(state)


def _check_space(model, directory, path):
    os.makedirs(directory, exist_ok=True)
    previous = os.path.getsize(path) if os.path.exists(path) else 0
    needed = max(previous, _estimate(model)) + _HEADROOM
    free = shutil.disk_usage(directory).free
    if free < needed:
        raise GanzooError(
            f"no space left in {directory} for the checkpoint (needs about {needed / 2**20:.0f} MB, "
            f"{free / 2**20:.0f} MB free); free some space, then continue with --resume"
        )
    return needed


def _estimate(model):
    """Bytes of the variables a checkpoint holds (optimizer slots included)."""
    optimizer = getattr(model, "optimizer", None)
    variables = list(model.variables) + list(getattr(optimizer, "variables", []) or [])
    return sum(_nbytes(v) for v in variables)


def _nbytes(variable):
    import numpy as np

    return int(np.prod(variable.shape)) * 4


def write_error(path, exc, what="the checkpoint"):
    """One line for a failed write of `path`: the reason in words and what to do."""
    reason = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is exceeded",
              errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
              errno.EPERM: "permission denied"}.get(exc.errno, exc.strerror or type(exc).__name__)
    return (f"cannot write {what} {path}: {reason}; the previous checkpoint is kept. "
            "Make room or fix the permissions, then continue with --resume")


def read_state(directory):
    """The committed state of the run's checkpoint, or None when it has none.

    Raises:
        GanzooError: the checkpoint file exists but cannot be read.
    """
    path = os.path.join(directory, WEIGHTS)
    if not os.path.exists(path):
        state = _unstamped_state(directory)
        return state if state is not None and state.get(_IN_FINAL) == FINAL else None
    try:
        import h5py

        with h5py.File(path, "r") as f:
            stamped = f.attrs.get(_ATTRIBUTE)
    except OSError:
        raise GanzooError(f"{path} is damaged (not a complete HDF5 file); restore it from a backup or start "
                          "a new run with another --out") from None
    if stamped is not None:
        return json.loads(stamped)
    return _unstamped_state(directory)


def _unstamped_state(directory):
    """checkpoint.json without checkpoint.weights.h5: a checkpoint written
    before the state was stamped in, or a finished run's, folded into its
    final model."""
    copy = os.path.join(directory, STATE)
    if not os.path.exists(copy):
        return None
    with open(copy) as f:
        state = json.load(f)
    if state.get(_IN_FINAL) == FINAL and not os.path.exists(os.path.join(directory, FINAL)):
        raise GanzooError(f"{directory} is a finished run whose weights are in {FINAL}, which is missing; put "
                          f"it back to resume the run (or start a new run with another --out)")
    return state


def weights_file(directory, state):
    """The file that holds the weights of the checkpoint `state`."""
    if state.get(_IN_FINAL) == FINAL and not os.path.exists(os.path.join(directory, WEIGHTS)):
        return os.path.join(directory, FINAL)
    return os.path.join(directory, WEIGHTS)


def fold_into_final(model, directory):
    """After the final model is written: when the checkpoint holds the same
    step, the final model becomes the checkpoint and checkpoint.weights.h5
    goes, so the run folder keeps each weight once. A kill at any point
    leaves a resumable run: checkpoint.json names the final model only
    after that is on disk, and the weights file is read first while it exists.

    Returns:
        Bytes freed (0 when nothing was folded).
    """
    path = os.path.join(directory, WEIGHTS)
    state = read_state(directory) if os.path.exists(path) else None
    if state is None or state.get("step") != model.steps_done or not os.path.exists(os.path.join(directory, FINAL)):
        return 0
    size = os.path.getsize(path)
    try:
        write_json({**state, _IN_FINAL: FINAL}, os.path.join(directory, STATE))
        os.unlink(path)
    except OSError:
        return 0  # both files stay: a larger folder, nothing lost
    return size


def restore(model, directory):
    """Loads the checkpoint into a compiled `model`; returns its state or None."""
    state = read_state(directory)
    if state is None:
        return None
    path = weights_file(directory, state)
    try:
        model.load_weights(path)
    except (OSError, ValueError) as exc:
        raise GanzooError(f"{path} does not fit this model or is damaged ({_first_line(exc)}); start a new run "
                          "with another --out") from None
    return state


def sync_state_copy(directory, state):
    """Rewrites `checkpoint.json` where it differs from the committed `state`
    (a kill came between the two writes of `save`).

    Only a run that trains on calls it: `restore` reads, and a read (`ganzoo
    sample`, `evaluate`, `info`, loading a run) leaves the run folder as it was.
    """
    copy = os.path.join(directory, STATE)
    if not os.path.exists(copy) or read_json(copy) != state:
        try:
            write_json(state, copy)
        except OSError:
            pass  # the checkpoint itself is intact; the copy is only for reading


def _first_line(exc):
    text = str(exc).strip()
    return text.splitlines()[0][:160] if text else type(exc).__name__


def tracker_state(model):
    """The running means of the epoch's logs, as `{name: [total, count]}`."""
    return {name: [float(v.numpy()) for v in tracker.variables] for name, tracker in model.trackers.items()}


def restore_trackers(model, saved):
    """Puts back the running means saved by `tracker_state`."""
    for name, values in (saved or {}).items():
        tracker = model.trackers.get(name)
        if tracker is not None:
            for variable, value in zip(tracker.variables, values):
                variable.assign(value)
