"""SRGAN through the shared plugin harness, plus its networks, stage schedule,
generation (tiles, bad input) and the VGG content loss."""

import numpy as np
import pytest

from ganzoo.errors import GanzooError
from ganzoo.testing import PluginTestCase

TINY = {"image_shape": (32, 32, 3), "generator_filters": 8, "residual_blocks": 2, "discriminator_filters": 4,
        "discriminator_dense": 16, "pretrain_steps": 1, "content_loss": "mse"}


class TestSRGAN(PluginTestCase):
    plugin_name = "srgan"
    init_kwargs = TINY
    fit_steps = 2   # step 0 pre-trains the generator, step 1 is adversarial: both networks move


def tiny(**overrides):
    import ganzoo

    return ganzoo.create("srgan", **{**TINY, **overrides})


# ------------------------------------------------------------------ networks
def test_paper_generator_shapes_and_layers():
    """The paper's SRResNet: 16 blocks with BN, two x2 pixel shuffles, any input size."""
    import ganzoo

    model = ganzoo.create("srgan", batch_norm=True, bicubic_skip=False, content_loss="mse")
    g = model.generator
    kinds = [type(layer).__name__ for layer in g.layers]
    assert kinds.count("PixelShuffle") == 2
    assert kinds.count("BatchNormalization") == 2 * 16 + 1
    assert "UpSampling2D" not in kinds
    assert g.get_layer("head").kernel_size == (9, 9) and g.get_layer("to_image").kernel_size == (9, 9)
    assert g.get_layer("upsample_0_conv").filters == 256
    # ~1.5 M parameters as in the paper's SRResNet.
    assert 1.4e6 < g.count_params() < 1.6e6
    for shape in [(1, 24, 24, 3), (2, 13, 31, 3)]:
        out = g(np.zeros(shape, "float32"))
        assert tuple(out.shape) == (shape[0], shape[1] * 4, shape[2] * 4, 3)


def test_paper_discriminator():
    """Eight 3x3 convolutions 64..512 with strides 1,2,1,2,..., dense 1024, one logit."""
    import ganzoo

    d = ganzoo.create("srgan", content_loss="mse").discriminator
    convs = [layer for layer in d.layers if type(layer).__name__ == "Conv2D"]
    assert [c.filters for c in convs] == [64, 64, 128, 128, 256, 256, 512, 512]
    assert [c.strides[0] for c in convs] == [1, 2, 1, 2, 1, 2, 1, 2]
    assert all(c.kernel_size == (3, 3) for c in convs)
    assert d.get_layer("dense").units == 1024
    assert d.output_shape == (None, 1)
    assert tuple(d(np.zeros((2, 96, 96, 3), "float32")).shape) == (2, 1)


def test_default_generator_starts_as_bicubic():
    """With the bicubic skip, the zero-initialised last convolution makes an
    untrained generator exactly bicubic interpolation."""
    from ganzoo.metrics.super_resolution import bicubic_upscale

    model = tiny()
    low_res = np.random.default_rng(1).random((2, 10, 12, 3), dtype=np.float32)
    np.testing.assert_allclose(model.generate(images=low_res), bicubic_upscale(low_res), atol=2e-5)



def test_an_untrained_generator_draws_no_grid_on_a_flat_image():
    """The sub-pixel stages start as nearest-neighbour upsampling (ICNR), so a
    flat input gives a flat output away from the borders: no 4x4 pattern for
    training to unlearn (with Keras' default initialiser it was there from the
    first step, the checkerboard of issue 20)."""
    import keras

    model = tiny(bicubic_skip=False)     # the to_image convolution is not zero: the features reach the output
    out = keras.ops.convert_to_numpy(model.generator(np.full((1, 32, 32, 3), 0.3, "float32")))
    interior = out[0, 48:80, 48:80]
    assert np.abs(interior - interior.mean(axis=(0, 1))).max() < 1e-5
    assert np.abs(interior).max() > 1e-3    # the network does compute something there

