"""cyclegan: unpaired image-to-image translation of Zhu, Park, Isola and Efros (2017)."""

from ganzoo.plugin import Plugin


def _model_class():
    from ganzoo_plugins.cyclegan.model import CycleGAN

    return CycleGAN


plugin = Plugin(
    name="cyclegan",
    summary="CycleGAN of Zhu et al. 2017: unpaired translation A <-> B (ResNet generators, 70x70 PatchGANs)",
    task="unpaired",
    load_model_class=_model_class,
    default_dataset="chalk2ink",
    datasets=("chalk2ink", "cycle_gan/horse2zebra", "cycle_gan/monet2photo", "cycle_gan/<config>",
              "a folder with trainA/ and trainB/"),
    paper="Zhu, Park, Isola & Efros, Unpaired Image-to-Image Translation using Cycle-Consistent "
    "Adversarial Networks, ICCV 2017. https://arxiv.org/abs/1703.10593",
    default_epochs=10,
)
