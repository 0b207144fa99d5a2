"""The shared plugin contract (ganzoo.testing) for stylegan and stylegan2, at tiny sizes."""

from ganzoo.testing import PluginTestCase

TINY = {"image_shape": (8, 8, 1), "latent_dim": 16, "style_dim": 16, "mapping_layers": 1,
        "generator_filters": 8, "discriminator_filters": 8}


class TestStyleGAN(PluginTestCase):
    plugin_name = "stylegan"
    init_kwargs = {**TINY, "fade_images": 4, "stable_images": 4}


class TestStyleGAN2(PluginTestCase):
    plugin_name = "stylegan2"
    init_kwargs = {**TINY, "r1_interval": 2, "path_length_weight": 2.0, "path_length_interval": 2}
