import numpy as np
import pytest

from ganzoo.testing import PluginTestCase


class TestVanilla(PluginTestCase):
    plugin_name = "vanilla"
    # ema on, so the contract (round trip, save/load, generate) covers the averaged generator.
    init_kwargs = {"image_shape": (8, 8, 1), "latent_dim": 16, "hidden_units": 32, "discriminator_steps": 2,
                   "ema": 0.9}


def test_minimax_option_uses_the_papers_generator_loss():
    import ganzoo
    from ganzoo.losses import MinimaxLoss

    model = ganzoo.create("vanilla", image_shape=(8, 8, 1), hidden_units=8, loss="minimax")
    model.compile()
    assert isinstance(model.loss, MinimaxLoss) and model.loss.name == "minimax"


@pytest.mark.parametrize("ema", [-0.1, 1.0, 1.5])
def test_ema_outside_its_range_is_an_error(ema):
    import ganzoo
    from ganzoo.errors import GanzooError

    with pytest.raises(GanzooError, match="ema"):
        ganzoo.create("vanilla", image_shape=(8, 8, 1), hidden_units=8, ema=ema)


def test_ema_zero_samples_from_the_trained_generator():
    import ganzoo

    model = ganzoo.create("vanilla", image_shape=(8, 8, 1), hidden_units=8, ema=0.0)
    assert model.averaged(model.generator) is model.generator


def test_ema_generator_trails_the_trained_one():
    """generate() samples from the average, which moves towards the trained
    generator by (1 - decay) of the gap at each step."""
    import ganzoo
    import tensorflow as tf

    model = ganzoo.create("vanilla", image_shape=(8, 8, 1), latent_dim=4, hidden_units=8, ema=0.5, seed=0)
    model.compile()
    average = model.averaged(model.generator)
    assert average is not model.generator
    start = [np.asarray(w).copy() for w in average.weights]
    batch = np.random.default_rng(0).random((16, 8, 8, 1), dtype=np.float32)
    model.fit(tf.data.Dataset.from_tensors(batch), epochs=1, verbose=0)
    for before, after, trained in zip(start, average.weights, model.generator.weights):
        np.testing.assert_allclose(np.asarray(after), 0.5 * before + 0.5 * np.asarray(trained), rtol=1e-5, atol=1e-6)


def test_a_config_saved_before_ema_existed_loads_without_an_average():
    import ganzoo

    config = ganzoo.create("vanilla", image_shape=(8, 8, 1), hidden_units=8).get_config()
    del config["ema"], config["beta_1"]
    old = type(ganzoo.create("vanilla", image_shape=(8, 8, 1), hidden_units=8)).from_config(config)
    assert old.averaged(old.generator) is old.generator
