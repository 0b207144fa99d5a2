"""The `Sampler` base class, and how the sampler of a task is found."""

from __future__ import annotations

from ganzoo import registry, tasks
from ganzoo.errors import GanzooError
from ganzoo.tasks.base import SampleOption

__all__ = ["SAMPLERS", "SampleOption", "Sampler", "sampler_for"]


class Sampler:
    """The pictures and files of one task: the per-epoch preview grid and
    what `ganzoo sample` writes.

    Subclass it for a new task and register an instance under the
    `ganzoo.samplers` entry-point group, named as the task:

    ```toml
    [project.entry-points."ganzoo.samplers"]
    layout2image = "my_package.sampling:layout2image"   # a Sampler instance
    ```

    Attributes:
        task: the name of the task it draws for.
        options: the `SampleOption`s it adds to `ganzoo sample`.
    """

    task = ""
    options: tuple = ()

    def preview(self, model, examples=None, seed=0):
        """The per-epoch picture of training progress, one HWC image in [0, 1].

        Args:
            model: the model (of this sampler's task).
            examples: a fixed batch of training data, for tasks whose
                picture shows inputs beside outputs.
            seed: the same seed every epoch, so successive grids compare.
        """
        raise NotImplementedError(f"the {self.task} sampler draws no preview")

    def sample(self, model, *, out, count=64, seed=0, **options):
        """Writes what `ganzoo sample` writes for `model`; returns the paths.

        Args:
            out: the PNG file (a grid) or a folder.
            count: images (per condition, where the task has conditions).
            seed: seed of the latents.
            **options: the values of `options`, by name.
        """
        raise NotImplementedError(f"the {self.task} sampler writes no samples")


class TaskSampler(Sampler):
    """A task written before samplers existed draws its own pictures
    (`Task.preview`, `Task.sample`, `Task.sample_options`): this calls them."""

    def __init__(self, task):
        self.task, self.options = task.name, tuple(getattr(task, "sample_options", ()))
        self._task = task

    def preview(self, model, examples=None, seed=0):
        return self._task.preview(model, examples, seed)

    def sample(self, model, *, out, count=64, seed=0, **options):
        return self._task.sample(model, out=out, count=count, seed=seed, **options)


def _check_sampler(obj, name, target):
    if not isinstance(obj, Sampler):
        raise TypeError(f"{target} is a {type(obj).__name__}, not a ganzoo.sampling.Sampler")
    if obj.task != name:
        raise ValueError(f"entry point {name!r} points to the sampler of task {obj.task!r}")


#: Samplers by task name: the `ganzoo.samplers` entry points.
SAMPLERS = registry.Group("ganzoo.samplers", "sampler", _check_sampler)


def sampler_for(task) -> Sampler:
    """The `Sampler` of `task` (a `ganzoo.tasks.Task` or its name): the one
    registered under its name, else the task's own `preview`/`sample` (tasks
    written before samplers existed).

    Raises:
        GanzooError: when neither exists, or the registered one is broken.
    """
    task = tasks.get(task)
    found = SAMPLERS.lookup(task.name)
    if isinstance(found, Sampler):
        return found
    if isinstance(found, registry.Broken):
        raise GanzooError(f"the sampler of task {task.name!r} (package {found.package}) failed to load: "
                          f"{found.error}")
    if callable(getattr(task, "sample", None)) or callable(getattr(task, "preview", None)):
        return TaskSampler(task)
    raise GanzooError(f"task {task.name!r} has no sampler: register one under the ganzoo.samplers entry points")