def test_bad_image_shape_is_a_clear_error():
    with pytest.raises(GanzooError, match="multiples of 4"):
        tiny(image_shape=(30, 30, 3))
    with pytest.raises(GanzooError, match="content_loss"):
        tiny(content_loss="vgg99")


# ------------------------------------------------------------------ stages
@pytest.mark.slow
def test_stage_schedule_follows_the_step_counter_across_save_and_load(tmp_path):
    import keras
    import tensorflow as tf

    model = tiny(pretrain_steps=3)
    model.compile()
    batch = TestSRGAN().make_batch(model)
    data = tf.data.Dataset.from_tensors(batch).repeat()
    d_before = [v.numpy().copy() for v in model.discriminator.trainable_variables]
    history = model.fit(data, steps_per_epoch=2, epochs=1, verbose=0, shuffle=False)
    # Stage 1 only: the discriminator is untouched, stage-2 losses are not reported.
    assert history.history["stage"] == [1.0]
    assert history.history["d_loss"] == [0.0] and history.history["mse_loss"][0] > 0
    assert all(np.array_equal(a, b.numpy()) for a, b in zip(d_before, model.discriminator.trainable_variables))

    path = str(tmp_path / "srgan.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.pretrain_steps == 3 and int(loaded.step) == 2
    history = loaded.fit(data, steps_per_epoch=2, epochs=2, verbose=0, shuffle=False)
    # Step 2 ends stage 1, steps 3.. are adversarial: epoch means 1.5, then 2.
    assert history.history["stage"] == [1.5, 2.0]
    assert history.history["d_loss"][1] > 0 and np.isfinite(history.history["content_loss"][1])
    assert history.history["mse_loss"][1] == 0.0
    assert not all(np.array_equal(a, b.numpy()) for a, b in zip(d_before, loaded.discriminator.trainable_variables))


# ------------------------------------------------------------------ generation
def test_large_images_go_through_tiles_without_seams():
    model = tiny(generator_filters=8, residual_blocks=2)
    model.compile()
    # Non-zero output convolution, so the network does more than bicubic.
    kernel = model.generator.get_layer("to_image").kernel
    kernel.assign(np.random.default_rng(0).normal(0, 0.05, kernel.shape).astype("float32"))
    low_res = np.random.default_rng(2).random((1, 70, 90, 3), dtype=np.float32)
    whole = model.generate(images=low_res, tile_size=256)
    # An overlap of at least the receptive field's radius (12 LR pixels for this
    # 2-block network) makes tiling exact; less leaves measurable seams.
    tiled = model.generate(images=low_res, tile_size=32, tile_overlap=12, batch_size=3)
    assert whole.shape == tiled.shape == (1, 280, 360, 3)
    assert np.abs(whole - tiled).max() < 1e-5
    assert np.abs(whole - model.generate(images=low_res, tile_size=32, tile_overlap=4)).max() > 1e-3


def test_generate_accepts_one_hwc_or_uint8_image():
    model = tiny()
    image = (np.random.default_rng(0).random((9, 11, 3)) * 255).astype("uint8")
    out = model.generate(images=image)
    assert out.shape == (1, 36, 44, 3) and out.dtype == np.float32
    np.testing.assert_array_equal(out, model.generate(images=image.astype("float32") / 255.0))


@pytest.mark.parametrize("images,match", [
    (None, "pass images="),
    (np.zeros((2, 8, 8, 2), "float32"), "2 channels; this model takes 3"),
    (np.zeros((8, 8), "float32"), r"shape \(n, height, width, channels\)"),
    (np.full((1, 8, 8, 3), 2.0, "float32"), r"in \[0, 1\]"),
    ([np.zeros((8, 8, 3)), np.zeros((9, 9, 3))], "different sizes"),
])
def test_bad_generate_input_is_a_one_line_error(images, match):
    with pytest.raises(GanzooError, match=match) as info:
        tiny().generate(images=images)
    assert "\n" not in str(info.value)


# ------------------------------------------------------------------ content loss
def test_vgg_weights_unavailable_is_a_clear_error_before_training(monkeypatch):
    """Offline without cached VGG19 weights: one line offering the ways out,
    never a silent fall-back to untrained VGG weights."""
    import keras
    import tensorflow as tf

    def offline(*args, **kwargs):
        raise Exception("URL fetch failure on https://weights.invalid/vgg19.h5: None -- [Errno -3]")  # as Keras says offline

    monkeypatch.setattr(keras.applications, "VGG19", offline)
    model = tiny(content_loss="vgg54")
    model.compile()
    data = tf.data.Dataset.from_tensors(TestSRGAN().make_batch(model)).repeat()
    with pytest.raises(GanzooError) as info:
        model.fit(data, steps_per_epoch=1, epochs=1, verbose=0, shuffle=False)
    message = str(info.value)
    assert "content_loss=mse" in message and "vgg_weights=" in message and "URL fetch failure" in message
    assert "\n" not in message and int(model.step) == 0


def test_the_cpu_preset_trains_offline_and_the_paper_preset_with_vgg():
    from ganzoo.registry import get_plugin

    plugin = get_plugin("srgan")
    assert plugin.preset("cpu").config["content_loss"] == "mse" and plugin.default_preset == "cpu"
    # The short CPU schedule's adversarial stage at the paper's 1e-3 drew a grid (issue 20); the paper keeps it.
    assert plugin.preset("cpu").config["adversarial_weight"] == 1e-4
    assert plugin.preset("paper").config["adversarial_weight"] == 1e-3
    assert plugin.preset("paper").config["content_loss"] == "vgg54"
    assert "MSE" in plugin.preset("cpu").summary and "VGG" in plugin.preset("paper").summary


def test_missing_local_vgg_weights_file_is_a_clear_error():
    model = tiny(content_loss="vgg22", vgg_weights="/no/such/vgg19.h5")
    with pytest.raises(GanzooError, match="is not a file"):
        model.content_loss_fn()


def test_vgg_content_loss_with_an_explicit_local_random_weights_file(tmp_path):
    """Exercises the VGG loss path with a local weights file of *random* VGG19
    weights written here on purpose (no download): phi_2,2 rescaled by 1/12.75."""
    import keras
    from keras import ops

    from ganzoo_plugins.srgan.perceptual import FEATURE_SCALE, ContentLoss

    path = str(tmp_path / "random_vgg19.weights.h5")
    keras.applications.VGG19(include_top=False, weights=None, input_shape=(None, None, 3)).save_weights(path)
    model = tiny(content_loss="vgg22", vgg_weights=path)
    loss = model.content_loss_fn()
    assert isinstance(loss, ContentLoss) and loss.extractor.layers[-1].name == "block2_conv2"
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
    b = rng.uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
    assert float(loss(a, a)) == 0.0
    value = float(loss(a, b))
    # The same number by hand: caffe preprocessing (BGR, minus the ImageNet mean), features / 12.75.
    def features(x):
        bgr = ((x + 1.0) * 127.5)[..., ::-1] - np.array([103.939, 116.779, 123.68], "float32")
        return ops.convert_to_numpy(loss.extractor(bgr)) * FEATURE_SCALE
    np.testing.assert_allclose(value, np.mean((features(a) - features(b)) ** 2), rtol=1e-4)
    # The generator's stage-2 loss uses it.
    model.compile()
    total, parts = model.perceptual_loss(a[:, ::4, ::4], b)
    assert float(parts["content"]) > 0
    assert float(total) == pytest.approx(float(parts["content"]) + 1e-3 * float(parts["adversarial"]), rel=1e-5)


def test_the_old_filters_option_warns_and_still_works():
    """`filters` was renamed `generator_filters` (one name for one idea across plugins)."""
    import ganzoo

    with pytest.warns(DeprecationWarning, match="generator_filters"):
        model = ganzoo.create("srgan", **{**{k: v for k, v in TINY.items() if k != "generator_filters"},
                                          "filters": 8})
    assert model.get_config()["generator_filters"] == 8 and "filters" not in model.get_config()
    assert model.generator.get_layer("head").filters == 8
