"""cyclegan: the shared plugin contract, the paper's networks, generate() and the schedule."""

import numpy as np
import pytest

import keras

import ganzoo
from ganzoo import sampling
from ganzoo.errors import GanzooError
from ganzoo.testing import PluginTestCase
from ganzoo import sampling

TINY = {"image_shape": (32, 32, 3), "generator_filters": 4, "discriminator_filters": 4, "residual_blocks": 1,
        "pool_size": 3, "seed": 0}


class TestCycleGAN(PluginTestCase):
    plugin_name = "cyclegan"
    init_kwargs = TINY


def create(**overrides):
    return ganzoo.create("cyclegan", **{**TINY, **overrides})


# ------------------------------------------------------------------ networks
@pytest.mark.parametrize("size,blocks", [(128, 6), (256, 9), (32, 6)])
def test_residual_blocks_follow_the_papers_choice_by_size(size, blocks):
    model = create(image_shape=(size, size, 3), residual_blocks=None, generator_filters=2, discriminator_filters=2)
    assert model.residual_blocks == blocks
    adds = [l for l in model.generator_ab.layers if type(l).__name__ == "Add"]
    assert len(adds) == blocks
    assert model.get_config()["residual_blocks"] is None        # the config keeps what was passed


def test_generator_layout_at_the_papers_width():
    model = ganzoo.create("cyclegan", image_shape=(128, 128, 3))
    g = model.generator_ab
    # c7s1-64, d128, d256, R256 x 6, u128, u64, c7s1-3 (appendix 7.2)
    assert g.get_layer("stem_conv").kernel.shape == (7, 7, 3, 64)
    assert [g.get_layer(f"down{i}_conv").filters for i in range(2)] == [128, 256]
    assert g.get_layer("res5_conv2").filters == 256
    assert [g.get_layer(f"up{i}_conv").filters for i in range(2)] == [128, 64]
    assert g.get_layer("head_conv").kernel.shape == (7, 7, 64, 3)
    assert sum(type(l).__name__ == "ReflectionPadding2D" for l in g.layers) == 2 + 2 * 6
    assert sum(type(l).__name__ == "GroupNormalization" for l in g.layers) == 1 + 2 + 2 * 6 + 2
    assert g.get_layer("tanh").dtype_policy.name == "float32"
    d = model.discriminator_a
    assert [d.get_layer(f"c{i}_conv").filters for i in range(4)] == [64, 128, 256, 512]
    assert d.get_layer("score").kernel.shape == (4, 4, 512, 1)


def test_patchgan_sees_70x70_patches_and_scores_30x30_at_256px():
    model = create(image_shape=(256, 256, 3), discriminator_filters=2, residual_blocks=1)
    d = model.discriminator_a
    assert d(np.zeros((1, 256, 256, 3), "float32")).shape == (1, 30, 30, 1)
    # Receptive field of one score, from the last convolution back to the image.
    field = 1
    for layer in reversed([l for l in d.layers if type(l).__name__ == "Conv2D"]):
        (kernel, _), (stride, _) = layer.kernel_size, layer.strides
        field = field * stride + kernel - stride
    assert field == 70


def test_bad_image_sizes_are_clear_errors():
    with pytest.raises(GanzooError, match="multiples of 4"):
        create(image_shape=(30, 30, 3))
    with pytest.raises(GanzooError, match="at least 24"):
        create(image_shape=(16, 16, 3))


# ------------------------------------------------------------------ generate
def test_generate_directions_resizing_and_errors():
    model = create()
    x = np.random.default_rng(0).random((2, 32, 32, 3), dtype=np.float32)
    a2b = model.generate(images=x)
    np.testing.assert_array_equal(a2b, model.generate(images=x, direction="a2b"))
    b2a = model.generate(images=x, direction="b2a")
    assert not np.allclose(a2b, b2a)                            # two different generators
    # A single image, at another size, in grayscale: resized and broadcast to the model's shape.
    one = model.generate(images=x[0, :20, :24, :1])
    assert one.shape == (1, 32, 32, 3) and one.dtype == np.float32
    with pytest.raises(GanzooError, match="direction"):
        model.generate(images=x, direction="sideways")
    with pytest.raises(GanzooError, match="images="):
        model.generate(2)
    with pytest.raises(GanzooError, match="n=3"):
        model.generate(3, images=x)


def test_preview_rows_are_input_translated_reconstructed_for_both_directions():
    model = create()
    rng = np.random.default_rng(0)
    a, b = rng.random((10, 32, 32, 3), dtype=np.float32), rng.random((10, 32, 32, 3), dtype=np.float32)
    picture = sampling.preview(model, (a, b), seed=0)
    pad = 2
    assert picture.shape == (6 * (32 + pad) + pad, 8 * (32 + pad) + pad, 3)   # 6 rows of 8

    def tile(row, col):
        y, x = pad + row * (32 + pad), pad + col * (32 + pad)
        return picture[y:y + 32, x:x + 32]

    fake_b = model.generate(images=a[:8])
    np.testing.assert_allclose(tile(0, 3), a[3])
    np.testing.assert_allclose(tile(1, 3), fake_b[3])
    np.testing.assert_allclose(tile(2, 3), model.generate(images=fake_b, direction="b2a")[3])
    np.testing.assert_allclose(tile(3, 5), b[5])
    np.testing.assert_allclose(tile(4, 5), model.generate(images=b[:8], direction="b2a")[5])
    with pytest.raises(GanzooError, match="examples"):
        sampling.preview(model)


