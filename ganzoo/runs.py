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


def _read_run(out):
    path = os.path.join(out, RUN_FILE)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def _resolve_source(plugin, dataset, data):
    if dataset and data:
        raise GanzooError("pass either --dataset or --data, not both")
    if data:
        path = os.path.abspath(os.path.expanduser(str(data)))
        if not os.path.exists(path):
            raise GanzooError(f"--data {data}: no such file or folder")
        return path
    return dataset or plugin.default_dataset


def _config_for_source(plugin, info, image_size, overrides):
    """The model config: the dataset decides what it can (image shape, classes),
    `--image-size` and `--set` decide the rest."""
    from ganzoo.options import check_config, options

    cls = plugin.model_class
    names = {o.name for o in options(cls)}
    config = {}
    if "image_shape" in names and info.image_shape is not None:
        height, width, channels = info.image_shape
        if cls.trains_on_crops:  # random crops of any-size images: the crop size is the model's
            height, width = next(o.default for o in options(cls) if o.name == "image_shape")[:2]
        if image_size is not None:
            height = width = int(image_size)
        if height is not None:
            config["image_shape"] = (height, width, channels)
    elif image_size is not None:
        raise GanzooError(f"plugin {plugin.name!r} has no image_shape option; --image-size does not apply")
    if "num_classes" in names and info.num_classes is not None:
        config["num_classes"] = info.num_classes
    config.update(overrides)
    config = check_config(cls, config, plugin=plugin.name)
    if "num_classes" in names and info.num_classes is not None and config["num_classes"] < info.num_classes:
        raise GanzooError(
            f"num_classes={config['num_classes']} is fewer than the {info.num_classes} classes of {info.name}, "
            f"whose labels go up to {info.num_classes - 1}; drop --set num_classes (the data sets it)"
        )
    return config


def _steps_per_epoch(info, batch_size, steps):
    """With `--steps`, an epoch (one grid, one checkpoint) is a pass over the
    data, or the whole run when that is shorter."""
    if steps < 1:
        raise GanzooError("--steps must be at least 1")
    per_pass = info.num_examples // batch_size if info.num_examples else steps
    return max(1, min(steps, per_pass))


def _check_batch(info, batch_size):
    if info.num_examples is not None and info.num_examples < batch_size:
        raise GanzooError(
            f"the dataset has {info.num_examples} images, fewer than one batch of {batch_size}; "
            "lower --batch-size"
        )


