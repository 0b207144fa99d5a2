"""What `ganzoo fit` was asked, and the checks that need no run directory."""

from __future__ import annotations

import dataclasses
import math
import os

from ganzoo.errors import GanzooError
from ganzoo.factory import is_file_preset

DEFAULT_CHECKPOINT_STEPS = 1000
DEFAULT_CHECKPOINT_MINUTES = 10.0


@dataclasses.dataclass
class FitRequest:
    """The arguments of `ganzoo fit`, as given (None: not given).

    Attributes:
        plugin: registered plugin name.
        dataset: embedded or TFDS dataset name; the plugin's default if None.
        data: a folder (or file) on disk instead of `dataset`; with `resume`,
            where the run's data folder is now, if it moved.
        data_dir: TFDS data directory.
        image_size: square image size, overriding the dataset's.
        batch_size: images per step (the preset's or plugin's if None).
        epochs: passes over the data (the preset's or plugin's if None).
        steps: total training steps instead of `epochs` (one step is one
            `train_step`, however many updates it makes).
        out: run directory (`runs/PLUGIN` if None): a new or empty folder,
            or a run of ganzoo's; one process at a time (`RUN/.lock`).
        resume: continue the run in `out` from its last checkpoint, at the
            step and data position it was saved at; only `epochs`/`steps`
            (and `data`/`data_dir` for moved data) may change, any other
            argument that differs from the run is an error.
        seed: random seed of weights, latents and data order (drawn and
            stored in run.json if None).
        overrides: dict of plugin options (from `--set key=value`).
        precision: "float32", "mixed_bfloat16" or "mixed_float16".
        preset: a preset name of the plugin, or a `.keras`/`.weights.h5`
            file (path or URL) whose weights the run starts from.
        checkpoint_steps: save a checkpoint every this many steps (1000 if
            None), besides every epoch end.
        checkpoint_minutes: and whenever this many minutes passed since the
            last one (10 if None).
        strategy: "auto" (None), "one", "mirrored" or "multi-worker" (see
            `ganzoo.training.distribution`); `batch_size` is the global batch
            and must divide by the replica count. In a multi-worker run only
            the chief writes `out` (and holds its lock); the other workers
            read the run from `out` and write into a temporary folder.
        sync_batchnorm: synchronise BatchNorm statistics across replicas
            (`ganzoo.layers.synchronized_batchnorm`; False if None).
        jit: compile the training step with XLA (`jit_compile`); None: the
            default, `DEFAULT_JIT` (Keras' "auto": off on CPU, where it was
            slower, see docs/benchmarks.md).
        steps_per_execution: training steps per call into TensorFlow (Keras'
            `steps_per_execution`); None: `DEFAULT_STEPS_PER_EXECUTION`. The
            run uses the largest divisor of it that divides the epoch length,
            the checkpoint interval, the total steps and the resumed position,
            so checkpoints and the stop land on their exact steps. Neither
            option changes what is trained; both may differ on `--resume`.
    """

    plugin: str
    dataset: str | None = None
    data: str | None = None
    data_dir: str | None = None
    image_size: int | None = None
    batch_size: int | None = None
    epochs: int | None = None
    steps: int | None = None
    out: str | None = None
    resume: bool = False
    seed: int | None = None
    overrides: dict | None = None
    precision: str | None = None
    preset: str | None = None
    checkpoint_steps: int | None = None
    checkpoint_minutes: float | None = None
    strategy: str | None = None
    sync_batchnorm: bool | None = None
    jit: bool | None = None
    steps_per_execution: int | None = None


def resolve_source(plugin, dataset, data):
    """The training data: `data` as an absolute path, else `dataset`, else
    the plugin's default dataset.

    Raises:
        GanzooError: `data` does not exist.
    """
    if data:
        path = os.path.abspath(os.path.expanduser(str(data)))
        if not os.path.exists(path):
            raise GanzooError(f"--data {data}: no such file or folder")
        return path
    return dataset or plugin.default_dataset


def check_request(request):
    """Checks every argument that needs no run directory, so a bad flag is
    reported as itself and never as "the run already exists".

    Args:
        request: a `FitRequest`.

    Returns:
        The request's `Plugin`.

    Raises:
        GanzooError: the first bad argument, in one line.
    """
    from ganzoo.options import check_config
    from ganzoo.registry import get_plugin

    _check_flags(request)
    plugin = get_plugin(request.plugin)
    if request.preset is not None and not is_file_preset(request.preset):
        plugin.preset(request.preset)
    if request.overrides:
        check_config(plugin.model_class, dict(request.overrides), plugin=plugin.name)
    if request.data:
        resolve_source(plugin, None, request.data)
    if (request.strategy or "auto") == "multi-worker" and request.seed is None and not request.resume:
        raise GanzooError("--strategy multi-worker needs --seed N, the same on every worker, so that the workers "
                          "read one data order and build one model")
    return plugin


def _check_flags(request):
    from ganzoo.precision import PRECISIONS

    if request.dataset and request.data:
        raise GanzooError("pass either --dataset or --data, not both")
    if request.epochs is not None and request.steps is not None:
        raise GanzooError("pass either --epochs or --steps, not both")
    for name in ("epochs", "steps", "batch_size", "image_size", "checkpoint_steps", "steps_per_execution"):
        value = getattr(request, name)
        if value is not None and (isinstance(value, bool) or int(value) < 1):
            raise GanzooError(f"--{name.replace('_', '-')} must be at least 1, got {value}")
    minutes = request.checkpoint_minutes
    if minutes is not None and not (math.isfinite(float(minutes)) and float(minutes) > 0):
        raise GanzooError(f"--checkpoint-minutes must be a number of minutes above 0, got {minutes}")
    if request.precision is not None and request.precision not in PRECISIONS:
        raise GanzooError(f"unknown precision {request.precision!r}; choose one of {', '.join(PRECISIONS)}")
