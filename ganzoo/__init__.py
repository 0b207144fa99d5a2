"""ganzoo: a plugin-based GAN model zoo for Keras 3.

```python
import ganzoo
model = ganzoo.create("dcgan", image_shape=(28, 28, 1))
model.compile()
model.fit(ganzoo.data.load("digits", model), epochs=5)
images = model.generate(16, seed=0)
```

Importing ganzoo does not import Keras or TensorFlow: the names below load
on first use, which keeps `ganzoo --help` and `ganzoo list` fast.
"""

from __future__ import annotations

import importlib

from ganzoo.errors import GanzooError
from ganzoo.plugin import DefaultRun, Plugin, Preset
from ganzoo.factory import create
from ganzoo.registry import get_plugin, list_models
from ganzoo.version import __version__

_LAZY = {
    "GAN": ("ganzoo.model", "GAN"),
    "OptimizerGroup": ("ganzoo.optimizers", "OptimizerGroup"),
    "load_model": ("ganzoo.saving", "load_model"),
    "data": ("ganzoo.data", None),
    "losses": ("ganzoo.losses", None),
    "callbacks": ("ganzoo.callbacks", None),
    "metrics": ("ganzoo.metrics", None),
    "layers": ("ganzoo.layers", None),
    "testing": ("ganzoo.testing", None),
    "tasks": ("ganzoo.tasks", None),
    "sampling": ("ganzoo.sampling", None),
}

__all__ = ["DefaultRun", "GanzooError", "Plugin", "Preset", "create", "get_plugin", "list_models", *_LAZY]


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module 'ganzoo' has no attribute {name!r}")
    module_name, attribute = _LAZY[name]
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def _install_saved_model_hook():
    # `keras.models.load_model("x.keras")` must work right after `import ganzoo`,
    # without importing every plugin (and TensorFlow) at import time: once
    # keras is imported, register a loader for each plugin's saved name.
    try:
        import wrapt
    except ImportError:  # pragma: no cover - wrapt is a dependency
        return
    from ganzoo.saving import register_plugin_loaders

    wrapt.register_post_import_hook(register_plugin_loaders, "keras")


_install_saved_model_hook()