def fit(plugin_name, *, dataset=None, data=None, data_dir=None, image_size=None, batch_size=None,
        epochs=None, steps=None, out=None, resume=False, seed=None, overrides=None, precision=None,
        verbose="auto", echo=print):
    """Trains a plugin into a run directory (the engine of `ganzoo fit`).

    Args:
        plugin_name: registered plugin name.
        dataset: embedded or TFDS dataset name; the plugin's default if None.
        data: a folder (or file) on disk instead of `dataset`.
        data_dir: TFDS data directory.
        image_size: square image size, overriding the dataset's.
        batch_size: images per step (64 if None).
        epochs: passes over the data (the plugin's default if None).
        steps: total training steps instead of `epochs`.
        out: run directory (`runs/PLUGIN` if None).
        resume: continue the run in `out` from its last checkpoint.
        seed: random seed of weights, latents and data order.
        overrides: dict of plugin options (from `--set key=value`).
        precision: "float32", "mixed_bfloat16" or "mixed_float16".
        verbose: Keras `fit` verbosity.
        echo: function that prints progress messages.

    Returns:
        The trained model.
    """
    from ganzoo.registry import get_plugin

    out = os.path.abspath(out or os.path.join("runs", plugin_name))
    previous = _read_run(out)
    if previous and not resume and not _saved_anything(out):
        previous = None  # it stopped before its first checkpoint (e.g. a setup error): start it afresh
    if previous and not resume:
        raise GanzooError(f"{out} already holds a run; pass --resume to continue it or choose another --out")
    if resume and not previous:
        raise GanzooError(f"nothing to resume in {out} (no {RUN_FILE}); drop --resume to start a new run")
    if resume:
        if previous["plugin"] != plugin_name:
            raise GanzooError(f"{out} holds a {previous['plugin']!r} run, not {plugin_name!r}")
        settings = RunSettings(**previous["settings"])
        if epochs is not None:
            settings.epochs = epochs
        if batch_size is not None and batch_size != settings.batch_size:
            raise GanzooError(f"the run used --batch-size {settings.batch_size}; resume with the same")
    plugin = get_plugin(plugin_name)

    import keras

    from ganzoo import data as data_lib
    from ganzoo.callbacks import Checkpoint, MetricsCSV, SampleGrid, StopAtStep
    from ganzoo.files import write_json

    if resume:
        info = data_lib.inspect(settings.source, data_dir=settings.data_dir, task=plugin.task)
    else:
        source = _resolve_source(plugin, dataset, data)
        info = data_lib.inspect(source, data_dir=data_dir, task=plugin.task)
        settings = RunSettings(
            plugin=plugin_name, source=str(source), config={}, batch_size=batch_size or plugin.default_batch_size,
            epochs=epochs or plugin.default_epochs, seed=seed, precision=precision or DEFAULT_PRECISION,
            data_dir=data_dir,
        )
        settings.config = _config_for_source(plugin, info, image_size, dict(overrides or {}))
        if settings.seed is not None and "seed" in _option_names(plugin):
            settings.config.setdefault("seed", settings.seed)
        _fill_from_run(plugin, settings, info, dict(overrides or {}))
    if steps is None:
        _check_batch(info, settings.batch_size)
        settings.total_steps = None
    else:
        settings.total_steps = steps
        settings.steps_per_epoch = settings.steps_per_epoch or _steps_per_epoch(info, settings.batch_size, steps)
    if not resume:
        _plan_training_steps(plugin, settings, info, overrides or {})

    if settings.seed is not None:
        keras.utils.set_random_seed(settings.seed)
    with precision_policy(settings.precision):
        model = plugin.model_class(**settings.config)
    model.compile()
    initial_epoch = 0
    if resume:
        state = Checkpoint.restore(model, out)
        if state is None:
            echo(f"no checkpoint in {out} yet; starting from step 0")
        else:
            initial_epoch = state["epoch"]
            echo(f"resuming {plugin_name} from step {state['step']} (epoch {initial_epoch})")
        if settings.total_steps is None and initial_epoch >= settings.epochs:
            raise GanzooError(
                f"the run already finished {initial_epoch} epochs; pass --epochs N with N > {initial_epoch} to train on"
            )

    done = int(model.step)
    if settings.total_steps is not None:
        if done >= settings.total_steps:
            raise GanzooError(f"the run already did {done} steps; pass --steps N with N > {done} to train on")
        settings.epochs = initial_epoch + math.ceil((settings.total_steps - done) / settings.steps_per_epoch)

    os.makedirs(out, exist_ok=True)
    write_json({"plugin": plugin_name, "settings": dataclasses.asdict(settings),
                "ganzoo_version": _version()}, os.path.join(out, RUN_FILE))

    train = data_lib.load(settings.source, model, batch_size=settings.batch_size, data_dir=settings.data_dir,
                          seed=None if settings.seed is None else settings.seed + initial_epoch,
                          repeat=settings.steps_per_epoch is not None)
    # A fixed, seeded draw of training examples for the per-epoch grids: varied
    # (not the first files in order) and the same in every epoch.
    preview_data = data_lib.load(settings.source, model, batch_size=min(settings.batch_size, 16),
                                 data_dir=settings.data_dir, seed=(settings.seed or 0) + 1234, cache=False)
    examples = next(iter(preview_data))
    callbacks = [
        Checkpoint(out),
        SampleGrid(os.path.join(out, "samples"), examples=examples, seed=settings.seed or 1234,
                   tensorboard_dir=os.path.join(out, "tensorboard")),
        MetricsCSV(os.path.join(out, "metrics.csv"), append=resume),
        keras.callbacks.TensorBoard(os.path.join(out, "tensorboard"), write_graph=False),
    ]
    if settings.total_steps is not None:
        callbacks.insert(0, StopAtStep(settings.total_steps))
    shape = "x".join(map(str, settings.config.get("image_shape", ())))
    length = (f"to step {settings.total_steps}" if settings.total_steps is not None
              else f"for {settings.epochs} epochs")
    echo(f"training {plugin_name} on {info.name} ({shape}) {length}, batch {settings.batch_size}, "
         f"{settings.precision}; run directory {out}")
    model.fit(train, epochs=settings.epochs, initial_epoch=initial_epoch, steps_per_epoch=settings.steps_per_epoch, shuffle=False,
              callbacks=callbacks, verbose=verbose)
    save_model(model, os.path.join(out, MODEL_FILE))
    echo(f"saved {os.path.join(out, MODEL_FILE)} after {int(model.step)} steps")
    return model


