"""Entry-point groups: plugins, tasks, metrics, and any group to come.

Every group loads the same way. Listing reads only package metadata; an
entry is imported the first time it is asked for. An entry that fails to
import, or that is not what its group holds, is kept as a `Broken` record
with its error, so one bad package never breaks the others. Two
distributions registering one name in a group is an error naming both.

The groups ganzoo reads:

| group | holds | declared as |
|---|---|---|
| `ganzoo.plugins` | `ganzoo.Plugin` objects | `mygan = "my_package:plugin"` |
| `ganzoo.tasks` | `ganzoo.tasks.Task` instances | `sketch = "my_package.tasks:sketch"` |
| `ganzoo.metrics` | `ganzoo.metrics.Metric` objects | `lpips = "my_package.metrics:lpips"` |

This module sits at the bottom of the package (it imports only
`ganzoo.errors`), so the data layer and the tasks can resolve names without
importing the layers above them; a group recognises its objects by their
class's qualified name rather than by importing the class.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from importlib import metadata
from typing import Callable

from ganzoo.errors import GanzooError


@dataclasses.dataclass(frozen=True)
class Broken:
    """A registered entry that could not be loaded, and why.

    Args:
        name: the entry-point name.
        package: the distribution that registers it.
        error: `"ErrorType: first line of the message"`.
    """

    name: str
    package: str
    error: str


#: The name `ganzoo.registry.BrokenPlugin` had before every group shared one loader.
BrokenPlugin = Broken


#: Every group made, so that `clear_cache` forgets them all.
_GROUPS: list = []


def _natural_key(name: str):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def _first_line(exc) -> str:
    return (str(exc).strip().splitlines() or [""])[0]


class Group:
    """One entry-point group, loaded lazily with broken entries isolated.

    Args:
        name: the entry-point group, e.g. `"ganzoo.plugins"`.
        noun: what an entry is, in messages (`"plugin"`, `"task"`).
        check: `check(obj, entry_name, target)` (target: the entry point's
            `"module:attribute"`) raising `TypeError`/`ValueError` when a
            loaded object is not what the group holds.

    Example:

    ```python
    shapes = registry.Group("my_package.shapes", "shape")
    shapes.get("circle")
    ```
    """

    def __init__(self, name: str, noun: str, check: Callable | None = None):
        self.name, self.noun, self.check = name, noun, check
        self._cache: dict = {}
        _GROUPS.append(self)

    def entry_points(self) -> dict:
        """`{name: EntryPoint}`; `GanzooError` when two distributions claim one name."""
        found = {}
        for ep in metadata.entry_points(group=self.name):
            previous = found.get(ep.name)
            if previous is not None and previous.value != ep.value:
                raise GanzooError(
                    f"two {self.noun}s are named {ep.name!r}: one in package {_package(previous)!r} "
                    f"({previous.value}) and one in {_package(ep)!r} ({ep.value}); uninstall one of them"
                )
            # The same distribution can appear twice (an editable install next to a
            # stale *.egg-info); identical targets are the same entry.
            found[ep.name] = ep
        return found

    def names(self) -> list[str]:
        """Names of every registered entry, loaded or not, in natural order."""
        return sorted(self.entry_points(), key=_natural_key)

    def _load(self, ep):
        try:
            obj = ep.load()
            if self.check is not None:
                self.check(obj, ep.name, ep.value)
            return obj
        except Exception as exc:  # a broken third-party package must not break ganzoo
            return Broken(ep.name, _package(ep), f"{type(exc).__name__}: {_first_line(exc)}")

    def load_all(self, filter: str | None = None) -> list:
        """Every entry (matching the wildcard `filter`), loaded: the objects,
        and `Broken` records for those that failed."""
        eps = self.entry_points()
        names = [n for n in sorted(eps, key=_natural_key) if filter is None or fnmatch.fnmatch(n, filter)]
        for name in names:
            if name not in self._cache:
                self._cache[name] = self._load(eps[name])
        return [self._cache[n] for n in names]

    def lookup(self, name: str):
        """The object or `Broken` record registered as `name`, or None."""
        if name not in self._cache:
            ep = self.entry_points().get(name)
            if ep is None:
                return None
            self._cache[name] = self._load(ep)
        return self._cache[name]

    def get(self, name: str):
        """The object registered as `name`.

        Raises:
            GanzooError: if no entry has that name (the close ones named), or
                it failed to load.
        """
        found = self.lookup(name) if isinstance(name, str) else None
        if found is None:
            import difflib

            names = self.names()
            close = difflib.get_close_matches(str(name), names, n=2)
            hint = f"did you mean {' or '.join(close)}? " if close else ""
            raise GanzooError(f"no {self.noun} named {name!r}; {hint}installed {self.noun}s: "
                              f"{', '.join(names) or 'none'}")
        if isinstance(found, Broken):
            raise GanzooError(f"{self.noun} {name!r} (package {found.package}) failed to load: {found.error}")
        return found

    def clear(self):
        """Forgets loaded entries, so the next call rediscovers entry points."""
        self._cache.clear()


def _package(ep) -> str:
    return ep.dist.name if ep.dist is not None else ep.value.split(":")[0]


def _is_a(obj, qualified):
    """`isinstance(obj, cls)` for the class named `qualified` ("module.Class"),
    without importing it: the classes live in layers above this module."""
    return any(f"{c.__module__}.{c.__qualname__}" == qualified for c in type(obj).__mro__)


def _checker(qualified, public, noun):
    def check(obj, name, target):
        if not _is_a(obj, qualified):
            raise TypeError(f"{target} is a {type(obj).__name__}, not a {public}")
        if getattr(obj, "name", None) != name:
            raise ValueError(f"entry point {name!r} points to a {noun} named {getattr(obj, 'name', None)!r}")

    return check


PLUGINS = Group("ganzoo.plugins", "plugin", _checker("ganzoo.plugin.Plugin", "ganzoo.Plugin", "plugin"))
TASKS = Group("ganzoo.tasks", "task", _checker("ganzoo.tasks.base.Task", "ganzoo.tasks.Task", "task"))
METRICS = Group("ganzoo.metrics", "metric", _checker("ganzoo.metrics.Metric", "ganzoo.metrics.Metric", "metric"))

#: The plugins' group (kept under its old name).
GROUP = PLUGINS.name


def registered_names() -> list[str]:
    """Names of every registered plugin, loaded or not, in natural order."""
    return PLUGINS.names()


def load_all(filter: str | None = None) -> list:
    """Every registered plugin (matching the wildcard `filter`), loaded;
    `Broken` records for those that failed (see `ganzoo list`)."""
    return PLUGINS.load_all(filter)


def list_models(filter: str | None = None) -> list[str]:
    """Names of the working plugins, in natural order.

    Args:
        filter: optional wildcard pattern such as `"*gan"`.

    Returns:
        A list of plugin names; broken plugins are left out (see `ganzoo list`).

    Example:

    >>> ganzoo.list_models("*gan")
    ['cgan', 'cyclegan', 'dcgan', 'srgan', 'stylegan']
    """
    return [p.name for p in load_all(filter) if not isinstance(p, Broken)]


def get_plugin(name: str):
    """The `ganzoo.Plugin` registered as `name`.

    Raises:
        GanzooError: if no plugin has that name, or it failed to load.
    """
    return PLUGINS.get(name)


def task(task):
    """The task registered as `task` (a task object is returned as it is):
    the one lookup `ganzoo.tasks.get` and the data layer share.

    Raises:
        GanzooError: for a name no installed package registers, or a task
            that failed to load.
    """
    if not isinstance(task, str):
        return task
    found = TASKS.lookup(task)
    if found is None:
        raise GanzooError(f"unknown task {task!r}; registered tasks: {', '.join(sorted(TASKS.names())) or 'none'}")
    if isinstance(found, Broken):
        raise GanzooError(f"task {task!r} ({found.package}) failed to load: {found.error}")
    return found


def clear_cache():
    """Forgets what every group loaded, so the next call rediscovers entry points."""
    for group in _GROUPS:
        group.clear()
