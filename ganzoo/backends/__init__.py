"""The Keras backend ganzoo trains on, and its adapter.

`check_backend()` (run by every `ganzoo` command before Keras is imported)
refuses another Keras backend than TensorFlow in one line; `get()` returns the
active `ganzoo.backends.base.Adapter`, through which the model base class
takes every gradient, collective and step-wrapping decision. The interface,
and where JAX and PyTorch plug in, is documented in `ganzoo.backends.base`;
`ganzoo.backends.tensorflow` is its one implementation.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys

from ganzoo.errors import GanzooError

#: The one Keras backend ganzoo runs on.
SUPPORTED = "tensorflow"


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
    return (name, path) if name else (SUPPORTED, "default")


def check_backend():
    """`GanzooError` unless Keras is set to the TensorFlow backend.

    Run before Keras is imported: importing it with KERAS_BACKEND=jax and
    no JAX installed fails with a bare ModuleNotFoundError, and with JAX
    installed ganzoo would fail later anyway (gradients and data are
    TensorFlow; `ganzoo.backends.base` says what another backend needs).
    """
    name, where = configured_backend()
    if name == SUPPORTED:
        return
    setting = f"KERAS_BACKEND={name}" if where == "KERAS_BACKEND" else f"Keras backend {name!r} (set in {where})"
    module = {"jax": "jax", "torch": "torch"}.get(name)
    missing = f", and {module} is not installed" if module and importlib.util.find_spec(module) is None else ""
    fix = ("unset KERAS_BACKEND or set KERAS_BACKEND=tensorflow" if where == "KERAS_BACKEND"
           else f"set KERAS_BACKEND=tensorflow or \"backend\": \"tensorflow\" in {where}")
    raise GanzooError(f"{setting}: ganzoo runs on the TensorFlow backend only{missing}; {fix}")


_ADAPTERS = {"tensorflow": "ganzoo.backends.tensorflow:TensorFlowAdapter"}
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
            raise GanzooError(f"ganzoo trains with the TensorFlow backend; KERAS_BACKEND is {name!r}. "
                              "Set KERAS_BACKEND=tensorflow.")
        import importlib

        module, _, attribute = _ADAPTERS[name].partition(":")
        _active[name] = getattr(importlib.import_module(module), attribute)()
    return _active[name]