def _plan_training_steps(plugin, settings, info, overrides):
    """Fills the plugin option `training_steps`, if it has one and it was not
    set, with the run's planned length (--steps, or --epochs times the steps
    of an epoch), for learning-rate schedules that need the total."""
    if "training_steps" not in _option_names(plugin) or "training_steps" in overrides:
        return
    if settings.total_steps is not None:
        settings.config["training_steps"] = settings.total_steps
    elif info.num_examples:
        settings.config["training_steps"] = settings.epochs * (info.num_examples // settings.batch_size)


def _fill_from_run(plugin, settings, info, overrides):
    """Options a model class fills from the run's data (its `run_config(run)`
    hook, e.g. a vocabulary built from the training captions), unless `--set`."""
    hook = getattr(plugin.model_class, "run_config", None)
    if hook is None:
        return
    import types

    run = types.SimpleNamespace(info=info, source=settings.source, data_dir=settings.data_dir,
                                batch_size=settings.batch_size, seed=settings.seed)
    for key, value in hook(run).items():
        if key not in overrides:
            settings.config[key] = value


def _saved_anything(out):
    """Whether a run directory holds a checkpoint or a model (training got somewhere)."""
    return any(os.path.exists(os.path.join(out, name)) for name in (MODEL_FILE, "checkpoint.weights.h5", "checkpoint.json"))


def _option_names(plugin):
    from ganzoo.options import options

    return {o.name for o in options(plugin.model_class)}


def _version():
    import ganzoo

    return ganzoo.__version__


def save_model(model, path):
    """`model.save(path)` through a temporary file, so the old model survives a crash."""
    from ganzoo.files import atomic_path

    with atomic_path(path, suffix=".keras") as tmp:
        model.save(tmp)


def load_run_model(path):
    """The model of a run directory (its final model, else its last
    checkpoint) or of a `.keras` file."""
    from ganzoo.saving import load_model

    path = os.path.abspath(os.path.expanduser(str(path)))
    if os.path.isdir(path):
        run = _read_run(path)
        if run is None:
            raise GanzooError(f"{path} is not a run directory (no {RUN_FILE}); pass a run directory or a .keras file")
        final = os.path.join(path, MODEL_FILE)
        if os.path.exists(final):
            return load_model(final)
        from ganzoo.callbacks import Checkpoint
        from ganzoo.registry import get_plugin

        settings = RunSettings(**run["settings"])
        with precision_policy(settings.precision):
            model = get_plugin(run["plugin"]).model_class(**settings.config)
        model.compile()
        if Checkpoint.restore(model, path) is None:
            raise GanzooError(f"{path} has neither {MODEL_FILE} nor a checkpoint yet")
        return model
    return load_model(path)
