"""The plugin contract: engine-owned steps, side values out of the tape, the
random stream, penalties against hand computations, moving averages, tasks
as objects, presets and renamed options."""

import numpy as np
import pytest

import ganzoo
from ganzoo.errors import GanzooError


def tiny_dcgan(**kw):
    return ganzoo.create("dcgan", image_shape=(28, 28, 1), latent_dim=8, generator_filters=4,
                         discriminator_filters=4, **kw)


def _batches(n=4, steps=3):
    import tensorflow as tf

    real = np.random.default_rng(0).random((n, 28, 28, 1), dtype=np.float32)
    return tf.data.Dataset.from_tensors(real).repeat(steps)


# ------------------------------------------------------------------ the step
def test_the_engine_counts_steps_even_when_train_step_skips_track():
    import keras

    from ganzoo_plugins.dcgan.model import DCGAN

    class Silent(DCGAN):   # a plugin that never calls track()
        def train_step(self, real):
            real = self.to_network_range(real)
            z = self.sample_latent(keras.ops.shape(real)[0])
            loss = self.update(self.discriminator, self.optimizer["discriminator"],
                               lambda: self.discriminator_loss(real, z))
            return {"d_loss": loss}

    class Child(Silent):   # and one that calls super(): still one step per call
        def train_step(self, real):
            return super().train_step(real)

    for cls in (Silent, Child):
        model = cls(image_shape=(28, 28, 1), latent_dim=8, generator_filters=4, discriminator_filters=4)
        model.compile()
        model.fit(_batches(), epochs=1, verbose=0)
        assert int(model.step) == 3, cls.__name__
        assert int(model.optimizer["discriminator"].iterations) == 3


def test_update_hands_side_values_out_of_the_tape():
    model = tiny_dcgan(seed=0)
    model.compile()
    z = model.sample_latent(4)

    def objective():
        fake = model.generator(z, training=True)
        return model.loss.generator(model.discriminator(fake, training=True)), {"fake": fake}

    loss, aux = model.update(model.generator, model.optimizer["generator"], objective, has_aux=True)
    assert np.isfinite(float(loss))
    assert tuple(aux["fake"].shape) == (4, 28, 28, 1)
    assert int(model.optimizer["generator"].iterations) == 1


# ------------------------------------------------------------------ random
def test_random_stream_is_seeded_and_interpolation_weights_are_per_sample_uniform():
    import keras

    model = tiny_dcgan(seed=3)
    alpha = np.asarray(model.random.interpolation_weights(4096))
    assert alpha.shape == (4096, 1, 1, 1)
    assert alpha.min() >= 0.0 and alpha.max() < 1.0
    assert abs(alpha.mean() - 0.5) < 0.03 and abs(alpha.var() - 1 / 12) < 0.01   # U[0, 1], not N(0, 1)
    a = model.random.normal((3,), seed=keras.random.SeedGenerator(1))
    b = model.random.normal((3,), seed=keras.random.SeedGenerator(1))
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    coin = np.asarray(model.random.bernoulli((10000,), 0.9))
    assert set(np.unique(coin)) <= {0.0, 1.0} and abs(coin.mean() - 0.9) < 0.02
    ints = np.asarray(model.random.integers((1000,), 5))
    assert ints.dtype == np.int32 and set(np.unique(ints)) == {0, 1, 2, 3, 4}


# ------------------------------------------------------------------ penalties
def test_r1_penalty_against_a_hand_computation():
    from keras import ops

    model = tiny_dcgan()
    w = np.arange(1, 785, dtype="float32").reshape(1, 28, 28, 1) / 784.0
    real = np.random.default_rng(0).random((4, 28, 28, 1)).astype("float32")
    # critic(x) = sum(w * x^2): gradient 2 w x, so R1 = mean_i sum (2 w x_i)^2.
    critic = lambda x: ops.sum(ops.convert_to_tensor(w) * x * x, axis=(1, 2, 3))   # noqa: E731
    expected = np.mean(np.sum((2 * w * real) ** 2, axis=(1, 2, 3)))
    assert float(model.r1_penalty(critic, ops.convert_to_tensor(real))) == pytest.approx(expected, rel=1e-5)


