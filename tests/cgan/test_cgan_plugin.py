"""The shared plugin contract for every cgan variant, and cgan's own promises."""

import numpy as np
import pytest

from ganzoo import sampling
from ganzoo.errors import GanzooError
from ganzoo.testing import PluginTestCase
from ganzoo import sampling


class TestCGANConv(PluginTestCase):
    plugin_name = "cgan"
    init_kwargs = {"image_shape": (28, 28, 1), "num_classes": 10, "latent_dim": 16, "architecture": "conv",
                   "generator_filters": 8, "discriminator_filters": 8, "label_encoding": "embedding",
                   "embedding_dim": 8}


class TestCGANMLP(PluginTestCase):
    plugin_name = "cgan"
    init_kwargs = {"image_shape": (8, 8, 1), "num_classes": 10, "latent_dim": 16, "architecture": "mlp",
                   "hidden_units": 32, "label_encoding": "one_hot"}


class TestCGANProjection(PluginTestCase):
    plugin_name = "cgan"
    init_kwargs = {"image_shape": (16, 16, 3), "num_classes": 5, "latent_dim": 16, "architecture": "conv",
                   "discriminator_type": "projection", "generator_filters": 8, "discriminator_filters": 8}


class TestCGANMLPProjection(PluginTestCase):
    plugin_name = "cgan"
    init_kwargs = {"image_shape": (8, 8, 1), "num_classes": 3, "latent_dim": 8, "architecture": "mlp",
                   "discriminator_type": "projection", "hidden_units": 16, "hidden_layers": 1}


def tiny(**overrides):
    import ganzoo

    config = {"image_shape": (16, 16, 1), "num_classes": 4, "latent_dim": 8, "architecture": "conv",
              "generator_filters": 4, "discriminator_filters": 4, "embedding_dim": 3}
    return ganzoo.create("cgan", **{**config, **overrides})


@pytest.mark.parametrize("labels", [[0, 4], [-1], [3, 10], 4])
def test_label_out_of_range_is_a_clear_error(labels):
    with pytest.raises(GanzooError, match=r"valid labels are 0 \.\. 3"):
        tiny().generate(labels=labels, seed=0)


def test_labels_are_required_and_must_be_whole_numbers():
    model = tiny()
    with pytest.raises(GanzooError, match="needs labels"):
        model.generate(4, seed=0)
    with pytest.raises(GanzooError, match="whole numbers"):
        model.generate(labels=[1.5], seed=0)
    with pytest.raises(GanzooError, match="one label per image"):
        model.generate(3, labels=[0, 1], seed=0)


def test_one_label_with_n_gives_n_images_of_that_class():
    model = tiny()
    images = model.generate(5, labels=2, seed=0)
    assert images.shape == (5, 16, 16, 1)
    np.testing.assert_array_equal(images, model.generate(labels=[2] * 5, seed=0))


def test_the_label_changes_the_image():
    model = tiny()
    a = model.generate(labels=[0, 0], seed=1)
    b = model.generate(labels=[1, 1], seed=1)
    assert not np.allclose(a, b)


@pytest.mark.parametrize("num_classes", [3, 10, 12])
def test_preview_has_one_row_per_class(num_classes):
    from ganzoo.sampling.unconditional import PREVIEW_COLUMNS

    model = tiny(num_classes=num_classes)
    picture = sampling.preview(model, seed=0)
    padding, size = 2, 16
    assert picture.shape[0] == num_classes * (size + padding) + padding
    assert picture.shape[1] == PREVIEW_COLUMNS * (size + padding) + padding
    np.testing.assert_array_equal(picture, sampling.preview(model, seed=0))


def test_preview_columns_share_a_latent_across_classes():
    """Row r, column j is G(z_j, r): the same as generating class r from z_j."""
    import keras

    model = tiny(num_classes=3)
    picture = sampling.preview(model, seed=5)
    z = model.sample_latent(10, keras.random.SeedGenerator(5))
    expected = model.from_network_range(model.generator([z[3:4], keras.ops.convert_to_tensor([2], "int32")]))
    tile = picture[2 + 2 * 18: 2 + 2 * 18 + 16, 2 + 3 * 18: 2 + 3 * 18 + 16]
    np.testing.assert_allclose(tile, keras.ops.convert_to_numpy(expected)[0], atol=1e-6)


@pytest.mark.parametrize("shape,expected", [((28, 28, 1), "conv"), ((32, 32, 3), "conv"), ((64, 64, 3), "conv"),
                                            ((8, 8, 1), "mlp"), ((16, 16, 1), "mlp"), ((30, 30, 1), "mlp")])
