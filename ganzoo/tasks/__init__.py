"""Tasks: what a model trains on, what `generate()` takes, and everything
that follows from it.

A task is one object (a `Task`) that owns, for every model of that kind:

- the batch structure `fit()` receives, and how a data source becomes it
  (`open`, `describe`, `check_source`, `elements`);
- the conditions `generate()` takes, how they are checked and batched
  (`prepare_generation`);
- the per-epoch preview grid (`preview`);
- the flags it adds to `ganzoo sample` and what that command writes
  (`sample_options`, `sample`);
- the test batch and `generate()` arguments of `ganzoo.testing.PluginTestCase`
  (`test_batch`, `test_generate_kwargs`);
- the metrics that apply (`metrics`).

Tasks register through the `ganzoo.tasks` entry-point group, exactly as
plugins do, so a third party can add one:

```toml
[project.entry-points."ganzoo.tasks"]
layout2image = "my_package.tasks:layout2image"   # a Task instance
```

A task compares equal to its name, so `model.task == "conditional"` reads as
it always has. Importing this package does not import TensorFlow.
"""

from __future__ import annotations

from importlib import metadata

from ganzoo.errors import GanzooError
from ganzoo.tasks.base import SampleOption, Task

GROUP = "ganzoo.tasks"

__all__ = ["GROUP", "SampleOption", "Task", "available", "get"]

_cache: dict[str, Task] = {}


def _entry_points():
    return {ep.name: ep for ep in metadata.entry_points(group=GROUP)}


def available() -> list[str]:
    """Names of the registered tasks, sorted."""
    return sorted(_entry_points())


def get(task) -> Task:
    """The `Task` named `task` (a `Task` is returned as it is).

    Raises:
        GanzooError: for a name no installed package registers.
    """
    if isinstance(task, Task):
        return task
    if task in _cache:
        return _cache[task]
    entry = _entry_points().get(task) if isinstance(task, str) else None
    if entry is None:
        raise GanzooError(f"unknown task {task!r}; registered tasks: {', '.join(available()) or 'none'}")
    try:
        loaded = entry.load()
    except Exception as exc:  # a broken third-party task names itself, and breaks nothing else
        raise GanzooError(f"task {task!r} ({entry.value}) failed to load: {type(exc).__name__}: {exc}") from None
    if not isinstance(loaded, Task) or loaded.name != task:
        raise GanzooError(f"entry point {task!r} of group {GROUP} must be a ganzoo.tasks.Task named {task!r}")
    _cache[task] = loaded
    return loaded
