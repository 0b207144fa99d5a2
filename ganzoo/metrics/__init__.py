"""Metrics of generated images, and the table behind `ganzoo evaluate`.

A metric is a `Metric`: a function `compute(model, real, options) ->
dict[str, float]` under a name, with the tasks it applies to (recorded here
only: `for_task` answers which metrics apply to a task); `real` is a
`ganzoo.metrics.RealData` holding evaluation data in the model's task
structure. Metrics register through the `ganzoo.metrics` entry-point group,
as plugins do, so a third party adds one the same way:

```toml
[project.entry-points."ganzoo.metrics"]
lpips = "my_package.metrics:lpips"   # a ganzoo.metrics.Metric named "lpips"
```

The built-in ones are declared so too (`ganzoo.metrics.builtin`). Metric
modules import TensorFlow/Keras only when they run.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

from ganzoo import registry
from ganzoo.errors import GanzooError, article


@dataclasses.dataclass(frozen=True)
class Metric:
    """A named evaluation.

    Args:
        name: name used in `ganzoo evaluate --metrics NAME`.
        summary: one line for the help text.
        tasks: the model tasks it applies to.
        compute: `compute(model, real, options) -> dict[str, float]` (a
            `"protocol"` entry may hold what the numbers depend on).
        needs_arrays: whether `real.images`/`real.labels` must be loaded
            before `compute` (metrics that stream the data themselves: False).
        check: optional `check(options)`, run before the model loads, that
            fails fast (e.g. missing network weights).
    """

    name: str
    summary: str
    tasks: tuple
    compute: Callable
    needs_arrays: bool = True
    check: Callable | None = None


@dataclasses.dataclass
class RealData:
    """The evaluation data.

    For unconditional and conditional models `images` (float32 NHWC in
    [0, 1], at the model's image shape) and, for labelled data, `labels` are
    loaded arrays. Metrics of other tasks read `source` themselves (for
    example full-size images for super-resolution) with `ganzoo.data`.
    """

    source: str
    data_dir: str | None = None
    split: str = "train"
    images: object = None
    labels: object = None
    num_classes: int | None = None


class _Table(dict):
    """`{name: Metric}`, filled from the `ganzoo.metrics` entry points on first read."""

    loaded = False

    def fill(self):
        if not self.loaded:
            self.loaded = True
            for metric in registry.METRICS.load_all():
                if not isinstance(metric, registry.Broken):   # a broken one answers in get()
                    self.setdefault(metric.name, metric)
        return self

    def __missing__(self, name):
        if self.loaded:
            raise KeyError(name)
        return self.fill()[name]

    def __iter__(self):
        return dict.__iter__(self.fill())

    def __len__(self):
        return dict.__len__(self.fill())

    def __contains__(self, name):
        return dict.__contains__(self.fill(), name)

    def keys(self):
        return dict.keys(self.fill())

    def values(self):
        return dict.values(self.fill())

    def items(self):
        return dict.items(self.fill())


#: Every metric by name: the `ganzoo.metrics` entry points and those `register`ed.
METRICS: dict[str, Metric] = _Table()


def register(metric: Metric) -> Metric:
    """Adds a metric in this process (its name must be new); an installed
    package declares it in the `ganzoo.metrics` entry points instead."""
    if metric.name in METRICS:
        raise ValueError(f"metric {metric.name!r} is already registered")
    METRICS[metric.name] = metric
    return metric


def for_task(task) -> tuple[str, ...]:
    """Names of the metrics that apply to models of `task` (a name or a
    `ganzoo.tasks.Task`), sorted."""
    return tuple(sorted(name for name, metric in METRICS.items() if str(task) in metric.tasks))


def get(name: str, task: str | None = None) -> Metric:
    """The metric called `name`, checked against the model's task."""
    if name not in METRICS:
        broken = registry.METRICS.lookup(name)
        if isinstance(broken, registry.Broken):
            raise GanzooError(f"metric {name!r} (package {broken.package}) failed to load: {broken.error}")
        raise GanzooError(f"unknown metric {name!r}; available: {', '.join(sorted(METRICS))}")
    metric = METRICS[name]
    if task is not None and task not in metric.tasks:
        raise GanzooError(f"metric {name!r} applies to {', '.join(metric.tasks)} models, not to {article(task)} model")
    return metric


