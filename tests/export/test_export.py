"""`ganzoo export`: the artifact run by its own runtime equals `generate()`,
and bad requests are one line that writes nothing.

The fast tests export a tiny DCGAN to ONNX through the command line; the
whole matrix (8 plugins x 3 formats) is in test_export_matrix.py, slow."""

import json
import os
import sys

import numpy as np
import pytest

import ganzoo
from ganzoo.errors import GanzooError
from ganzoo.export import TOLERANCE, export, export_model
from ganzoo.testing import run_cli
from ganzoo.training import run_files

sys.path.insert(0, os.path.dirname(__file__))
from tiny_models import TINY  # noqa: E402

# ganzoo export traces the generator with TensorFlow (other backends are refused in one line, tested here).
pytestmark = pytest.mark.tensorflow_only



def make_run(folder, plugin="dcgan", model=True, **overrides):
    """A run folder as `ganzoo fit` leaves it (run.json, model.keras), without training."""
    os.makedirs(folder, exist_ok=True)
    config = {**TINY[plugin], **overrides}
    settings = run_files.RunSettings(plugin=plugin, source="shapes", config=config, precision="float32")
    with open(os.path.join(folder, "run.json"), "w") as f:
        json.dump(run_files.run_record(plugin, settings), f)
    if model:
        ganzoo.create(plugin, **config).save(os.path.join(folder, "model.keras"))
    return folder


@pytest.fixture(scope="module")
def dcgan_run(tmp_path_factory):
    return make_run(str(tmp_path_factory.mktemp("runs") / "dcgan"))


def snapshot(folder):
    return {name: os.path.getmtime(os.path.join(folder, name)) for name in sorted(os.listdir(folder))}


def test_onnx_export_from_the_command_line_equals_generate(dcgan_run, tmp_path, capsys):
    out = tmp_path / "dcgan.onnx"
    before = snapshot(dcgan_run)
    code, stdout, stderr = run_cli(["export", dcgan_run, "--format", "onnx", "--out", str(out)], capsys)
    assert code == 0, stderr
    assert f"wrote {out}" in stdout and "within" in stdout
    assert snapshot(dcgan_run) == before and sorted(os.listdir(tmp_path)) == ["dcgan.onnx", "dcgan.onnx.json"]
    described = json.loads((tmp_path / "dcgan.onnx.json").read_text())
    assert described["plugin"] == "dcgan" and described["task"] == "unconditional" and described["format"] == "onnx"
    assert [entry["name"] for entry in described["inputs"]] == ["z"]
    assert described["inputs"][0]["shape"] == [None, 16]
    assert described["inputs"][0]["distribution"] == "standard_normal"
    assert described["outputs"][0] == {"name": "images", "shape": [None, 28, 28, 1], "dtype": "float32",
                                       "range": [0.0, 1.0], "layout": "NHWC"}
    assert described["check"]["max_abs_difference"] <= TOLERANCE

    # The user's side: latents as generate() draws them, run by onnxruntime.
    import keras
    import onnxruntime

    model = ganzoo.load_model(os.path.join(dcgan_run, "model.keras"))
    z = keras.ops.convert_to_numpy(model.sample_latent(6, keras.random.SeedGenerator(11)))
    session = onnxruntime.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["z"] and [o.name for o in session.get_outputs()] == ["images"]
    images = session.run(["images"], {"z": z})[0]
    assert np.max(np.abs(images - model.generate(6, seed=11))) <= TOLERANCE


def test_an_existing_artifact_is_kept_without_force(dcgan_run, tmp_path, capsys):
    out = tmp_path / "dcgan.onnx"
    out.write_bytes(b"mine")
    code, stdout, stderr = run_cli(["export", dcgan_run, "--format", "onnx", "--out", str(out)], capsys)
    assert code == 1 and "already exists" in stderr and "--force" in stderr
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    assert out.read_bytes() == b"mine" and sorted(os.listdir(tmp_path)) == ["dcgan.onnx"]
    code, stdout, stderr = run_cli(["export", dcgan_run, "--format", "onnx", "--out", str(out), "--force"], capsys)
    assert code == 0, stderr
    assert out.read_bytes() != b"mine" and sorted(os.listdir(tmp_path)) == ["dcgan.onnx", "dcgan.onnx.json"]


