"""Training runs: a directory that holds everything a run needs and leaves.

```
RUN/
  run.json              plugin, model config, data and training settings (exact)
  model.keras           the final model (loadable with ganzoo.load_model)
  checkpoint.weights.h5 networks + optimizers + step + random state (resume)
  checkpoint.json       epoch and step of that checkpoint
  samples/epoch_NNNN.png  progress grids from fixed latents / inputs
  metrics.csv           the losses per epoch
  tensorboard/          scalars and sample grids
```
`ganzoo fit ... --resume` and `ganzoo sample RUN` need nothing else.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os

from ganzoo.errors import GanzooError
from ganzoo.precision import precision_policy

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
    """The contents of `RUN/run.json` as a dict, or None when there is none."""
    path = os.path.join(out, RUN_FILE)
    if not os.path.exists(path):
        return None
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as exc:
        raise GanzooError(f"{path} is unreadable ({type(exc).__name__}); restore it from a backup or "
                          "start a new run with another --out") from None


_read_run = read_run  # the old private name, kept for callers outside ganzoo


@dataclasses.dataclass(frozen=True)
class RunPlan:
    """What a model's `run_config` hook sees of a run before the model exists.

    Attributes:
        info: the training data's `ganzoo.data.SourceInfo`.
        image_size: `--image-size`, or None.
        batch_size: images per step.
        total_steps: planned training steps (`--steps`, or epochs times the
            steps of an epoch), None when unknown.
        seed: `--seed`, or None.
    """

    info: object
    image_size: int | None
    batch_size: int
    total_steps: int | None
    seed: int | None


@dataclasses.dataclass
class FitRequest:
    """The arguments of `ganzoo fit`, as given (None: not given)."""

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


DEFAULT_CHECKPOINT_STEPS = 1000
DEFAULT_CHECKPOINT_MINUTES = 10.0

# Flags a resumed run cannot honour: the model, its data and its random
# stream are fixed once the run exists.
_FIXED_ON_RESUME = ("dataset", "image_size", "overrides", "precision", "seed", "preset", "batch_size")
_FLAGS = {"dataset": "--dataset", "data": "--data", "data_dir": "--data-dir", "image_size": "--image-size",
          "overrides": "--set", "precision": "--precision", "seed": "--seed", "preset": "--preset",
          "batch_size": "--batch-size"}


def _resolve_source(plugin, dataset, data):
    if data:
        path = os.path.abspath(os.path.expanduser(str(data)))
        if not os.path.exists(path):
            raise GanzooError(f"--data {data}: no such file or folder")
        return path
    return dataset or plugin.default_dataset


def _steps_per_epoch(info, batch_size, steps):
    """With `--steps`, an epoch (one grid, one checkpoint) is a pass over the
    data, or the whole run when that is shorter."""
    per_pass = info.num_examples // batch_size if info.num_examples else steps
    return max(1, min(steps, per_pass))


def _check_batch(info, batch_size):
    if info.num_examples is not None and info.num_examples < batch_size:
        raise GanzooError(
            f"the dataset has {info.num_examples} images, fewer than one batch of {batch_size}; "
            "lower --batch-size"
        )


def check_request(request):
    """Checks every argument that needs no run directory, so a bad flag is
    reported as itself and never as "the run already exists"."""
    from ganzoo.options import check_config
    from ganzoo.precision import PRECISIONS
    from ganzoo.registry import get_plugin

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
    plugin = get_plugin(request.plugin)
    if request.preset is not None and not _is_file(request.preset):
        plugin.preset(request.preset)
    if request.overrides:
        check_config(plugin.model_class, dict(request.overrides), plugin=plugin.name)
    if request.data:
        _resolve_source(plugin, None, request.data)
    return plugin


def _is_file(preset):
    from ganzoo.factory import is_file_preset

    return is_file_preset(preset)


def _same(name, given, saved):
    if name == "data":
        return os.path.abspath(os.path.expanduser(str(given))) == saved.source
    if name == "dataset":
        return given == saved.source
    if name == "overrides":   # --set equal to the run's options is no change
        from ganzoo.options import check_config
        from ganzoo.registry import get_plugin

        converted = check_config(get_plugin(saved.plugin).model_class, dict(given), plugin=saved.plugin)
        return all(_plain(value) == _plain(saved.config.get(key)) for key, value in converted.items())
    return given == getattr(saved, name, None)


def _plain(value):
    return list(value) if isinstance(value, (tuple, list)) else value


def _resumed_settings(request, previous, out):
    """The saved settings, with `--epochs`/`--steps` applied and `--data`/
    `--data-dir` where the data moved; every other flag that differs from
    the run is refused in one line."""
    if previous["plugin"] != request.plugin:
        raise GanzooError(f"{out} holds a {previous['plugin']!r} run, not {request.plugin!r}")
    known = {f.name for f in dataclasses.fields(RunSettings)}
    settings = RunSettings(**{k: v for k, v in previous["settings"].items() if k in known})
    refused = [_FLAGS[name] for name in _FIXED_ON_RESUME
               if getattr(request, name) not in (None, {}) and not _same(name, getattr(request, name), settings)]
    if request.data is not None and not os.path.isabs(str(settings.source)):
        refused.append("--data")  # the run trained on a named dataset, not on a folder
    if refused:
        raise GanzooError(f"--resume continues the run as it was built; {', '.join(refused)} cannot change it "
                          f"(drop {'them' if len(refused) > 1 else 'it'}, or start a new run with another --out)")
    if request.epochs is not None:
        settings.epochs = request.epochs
    # How the run trains, not what it trains: a resumed run may change them
    # (the weights are the same variables on any number of replicas).
    settings.strategy = request.strategy or "auto"
    if request.sync_batchnorm is not None:
        settings.sync_batchnorm = bool(request.sync_batchnorm)
    if request.data is not None:
        settings.source = os.path.abspath(os.path.expanduser(str(request.data)))
    if request.data_dir is not None:
        settings.data_dir = request.data_dir
    return settings


def _check_same_data(settings, info):
    """Resuming reads the data the run was built on: for a model that takes
    labels, the same classes in the same order (labels index them)."""
    if "num_classes" not in settings.config or settings.class_names is None or info.class_names is None:
        return
    saved, now = list(settings.class_names), list(info.class_names)
    if saved != now:
        added = [c for c in now if c not in saved]
        missing = [c for c in saved if c not in now]
        change = "; ".join(p for p in (added and f"new: {', '.join(added[:5])}",
                                       missing and f"missing: {', '.join(missing[:5])}") if p) or "another order"
        raise GanzooError(f"the data {settings.source} now has other classes than the run was trained on "
                          f"({change}); restore the data as it was (or pass --data where it is now), "
                          "or start a new run with another --out")


def _new_settings(request, plugin, info):
    """Settings of a new run: flags, then the preset's, then the plugin's defaults."""
    preset = None
    name = request.preset or plugin.default_preset
    if name is not None and not _is_file(name):
        preset = plugin.preset(name)
    return RunSettings(
        plugin=plugin.name, source=str(_resolve_source(plugin, request.dataset, request.data)), config={},
        batch_size=request.batch_size or (preset and preset.batch_size) or plugin.default_batch_size,
        epochs=request.epochs or (None if request.steps else (preset and preset.epochs)) or plugin.default_epochs,
        seed=_chosen_seed(request.seed), precision=request.precision or DEFAULT_PRECISION,
        data_dir=request.data_dir, preset=name,
        class_names=list(info.class_names) if info.class_names is not None else None,
        strategy=request.strategy or "auto", sync_batchnorm=bool(request.sync_batchnorm),
    )


def _chosen_seed(seed):
    """`--seed`, or one drawn now: a run always has a seed, stored in run.json,
    so that a resumed run reads its data in the order it would have."""
    if seed is not None:
        return seed
    import secrets

    return secrets.randbelow(2**31)


def _model_config(plugin, settings, info, request, preset):
    """The whole model configuration: the model's `run_config` hook (data and
    plan), then the preset, then `--set`, checked against the constructor."""
    from ganzoo.options import check_config

    cls = plugin.model_class
    image_size = request.image_size or (preset.image_size if preset else None)
    total = settings.total_steps
    if total is None and info.num_examples:
        total = settings.epochs * (info.num_examples // settings.batch_size)
    plan = RunPlan(info=info, image_size=image_size, batch_size=settings.batch_size, total_steps=total,
                   seed=settings.seed)
    config = dict(cls.run_config(plan))
    preset_config = dict(preset.config) if preset else {}
    overrides = dict(request.overrides or {})
    # The data decides the channels and the classes; a preset, the size.
    if "image_shape" in config and "image_shape" in preset_config:
        height, width = (image_size, image_size) if image_size else tuple(preset_config["image_shape"])[:2]
        preset_config["image_shape"] = (height, width, config["image_shape"][2])
    if "num_classes" in config:
        preset_config.pop("num_classes", None)
    config.update(preset_config)
    config.update(overrides)
    config = check_config(cls, config, plugin=plugin.name)
    if "num_classes" in config and info.num_classes is not None and config["num_classes"] < info.num_classes:
        raise GanzooError(
            f"num_classes={config['num_classes']} is fewer than the {info.num_classes} classes of {info.name}, "
            f"whose labels go up to {info.num_classes - 1}; drop --set num_classes (the data sets it)"
        )
    return config


def _plan_length(settings, info, steps):
    if steps is None:
        _check_batch(info, settings.batch_size)
        settings.total_steps = None
    else:
        settings.total_steps = steps
        settings.steps_per_epoch = settings.steps_per_epoch or _steps_per_epoch(info, settings.batch_size, steps)


#: How `ganzoo fit` compiles the training step unless told otherwise (see
#: docs/benchmarks.md): Keras' "auto", which is off on a CPU-only machine
#: (XLA was slower on CPU for every plugin measured) and under tf.distribute;
#: and one step per execution (more gave no measurable gain).
DEFAULT_JIT = "auto"
DEFAULT_STEPS_PER_EXECUTION = 1


def compile_options(jit=None, steps_per_execution=None):
    """The `keras.Model.compile` arguments of `--jit` and `--steps-per-execution`."""
    return {"jit_compile": DEFAULT_JIT if jit is None else bool(jit),  # "auto" unless asked
            "steps_per_execution": int(steps_per_execution or DEFAULT_STEPS_PER_EXECUTION)}


def execution_steps(requested, *boundaries):
    """The steps per execution a run can use: the largest divisor of
    `requested` that divides every boundary (steps in an epoch, steps left in
    a resumed epoch, checkpoint interval, total steps, steps already done).

    Keras runs `steps_per_execution` steps in one call and calls the batch-end
    callbacks once after them, so a checkpoint or a stop can only land on a
    multiple of it; and it rounds an epoch up to whole executions. Dividing
    every boundary keeps each one exact."""
    chosen = int(requested)
    for boundary in boundaries:
        if boundary:
            chosen = math.gcd(chosen, int(boundary))
    return max(1, chosen)


def _build(plugin, settings, weights_preset=None, compile_kwargs=None):
    """The compiled model of `settings` (weights from a file preset, if any)."""
    import keras

    if settings.seed is not None:
        keras.utils.set_random_seed(settings.seed)
    with precision_policy(settings.precision):
        model = plugin.model_class(**settings.config)
    model.compile(**(compile_kwargs or {}))
    if weights_preset is not None:
        from ganzoo.factory import from_file

        source = from_file(plugin, weights_preset, {} if str(weights_preset).endswith(".keras")
                            else settings.config)
        model.set_weights(source.get_weights())
    return model


def _callbacks(model, out, settings, *, append, evaluation=None, checkpointing=None, epoch_step=0,
               trackers=None, interruption=None):
    """The run's callbacks. The files of an epoch are committed in order:
    grid, scores, CSV row, and last the checkpoint, so a checkpoint is never
    ahead of them (see `ganzoo.rundir.repair`)."""
    from ganzoo import data as data_lib
    from ganzoo.callbacks import (Checkpoint, EpochTensorBoard, MetricsCSV, ResumeEpoch, SampleGrid, StopAtStep,
                                  StopOnNonFinite)

    # A fixed, seeded draw of training examples for the per-epoch grids: varied
    # (not the first files in order) and the same in every epoch.
    preview_data = data_lib.load(settings.source, model, batch_size=min(settings.batch_size, 16),
                                 data_dir=settings.data_dir, seed=(settings.seed or 0) + 1234, cache=False)
    examples = next(iter(preview_data))
    scorer = _evaluation_callback(evaluation, settings, out)
    every_steps, every_minutes = checkpointing or (None, None)
    callbacks = [
        ResumeEpoch(trackers),
        StopOnNonFinite(),
        SampleGrid(os.path.join(out, "samples"), examples=examples, seed=settings.seed or 1234,
                   tensorboard_dir=os.path.join(out, "tensorboard")),
        *([scorer] if scorer else []),  # before the CSV and TensorBoard, which log what it adds
        MetricsCSV(os.path.join(out, "metrics.csv"), append=append, extra_keys=scorer.log_keys if scorer else ()),
        EpochTensorBoard(os.path.join(out, "tensorboard"), write_graph=False),
        Checkpoint(out, every_steps=every_steps, every_minutes=every_minutes, epoch_step=epoch_step,
                   interruption=interruption),
    ]
    if settings.total_steps is not None:
        callbacks.insert(0, StopAtStep(settings.total_steps))
    return callbacks


def fit(plugin_name, *, dataset=None, data=None, data_dir=None, image_size=None, batch_size=None,
        epochs=None, steps=None, out=None, resume=False, seed=None, overrides=None, precision=None,
        preset=None, verbose="auto", echo=print, evaluation=None, checkpoint_steps=None,
        checkpoint_minutes=None, strategy=None, sync_batchnorm=None, jit=None, steps_per_execution=None):
    """Trains a plugin into a run directory (the engine of `ganzoo fit`).

    Args:
        plugin_name: registered plugin name.
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
        verbose: Keras `fit` verbosity.
        echo: function that prints progress messages.
        evaluation: None, or keyword arguments of
            `ganzoo.metrics.callback.InceptionEvaluation` (`every`, `unit`,
            `metrics`, `n`, ...) to score the model during training.
        checkpoint_steps: save a checkpoint every this many steps (1000 if
            None), besides every epoch end.
        checkpoint_minutes: and whenever this many minutes passed since the
            last one (10 if None).
        strategy: "auto" (None), "one", "mirrored" or "multi-worker" (see
            `ganzoo.distribute`); `batch_size` is the global batch and must
            divide by the replica count. In a multi-worker run only the chief
            writes `out` (and holds its lock); the other workers read the run
            from `out` and write into a temporary folder.
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

    Returns:
        The trained model.

    Raises:
        GanzooError: a bad argument, a run directory that is not this run's
            or is in use, a failed checkpoint write, training that diverged.
        ganzoo.interruption.Interrupted: Ctrl-C or SIGTERM, after saving.
    """
    request = FitRequest(plugin_name, dataset, data, data_dir, image_size, batch_size, epochs, steps, out,
                         resume, seed, overrides, precision, preset, checkpoint_steps, checkpoint_minutes,
                         strategy, sync_batchnorm, jit, steps_per_execution)
    # 1. Every argument, before the run directory is looked at.
    plugin = check_request(request)
    from ganzoo import distribute

    if (strategy or "auto") == "multi-worker" and seed is None and not resume:
        raise GanzooError("--strategy multi-worker needs --seed N, the same on every worker, so that the workers "
                          "read one data order and build one model")
    replicas = distribute.strategy(strategy or "auto")  # before any other TensorFlow work
    if not distribute.is_chief(replicas):
        # Only the chief writes the run directory and holds its lock; another
        # worker reads the run from it and writes into a folder of its own.
        return _fit_worker(request, plugin, out or os.path.join("runs", plugin_name), replicas,
                           verbose=verbose, echo=echo)
    # 2. The run directory: a new run, or the one to resume; held by this process.
    out = os.path.abspath(out or os.path.join("runs", plugin_name))
    from ganzoo.rundir import check_new, check_outside_data

    check_outside_data(out, _resolve_source(plugin, dataset, data) if data else None)
    check_new(out)
    from ganzoo.runlock import RunLock

    with RunLock(out, echo=echo):
        return _fit_locked(request, plugin, out, verbose=verbose, echo=echo, evaluation=evaluation,
                           replicas=replicas)


def _fit_worker(request, plugin, out, replicas, *, verbose, echo):
    """A multi-worker run's non-chief worker: the run's files (when resuming)
    are copied from `out` into a temporary folder, where it writes."""
    import shutil
    import tempfile

    out = os.path.abspath(out)
    scratch = tempfile.mkdtemp(prefix="ganzoo-worker-")
    if request.resume and os.path.isdir(out):
        for name in os.listdir(out):
            path = os.path.join(out, name)
            if os.path.isfile(path) and not name.startswith("."):
                shutil.copy2(path, os.path.join(scratch, name))
    try:
        return _fit_locked(request, plugin, scratch, verbose=verbose, echo=echo, evaluation=None,
                           replicas=replicas)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _fit_locked(request, plugin, out, *, verbose, echo, evaluation, replicas=None):
    from ganzoo import data as data_lib
    from ganzoo.rundir import check_outside_data, repair

    resume, steps = request.resume, request.steps
    previous = read_run(out)
    if previous and not resume and not _saved_anything(out):
        previous = None  # it stopped before its first checkpoint (e.g. a setup error): start it afresh
    if previous and not resume:
        raise GanzooError(f"{out} already holds a run; pass --resume to continue it or choose another --out")
    if resume and not previous:
        raise GanzooError(f"nothing to resume in {out} (no {RUN_FILE}); drop --resume to start a new run")
    # 3. The settings and the model's whole configuration.
    if resume:
        settings = _resumed_settings(request, previous, out)
        check_outside_data(out, settings.source)
        info = data_lib.inspect(settings.source, data_dir=settings.data_dir, task=plugin.task)
        _check_same_data(settings, info)
        _plan_length(settings, info, steps)
        _note_version(previous, echo)
    else:
        info = data_lib.inspect(_resolve_source(plugin, request.dataset, request.data), data_dir=request.data_dir,
                                task=plugin.task)
        settings = _new_settings(request, plugin, info)
        named = plugin.preset(settings.preset) if settings.preset and not _is_file(settings.preset) else None
        if steps is None and named is not None and named.steps and request.epochs is None:
            steps = named.steps
        _plan_length(settings, info, steps)
        settings.config = _model_config(plugin, settings, info, request, named)
    # 4. The model, restored when resuming; what a crash left half-done, removed.
    weights = settings.preset if (settings.preset and _is_file(settings.preset) and not resume) else None
    from ganzoo import distribute
    from ganzoo.layers import synchronized_batchnorm

    import tensorflow as tf

    compile_kwargs = compile_options(request.jit, request.steps_per_execution)
    replicas = replicas or tf.distribute.get_strategy()
    distribute.check_batch(settings.batch_size, replicas)
    with replicas.scope(), synchronized_batchnorm(settings.sync_batchnorm):
        model = _build(plugin, settings, weights, compile_kwargs)
    state = _restore(model, out, settings, echo) if resume else None
    repair(out, state, echo=echo)
    if state is not None and _finished(model, out, settings, state, echo):
        return model
    per_epoch = settings.steps_per_epoch or (info.num_examples // settings.batch_size if info.num_examples else None)
    epoch, epoch_step = (state["epoch"], state.get("epoch_step", 0)) if state else (0, 0)
    if settings.total_steps is not None:
        done = model.steps_done
        settings.epochs = epoch + math.ceil((epoch_step + settings.total_steps - done) / settings.steps_per_epoch)
    if not resume:
        settings.config = _saved_config(model)
    # 5. Train, writing the run directory.
    from ganzoo.files import write_json

    record = {"plugin": plugin.name, "settings": dataclasses.asdict(settings), "ganzoo_version": _version(),
              "created_with": (previous or {}).get("created_with") or (previous or {}).get("ganzoo_version")
              or _version()}
    write_json(record, os.path.join(out, RUN_FILE))
    echo(_announcement(plugin.name, info, settings, out, distribute.describe(replicas)))
    checkpointing = ((request.checkpoint_steps or DEFAULT_CHECKPOINT_STEPS,
                      request.checkpoint_minutes or DEFAULT_CHECKPOINT_MINUTES) if per_epoch else None)
    requested = compile_kwargs["steps_per_execution"]
    if per_epoch and requested > 1:
        usable = execution_steps(requested, per_epoch, epoch_step, checkpointing[0], settings.total_steps,
                                 model.steps_done)
        if usable != requested:
            echo(f"note: {usable} steps per execution instead of {requested}, so that epochs, checkpoints "
                 "and the last step land exactly")
            model.steps_per_execution = usable
            model.make_train_function(force=True)
    from ganzoo.interruption import Interrupted, Interruption

    interruption = Interruption(echo=echo)
    trackers = state.get("trackers") if state else None
    appended = bool(state)
    with interruption.installed():
        while epoch < settings.epochs:
            # A run resumed inside an epoch first finishes that epoch alone.
            last = epoch + 1 if epoch_step else settings.epochs
            if per_epoch:
                train = data_lib.load(settings.source, model, batch_size=settings.batch_size,
                                      data_dir=settings.data_dir, seed=settings.seed, repeat=True,
                                      start=model.steps_done * settings.batch_size)
            else:  # size unknown until read: whole passes, no position inside one
                train = data_lib.load(settings.source, model, batch_size=settings.batch_size,
                                      data_dir=settings.data_dir, seed=settings.seed + epoch)
            train = distribute.shard_by_data(train)
            callbacks = _callbacks(model, out, settings, append=appended, evaluation=evaluation,
                                   checkpointing=checkpointing, epoch_step=epoch_step, trackers=trackers,
                                   interruption=interruption)
            try:
                model.fit(train, epochs=last, initial_epoch=epoch,
                          steps_per_epoch=(per_epoch - epoch_step) if per_epoch else None,
                          shuffle=False, callbacks=callbacks, verbose=verbose)
            except Exception as exc:  # noqa: BLE001 - re-raised unless XLA refused the step
                _raise_for_xla(exc, plugin.name, out)
                raise
            appended = True
            if interruption.requested:
                raise Interrupted(f"stopped at step {model.steps_done}; the checkpoint is saved in {out}")
            if model.stop_training:
                break
            epoch, epoch_step, trackers = last, 0, None
    save_model(model, os.path.join(out, MODEL_FILE))
    echo(f"saved {os.path.join(out, MODEL_FILE)} after {model.steps_done} steps")
    return model


def _raise_for_xla(exc, plugin_name, out):
    """A one-line error for a step that XLA (`--jit`) cannot compile."""
    from ganzoo.training.xla import unsupported_by_xla

    unsupported = unsupported_by_xla(exc)
    if unsupported is not None:
        raise GanzooError(f"XLA (--jit) cannot compile {plugin_name}'s training step on this device ("
                          f"{_xla_reason(unsupported)}); run the same command with --no-jit and --resume "
                          f"(the run directory {out} is kept)") from None


def _xla_reason(unsupported):
    if unsupported and unsupported[0].startswith("a shape"):
        return unsupported[0]
    return f"no XLA kernel for {', '.join(unsupported)}"


def _note_version(previous, echo):
    made = previous.get("ganzoo_version")
    if made and made != _version():
        echo(f"note: this run was saved by ganzoo {made}, this is {_version()}; it is rebuilt from the "
             "configuration stored in run.json, so changed defaults do not change it")


def _evaluation_callback(evaluation, settings, out):
    """`InceptionEvaluation` for `ganzoo fit --eval-every`, or None."""
    if not evaluation:
        return None
    from ganzoo.metrics.callback import InceptionEvaluation

    return InceptionEvaluation(settings.source, out, data_dir=settings.data_dir,
                               tensorboard_dir=os.path.join(out, "tensorboard"), **evaluation)


def _restore(model, out, settings, echo):
    """Loads the run's checkpoint into `model`; returns its state (None when
    the run has none yet)."""
    from ganzoo import checkpoints

    state = checkpoints.restore(model, out)
    if state is None:
        if _saved_anything(out):
            # Never train from scratch over a run that got somewhere.
            raise GanzooError(f"{out} has a model or part of a checkpoint but no {checkpoints.WEIGHTS}, so it "
                              "cannot resume where it stopped; start a new run with another --out")
        echo(f"no checkpoint in {out} yet; starting from step 0")
        return None
    inside = f", {state['epoch_step']} steps into epoch {state['epoch'] + 1}" if state.get("epoch_step") else ""
    echo(f"resuming {settings.plugin} from step {state['step']} ({state['epoch']} epochs done{inside})")
    return state


def _finished(model, out, settings, state, echo):
    """True when the checkpoint already holds the whole run. A run killed
    after its last checkpoint but before its final model gets the model now;
    a finished run asks for a longer one."""
    if settings.total_steps is not None:
        done = model.steps_done
        finished = done >= settings.total_steps
        more = f"the run already did {done} steps; pass --steps N with N > {done} to train on"
    else:
        finished = state["epoch"] >= settings.epochs
        more = f"the run already finished {state['epoch']} epochs; pass --epochs N with N > {state['epoch']} to train on"
    if not finished:
        return False
    path = os.path.join(out, MODEL_FILE)
    if os.path.exists(path):
        raise GanzooError(more)
    save_model(model, path)
    echo(f"the run had finished before its final model was written; saved {path} after {model.steps_done} steps")
    return True


def _saved_config(model):
    """The model's whole configuration (every option, defaults included), as JSON."""
    config = {k: v for k, v in model.get_config().items() if k not in ("name", "trainable", "dtype")}
    return json.loads(json.dumps(config, default=lambda v: list(v) if isinstance(v, tuple) else str(v)))


