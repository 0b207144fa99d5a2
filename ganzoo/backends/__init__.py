"""The Keras backend ganzoo trains on, and its adapter.

ganzoo trains on Keras' three backends: TensorFlow (the default), JAX and
PyTorch (`pip install "ganzoo[jax]"`, `"ganzoo[torch]"`). TensorFlow stays
installed on all three: it feeds `tf.data` and TFDS.

`check_backend()` (run by every `ganzoo` command before Keras is imported)
answers a backend that ganzoo has no adapter for, or that is not installed,
in one line; `select_backend()` is `--backend`. `get()` returns the active
`ganzoo.backends.base.Adapter`, through which the model base class takes
every gradient, collective and step-wrapping decision; the interface is
documented in `ganzoo.backends.base`.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys

from ganzoo.errors import GanzooError

#: The Keras backends ganzoo trains on, each with the module it needs and the extra that installs it.
BACKENDS = {"tensorflow": ("tensorflow", None), "jax": ("jax", "jax"), "torch": ("torch", "torch")}

#: The backend when nothing chooses one (Keras' own default).
DEFAULT = "tensorflow"


def configured_backend():
    """`(backend name, where it was set)` as Keras will choose it, without
    importing Keras: `KERAS_BACKEND`, else `keras.json` in `KERAS_HOME`
    (default ~/.keras), else TensorFlow; once Keras is imported, its own answer."""
    if "keras" in sys.modules and hasattr(sys.modules["keras"], "backend"):
        return sys.modules["keras"].backend.backend(), "Keras"
    name = os.environ.get("KERAS_BACKEND")
    if name:
        return name, "KERAS_BACKEND"
    # Keras's own rule (keras/src/backend/config.py): KERAS_HOME, else
    # ~/.keras, else /tmp/.keras when the home folder is read-only.
    home = os.environ.get("KERAS_HOME")
    if not home:
        base = os.path.expanduser("~")
        home = os.path.join(base if os.access(base, os.W_OK) else "/tmp", ".keras")
    path = os.path.join(home, "keras.json")
    try:
        with open(path, encoding="utf-8") as file:
            name = json.load(file).get("backend")
    except (OSError, ValueError, AttributeError):
        name = None
    return (name, path) if name else (DEFAULT, "default")


def _installed(module) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):   # a broken install answers like a missing one
        return False


def _setting(name, where):
    if where == "KERAS_BACKEND":
        return f"KERAS_BACKEND={name}"
    if where == "--backend":
        return f"--backend {name}"
    return f"Keras backend {name!r} (set in {where})"


def check_backend():
    """`GanzooError` unless Keras is set to a backend ganzoo trains on, and it is installed.

    Run before Keras is imported: importing it with KERAS_BACKEND=jax and
    no JAX installed fails with a bare ModuleNotFoundError.
    """
    name, where = configured_backend()
    if name not in BACKENDS:
        raise GanzooError(f"{_setting(name, where)}: ganzoo trains on the tensorflow, jax or torch backend; "
                          "set KERAS_BACKEND (or pass --backend) to one of them")
    module, extra = BACKENDS[name]
    if where != "Keras" and not _installed(module):
        raise GanzooError(f"{_setting(name, where)}: {module} is not installed; "
                          f"pip install \"ganzoo[{extra}]\" (or use the tensorflow backend)")


def select_backend(name):
    """Makes `name` the Keras backend of this process, before Keras is imported.

    What `ganzoo fit --backend NAME` does: the same as `KERAS_BACKEND=NAME`.

    Args:
        name: "tensorflow", "jax" or "torch"; None keeps the configured one.

    Raises:
        GanzooError: when Keras is already imported with another backend,
            or the backend is not installed.
    """
    if name is None:
        check_backend()
        return
    current, where = configured_backend()
    if where == "Keras" and current != name:
        raise GanzooError(f"--backend {name}: Keras is already running on {current} in this process; "
                          f"set KERAS_BACKEND={name} before importing keras")
    if where != "Keras":
        module, extra = BACKENDS[name]
        if not _installed(module):
            raise GanzooError(f"--backend {name}: {module} is not installed; pip install \"ganzoo[{extra}]\"")
        os.environ["KERAS_BACKEND"] = name


_ADAPTERS = {"tensorflow": "ganzoo.backends.tensorflow:TensorFlowAdapter",
             "jax": "ganzoo.backends.jax:JaxAdapter",
             "torch": "ganzoo.backends.torch:TorchAdapter"}
_active = {}


def get():
    """The adapter of the Keras backend in use (one instance per process).

    Returns:
        A `ganzoo.backends.base.Adapter`.

    Raises:
        GanzooError: when Keras runs on a backend ganzoo has no adapter for.
    """
    import keras

    name = keras.backend.backend()
    if name not in _active:
        if name not in _ADAPTERS:
            raise GanzooError(f"Keras runs on {name!r}: ganzoo trains on the tensorflow, jax or torch backend; "
                              "set KERAS_BACKEND to one of them")
        import importlib

        module, _, attribute = _ADAPTERS[name].partition(":")
        _active[name] = getattr(importlib.import_module(module), attribute)()
    return _active[name]
