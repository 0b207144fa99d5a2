"""Plugin discovery through the `ganzoo.plugins` entry-point group.

Listing reads only package metadata; a plugin is imported the first time it
is asked for. A plugin that fails to import is kept as a `BrokenPlugin` with
its error, so one bad package never breaks the others.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from importlib import metadata

from ganzoo.errors import GanzooError
from ganzoo.plugin import Plugin

GROUP = "ganzoo.plugins"


@dataclasses.dataclass(frozen=True)
class BrokenPlugin:
    """A registered plugin that could not be loaded, and why."""

    name: str
    package: str
    error: str


def _entry_points():
    found = {}
    for ep in metadata.entry_points(group=GROUP):
        package = ep.dist.name if ep.dist is not None else ep.value.split(":")[0]
        previous = found.get(ep.name)
        if previous is not None and previous.value != ep.value:
            other = previous.dist.name if previous.dist is not None else previous.value
            raise GanzooError(
                f"two plugins are named {ep.name!r}: one in package {other!r} "
                f"({previous.value}) and one in {package!r} ({ep.value}); "
                "uninstall one of them"
            )
        # The same distribution can appear twice (an editable install next to a
        # stale *.egg-info); identical targets are the same plugin.
        found[ep.name] = ep
    return found


_cache: dict[str, Plugin | BrokenPlugin] = {}


def _load(ep) -> Plugin | BrokenPlugin:
    package = ep.dist.name if ep.dist is not None else ep.value
    try:
        obj = ep.load()
        if not isinstance(obj, Plugin):
            raise TypeError(f"{ep.value} is a {type(obj).__name__}, not a ganzoo.Plugin")
        if obj.name != ep.name:
            raise ValueError(f"entry point {ep.name!r} points to a plugin named {obj.name!r}")
        return obj
    except Exception as exc:  # a broken third-party package must not break ganzoo
        first_line = (str(exc).strip().splitlines() or [""])[0]
        return BrokenPlugin(ep.name, package, f"{type(exc).__name__}: {first_line}")


def _natural_key(name: str):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def registered_names() -> list[str]:
    """Names of every registered plugin, loaded or not, in natural order."""
    return sorted(_entry_points(), key=_natural_key)


def load_all(filter: str | None = None) -> list[Plugin | BrokenPlugin]:
    """Every registered plugin (matching the wildcard `filter`), loaded."""
    eps = _entry_points()
    names = [n for n in registered_names() if filter is None or fnmatch.fnmatch(n, filter)]
    for name in names:
        if name not in _cache:
            _cache[name] = _load(eps[name])
    return [_cache[n] for n in names]


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
    return [p.name for p in load_all(filter) if isinstance(p, Plugin)]


def get_plugin(name: str) -> Plugin:
    """The plugin registered as `name`.

    Raises:
        GanzooError: if no plugin has that name, or it failed to load.
    """
    eps = _entry_points()
    if name not in eps:
        import difflib

        known = ", ".join(registered_names()) or "none"
        close = difflib.get_close_matches(name, registered_names(), n=2)
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        raise GanzooError(f"no plugin named {name!r}; {hint}installed plugins: {known}")
    if name not in _cache:
        _cache[name] = _load(eps[name])
    plugin = _cache[name]
    if isinstance(plugin, BrokenPlugin):
        raise GanzooError(
            f"plugin {name!r} (package {plugin.package}) failed to load: {plugin.error}"
        )
    return plugin


def clear_cache():
    """Forgets loaded plugins, so the next call rediscovers entry points."""
    _cache.clear()
