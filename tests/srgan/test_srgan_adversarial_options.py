"""SRGAN's stage-2 options: the generator's adversarial learning rate, R1, the
discriminator's blur and `ema`, a moving average of the generator over stage 2 that upscales."""

import numpy as np
import pytest

from ganzoo.errors import GanzooError
from ganzoo.testing import PluginTestCase

TINY = {"image_shape": (32, 32, 3), "generator_filters": 8, "residual_blocks": 2, "discriminator_filters": 4,
        "discriminator_dense": 16, "pretrain_steps": 2, "content_loss": "mse"}


def tiny(**overrides):
    import ganzoo

    return ganzoo.create("srgan", **{**TINY, **overrides})


def _data(model):
    import tensorflow as tf

    return tf.data.Dataset.from_tensors(PluginTestCase().make_batch(model)).repeat()


def test_adversarial_learning_rate_round_trips_and_applies_from_stage_2(tmp_path):
    import keras

    model = tiny(adversarial_learning_rate=1e-5, r1_gamma=0.5)
    config = model.get_config()
    assert config["adversarial_learning_rate"] == 1e-5 and config["r1_gamma"] == 0.5
    model.compile()
    generator = model.optimizer["generator"]
    assert float(generator.learning_rate) == pytest.approx(1e-4)      # stage 1: learning_rate
    model.fit(_data(model), steps_per_epoch=2, epochs=1, verbose=0, shuffle=False)
    assert int(generator.iterations) == 2
    assert float(generator.learning_rate) == pytest.approx(1e-5)      # stage 2 from step pretrain_steps
    assert float(model.optimizer["discriminator"].learning_rate) == pytest.approx(1e-4)

    path = str(tmp_path / "srgan.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.adversarial_learning_rate == 1e-5 and loaded.r1_gamma == 0.5
    assert float(loaded.optimizer["generator"].learning_rate) == pytest.approx(1e-5)
    # A stage-2 step moves the generator by about 1e-5 per weight (Adam's step), not 1e-4.
    kernel = loaded.generator.get_layer("upsample_0_conv").kernel
    before = kernel.numpy().copy()
    loaded.fit(_data(loaded), steps_per_epoch=1, epochs=1, verbose=0, shuffle=False)
    assert 2e-6 < np.abs(kernel.numpy() - before).max() < 2e-5


def test_plain_adam_state_loads_into_the_staged_optimizer(tmp_path):
    model = tiny(pretrain_steps=5)
    model.compile()
    model.fit(_data(model), steps_per_epoch=2, epochs=1, verbose=0, shuffle=False)
    path = str(tmp_path / "plain.weights.h5")
    model.save_weights(path)
    staged = tiny(pretrain_steps=5, adversarial_learning_rate=1e-5)
    staged.compile()
    staged.load_weights(path)
    mine, theirs = staged.optimizer["generator"].variables, model.optimizer["generator"].variables
    assert len(mine) == len(theirs) and all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(mine, theirs))


def test_r1_changes_the_discriminator_step():
    import keras

    moved = []
    for gamma in (0.0, 10.0):
        keras.utils.set_random_seed(0)
        model = tiny(pretrain_steps=0, r1_gamma=gamma, seed=0)
        model.compile()
        model.fit(_data(model), steps_per_epoch=1, epochs=1, verbose=0, shuffle=False)
        moved.append([v.numpy() for v in model.discriminator.trainable_variables])
    assert not all(np.allclose(a, b) for a, b in zip(*moved))


def test_bad_stage_2_options_are_clear_errors():
    from ganzoo.options import check_config
    from ganzoo_plugins.srgan.model import SRGAN

    with pytest.raises(GanzooError, match="r1_gamma"):
        tiny(r1_gamma=-1.0)
    with pytest.raises(GanzooError, match="adversarial_learning_rate"):
        check_config(SRGAN, {"adversarial_learning_rate": 0.0}, "srgan")


def test_the_cpu_preset_blurs_the_discriminators_downsampling():
    from ganzoo.registry import get_plugin

    plugin = get_plugin("srgan")
    assert plugin.preset("cpu").config["discriminator_antialias"] is True
    assert "discriminator_antialias" not in plugin.preset("paper").config   # the paper's discriminator


def test_antialias_adds_blur_layers_and_no_weights():
    plain, blurred = tiny(), tiny(discriminator_antialias=True)
    assert [layer.name for layer in blurred.discriminator.layers if layer.name.startswith("blur_")] == [
        "blur_1", "blur_3", "blur_5", "blur_7"]
    assert [w.shape for w in plain.discriminator.weights] == [w.shape for w in blurred.discriminator.weights]
    assert blurred.get_config()["discriminator_antialias"] is True
    # The blur is a fixed binomial filter: a constant image passes unchanged away from the border.
    from ganzoo.layers import Blur

    out = np.asarray(Blur()(np.full((1, 8, 8, 2), 0.5, "float32")))
    assert np.allclose(out[:, 1:-1, 1:-1], 0.5)


