"""Every built-in plugin in every format: the artifact, run by its own
runtime (TensorFlow, onnxruntime, the LiteRT interpreter), equals
`model.generate(n, seed=seed)` within 1e-4 for latents from
`model.sample_latent(n, seed)` and the same conditions. Slow: 24 conversions."""

import json
import os
import sys

import numpy as np
import pytest

import ganzoo
from ganzoo.errors import GanzooError
from ganzoo.export import TOLERANCE, check, export_model, formats
from ganzoo.export.inputs import inputs_of

sys.path.insert(0, os.path.dirname(__file__))
from tiny_models import TINY  # noqa: E402

# ganzoo export traces the generator with TensorFlow.
pytestmark = pytest.mark.tensorflow_only

SUFFIX = {"saved_model": "_saved_model", "onnx": ".onnx", "litert": ".tflite"}

#: What a format cannot express, with the operation its refusal names.
REFUSED = {("srgan", "litert"): "ResizeBicubic"}

#: Models whose image input is of any size are exported at a chosen size where a layer needs it.
INPUT_SIZE = {"srgan": (8, 8)}


@pytest.fixture(scope="module")
def models():
    import keras

    made = {}

    def model(plugin):
        if plugin not in made:
            keras.utils.set_random_seed(0)
            made[plugin] = ganzoo.create(plugin, **TINY[plugin])
        return made[plugin]

    return model


@pytest.mark.slow
@pytest.mark.parametrize("fmt", list(formats.FORMATS))
@pytest.mark.parametrize("plugin", list(TINY))
def test_artifact_equals_generate(plugin, fmt, models, tmp_path):
    model = models(plugin)
    out = str(tmp_path / f"{plugin}{SUFFIX[fmt]}")
    if (plugin, fmt) in REFUSED:
        with pytest.raises(GanzooError) as refusal:
            export_model(model, fmt, out, input_size=INPUT_SIZE.get(plugin))
        message = str(refusal.value)
        assert REFUSED[plugin, fmt] in message and "try --format" in message and "\n" not in message
        assert os.listdir(tmp_path) == []
        return
    written = export_model(model, fmt, out, input_size=INPUT_SIZE.get(plugin))
    assert written.max_difference <= TOLERANCE
    # Another count and seed than the export's own check, through the runtime again.
    inputs = inputs_of(model, INPUT_SIZE.get(plugin))
    assert check(model, fmt, out, inputs, n=5, seed=7) <= TOLERANCE
    described = json.loads(open(written.description).read())
    assert [entry["name"] for entry in described["inputs"]] == [graph_input.name for graph_input in inputs]
    assert described["outputs"][0]["name"] == "images" and described["task"] == model.task.name
    assert described["plugin"] == plugin
    if model.task.name == "unpaired":   # generate()'s default direction, as a user writes it
        assert described["fixed_conditions"] == {"direction": "a2b"}
    print(f"TABLE {plugin} {fmt} {written.max_difference:.1e} {written.seconds:.1f}s {written.size}")


@pytest.mark.slow
def test_conditions_fixed_in_the_graph(models, tmp_path):
    """A translation's other direction and StyleGAN's truncation, fixed at export."""
    cyclegan = models("cyclegan")
    written = export_model(cyclegan, "onnx", str(tmp_path / "b2a.onnx"), conditions={"direction": "b2a"})
    assert json.loads(open(written.description).read())["fixed_conditions"] == {"direction": "b2a"}
    inputs = inputs_of(cyclegan)
    assert check(cyclegan, "onnx", written.path, inputs, {"direction": "b2a"}) <= TOLERANCE
    assert check(cyclegan, "onnx", written.path, inputs, {"direction": "a2b"}) > 1e-3   # not the a2b generator
    stylegan = models("stylegan2")
    written = export_model(stylegan, "onnx", str(tmp_path / "psi.onnx"), conditions={"truncation_psi": 0.5})
    assert json.loads(open(written.description).read())["fixed_conditions"]["truncation_psi"] == 0.5
    assert check(stylegan, "onnx", written.path, inputs_of(stylegan), {"truncation_psi": 0.5}) <= TOLERANCE
    with pytest.raises(GanzooError, match=r"draws random numbers inside the graph \(StatelessRandomNormalV2\)"):
        export_model(stylegan, "saved_model", str(tmp_path / "noisy"), conditions={"noise": "random"})
    assert not os.path.exists(tmp_path / "noisy")


@pytest.mark.slow
def test_saved_model_serves_the_caption_encoder(models, tmp_path):
    import tensorflow as tf

    model = models("text2image")
    written = export_model(model, "saved_model", str(tmp_path / "t2i"))
    loaded = tf.saved_model.load(written.path)
    texts = ["a red circle", "blue square at the top left"]
    embedded = loaded.signatures["embed"](texts=tf.constant(texts))["caption_embedding"].numpy()
    images = loaded.signatures["serving_default"](
        z=model.sample_latent(2, __import__("keras").random.SeedGenerator(3)),
        caption_embedding=tf.constant(embedded))["images"].numpy()
    assert np.max(np.abs(images - model.generate(seed=3, texts=texts))) <= TOLERANCE


@pytest.mark.slow
def test_a_mixed_precision_model_exports_in_float32(tmp_path):
    from ganzoo.precision import precision_policy

    with precision_policy("mixed_bfloat16"):
        model = ganzoo.create("dcgan", **TINY["dcgan"])
    assert model.compute_dtype == "bfloat16"
    written = export_model(model, "onnx", str(tmp_path / "bf16.onnx"))
    assert written.max_difference <= TOLERANCE   # against the same weights computing in float32
    dtype, difference = written.precision
    assert dtype == "bfloat16" and 0 < difference < 0.1
    print(f"TABLE bf16-vs-float32 {difference:.1e}")
