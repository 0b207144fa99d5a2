"""Building a plugin's model: from its options, a named preset, or a saved file.

Above the registry (which plugin) and saving (which file): `ganzoo.create`.
"""

from __future__ import annotations

import os

from ganzoo.errors import GanzooError
from ganzoo.options import check_config
from ganzoo.registry import get_plugin
from ganzoo.saving import load_model, saved_plugin_name


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
    plugin = get_plugin(name)
    cls = plugin.model_class
    if preset is not None and is_file_preset(preset):
        return from_file(plugin, preset, config)
    if preset is not None:
        config = {**plugin.preset(preset).config, **config}
    return cls(**check_config(cls, config, plugin=name))


def is_file_preset(preset) -> bool:
    text = str(preset)
    return "://" in text or text.endswith((".keras", ".h5")) or os.path.sep in text


def from_file(plugin, preset, config):
    """A model from a saved file (path or URL) given as a preset."""
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
