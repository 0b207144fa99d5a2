"""The Keras port and the converter against a TF1 Session run of a synthetic
graph with the reference graph's op types and node names."""

import os
import time

import numpy as np
import pytest

from ganzoo.errors import GanzooError
from ganzoo.metrics import inception, inception_weights
from ganzoo.metrics.inception_synthetic import run_graph, synthetic_graph_def


def test_architecture_has_2048_features_and_the_max_pool_branch():
    import keras

    model = inception.build_inception()
    assert model.output["pool_3"].shape == (None, 2048)
    assert model.output["logits"].shape == (None, 1008)
    assert isinstance(model.get_layer("mixed_10__tower_2__pool"), keras.layers.MaxPooling2D)
    assert isinstance(model.get_layer("mixed_9__tower_2__pool"), keras.layers.AveragePooling2D)
    assert model.get_layer("mixed_10__join").output.shape[1:] == (8, 8, 2048)
    assert model.get_layer("mixed_2__join").output.shape[1:] == (35, 35, 288)
    assert model.get_layer("mixed_7__join").output.shape[1:] == (17, 17, 768)
    assert len(inception.convolutions()) == 94
    # keras.applications.InceptionV3(include_top=False) has 21,768,352 trainable parameters: the same
    # convolutions plus one BN beta per channel, which here is the folded bias; then 2048 x 1008 logits.
    assert model.count_params() == 21_768_352 + 2048 * 1008


def test_port_matches_a_tf1_session_of_the_synthetic_graph(synthetic_pb, extractor):
    with open(synthetic_pb, "rb") as f:
        graph = f.read()
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 1, (3, 32, 32, 3)).astype(np.float32)
    quantised = np.floor(images * 255 + 0.5)
    pool, logits, probabilities = run_graph(graph, quantised)
    ours_pool, ours_logits = extractor.batch(images)
    assert ours_pool.shape == (3, 2048)
    scale = np.abs(pool).max()
    assert scale > 0.1 and pool.reshape(3, -1).std(0).mean() > 1e-3  # not degenerate
    assert np.abs(ours_pool - pool.reshape(3, -1)).max() < 1e-4 * scale
    biases = extractor.weights.arrays[inception.LOGITS_BIAS][0]
    assert np.abs(ours_logits + biases - logits).max() < 1e-4 * np.abs(logits).max()
    from ganzoo.metrics.statistics import softmax

    np.testing.assert_allclose(softmax(ours_logits + biases), probabilities, atol=1e-5)


def test_port_matches_the_graph_on_grey_images_of_another_size(synthetic_pb, extractor):
    with open(synthetic_pb, "rb") as f:
        graph = f.read()
    images = np.random.default_rng(1).uniform(0, 1, (2, 28, 28, 1)).astype(np.float32)
    (pool,) = run_graph(graph, np.repeat(np.floor(images * 255 + 0.5), 3, axis=-1), outputs=("pool_3:0",))
    ours, _ = extractor.batch(images)
    assert np.abs(ours - pool.reshape(2, -1)).max() < 1e-4 * np.abs(pool).max()


def test_converter_honours_scale_after_normalization(tmp_path):
    data = synthetic_graph_def(seed=3, scale_after_normalization=True, epsilon=0.01)
    arrays = inception_weights.convert_graph(data)
    import tensorflow as tf

    graph = tf.compat.v1.GraphDef()
    graph.ParseFromString(data)
    consts = {n.name: tf.make_ndarray(n.attr["value"].tensor) for n in graph.node if n.op == "Const"}
    g = "mixed_4/tower/conv_1"
    scale = consts[f"{g}/batchnorm/gamma"] / np.sqrt(consts[f"{g}/batchnorm/moving_variance"] + 0.01)
    kernel, bias = arrays["mixed_4__tower__conv_1"]
    np.testing.assert_allclose(kernel, consts[f"{g}/conv2d_params"] * scale, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(bias, consts[f"{g}/batchnorm/beta"] - consts[f"{g}/batchnorm/moving_mean"] * scale,
                               rtol=1e-5, atol=1e-7)


def test_converter_refuses_an_average_pool_in_mixed_10(synthetic_pb):
    import tensorflow as tf

    with open(synthetic_pb, "rb") as f:
        graph = tf.compat.v1.GraphDef()
        graph.ParseFromString(f.read())
    for node in graph.node:
        if node.name == "mixed_10/tower_2/pool":
            node.op = "AvgPool"  # keras.applications.InceptionV3's choice
    with pytest.raises(GanzooError, match="mixed_10/tower_2/pool"):
        inception_weights.convert_graph(graph.SerializeToString())


def test_converter_refuses_other_graphs():
    with pytest.raises(GanzooError, match="not the 2015-12-05 Inception graph|not a GraphDef"):
        inception_weights.convert_graph(b"\x08\x01garbage")


def test_conversion_is_cached_and_marked_not_reference(synthetic_pb):
    weights = inception_weights.from_file(synthetic_pb)
    assert weights.reference is False and len(weights.sha256) == 64
    cached = [f for f in os.listdir(inception_weights.models_dir()) if f.endswith(".npz")]
    assert len(cached) == 1
    again = inception_weights.resolve()  # found in the cache, no path given
    assert again.sha256 == weights.sha256
    np.testing.assert_array_equal(again.arrays["mixed_10__conv"][0], weights.arrays["mixed_10__conv"][0])
    assert inception_weights.is_reference(b"x" * 10) is False


def test_offline_without_weights_fails_fast_naming_the_place(monkeypatch):
    monkeypatch.setattr(inception_weights, "network_available", lambda timeout=3.0: False)
    start = time.perf_counter()
    with pytest.raises(GanzooError) as info:
        inception_weights.resolve()
    assert time.perf_counter() - start < 10
    message = str(info.value)
    assert "classify_image_graph_def.pb" in message and "--inception-weights" in message
    assert inception_weights.models_dir() in message and "\n" not in message


def test_a_cache_with_the_old_dotted_layer_names_still_fills_the_port(synthetic_weights, tmp_path):
    # Caches converted before the port ran on PyTorch name the layers `mixed_10.conv` (PyTorch refuses '.').
    flat = {f"{name.replace(inception.SEPARATOR, '.')}::{i}": value
            for name, values in synthetic_weights.arrays.items() for i, value in enumerate(values)}
    assert "mixed_10.tower_1.mixed.conv_1::0" in flat and "softmax.biases::0" in flat
    flat.update(__sha256__=np.array(synthetic_weights.sha256), __reference__=np.array(False),
                __source__=np.array("old.pb"))
    np.savez(tmp_path / "old.npz", **flat)
    old = inception_weights.from_file(str(tmp_path / "old.npz"))
    assert sorted(old.arrays) == sorted(synthetic_weights.arrays)
    model = inception.build_inception()
    inception_weights.fill(model, old)
    np.testing.assert_array_equal(model.get_layer("mixed_10__tower_1__mixed__conv_1").get_weights()[0],
                                  synthetic_weights.arrays["mixed_10__tower_1__mixed__conv_1"][0])
    assert all("." not in variable.path for variable in model.weights)
