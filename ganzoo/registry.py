"""Plugin discovery through the `ganzoo.plugins` entry-point group.

Listing reads only package metadata; a plugin is imported the first time it
is asked for. A plugin that fails to import is kept as a `BrokenPlugin` with
its error, so one bad package never breaks the others.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
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
    ['cgan', 'cyclegan', 'dcgan', 'srgan']
    """
    return [p.name for p in load_all(filter) if isinstance(p, Plugin)]


def get_plugin(name: str) -> Plugin:
    """The plugin registered as `name`.

    Raises:
        GanzooError: if no plugin has that name, or it failed to load.
    """
    eps = _entry_points()
    if name not in eps:
        known = ", ".join(registered_names()) or "none"
        raise GanzooError(f"no plugin named {name!r}; installed plugins: {known}")
    if name not in _cache:
        _cache[name] = _load(eps[name])
    plugin = _cache[name]
    if isinstance(plugin, BrokenPlugin):
        raise GanzooError(
            f"plugin {name!r} (package {plugin.package}) failed to load: {plugin.error}"
        )
    return plugin


def create(name: str, preset: str | None = None, **config):
    """Builds the model of plugin `name` from its configuration.

    Args:
        name: a registered plugin name (see `list_models()`).
        preset: optional named configuration of the plugin (see
            `ganzoo info NAME`; e.g. `"paper"`), or the path or URL of a
            saved `.keras` model or `.weights.h5` file of this plugin
            (published weights load this way). A `.keras` file is loaded in
            Keras' safe mode; a `.weights.h5` file is loaded into the model
            the configuration describes.
        **config: constructor arguments of the plugin's model, for example
            `image_shape=(32, 32, 3)` and `latent_dim=100`; they override
            the preset's. Unknown keys are an error naming the valid ones.

    Returns:
        A `ganzoo.GAN` subclass instance, uncompiled unless it was loaded
        from a compiled `.keras` file; call `compile()` for the plugin's
        published optimizers and loss.

    Example:

    ```python
    model = ganzoo.create("dcgan", image_shape=(32, 32, 3))
    paper = ganzoo.create("dcgan", preset="paper")
    model.compile()
    ```
    """
    from ganzoo.options import check_config

    plugin = get_plugin(name)
    cls = plugin.model_class
    if preset is not None and _is_file_preset(preset):
        return _from_file(plugin, preset, config)
    if preset is not None:
        config = {**plugin.preset(preset).config, **config}
    return cls(**check_config(cls, config, plugin=name))


def _is_file_preset(preset) -> bool:
    text = str(preset)
    return "://" in text or text.endswith((".keras", ".h5")) or os.path.sep in text


def _from_file(plugin, preset, config):
    """A model from a saved file (path or URL) given as a preset."""
    from ganzoo.options import check_config
    from ganzoo.saving import load_model, saved_plugin_name

    path = str(preset)
    if "://" in path:
        import keras

        try:
            path = keras.utils.get_file(origin=path, cache_subdir=os.path.join("models", "ganzoo"))
        except Exception as exc:  # noqa: BLE001 - keras raises a bare Exception offline
            raise GanzooError(f"preset {preset}: could not download it ({str(exc).splitlines()[0]}); "
                              "download the file yourself and pass its path") from None
    path = os.path.abspath(os.path.expanduser(path))
    if not os.path.isfile(path):
        raise GanzooError(f"preset {preset}: no such file; pass a preset name (ganzoo info {plugin.name}), "
                          "or the path of a .keras or .weights.h5 file")
    if path.endswith(".keras"):
        if config:
            raise GanzooError(f"preset {preset} is a saved model; its options cannot change "
                              f"(drop {', '.join(sorted(config))})")
        saved = saved_plugin_name(path)
        if saved != plugin.name:
            raise GanzooError(f"preset {preset} holds a {saved!r} model, not {plugin.name!r}")
        return load_model(path)
    model = plugin.model_class(**check_config(plugin.model_class, config, plugin=plugin.name))
    try:
        model.load_weights(path)
    except Exception as exc:  # noqa: BLE001 - h5py/keras errors become one line
        raise GanzooError(f"preset {preset}: its weights do not fit this {plugin.name} configuration "
                          f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}); "
                          "pass the options the weights were trained with") from None
    return model


def clear_cache():
    """Forgets loaded plugins, so the next call rediscovers entry points."""
    _cache.clear()
