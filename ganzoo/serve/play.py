"""What the Play page draws: a run's model, loaded once and kept (a few at a
time), and `ganzoo sample`'s picture of it for options given as query
parameters.

The picture is the file `ganzoo sample` writes, made by the same call
(`ganzoo.sampling.sample`) into a temporary folder of the server's, so the
page and the command agree pixel for pixel by construction. The query
parameters are turned back into `ganzoo sample`'s flags and parsed by the
command's own parser (`ganzoo.cli.sample_flags.parse_sample_options`), so a
wrong value gets the command's message.
"""

from __future__ import annotations

import collections
import dataclasses
import os
import tempfile
import threading

from ganzoo.errors import GanzooError
from ganzoo.serve import runs as runs_lib

#: The most images one request may ask for (`n`): the grid is built in memory.
MAX_COUNT = 256

#: Query values that switch a flag option on.
TRUE = ("1", "true", "on", "yes")
FALSE = ("", "0", "false", "off", "no")


def query_key(option):
    """The query parameter of a `SampleOption`: its flag without dashes,
    `-` as `_` (`--truncation-psi` -> `truncation_psi`, `--label` -> `label`)."""
    return option.flag.lstrip("-").replace("-", "_")


def declared_options(plugin):
    """The Play page's controls of a plugin's models, JSON-ready: its
    task's sampler's options, then its model class's (nothing is built)."""
    from ganzoo.cli.sample_flags import declared_sample_options

    return [{"key": query_key(o), "flag": o.flag, "help": o.help, "type": o.type, "multiple": o.multiple,
             "is_flag": o.is_flag, "default": o.default, "upload": o.type == "path"}
            for o in declared_sample_options(plugin)]


@dataclasses.dataclass
class Loaded:
    """A loaded model, the lock its generation runs under, and the stamp
    of the files it was loaded from (`runs.stamp`)."""

    model: object
    lock: threading.Lock
    stamp: tuple


class Models:
    """Loaded models by run name, the `size` most recently used kept.

    A run that saved a newer checkpoint since (it is training) is loaded
    again. One model generates for one request at a time (its own lock);
    two models may generate at once.

    Args:
        size: how many models stay loaded.
        prepare: called once, before the first model loads (the CLI starts
            TensorFlow there as `ganzoo sample` does, so the server itself
            starts at once).
    """

    def __init__(self, size=2, prepare=None):
        self.size = size
        self._prepare = prepare
        self._models = collections.OrderedDict()
        self._guard = threading.Lock()       # the dict
        self._loading = threading.Lock()     # one load at a time: loads are large and rare

    def get(self, name, folder):
        """The `Loaded` model of run `name` in `folder` (loaded read-only, by
        `ganzoo.training.run_files.load_run_model`, in Keras' safe mode)."""
        found = self._cached(name, folder)
        if found is not None:
            return found
        with self._loading:
            found = self._cached(name, folder)
            if found is not None:
                return found
            from ganzoo.training.run_files import load_run_model

            if self._prepare is not None:
                self._prepare()
                self._prepare = None
            stamp = runs_lib.stamp(folder)
            loaded = Loaded(load_run_model(folder), threading.Lock(), stamp)
            with self._guard:
                self._models[name] = loaded
                while len(self._models) > self.size:
                    self._models.popitem(last=False)
            return loaded

    def _cached(self, name, folder):
        with self._guard:
            loaded = self._models.get(name)
            if loaded is None or loaded.stamp != runs_lib.stamp(folder):
                return None
            self._models.move_to_end(name)
            return loaded


def sample_args(query, declared):
    """`ganzoo sample` flags from query parameters (a dict of lists).

    Args:
        query: `urllib.parse.parse_qs` of the request (`n`, `seed` removed).
        declared: the model's `SampleOption`s.

    Raises:
        GanzooError: a parameter the model does not take (naming those it
            takes), a file option given as text, or a bad switch value.
    """
    options = {query_key(o): o for o in declared}
    unknown = sorted(set(query) - set(options))
    if unknown:
        known = ", ".join(["n", "seed", *options]) or "n, seed"
        raise GanzooError(f"unknown parameter(s) {', '.join(unknown)} for this model; it takes: {known}")
    args = []
    for key, values in query.items():
        option = options[key]
        if option.type == "path":
            raise GanzooError(f"{key} is a file: POST the image as the request body instead")
        if option.is_flag:
            value = values[-1].lower()
            if value not in TRUE + FALSE:
                raise GanzooError(f"{key}={values[-1]}: a switch takes 1 or 0")
            args += [option.flag] if value in TRUE else []
            continue
        for value in values if option.multiple else values[-1:]:
            args += [option.flag, value]
    return args


def count_and_seed(query):
    """`n` (1 to MAX_COUNT, default 64 as `ganzoo sample`) and `seed` (default 0), removed from `query`."""
    def integer(key, default):
        values = query.pop(key, None)
        if not values:
            return default
        try:
            return int(values[-1])
        except ValueError:
            raise GanzooError(f"{key}={values[-1]} is not a whole number") from None

    count, seed = integer("n", 64), integer("seed", 0)
    if not 1 <= count <= MAX_COUNT:
        raise GanzooError(f"n={count}: ask for 1 to {MAX_COUNT} images (ganzoo sample writes more)")
    return count, seed


def sample_png(loaded, query, scratch, upload=None):
    """The PNG `ganzoo sample RUN --n N --seed S ...` writes, as bytes.

    Args:
        loaded: the run's `Loaded` model.
        query: the request's parameters (a dict of lists, as `parse_qs` gives).
        scratch: a folder of the server's (never a run folder) for the file.
        upload: the path of an uploaded image, for the model's file option.

    Raises:
        GanzooError: bad parameters (one line), as `ganzoo sample` reports them.
    """
    from ganzoo import sampling
    from ganzoo.cli.sample_flags import parse_sample_options

    query = dict(query)
    count, seed = count_and_seed(query)
    declared = sampling.sample_options(loaded.model)
    args = sample_args(query, declared)
    files = [o for o in declared if o.type == "path"]
    if upload is not None:
        if not files:
            raise GanzooError("this model takes no image: use GET without a request body")
        args += [files[0].flag, upload]
    options = parse_sample_options(loaded.model, args)
    with tempfile.TemporaryDirectory(dir=scratch) as folder:
        out = os.path.join(folder, "sample.png")
        with loaded.lock:
            written = sampling.sample(loaded.model, out=out, count=count, seed=seed, **options)
        if len(written) != 1:
            raise GanzooError(f"this model wrote {len(written)} files, not one picture; use ganzoo sample")
        with open(written[0], "rb") as f:
            return f.read()
