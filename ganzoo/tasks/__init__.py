"""Tasks: what a model trains on and what `generate()` takes.

A task is one object (a `Task`) that owns, for every model of that kind:

- the batch structure `fit()` receives, and how a data source becomes it
  (`open`, `describe`, `check_source`, `elements`);
- the conditions `generate()` takes, how they are checked and batched
  (`prepare_generation`).

What follows from a task lives with the job it serves: its pictures and the
files of `ganzoo sample` in `ganzoo.sampling`, its test batch in
`ganzoo.testing`, the metrics that apply to it in `ganzoo.metrics`.

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

from ganzoo import registry
from ganzoo.errors import GanzooError
from ganzoo.tasks.base import SampleOption, Task

GROUP = registry.TASKS.name

__all__ = ["GROUP", "SampleOption", "Task", "available", "get"]


def available() -> list[str]:
    """Names of the registered tasks, sorted."""
    return sorted(registry.TASKS.entry_points())


def get(task) -> Task:
    """The `Task` named `task` (a `Task` is returned as it is).

    Raises:
        GanzooError: for a name no installed package registers, or a task
            that failed to load.
    """
    if isinstance(task, Task):
        return task
    if not isinstance(task, str):
        raise GanzooError(f"unknown task {task!r}; registered tasks: {', '.join(available()) or 'none'}")
    return registry.task(task)