def test_gradient_penalty_interpolates_with_one_uniform_weight_per_sample():
    import keras
    from keras import ops

    model = tiny_dcgan(seed=11)
    twin = keras.random.SeedGenerator(11)   # the same stream, to know the weights drawn
    n = 6
    real = np.zeros((n, 28, 28, 1), "float32")
    fake = np.ones((n, 28, 28, 1), "float32")
    # critic(x) = sum(x^2): at x_hat = (1 - alpha) * 1 the gradient norm is 2 (1 - alpha) * 28.
    critic = lambda x: ops.sum(x * x, axis=(1, 2, 3))   # noqa: E731
    penalty = float(model.gradient_penalty(critic, ops.convert_to_tensor(real), ops.convert_to_tensor(fake)))
    alpha = np.asarray(keras.random.uniform((n, 1, 1, 1), seed=twin)).reshape(-1)
    expected = np.mean((2 * (1 - alpha) * 28 - 1.0) ** 2)
    assert penalty == pytest.approx(expected, rel=1e-4)


# ------------------------------------------------------------------ EMA
def test_moving_average_follows_its_formula_and_is_saved(tmp_path):
    import keras

    model = tiny_dcgan(seed=0, ema=0.9)
    assert model.averaged(model.generator) is model.generator_ema
    assert model.averaged(model.discriminator) is model.discriminator
    assert not model.generator_ema.trainable_weights
    model.compile()
    before = [np.asarray(w).copy() for w in model.generator_ema.weights]
    model.fit(_batches(steps=1), epochs=1, verbose=0)
    for old, average, trained in zip(before, model.generator_ema.weights, model.generator.weights):
        if trained.trainable:
            np.testing.assert_allclose(np.asarray(average), 0.9 * old + 0.1 * np.asarray(trained), rtol=1e-5, atol=1e-7)
        else:   # BatchNorm statistics are copied
            np.testing.assert_array_equal(np.asarray(average), np.asarray(trained))
    images = model.generate(4, seed=1)
    path = str(tmp_path / "ema.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    for a, b in zip(model.generator_ema.weights, loaded.generator_ema.weights):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    np.testing.assert_array_equal(loaded.generate(4, seed=1), images)
    # generate() samples from the average, not from the trained generator.
    config = {k: v for k, v in model.get_config().items() if k not in ("name", "trainable", "dtype")}
    plain = ganzoo.create("dcgan", **{**config, "ema": 0.0})
    plain.generator.set_weights(model.generator.get_weights())
    assert not np.allclose(plain.generate(4, seed=1), images)


def test_ema_decay_out_of_range_is_an_error():
    with pytest.raises(GanzooError, match=r"ema=1.5 of plugin 'dcgan' is out of range: it must be in \[0.0, 1.0\]"):
        tiny_dcgan(ema=1.5)


# ------------------------------------------------------------------ tasks
def test_tasks_are_registered_objects_that_compare_equal_to_their_names():
    from ganzoo import tasks

    assert {"unconditional", "conditional", "paired", "unpaired", "captioned"} <= set(tasks.available())
    model = tiny_dcgan()
    assert isinstance(model.task, tasks.Task) and model.task == "unconditional" and str(model.task) == "unconditional"
    assert model.task in ("unconditional", "conditional")
    assert tasks.get(model.task) is model.task
    with pytest.raises(GanzooError, match="unknown task 'sketch'"):
        tasks.get("sketch")


def test_a_plugin_with_an_unregistered_task_is_refused():
    from ganzoo.plugin import Plugin

    with pytest.raises(ValueError, match="declares task 'sketch'"):
        Plugin(name="x", summary="x", task="sketch", load_model_class=lambda: None)


def test_captioned_task_checks_and_batches_captions():
    from ganzoo import tasks

    captioned = tasks.get("captioned")

    class Model:   # what the task needs of a model
        image_shape = (8, 8, 3)

    n, conditions = captioned.prepare_generation(Model(), texts=["a red circle", "", "ünïcode ✓"])
    assert n == 3 and list(conditions["texts"]) == ["a red circle", "", "ünïcode ✓"]
    n, conditions = captioned.prepare_generation(Model(), 4, texts="a blue square")
    assert n == 4 and set(conditions["texts"]) == {"a blue square"}
    with pytest.raises(GanzooError, match="3 captions"):
        captioned.prepare_generation(Model(), 2, texts=["a", "b", "c"])
    with pytest.raises(GanzooError, match="must be strings"):
        captioned.prepare_generation(Model(), texts=[1, 2])
    from ganzoo.testing import fixtures

    images, texts = fixtures.for_task(captioned).batch(Model(), 5, np.random.default_rng(0))
    assert images.shape == (5, 8, 8, 3) and len(texts) == 5 and all(isinstance(t, str) for t in texts)


# ------------------------------------------------------------------ presets
def test_presets_are_listed_and_applied():
    plugin = ganzoo.get_plugin("dcgan")
    assert {"paper", "cpu"} <= {p.name for p in plugin.presets}
    model = ganzoo.create("vanilla", preset="paper", hidden_units=8)   # options override the preset
    config = model.get_config()
    assert config["hidden_layers"] == 2 and config["dropout"] == 0.5 and config["hidden_units"] == 8
    with pytest.raises(GanzooError, match="no preset 'huge'.*paper"):
        ganzoo.create("dcgan", preset="huge")


def test_a_saved_file_is_a_preset(tmp_path):
    model = tiny_dcgan(seed=0)
    model.compile()
    model.save(str(tmp_path / "m.keras"))
    model.save_weights(str(tmp_path / "m.weights.h5"))
    expected = model.generate(3, seed=2)
    loaded = ganzoo.create("dcgan", preset=str(tmp_path / "m.keras"))
    np.testing.assert_array_equal(loaded.generate(3, seed=2), expected)
    from_weights = ganzoo.create("dcgan", preset=str(tmp_path / "m.weights.h5"), **{
        k: v for k, v in model.get_config().items() if k not in ("name", "trainable", "dtype")})
    np.testing.assert_array_equal(from_weights.generate(3, seed=2), expected)
    with pytest.raises(GanzooError, match="holds a 'dcgan' model, not 'vanilla'"):
        ganzoo.create("vanilla", preset=str(tmp_path / "m.keras"))
    with pytest.raises(GanzooError, match="do not fit this dcgan configuration"):
        ganzoo.create("dcgan", preset=str(tmp_path / "m.weights.h5"), image_shape=(28, 28, 1), latent_dim=8)


# ------------------------------------------------------------------ run hooks
def test_run_config_hook_fills_data_and_plan_options():
    from ganzoo.data import inspect
    from ganzoo.runs import RunPlan

    plan = RunPlan(info=inspect("digits"), image_size=32, batch_size=64, total_steps=500, seed=7)
    assert ganzoo.get_plugin("cgan").model_class.run_config(plan) == {
        "image_shape": (32, 32, 1), "num_classes": 10, "seed": 7}
    cyclegan = ganzoo.get_plugin("cyclegan").model_class.run_config(
        RunPlan(info=inspect("chalk2ink", task="unpaired"), image_size=None, batch_size=8, total_steps=500, seed=None))
    assert cyclegan["training_steps"] == 500 and cyclegan["image_shape"] == (32, 32, 3)


def test_the_metrics_that_apply_to_each_task_are_recorded_with_the_metrics():
    from ganzoo import metrics, tasks

    inception = {"classifier", "fid", "kid", "is", "pr", "dc"}
    expected = {"unconditional": inception, "conditional": inception | {"intra_fid"}, "paired": {"psnr", "ssim"},
                "unpaired": set(), "captioned": set()}
    for name in tasks.available():
        assert set(metrics.for_task(tasks.get(name))) == expected[name], name
        for metric in metrics.for_task(name):
            metrics.get(metric, tasks.get(name))   # and get() agrees