def _same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a.get_weights(), b.get_weights()))


def test_ema_validates_and_is_off_by_default():
    from ganzoo.options import check_config
    from ganzoo_plugins.srgan.model import SRGAN

    for bad in (1.0, -0.1):
        with pytest.raises(GanzooError, match="ema"):
            tiny(ema=bad)
    with pytest.raises(GanzooError, match="ema"):
        check_config(SRGAN, {"ema": 1.5}, "srgan")
    plain = tiny()
    assert plain.get_config()["ema"] == 0.0 and plain.averaged(plain.generator) is plain.generator
    assert tiny(ema=0.99).get_config()["ema"] == 0.99


def test_upscaling_uses_the_average():
    model = tiny(ema=0.9)
    average = model.averaged(model.generator)
    assert average is not model.generator
    # Move the trained generator away from its average (which is still bicubic interpolation).
    last = model.generator.get_layer("to_image")
    last.kernel.assign(np.random.default_rng(0).normal(0, 0.1, last.kernel.shape).astype("float32"))
    low_res = np.random.default_rng(1).uniform(0, 1, (2, 8, 8, 3)).astype("float32")
    from keras import ops

    # convert_to_numpy: on PyTorch a network called outside a step returns a tensor that requires grad.
    expected = ops.convert_to_numpy(model.from_network_range(average(model.to_network_range(low_res, "float32"))))
    trained = ops.convert_to_numpy(model.from_network_range(model.generator(model.to_network_range(low_res, "float32"))))
    out = model.generate(images=low_res)
    np.testing.assert_allclose(out, expected, atol=1e-6)
    assert np.abs(out - trained).max() > 1e-3


def test_the_average_copies_stage_1_and_averages_stage_2(tmp_path):
    import keras

    model = tiny(ema=0.9, pretrain_steps=2)
    model.compile()
    average = model.averaged(model.generator)
    # Steps 0, 1 (stage 1) and 2 (the first adversarial step): the average is the generator.
    model.fit(_data(model), steps_per_epoch=3, epochs=1, verbose=0, shuffle=False)
    assert int(model.step) == 3 and _same(average, model.generator)
    before = average.get_weights()
    # Step 3 on: decay * average + (1 - decay) * generator.
    model.fit(_data(model), steps_per_epoch=1, epochs=1, verbose=0, shuffle=False)
    after = average.get_weights()
    for old, new, trained in zip(before, after, model.generator.get_weights()):
        np.testing.assert_allclose(new, 0.9 * old + 0.1 * trained, atol=1e-6)
    assert not _same(average, model.generator)

    # Saved and loaded with the model: the same average, still the one that upscales.
    path = str(tmp_path / "srgan.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.ema == 0.9 and _same(loaded.averaged(loaded.generator), average)
    low_res = np.random.default_rng(2).uniform(0, 1, (1, 8, 8, 3)).astype("float32")
    np.testing.assert_allclose(loaded.generate(images=low_res), model.generate(images=low_res), atol=1e-6)


@pytest.mark.parametrize("suffix", [".weights.h5", ".keras"])
def test_a_run_without_ema_continues_with_it(tmp_path, suffix):
    """A stage-1 checkpoint of a model without `ema` loads into one with it;
    the average starts as the generator (the docs continue stage-1 runs so)."""
    plain = tiny(pretrain_steps=2)
    plain.compile()
    plain.fit(_data(plain), steps_per_epoch=2, epochs=1, verbose=0, shuffle=False)
    path = str(tmp_path / f"plain{suffix}")
    plain.save_weights(path) if suffix == ".weights.h5" else plain.save(path)
    model = tiny(ema=0.9, pretrain_steps=2)
    model.compile()
    model.load_weights(path)
    assert int(model.step) == 2
    assert _same(model.generator, plain.generator) and _same(model.discriminator, plain.discriminator)
    assert _same(model.averaged(model.generator), plain.generator)
    # A file that does not fit the model still fails as Keras fails.
    other = tiny(ema=0.9, pretrain_steps=2, generator_filters=4)
    other.compile()
    with pytest.raises(ValueError):
        other.load_weights(path)


def test_the_cpu_preset_upscales_with_the_average():
    from ganzoo.registry import get_plugin

    plugin = get_plugin("srgan")
    assert plugin.preset("cpu").config["ema"] == 0.99
    assert "ema" not in plugin.preset("paper").config      # the paper upscales with its generator
    model = tiny(ema=plugin.preset("cpu").config["ema"])
    assert model.averaged(model.generator) is not model.generator
