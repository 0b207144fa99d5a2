import pytest

from ganzoo.errors import GanzooError
from ganzoo.testing import PluginTestCase


class TestDCGAN(PluginTestCase):
    plugin_name = "dcgan"
    init_kwargs = {"image_shape": (28, 28, 1), "latent_dim": 16, "generator_filters": 8, "discriminator_filters": 8}


@pytest.mark.parametrize("size,stages", [(28, 2), (32, 3), (64, 4), (128, 5)])
def test_depth_follows_image_size(size, stages):
    import ganzoo

    model = ganzoo.create("dcgan", image_shape=(size, size, 3), generator_filters=4, discriminator_filters=4)
    strided_g = [l for l in model.generator.layers if type(l).__name__ == "Conv2DTranspose"]
    strided_d = [l for l in model.discriminator.layers if type(l).__name__ == "Conv2D"]
    assert len(strided_g) == len(strided_d) == stages
    assert model.generator.output_shape == (None, size, size, 3)
    # Filters double at each coarser resolution, as in the paper's figure 1.
    assert [l.filters for l in strided_d] == [4 * 2**i for i in range(stages)]


def test_weights_follow_the_papers_initialisation():
    import ganzoo

    model = ganzoo.create("dcgan", image_shape=(64, 64, 3), generator_filters=32, discriminator_filters=32)
    kernel = model.discriminator.get_layer("down_3").kernel.numpy()
    assert abs(kernel.mean()) < 0.002 and 0.018 < kernel.std() < 0.022


def test_unsupported_size_is_a_clear_error():
    import ganzoo

    with pytest.raises(GanzooError, match="4 or 7 times a power of two"):
        ganzoo.create("dcgan", image_shape=(30, 30, 1))
