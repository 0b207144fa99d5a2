"""Loading saved ganzoo models without knowing their plugin in advance.

Each plugin's model class is registered with Keras as `ganzoo>PLUGIN_NAME`
(`@keras.saving.register_keras_serializable(package="ganzoo", name=...)`).
Until a plugin is imported, a small loader stands under that name and
imports it on demand, so a `.keras` file loads after a plain `import ganzoo`.
"""

from __future__ import annotations

import json
import os
import zipfile

from ganzoo.errors import GanzooError

PACKAGE = "ganzoo"


def registered_name(plugin_name: str) -> str:
    """The Keras registration name of a plugin's model class."""
    return f"{PACKAGE}>{plugin_name}"


def _loader(plugin_name):
    class PluginLoader:
        """Stands in for an unimported plugin's class during deserialization."""

        @classmethod
        def from_config(cls, config):
            from ganzoo.registry import get_plugin

            return get_plugin(plugin_name).model_class.from_config(config)

        def get_config(self):  # required by Keras' registry; never called
            raise NotImplementedError

    PluginLoader.__name__ = f"PluginLoader[{plugin_name}]"
    return PluginLoader


def register_plugin_loaders(keras_module=None):
    """Registers a loader for every installed plugin not yet imported."""
    import keras

    from ganzoo.registry import registered_names

    custom = keras.saving.get_custom_objects()
    try:
        names = registered_names()
    except GanzooError:
        return  # a name clash is reported by the registry when used
    for name in names:
        custom.setdefault(registered_name(name), _loader(name))


def saved_plugin_name(path) -> str | None:
    """The plugin a `.keras` file was saved from, read from its config."""
    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
    except (OSError, KeyError, zipfile.BadZipFile, json.JSONDecodeError):
        return None
    name = config.get("registered_name") or ""
    package, _, plugin = name.partition(">")
    return plugin if package == PACKAGE else None


def load_model(path, compile=True):
    """Loads a ganzoo model saved with `model.save("x.keras")`.

    Args:
        path: a `.keras` file.
        compile: restore the optimizers and loss as saved.

    Returns:
        The model, compiled and ready to `fit()` or `generate()`.

    Raises:
        GanzooError: if the file is missing or not a ganzoo model.
    """
    import keras

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise GanzooError(f"no model file at {path}; pass a .keras file or a run directory")
    plugin = saved_plugin_name(path)
    if plugin is None:
        raise GanzooError(f"{path} is not a ganzoo .keras model (no ganzoo>NAME in its config.json)")
    from ganzoo.registry import get_plugin

    get_plugin(plugin).model_class  # imports and registers the real class
    return keras.models.load_model(path, compile=compile)
