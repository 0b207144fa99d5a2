"""A run's own files: `run.json` (what was asked and built) and `model.keras`.

Reading a run (`read_run`, `load_run_model`) never writes into its folder.
"""

from __future__ import annotations

import dataclasses
import json
import os

from ganzoo.errors import GanzooError
from ganzoo.precision import precision_policy
from ganzoo.training import checkpoints
from ganzoo.version import __version__

RUN_FILE = "run.json"
MODEL_FILE = "model.keras"
DEFAULT_PRECISION = "mixed_bfloat16"


@dataclasses.dataclass
class RunSettings:
    """What `ganzoo fit` was asked to do; stored in run.json."""

    plugin: str
    source: str
    config: dict
    batch_size: int = 64
    epochs: int = 10
    steps_per_epoch: int | None = None
    total_steps: int | None = None
    seed: int | None = None
    precision: str = DEFAULT_PRECISION
    data_dir: str | None = None
    preset: str | None = None
    class_names: list | None = None
    strategy: str = "auto"
    sync_batchnorm: bool = False


def read_run(out):
    """The contents of `RUN/run.json`.

    Args:
        out: the run directory.

    Returns:
        A dict, or None when the folder has no run.json.

    Raises:
        GanzooError: run.json exists but cannot be read.
    """
    path = os.path.join(out, RUN_FILE)
    if not os.path.exists(path):
        return None
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as exc:
        raise GanzooError(f"{path} is unreadable ({type(exc).__name__}); restore it from a backup or "
                          "start a new run with another --out") from None


def settings_of(run):
    """The `RunSettings` of a `read_run` record (fields of newer versions ignored)."""
    known = {f.name for f in dataclasses.fields(RunSettings)}
    return RunSettings(**{k: v for k, v in run["settings"].items() if k in known})


def run_record(plugin_name, settings, previous=None):
    """The run.json contents of `settings`; `previous` (the record being
    resumed) keeps the version the run was created with."""
    previous = previous or {}
    return {"plugin": plugin_name, "settings": dataclasses.asdict(settings), "ganzoo_version": __version__,
            "created_with": previous.get("created_with") or previous.get("ganzoo_version") or __version__}


def note_version(previous, echo):
    """Says so when a resumed run was saved by another ganzoo version."""
    made = previous.get("ganzoo_version")
    if made and made != __version__:
        echo(f"note: this run was saved by ganzoo {made}, this is {__version__}; it is rebuilt from the "
             "configuration stored in run.json, so changed defaults do not change it")


def saved_config(model):
    """The model's whole configuration (every option, defaults included), as JSON."""
    config = {k: v for k, v in model.get_config().items() if k not in ("name", "trainable", "dtype")}
    return json.loads(json.dumps(config, default=lambda v: list(v) if isinstance(v, tuple) else str(v)))


def saved_anything(out):
    """Whether a run directory holds a checkpoint or a model (training got somewhere)."""
    return any(os.path.exists(os.path.join(out, name))
               for name in (MODEL_FILE, checkpoints.WEIGHTS, checkpoints.STATE))


def save_model(model, path):
    """`model.save(path)` through a temporary file, so the old model survives a crash.

    Args:
        model: the model to save.
        path: the `.keras` file.

    Raises:
        GanzooError: the file cannot be written (one line naming it).
    """
    from ganzoo.files import atomic_path

    try:
        with atomic_path(path, suffix=".keras") as tmp:
            model.save(tmp)
    except OSError as exc:
        raise GanzooError(checkpoints.write_error(path, exc, "the model")) from None


def load_run_model(path):
    """The model of a run directory or of a `.keras` file.

    Args:
        path: a run directory (its final model, else its last checkpoint)
            or a `.keras` file.

    Returns:
        The compiled model. Nothing in the run directory is written.

    Raises:
        GanzooError: not a run directory, or a run with nothing saved yet.
    """
    from ganzoo.saving import load_model

    path = os.path.abspath(os.path.expanduser(str(path)))
    if not os.path.isdir(path):
        return load_model(path)
    run = read_run(path)
    if run is None:
        raise GanzooError(f"{path} is not a run directory (no {RUN_FILE}); pass a run directory or a .keras file")
    final = os.path.join(path, MODEL_FILE)
    if os.path.exists(final):
        return load_model(final)
    from ganzoo.registry import get_plugin

    settings = settings_of(run)
    with precision_policy(settings.precision):
        model = get_plugin(run["plugin"]).model_class(**settings.config)
    model.compile()
    if checkpoints.restore(model, path) is None:
        raise GanzooError(f"{path} has neither {MODEL_FILE} nor a checkpoint yet")
    return model


def folder_size(folder):
    """Bytes of every file under `folder` (links not followed)."""
    total = 0
    for root, _, names in os.walk(folder):
        for name in names:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def size_text(size):
    """`25 MB`, `1.3 GB`, `420 KB`: a size in words (powers of 1,000, as `du --si`)."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if size >= scale:
            value = size / scale
            return f"{value:.1f} {unit}" if value < 10 and unit == "GB" else f"{value:.0f} {unit}"
    return f"{size} bytes"


def run_size_line(out):
    """One line on a run folder's size and its largest files, for the end of `ganzoo fit`:
    `run folder runs/dcgan: 11 MB (model.keras 11 MB, also the checkpoint)`."""
    shown = os.path.relpath(out) if not os.path.relpath(out).startswith(os.pardir) else out
    parts = [f"{name} {size_text(os.path.getsize(os.path.join(out, name)))}"
             for name in (MODEL_FILE, checkpoints.WEIGHTS) if os.path.exists(os.path.join(out, name))]
    if parts and not os.path.exists(os.path.join(out, checkpoints.WEIGHTS)) \
            and os.path.exists(os.path.join(out, checkpoints.STATE)):
        parts[0] += ", also the checkpoint"
    return f"run folder {shown}: {size_text(folder_size(out))}" + (f" ({', '.join(parts)})" if parts else "")

