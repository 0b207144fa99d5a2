"""Choosing the Keras backend: `KERAS_BACKEND`, keras.json or `--backend`.

A backend ganzoo has no adapter for, or one that is not installed, is one
line before Keras is imported (a missing JAX was a raw ModuleNotFoundError)."""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _ganzoo(args, tmp_path, **env):
    environ = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    environ.update({"PYTHONPATH": ROOT, "KERAS_HOME": str(tmp_path / "keras_home"), "TF_CPP_MIN_LOG_LEVEL": "2",
                    **env})
    return subprocess.run([sys.executable, "-m", "ganzoo", *args], capture_output=True, text=True, env=environ,
                          timeout=300, cwd=tmp_path)


def _one_line(result):
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.splitlines() == [result.stderr.strip()], result.stderr  # one line, no traceback
    assert result.stdout == ""
    return result.stderr.strip()


@pytest.mark.parametrize("args", [["info", "dcgan"], ["list"], ["fit", "dcgan", "--steps", "1"],
                                  ["sample", "runs/none"]])
def test_a_backend_without_adapter_is_one_line(args, tmp_path):
    line = _one_line(_ganzoo(args, tmp_path, KERAS_BACKEND="numpy"))
    assert line == ("error: KERAS_BACKEND=numpy: ganzoo trains on the tensorflow, jax or torch backend; "
                    "set KERAS_BACKEND (or pass --backend) to one of them")


def test_backend_from_keras_json_names_the_file(tmp_path):
    home = tmp_path / "keras_home"
    home.mkdir()
    (home / "keras.json").write_text(json.dumps({"backend": "openvino", "floatx": "float32"}))
    line = _one_line(_ganzoo(["info", "dcgan"], tmp_path))
    assert line.startswith(f"error: Keras backend 'openvino' (set in {home / 'keras.json'}): ganzoo trains on")


def _hide(module, tmp_path):
    """A PYTHONPATH entry under which `module` cannot be imported (as if not installed)."""
    hider = tmp_path / "hider"
    hider.mkdir(exist_ok=True)
    (hider / "sitecustomize.py").write_text(
        "import sys\n"
        "class _Hide:\n"
        f"    def find_spec(self, name, path=None, target=None):\n"
        f"        if name == {module!r} or name.startswith({module!r} + '.'):\n"
        f"            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, _Hide())\n")
    return f"{hider}{os.pathsep}{ROOT}"


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_a_backend_not_installed_names_the_extra(backend, tmp_path):
    path = _hide(backend, tmp_path)
    line = _one_line(_ganzoo(["info", "dcgan"], tmp_path, KERAS_BACKEND=backend, PYTHONPATH=path))
    assert line == (f"error: KERAS_BACKEND={backend}: {backend} is not installed; "
                    f"pip install \"ganzoo[{backend}]\" (or use the tensorflow backend)")
    line = _one_line(_ganzoo(["fit", "dcgan", "--backend", backend, "--steps", "1"], tmp_path, PYTHONPATH=path))
    assert line == f"error: --backend {backend}: {backend} is not installed; pip install \"ganzoo[{backend}]\""


def test_backend_flag_overrides_a_bad_environment(tmp_path):
    """`--backend` decides before the configured backend is checked: a bad KERAS_BACKEND does not stop it."""
    result = _ganzoo(["sample", "runs/none", "--backend", "tensorflow"], tmp_path, KERAS_BACKEND="numpy")
    line = _one_line(result)
    assert "runs/none" in line and "numpy" not in line


def test_tensorflow_backend_is_accepted(tmp_path):
    result = _ganzoo(["info", "vanilla"], tmp_path, KERAS_BACKEND="tensorflow")
    assert result.returncode == 0, result.stderr
    assert "task:            unconditional" in result.stdout


def test_select_backend_refuses_a_switch_after_keras_is_imported():
    import keras

    from ganzoo.backends import select_backend
    from ganzoo.errors import GanzooError

    other = "jax" if keras.backend.backend() != "jax" else "torch"
    with pytest.raises(GanzooError, match=f"--backend {other}: Keras is already running on"):
        select_backend(other)
    select_backend(keras.backend.backend())   # the one it runs on is fine