# ------------------------------------------------------------------ training
def test_train_step_freezes_the_other_players_and_feeds_the_histories():
    import tensorflow as tf

    model = create()
    model.compile(run_eagerly=True)   # no tracing: fast for a few steps
    rng = np.random.default_rng(0)
    data = tf.data.Dataset.from_tensors((rng.random((2, 32, 32, 3), dtype=np.float32),
                                         rng.random((2, 32, 32, 3), dtype=np.float32))).repeat()
    history = model.fit(data, steps_per_epoch=2, epochs=1, verbose=0)
    logs = {k: v[0] for k, v in history.history.items()}
    assert set(logs) == set(model.tracked) and all(np.isfinite(list(logs.values())))
    # g_loss = adversarial + 10 x cycle + 5 x identity (means over the two steps)
    assert logs["g_loss"] == pytest.approx(logs["adversarial_loss"] + 10 * logs["cycle_loss"]
                                           + 5 * logs["identity_loss"], rel=1e-4)
    # Each optimizer stepped once per training step.
    for name in ("generator", "discriminator_a", "discriminator_b"):
        assert int(model.optimizer[name].iterations.numpy()) == 2
    # Both histories hold the 2 x 2 translated images, and nothing else.
    for pool in (model.history_a, model.history_b):
        assert int(pool.count.numpy()) == 3
        assert np.abs(pool.images.numpy()).sum(axis=(1, 2, 3)).min() > 0


def test_identity_loss_can_be_switched_off():
    import tensorflow as tf

    model = create(lambda_identity=0.0)
    model.compile(run_eagerly=True)
    x = np.random.default_rng(0).random((2, 32, 32, 3), dtype=np.float32)
    history = model.fit(tf.data.Dataset.from_tensors((x, x)).repeat(), steps_per_epoch=1, epochs=1, verbose=0)
    assert history.history["identity_loss"] == [0.0]


def test_trains_under_mixed_bfloat16_with_float32_outputs():
    import tensorflow as tf

    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = create()
        model.compile(run_eagerly=True)
        x = np.random.default_rng(0).random((2, 32, 32, 3), dtype=np.float32)
        history = model.fit(tf.data.Dataset.from_tensors((x, x)).repeat(), steps_per_epoch=2, epochs=1, verbose=0)
        assert np.isfinite(history.history["g_loss"][0])
        assert model.generator_ab.get_layer("stem_conv").compute_dtype == "bfloat16"
        assert model.generator_ab.output.dtype == "float32" and model.discriminator_a.output.dtype == "float32"
        assert model.history_a.images.dtype == "float32"
        assert model.generate(images=x).dtype == np.float32
    finally:
        keras.mixed_precision.set_global_policy("float32")


# ------------------------------------------------------------------ learning-rate schedule
def test_linear_decay_over_the_second_half():
    from ganzoo.schedules import LinearDecay

    schedule = LinearDecay.second_half(2e-4, 100)
    values = [float(schedule(step)) for step in (0, 25, 50, 75, 99, 100, 150)]
    np.testing.assert_allclose(values, [2e-4, 2e-4, 2e-4, 1e-4, 2e-4 / 50, 0.0, 0.0], rtol=1e-5, atol=1e-12)
    assert LinearDecay.from_config(schedule.get_config()).get_config() == schedule.get_config()
    with pytest.raises(ValueError):
        LinearDecay(1e-3, decay_start=5, decay_steps=0)


@pytest.mark.slow
def test_schedule_follows_each_optimizers_steps_through_save_and_load(tmp_path):
    import tensorflow as tf

    model = create(training_steps=8)
    model.compile(run_eagerly=True)
    x = np.random.default_rng(0).random((2, 32, 32, 3), dtype=np.float32)
    data = tf.data.Dataset.from_tensors((x, x)).repeat()
    model.fit(data, steps_per_epoch=6, epochs=1, verbose=0)
    for name in ("generator", "discriminator_a", "discriminator_b"):
        assert float(model.optimizer[name].learning_rate) == pytest.approx(2e-4 * (1 - 2 / 4))
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert float(loaded.optimizer["generator"].learning_rate) == pytest.approx(1e-4)
    loaded.fit(data, steps_per_epoch=2, epochs=1, verbose=0)
    assert float(loaded.optimizer["discriminator_b"].learning_rate) == pytest.approx(0.0, abs=1e-12)
    # Without training_steps the rate stays constant.
    constant = create()
    constant.compile()
    assert float(constant.optimizer["generator"].learning_rate) == pytest.approx(2e-4)
