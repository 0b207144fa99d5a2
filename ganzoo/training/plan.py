"""A run's plan: its settings (new or resumed), its length and the model's
whole configuration, before the model exists."""

from __future__ import annotations

import dataclasses
import os

from ganzoo.errors import GanzooError
from ganzoo.factory import is_file_preset
from ganzoo.training.request import resolve_source
from ganzoo.training.run_files import DEFAULT_PRECISION, RunSettings, settings_of

# Flags a resumed run cannot honour: the model, its data and its random
# stream are fixed once the run exists.
_FIXED_ON_RESUME = ("dataset", "image_size", "overrides", "precision", "seed", "preset", "batch_size")
_FLAGS = {"dataset": "--dataset", "data": "--data", "data_dir": "--data-dir", "image_size": "--image-size",
          "overrides": "--set", "precision": "--precision", "seed": "--seed", "preset": "--preset",
          "batch_size": "--batch-size"}


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

    def base_config(self, cls):
        """The options every run fills from its data and plan (see `base_config`)."""
        return base_config(cls, self)


def base_config(cls, run):
    """The options a run fills, where the constructor of `cls` has them:
    `image_shape` (from the data, or the crop size for `trains_on_crops`
    models; `--image-size` makes it square), `num_classes` (the data's),
    `seed` (`--seed`) and `training_steps` (the planned length, for schedules
    that need it).

    Args:
        cls: the plugin's model class.
        run: a `RunPlan`.

    Returns:
        A dict of constructor options.
    """
    from ganzoo.options import options

    defaults = {o.name: o.default for o in options(cls)}
    config = {}
    info = run.info
    if "image_shape" in defaults and info.image_shape is not None:
        height, width, channels = info.image_shape
        if cls.trains_on_crops:  # random crops of any-size images: the crop size is the model's
            height, width = defaults["image_shape"][:2]
        if run.image_size is not None:
            height = width = int(run.image_size)
        if height is not None:
            config["image_shape"] = (height, width, channels if channels is not None else 3)
    elif run.image_size is not None:
        raise GanzooError(f"{cls.__name__} has no image_shape option; --image-size does not apply")
    if "num_classes" in defaults and info.num_classes is not None:
        config["num_classes"] = info.num_classes
    if "seed" in defaults and run.seed is not None:
        config["seed"] = run.seed
    if "training_steps" in defaults and run.total_steps is not None:
        config["training_steps"] = run.total_steps
    return config


def steps_per_epoch(info, batch_size, steps):
    """With `--steps`, an epoch (one grid, one checkpoint) is a pass over the
    data, or the whole run when that is shorter."""
    per_pass = info.num_examples // batch_size if info.num_examples else steps
    return max(1, min(steps, per_pass))


def check_batch(info, batch_size):
    """`GanzooError` when the data holds fewer examples than one batch."""
    if info.num_examples is not None and info.num_examples < batch_size:
        raise GanzooError(
            f"the dataset has {info.num_examples} images, fewer than one batch of {batch_size}; "
            "lower --batch-size"
        )


def plan_length(settings, info, steps):
    """Sets `settings.total_steps` (and the epoch length) from `--steps`."""
    if steps is None:
        check_batch(info, settings.batch_size)
        settings.total_steps = None
    else:
        settings.total_steps = steps
        settings.steps_per_epoch = settings.steps_per_epoch or steps_per_epoch(info, settings.batch_size, steps)


def new_settings(request, plugin, info):
    """Settings of a new run: flags, then the preset's, then the plugin's defaults."""
    preset = None
    name = request.preset or plugin.default_preset
    if name is not None and not is_file_preset(name):
        preset = plugin.preset(name)
    return RunSettings(
        plugin=plugin.name, source=str(resolve_source(plugin, request.dataset, request.data)), config={},
        batch_size=request.batch_size or (preset and preset.batch_size) or plugin.default_batch_size,
        epochs=request.epochs or (None if request.steps else (preset and preset.epochs)) or plugin.default_epochs,
        seed=chosen_seed(request.seed), precision=request.precision or DEFAULT_PRECISION,
        data_dir=request.data_dir, preset=name,
        class_names=list(info.class_names) if info.class_names is not None else None,
        strategy=request.strategy or "auto", sync_batchnorm=bool(request.sync_batchnorm),
    )


def chosen_seed(seed):
    """`--seed`, or one drawn now: a run always has a seed, stored in run.json,
    so that a resumed run reads its data in the order it would have."""
    if seed is not None:
        return seed
    import secrets

    return secrets.randbelow(2**31)


def model_config(plugin, settings, info, request, preset):
    """The whole model configuration: the run's base options and the model's
    `run_config` hook (data and plan), then the preset, then `--set`, checked
    against the constructor.

    Args:
        plugin: the run's `Plugin`.
        settings: the new run's `RunSettings` (length already planned).
        info: the training data's `SourceInfo`.
        request: the `FitRequest`.
        preset: the named `Preset`, or None.

    Returns:
        The checked constructor options.
    """
    from ganzoo.options import check_config

    cls = plugin.model_class
    image_size = request.image_size or (preset.image_size if preset else None)
    total = settings.total_steps
    if total is None and info.num_examples:
        total = settings.epochs * (info.num_examples // settings.batch_size)
    plan = RunPlan(info=info, image_size=image_size, batch_size=settings.batch_size, total_steps=total,
                   seed=settings.seed)
    config = {**base_config(cls, plan), **cls.run_config(plan)}
    preset_config = dict(preset.config) if preset else {}
    # The data decides the channels and the classes; a preset, the size.
    if "image_shape" in config and "image_shape" in preset_config:
        height, width = (image_size, image_size) if image_size else tuple(preset_config["image_shape"])[:2]
        preset_config["image_shape"] = (height, width, config["image_shape"][2])
    if "num_classes" in config:
        preset_config.pop("num_classes", None)
    config.update(preset_config)
    config.update(dict(request.overrides or {}))
    config = check_config(cls, config, plugin=plugin.name)
    if "num_classes" in config and info.num_classes is not None and config["num_classes"] < info.num_classes:
        raise GanzooError(
            f"num_classes={config['num_classes']} is fewer than the {info.num_classes} classes of {info.name}, "
            f"whose labels go up to {info.num_classes - 1}; drop --set num_classes (the data sets it)"
        )
    return config


def resumed_settings(request, previous, out):
    """The saved settings, with `--epochs`/`--steps` applied and `--data`/
    `--data-dir` where the data moved; every other flag that differs from
    the run is refused in one line."""
    if previous["plugin"] != request.plugin:
        raise GanzooError(f"{out} holds a {previous['plugin']!r} run, not {request.plugin!r}")
    settings = settings_of(previous)
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


def check_same_data(settings, info):
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
