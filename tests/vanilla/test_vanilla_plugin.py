from ganzoo.testing import PluginTestCase


class TestVanilla(PluginTestCase):
    plugin_name = "vanilla"
    init_kwargs = {"image_shape": (8, 8, 1), "latent_dim": 16, "hidden_units": 32, "discriminator_steps": 2}


def test_minimax_option_uses_the_papers_generator_loss():
    import ganzoo
    from ganzoo.losses import MinimaxLoss

    model = ganzoo.create("vanilla", image_shape=(8, 8, 1), hidden_units=8, loss="minimax")
    model.compile()
    assert isinstance(model.loss, MinimaxLoss) and model.loss.name == "minimax"
