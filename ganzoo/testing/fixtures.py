"""What `PluginTestCase` feeds a model of each task: one random training
batch, the arguments of `generate()` for n images, and the shape it returns.

A third party's task adds its fixtures with `register(TaskFixtures(...))`
(or its plugin test overrides `make_batch`); a task written before this
module existed may still define `test_batch`, `test_generate_kwargs` and
`test_output_shape` itself.
"""

from __future__ import annotations

import numpy as np

_WORDS = ("a", "small", "large", "red", "green", "blue", "circle", "square", "at", "the", "top", "left")


def random_images(rng, n, shape):
    """n random float32 images in [0, 1]."""
    return rng.random((n, *shape), dtype=np.float32)


def random_captions(rng, n):
    """n captions of five random words each."""
    return np.asarray([" ".join(rng.choice(_WORDS, size=5)) for _ in range(n)], dtype=object)


def _low_res(model, rng, n):
    height, width, channels = model.image_shape
    return random_images(rng, n, (height // model.scale, width // model.scale, channels))


class TaskFixtures:
    """The test inputs of one task.

    Args:
        task: the task's name.
        batch: `batch(model, n, rng)` -> one training batch of n examples.
        generate_kwargs: `generate_kwargs(model, n, rng)` -> `generate()`'s
            arguments for n images (default `{"n": n}`).
        output_shape: `output_shape(model, n)` -> the shape `generate()`
            returns (default `(n, *model.image_shape)`).
    """

    def __init__(self, task, batch=None, generate_kwargs=None, output_shape=None):
        self.task = task
        self._batch = batch
        self._generate_kwargs = generate_kwargs or (lambda model, n, rng: {"n": n})
        self._output_shape = output_shape or (lambda model, n: (n, *model.image_shape))

    def batch(self, model, n, rng):
        if self._batch is None:
            raise NotImplementedError(f"task {self.task!r} has no test batch; override make_batch()")
        return self._batch(model, n, rng)

    def generate_kwargs(self, model, n, rng):
        return self._generate_kwargs(model, n, rng)

    def output_shape(self, model, n):
        return self._output_shape(model, n)


class _OwnFixtures(TaskFixtures):
    """A task that defines `test_batch` (and the rest) itself."""

    def __init__(self, task):
        default = TaskFixtures(task.name)
        super().__init__(task.name, getattr(task, "test_batch", None),
                         getattr(task, "test_generate_kwargs", default.generate_kwargs),
                         getattr(task, "test_output_shape", default.output_shape))


FIXTURES: dict[str, TaskFixtures] = {}


def register(fixtures: TaskFixtures) -> TaskFixtures:
    """Adds (or replaces) the fixtures of a task."""
    FIXTURES[fixtures.task] = fixtures
    return fixtures


def for_task(task) -> TaskFixtures:
    """The fixtures of `task` (a `ganzoo.tasks.Task` or its name)."""
    from ganzoo import tasks

    task = tasks.get(task)
    if task.name in FIXTURES:
        return FIXTURES[task.name]
    return _OwnFixtures(task)


register(TaskFixtures("unconditional", lambda model, n, rng: random_images(rng, n, model.image_shape)))
register(TaskFixtures(
    "conditional",
    lambda model, n, rng: (random_images(rng, n, model.image_shape),
                           (np.arange(n) % model.num_classes).astype("int32")),
    lambda model, n, rng: {"labels": np.arange(n) % model.num_classes}))
register(TaskFixtures(
    "captioned",
    lambda model, n, rng: (random_images(rng, n, model.image_shape), random_captions(rng, n)),
    lambda model, n, rng: {"texts": random_captions(rng, n)}))
register(TaskFixtures(
    "paired",
    lambda model, n, rng: (_low_res(model, rng, n), random_images(rng, n, model.image_shape)),
    lambda model, n, rng: {"images": _low_res(model, rng, n)}))
register(TaskFixtures(
    "unpaired",
    lambda model, n, rng: (random_images(rng, n, model.image_shape), random_images(rng, n, model.image_shape)),
    lambda model, n, rng: {"images": random_images(rng, n, model.image_shape)}))
