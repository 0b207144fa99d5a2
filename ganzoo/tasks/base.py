"""The `Task` base class, and `SampleOption` (a `ganzoo sample` flag, declared by samplers)."""

from __future__ import annotations

import dataclasses
import importlib

import numpy as np

from ganzoo.errors import GanzooError


@dataclasses.dataclass(frozen=True)
class SampleOption:
    """A flag a task's sampler (`ganzoo.sampling.Sampler.options`) or a model
    (`extra_sample_options`) adds to `ganzoo sample`.

    Args:
        name: the keyword its value reaches the sampler's `sample` under.
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
        random_elements: True when the task draws elements at random (crops):
            the pipeline then never caches them.
    """

    name = ""
    summary = ""
    batch = ""
    random_elements = False

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

    #: The function of `ganzoo.data.elements` that maps this task's examples, if one does.
    element_mapping = ""

    def elements(self, ds, info, image_shape, model=None):
        """Maps example dicts to unbatched elements of the batch structure."""
        if not self.element_mapping:
            raise NotImplementedError(f"task {self.name!r} does not map data")
        from ganzoo.data import elements

        return getattr(elements, self.element_mapping)(ds, info, image_shape)

    def check_batch(self, model, x, y=None):
        """Checks data that `fit(x, y)` or `train_on_batch(x, y)` receive as
        arrays, before any step runs; datasets and generators are checked
        where they are built (`elements`). Raises `GanzooError`; the default
        checks nothing.

        Args:
            model: the model about to train.
            x: `fit()`'s or `train_on_batch()`'s `x` (arrays, a tuple of
                them, or a dataset, which is left alone).
            y: their `y`, or None.
        """

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


class OwnReaderTask(Task):
    """A task whose sources a module of `ganzoo.data` of its own reads (two
    domains, images with captions, ...) rather than the plain image reader.

    Attributes:
        reader: the module's name under `ganzoo.data`, e.g. `"captioned"`.
        describe_function: its `describe(source, split, data_dir=)`.
        open_function: its `open(kind, name, split, data_dir=, shuffle=, seed=)`.
    """

    reader = ""
    describe_function = "describe"
    open_function = "open"

    def _reader(self):
        return importlib.import_module(f"ganzoo.data.{self.reader}")

    def describe(self, source, split="train", data_dir=None):
        return getattr(self._reader(), self.describe_function)(source, split, data_dir=data_dir)

    def open(self, source, split="train", data_dir=None, shuffle=True, seed=None):
        from ganzoo.data.source import resolve

        kind, name = resolve(source)
        return getattr(self._reader(), self.open_function)(kind, name, split, data_dir=data_dir, shuffle=shuffle,
                                                           seed=seed)


def per_image(values, n, single, noun):
    """Checked 1-D `values` as one per image: a single value repeated `n`
    times (`generate(n, labels=7)`), else as given, which `n` must match."""
    if single and n is not None:
        values = np.repeat(values, int(n))
    elif n is not None and int(n) != len(values):
        raise GanzooError(f"generate() got n={n} but {len(values)} {noun}s; pass one {noun} per image (or drop n)")
    if len(values) < 1:
        raise GanzooError(f"generate() needs at least one {noun}")
    return values
