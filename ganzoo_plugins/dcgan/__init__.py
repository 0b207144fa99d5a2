"""dcgan: deep convolutional GAN of Radford, Metz and Chintala (2016)."""

from ganzoo.plugin import Plugin


def _model_class():
    from ganzoo_plugins.dcgan.model import DCGAN

    return DCGAN


plugin = Plugin(
    name="dcgan",
    summary="Deep convolutional GAN of Radford et al. 2016 (28, 32, 64, 128 px)",
    task="unconditional",
    load_model_class=_model_class,
    default_dataset="digits",
    datasets=("digits", "mnist", "fashion_mnist", "cifar10", "celeb_a", "a folder of images"),
    paper="Radford, Metz & Chintala, Unsupervised Representation Learning with Deep Convolutional "
    "Generative Adversarial Networks, ICLR 2016. https://arxiv.org/abs/1511.06434",
    default_epochs=25,
)
