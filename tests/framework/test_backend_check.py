"""Another Keras backend than TensorFlow: every `ganzoo` command answers in
one line, before Keras is imported (a missing JAX was a raw ModuleNotFoundError)."""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _ganzoo(args, tmp_path, **env):
    environ = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    environ.update(PYTHONPATH=ROOT, KERAS_HOME=str(tmp_path / "keras_home"), TF_CPP_MIN_LOG_LEVEL="2", **env)
    return subprocess.run([sys.executable, "-m", "ganzoo", *args], capture_output=True, text=True, env=environ,
                          timeout=300, cwd=tmp_path)


@pytest.mark.parametrize("args", [["info", "dcgan"], ["list"], ["fit", "dcgan", "--steps", "1"],
                                  ["sample", "runs/none"]])
def test_keras_backend_jax_is_one_line(args, tmp_path):
    result = _ganzoo(args, tmp_path, KERAS_BACKEND="jax")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [result.stderr.strip()], result.stderr  # one line, no traceback
    assert result.stderr.startswith("error: KERAS_BACKEND=jax: ganzoo runs on the TensorFlow backend only")
    assert "set KERAS_BACKEND=tensorflow" in result.stderr
    if importlib.util.find_spec("jax") is None:
        assert "jax is not installed" in result.stderr
    assert result.stdout == ""


def test_backend_from_keras_json_names_the_file(tmp_path):
    home = tmp_path / "keras_home"
    home.mkdir()
    (home / "keras.json").write_text(json.dumps({"backend": "torch", "floatx": "float32"}))
    result = _ganzoo(["info", "dcgan"], tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: Keras backend 'torch' (set in {home / 'keras.json'}): ganzoo runs on the TensorFlow backend only"
        + (", and torch is not installed" if importlib.util.find_spec("torch") is None else "")
        + f"; set KERAS_BACKEND=tensorflow or \"backend\": \"tensorflow\" in {home / 'keras.json'}")


def test_tensorflow_backend_is_accepted(tmp_path):
    result = _ganzoo(["info", "vanilla"], tmp_path, KERAS_BACKEND="tensorflow")
    assert result.returncode == 0, result.stderr
    assert "task:            unconditional" in result.stdout
