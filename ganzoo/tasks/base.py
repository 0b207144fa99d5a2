"""The `Task` base class and the declaration of `ganzoo sample` flags."""

from __future__ import annotations

import dataclasses
import os

import numpy as np

from ganzoo.errors import GanzooError


@dataclasses.dataclass(frozen=True)
class SampleOption:
    """A flag a task adds to `ganzoo sample`.

    Args:
        name: the keyword its value reaches `Task.sample` under.
        flag: the command-line flag, e.g. `"--label"`.
        help: one line of help.
        type: "int", "float", "str" or "path".
        multiple: whether the flag may be given several times (a tuple).
        is_flag: a boolean switch taking no value.
        default: the value when the flag is not given.
    """

    name: str
    flag: str
    help: str
    type: str = "str"
    multiple: bool = False
    is_flag: bool = False
    default: object = None


class Task:
    """One kind of generative task (see the module docstring of `ganzoo.tasks`).

    Subclass it and override what differs; a third-party task is an instance
    registered under the `ganzoo.tasks` entry-point group.

    Attributes:
        name: the registry name (what plugins declare as `task`).
        summary: one line for `ganzoo info`.
        batch: what `fit()` receives, in words.
        metrics: names of the `ganzoo evaluate` metrics that apply.
        random_elements: True when the task draws elements at random (crops):
            the pipeline then never caches them.
        sample_options: the `SampleOption`s it adds to `ganzoo sample`.
    """

    name = ""
    summary = ""
    batch = ""
    metrics: tuple = ()
    random_elements = False
    sample_options: tuple = ()

    # ------------------------------------------------------------ identity
    def __eq__(self, other):
        if isinstance(other, str):
            return other == self.name
        return isinstance(other, Task) and other.name == self.name

    def __hash__(self):
        return hash(self.name)

    def __str__(self):
        return self.name

    def __repr__(self):
        return f"<ganzoo task {self.name!r}>"

    # ------------------------------------------------------------ data
    def describe(self, source, split="train", data_dir=None):
        """The `SourceInfo` of `source` as this task reads it, without decoding."""
        from ganzoo.data import sources

        return sources.describe(source, split, data_dir=data_dir)

    def check_source(self, info):
        """Raises `GanzooError` if a source described by `info` cannot serve
        this task (run before any download)."""

    def open(self, source, split="train", data_dir=None, shuffle=True, seed=None):
        """`(dataset of example dicts, SourceInfo)` of `source` for this task."""
        from ganzoo.data import sources

        return sources.open_source(source, split, data_dir=data_dir, shuffle=shuffle, seed=seed,
                                   check=self.check_source)

    def elements(self, ds, info, image_shape, model=None):
        """Maps example dicts to unbatched elements of the batch structure."""
        raise NotImplementedError(f"task {self.name!r} does not map data")

    def images_of(self, batch):
        """The images of a batch (what metrics and previews compare)."""
        return batch

    # ------------------------------------------------------------ generation
    def prepare_generation(self, model, n=None, **conditions):
        """Checks `generate()`'s arguments for `model`; returns `(n, conditions)`
        with each condition an array of length n."""
        if conditions:
            raise TypeError(f"{type(model).__name__}.generate() takes no {', '.join(conditions)}")
        if n is None or int(n) < 1:
            raise ValueError("generate() needs n >= 1 images")
        return int(n), {}

    def preview(self, model, examples=None, seed=0):
        """The per-epoch picture of training progress, one HWC image in [0, 1]."""
        raise NotImplementedError

    # ------------------------------------------------------------ ganzoo sample
    def sample(self, model, *, out, count=64, seed=0, **options):
        """What `ganzoo sample` writes for a model of this task; returns the
        paths written. `options` are the values of `sample_options`."""
        raise NotImplementedError

    # ------------------------------------------------------------ testing
    def test_batch(self, model, n, rng):
        """One training batch of n random examples, for `PluginTestCase`."""
        raise NotImplementedError(f"task {self.name!r} has no test batch; override make_batch()")

    def test_generate_kwargs(self, model, n, rng):
        """`generate()` arguments for n images, for `PluginTestCase`."""
        return {"n": n}

    def test_output_shape(self, model, n):
        """The shape `generate(**test_generate_kwargs(model, n))` returns."""
        return (n, *model.image_shape)


class Written(list):
    """The paths `Task.sample` wrote, and how many inputs it skipped
    (unreadable `--input` files), for the summary `ganzoo sample` prints."""

    skipped = 0


def summary(paths, out):
    """The lines `ganzoo sample` prints for what `Task.sample` returned: each
    path when there are a few, else one count; skipped inputs are counted."""
    skipped = getattr(paths, "skipped", 0) or 0
    paths = list(paths)
    lines = [f"wrote {p}" for p in paths] if len(paths) <= SUMMARY_PATHS else []
    if len(paths) > SUMMARY_PATHS or skipped:
        line = f"wrote {len(paths)} image file(s) to {out}"
        if skipped:
            line += f"; skipped {skipped} unreadable input file(s) (see the warnings above)"
        lines.append(line)
    return lines


#: `summary` lists each path up to this many files.
SUMMARY_PATHS = 8


def random_images(rng, n, shape):
    """n random float32 images in [0, 1]."""
    return rng.random((n, *shape), dtype=np.float32)


def reject_options(task, options):
    """A one-line error for `ganzoo sample` flags that do not apply to `task`."""
    given = sorted(name for name, value in options.items() if value not in (None, (), False))
    if given:
        flags = ", ".join("--" + name.replace("_", "-") for name in given)
        raise GanzooError(f"{flags} do(es) not apply to a {task.name} model")
