"""What an architecture plugin declares about itself."""

from __future__ import annotations

import dataclasses
import importlib
from typing import Callable

from ganzoo import registry
from ganzoo.errors import GanzooError

#: The built-in task names (kept for code written before tasks were objects;
#: `ganzoo.tasks.available()` lists every registered task, third parties' too).
TASKS = ("unconditional", "conditional", "captioned", "paired", "unpaired")


@dataclasses.dataclass(frozen=True)
class Preset:
    """A named configuration of a plugin: `ganzoo.create(name, preset=...)`,
    `ganzoo fit NAME --preset ...`, listed by `ganzoo info NAME`.

    Args:
        name: the preset's name, e.g. `"paper"` (the published configuration)
            or `"cpu"` (small enough for a laptop).
        summary: one line: what it is and how it differs from the default.
        config: constructor options it sets (the rest keep their defaults).
        batch_size: the batch size `ganzoo fit` uses with it, or None.
        epochs: epochs of `ganzoo fit` with it, or None.
        steps: training steps of `ganzoo fit` with it (instead of epochs), or None.
        image_size: square image size of `ganzoo fit` with it, or None (the data's).

    Example:

    ```python
    Preset("paper", "the published 64 px model, batch 128",
           config={"image_shape": (64, 64, 3), "generator_filters": 128}, batch_size=128)
    ```
    """

    name: str
    summary: str
    config: dict = dataclasses.field(default_factory=dict)
    batch_size: int | None = None
    epochs: int | None = None
    steps: int | None = None
    image_size: int | None = None


@dataclasses.dataclass(frozen=True)
class DefaultRun:
    """What `ganzoo fit NAME` costs with no other flags (the default data,
    preset and length): measured figures that `ganzoo info` and the plugin's
    docs page show, so a user knows the time and disk space before starting.

    Args:
        steps: training steps of the default run.
        minutes: its wall-clock time on 2 idle CPU cores, start-up included.
        megabytes: the size of its run folder (`du`), in MB (10^6 bytes).
        how: how the figures were measured, e.g. "40 steps timed,
            extrapolated".

    Example:

    ```python
    DefaultRun(steps=700, minutes=1.2, megabytes=11, how="the whole run timed")
    ```
    """

    steps: int
    minutes: float
    megabytes: float
    how: str = ""

    def __str__(self):
        return f"{_duration(self.minutes)} on 2 CPU cores, {_megabytes(self.megabytes)} run folder ({self.steps:,} steps)"


def _duration(minutes):
    if minutes < 1:
        return f"about {max(10, round(minutes * 6) * 10)} s"
    if minutes < 10:
        halves = round(minutes * 2) / 2
        return f"about {halves:g} min"
    if minutes < 90:
        return f"about {round(minutes)} min"
    hours, rest = divmod(round(minutes), 60)
    return f"about {hours} h {rest} min" if rest else f"about {hours} h"


def _megabytes(megabytes):
    return f"{megabytes / 1000:.1f} GB" if megabytes >= 1000 else f"{megabytes:.0f} MB"


@dataclasses.dataclass(frozen=True)
class Plugin:
    """An architecture registered under the `ganzoo.plugins` entry-point group.

    A plugin package exposes one `Plugin` object per architecture; an entry
    point names each (one package may hold several, e.g. a model and its
    successor sharing networks):

    ```toml
    [project.entry-points."ganzoo.plugins"]
    mygan = "mygan_package:plugin"
    ```

    Importing the plugin package must stay cheap (no Keras import), so the
    model class is named, `"package.module:Class"`, and imported on first
    use. `ganzoo list` then needs no TensorFlow.

    Args:
        name: registry name, also the entry-point name.
        summary: one line for `ganzoo list`.
        task: a task name registered under the `ganzoo.tasks` entry points
            ("unconditional", "conditional", "captioned", "paired",
            "unpaired", or a third party's); decides the batch structure
            that `fit()` receives and the arguments of `generate()`.
        model: the model class (a subclass of `ganzoo.GAN`) as
            `"package.module:Class"`, imported on first use.
        load_model_class: the older way to name it: a zero-argument function
            returning the class (still accepted; give `model` or this).
        default_dataset: dataset used by `ganzoo fit NAME` without
            `--dataset`/`--data`; should be embedded so it works offline.
        datasets: datasets known to suit the plugin (shown by `ganzoo info`).
        paper: citation of the method, shown by `ganzoo info`.
        default_epochs: epochs of `ganzoo fit NAME` when neither `--epochs`
            nor `--steps` is given.
        default_batch_size: batch size of `ganzoo fit NAME` without
            `--batch-size` (the paper's, where it is practical).
        presets: named configurations (`Preset`), at least `"paper"`.
        default_preset: the preset `ganzoo fit NAME` uses without `--preset`
            (None: the constructor's defaults).
        default_run: the measured time and run folder size of `ganzoo fit
            NAME` (`DefaultRun`), shown by `ganzoo info`; None if not measured.

    Example:

    ```python
    plugin = ganzoo.Plugin(name="mygan", summary="My GAN", task="unconditional",
                           model="mygan_package.model:MyGAN", default_dataset="digits")
    ```
    """

    name: str
    summary: str
    task: str
    load_model_class: Callable[[], type] | None = None
    default_dataset: str = "digits"
    datasets: tuple[str, ...] = ()
    paper: str = ""
    default_epochs: int = 10
    default_batch_size: int = 64
    presets: tuple[Preset, ...] = ()
    default_preset: str | None = None
    model: str | None = None
    default_run: DefaultRun | None = None

    def __post_init__(self):
        if (self.model is None) == (self.load_model_class is None):
            raise ValueError(f"plugin {self.name!r}: give model=\"package.module:Class\" (or the older "
                             "load_model_class=), one of them")
        if self.model is not None and ":" not in self.model:
            raise ValueError(f"plugin {self.name!r}: model={self.model!r} is not \"package.module:Class\"")
        known = registry.TASKS.names()
        if str(self.task) not in known:
            raise ValueError(
                f"plugin {self.name!r} declares task {self.task!r}; "
                f"registered tasks: {', '.join(sorted(known))}"
            )
        names = [p.name for p in self.presets]
        if len(set(names)) != len(names):
            raise ValueError(f"plugin {self.name!r} has two presets with one name: {names}")
        if self.default_preset is not None and self.default_preset not in names:
            raise ValueError(f"plugin {self.name!r}: default_preset {self.default_preset!r} is not a preset")

    @property
    def model_class(self) -> type:
        """The plugin's model class (imports Keras on first use)."""
        if self.load_model_class is not None:
            return self.load_model_class()
        module, _, attribute = self.model.partition(":")
        cls = importlib.import_module(module)
        for part in attribute.split("."):
            cls = getattr(cls, part)
        return cls

    def preset(self, name) -> Preset:
        """The preset called `name`; `GanzooError` naming the others if none is."""
        for preset in self.presets:
            if preset.name == name:
                return preset
        known = ", ".join(p.name for p in self.presets) or "none"
        raise GanzooError(f"plugin {self.name!r} has no preset {name!r}; its presets: {known} "
                          "(or pass the path or URL of a .keras / .weights.h5 file)")