def _announcement(plugin_name, info, settings, out, replicas=None):
    shape = "x".join(map(str, settings.config.get("image_shape", ())))
    length = (f"to step {settings.total_steps}" if settings.total_steps is not None
              else f"for {settings.epochs} epochs")
    preset = f", preset {settings.preset}" if settings.preset else ""
    replicas = f", {replicas}" if replicas else ""
    return (f"training {plugin_name} on {info.name} ({shape}) {length}, batch {settings.batch_size}{replicas}, "
            f"{settings.precision}{preset}; run directory {out}")


def _saved_anything(out):
    """Whether a run directory holds a checkpoint or a model (training got somewhere)."""
    from ganzoo import checkpoints

    return any(os.path.exists(os.path.join(out, name)) for name in (MODEL_FILE, checkpoints.WEIGHTS, checkpoints.STATE))


def _version():
    import ganzoo

    return ganzoo.__version__


def save_model(model, path):
    """`model.save(path)` through a temporary file, so the old model survives a crash."""
    from ganzoo.checkpoints import write_error
    from ganzoo.files import atomic_path

    try:
        with atomic_path(path, suffix=".keras") as tmp:
            model.save(tmp)
    except OSError as exc:
        raise GanzooError(write_error(path, exc, "the model")) from None


def load_run_model(path):
    """The model of a run directory (its final model, else its last
    checkpoint) or of a `.keras` file."""
    from ganzoo.saving import load_model

    path = os.path.abspath(os.path.expanduser(str(path)))
    if os.path.isdir(path):
        run = read_run(path)
        if run is None:
            raise GanzooError(f"{path} is not a run directory (no {RUN_FILE}); pass a run directory or a .keras file")
        final = os.path.join(path, MODEL_FILE)
        if os.path.exists(final):
            return load_model(final)
        from ganzoo import checkpoints
        from ganzoo.registry import get_plugin

        known = {f.name for f in dataclasses.fields(RunSettings)}
        settings = RunSettings(**{k: v for k, v in run["settings"].items() if k in known})
        with precision_policy(settings.precision):
            model = get_plugin(run["plugin"]).model_class(**settings.config)
        model.compile()
        if checkpoints.restore(model, path) is None:
            raise GanzooError(f"{path} has neither {MODEL_FILE} nor a checkpoint yet")
        return model
    return load_model(path)