def test_auto_architecture_follows_image_size(shape, expected):
    import ganzoo

    model = ganzoo.create("cgan", image_shape=shape, generator_filters=4, discriminator_filters=4, hidden_units=8)
    assert model.architecture == expected
    assert model.get_config()["architecture"] == "auto"
    assert model.generator.output_shape == (None, *shape)


@pytest.mark.parametrize("encoding,code_size", [("one_hot", 4), ("embedding", 3)])
def test_label_enters_both_networks(encoding, code_size):
    model = tiny(discriminator_type="concat", label_encoding=encoding)   # 4 classes, embedding_dim 3
    d_inputs = [tuple(t.shape) for t in model.discriminator.inputs]
    assert d_inputs == [(None, 16, 16, 1), (None,)]
    # Label maps concatenated to the image channels; e(y) concatenated to z.
    assert model.discriminator.get_layer("image_and_label_maps").output.shape == (None, 16, 16, 1 + code_size)
    assert model.generator.get_layer("z_and_label").output.shape == (None, 8 + code_size)


def test_mlp_concatenates_the_label_to_z_and_to_the_flattened_image():
    model = tiny(architecture="mlp", image_shape=(8, 8, 1), hidden_units=8)   # one-hot, 4 classes
    assert model.discriminator.get_layer("image_and_label").output.shape == (None, 8 * 8 + 4)
    assert model.generator.get_layer("z_and_label").output.shape == (None, 8 + 4)


def test_projection_discriminator_scores_psi_plus_inner_product():
    model = tiny(discriminator_type="projection")
    names = [layer.name for layer in model.discriminator.layers]
    assert "image_and_label_maps" not in names and "class_embedding" in names
    x = np.random.default_rng(0).random((2, 16, 16, 1), dtype=np.float32)
    y = np.array([1, 3], "int32")
    import keras

    x, y = keras.ops.convert_to_tensor(x), keras.ops.convert_to_tensor(y)
    phi = keras.Model(model.discriminator.inputs, model.discriminator.get_layer("phi").output)([x, y])
    phi = keras.ops.convert_to_numpy(phi)
    dense = model.discriminator.get_layer("psi")
    psi = phi @ np.asarray(dense.kernel) + np.asarray(dense.bias)
    embed = np.asarray(model.discriminator.get_layer("class_embedding").embeddings)[keras.ops.convert_to_numpy(y)]
    expected = psi[:, 0] + np.sum(embed * phi, axis=1)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model.discriminator([x, y]))[:, 0], expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("option,value", [("architecture", "resnet"), ("discriminator_type", "aux"),
                                          ("label_encoding", "binary"), ("num_classes", 1)])
def test_bad_choices_are_clear_errors(option, value):
    with pytest.raises(GanzooError, match=option):
        tiny(**{option: value})


def test_the_old_discriminator_option_warns_and_still_works():
    """`discriminator` was renamed `discriminator_type`: `self.discriminator` is the network."""
    from ganzoo.options import check_config
    from ganzoo_plugins.cgan.model import ConditionalGAN

    with pytest.warns(DeprecationWarning, match="discriminator_type"):
        model = tiny(discriminator="projection")
    assert model.discriminator_type == "projection" and "class_embedding" in [l.name for l in model.discriminator.layers]
    assert model.get_config()["discriminator_type"] == "projection" and "discriminator" not in model.get_config()
    with pytest.warns(DeprecationWarning, match="discriminator_type"):   # `--set discriminator=...`
        assert check_config(ConditionalGAN, {"discriminator": "projection"}, "cgan") == {"discriminator_type": "projection"}


def test_conv_rejects_unsupported_sizes():
    with pytest.raises(GanzooError, match="4 or 7 times a power of two"):
        tiny(image_shape=(30, 30, 1))


def test_trains_under_mixed_bfloat16():
    import keras
    import tensorflow as tf

    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        for kind in ("concat", "projection"):
            for architecture in ("conv", "mlp"):
                model = tiny(discriminator_type=kind, architecture=architecture, hidden_units=8)
                model.compile()
                rng = np.random.default_rng(0)
                batch = (rng.random((4, 16, 16, 1), dtype=np.float32), np.array([0, 1, 2, 3], "int32"))
                history = model.fit(tf.data.Dataset.from_tensors(batch).repeat(), steps_per_epoch=2, verbose=0, shuffle=False)
                assert np.isfinite(history.history["d_loss"][0]) and np.isfinite(history.history["g_loss"][0])
                images = model.generate(labels=[0, 3], seed=0)
                assert images.dtype == np.float32 and images.shape == (2, 16, 16, 1)
    finally:
        keras.mixed_precision.set_global_policy(previous)