def test_an_existing_description_is_kept_without_force(dcgan_run, tmp_path):
    (tmp_path / "g.tflite.json").write_text("{}")
    with pytest.raises(GanzooError, match="g.tflite.json already exists"):
        export(dcgan_run, "litert", out=str(tmp_path / "g.tflite"))
    assert sorted(os.listdir(tmp_path)) == ["g.tflite.json"]


@pytest.mark.parametrize("args,message", [
    (["--format", "tflite"], "Invalid value for '--format'"),
    (["--format", "onnx", "--out", "missing/dir/g.onnx"], "is not a folder"),
    (["--format", "onnx", "--out", "g.bin"], "ending in .onnx"),
    (["--format", "litert", "--out", "g.onnx"], "ending in .tflite"),
    (["--format", "onnx", "--condition", "labels=3"], "takes no labels"),
    (["--format", "onnx", "--input-size", "8x8"], "--input-size applies to models that upscale"),
    (["--format", "onnx", "--input-size", "big"], "--input-size takes HEIGHTxWIDTH"),
])
def test_bad_requests_are_one_line_and_write_nothing(dcgan_run, args, message, capsys):
    before = snapshot(dcgan_run)
    code, stdout, stderr = run_cli(["export", dcgan_run, *args], capsys)
    assert code != 0 and message in stderr, stderr
    assert "Traceback" not in stderr and len([line for line in stderr.splitlines() if line.startswith("error")]) <= 1
    assert os.listdir(".") == [] and snapshot(dcgan_run) == before


def test_unknown_format_in_python():
    with pytest.raises(GanzooError, match="unknown export format 'pb'; choose one of saved_model, onnx, litert"):
        export("anything", "pb")


def test_a_run_without_a_model_is_one_line(tmp_path, capsys):
    run = make_run(str(tmp_path / "empty"), model=False)
    code, stdout, stderr = run_cli(["export", run, "--format", "onnx"], capsys)
    assert code == 1 and "has neither model.keras nor a checkpoint yet" in stderr
    assert len(stderr.strip().splitlines()) == 1 and os.listdir(".") == []
    code, stdout, stderr = run_cli(["export", str(tmp_path / "nothing"), "--format", "onnx"], capsys)
    assert code == 1 and len(stderr.strip().splitlines()) == 1


def test_an_unwritable_folder_is_one_line(dcgan_run, tmp_path, capsys, monkeypatch):
    # Tests may run as root, who writes anywhere: the folder's permission is what os.access answers.
    import ganzoo.export

    locked = str(tmp_path / "locked")
    os.mkdir(locked)
    real_access = os.access
    monkeypatch.setattr(ganzoo.export.os, "access", lambda path, mode: path != locked and real_access(path, mode))
    code, stdout, stderr = run_cli(["export", dcgan_run, "--format", "onnx", "--out", f"{locked}/g.onnx"], capsys)
    assert code == 1 and f"{locked} is not writable" in stderr and os.listdir(locked) == []


def test_super_resolution_of_any_size_names_input_size():
    model = ganzoo.create("srgan", **TINY["srgan"])
    with pytest.raises(GanzooError, match="pass --input-size HxW"):
        export_model(model, "onnx", "sr.onnx")
    assert os.listdir(".") == []


def test_another_keras_backend_is_one_line(dcgan_run, monkeypatch):
    import ganzoo.backends

    monkeypatch.setattr(ganzoo.backends, "configured_backend", lambda: ("jax", "KERAS_BACKEND"))
    with pytest.raises(GanzooError, match=r"the Keras backend is jax \(KERAS_BACKEND\); run it with "
                                          r"KERAS_BACKEND=tensorflow"):
        export(dcgan_run, "onnx")
    assert os.listdir(".") == []
