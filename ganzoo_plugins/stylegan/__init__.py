"""stylegan and stylegan2: style-based generators of Karras et al. (2019, 2020).

One package, two plugins (two entry points): StyleGAN with progressive
growing, mapping network, AdaIN and noise; StyleGAN2 with modulated,
demodulated convolutions, a skip generator and a residual discriminator.
"""

from ganzoo.plugin import DefaultRun, Plugin
from ganzoo_plugins.stylegan.presets import STYLEGAN, STYLEGAN2


#: What the two plugins declare alike.
SHARED = {
    "task": "unconditional",
    "default_dataset": "digits",
    "datasets": ("digits", "celeb_a", "a folder of images (FFHQ or your own)", "mnist", "fashion_mnist", "cifar10"),
    "default_batch_size": 32,
    "default_preset": "cpu",
}
DATASETS = SHARED["datasets"]

stylegan_plugin = Plugin(
    name="stylegan", model="ganzoo_plugins.stylegan.v1:StyleGAN",
    summary="StyleGAN of Karras et al. 2019: mapping network, AdaIN, noise, progressive growing (8 to 1024 px)",
    paper="Karras, Laine & Aila, A Style-Based Generator Architecture for Generative Adversarial Networks, "
    "CVPR 2019. https://arxiv.org/abs/1812.04948",
    # 20 x 1,797 digits: the cpu schedule reaches 32 px stable after 28,000 images, then trains 7,900 more.
    default_epochs=20,
    presets=STYLEGAN,
    # Every stage costs the same (all resolutions are computed at every step), so the first steps time the run.
    default_run=DefaultRun(steps=3_000, minutes=10, megabytes=5,
                           how="CPU time of 20- and 60-step runs at load 17-21 (start-up + 0.75 x per step); "
                               "770 CPU-s for 3,000 steps at load 2-4"),
    **SHARED,
)

stylegan2_plugin = Plugin(
    name="stylegan2", model="ganzoo_plugins.stylegan.v2:StyleGAN2",
    summary="StyleGAN2 of Karras et al. 2020: weight demodulation, skip generator, residual D, lazy R1 (8 to 1024 px)",
    paper="Karras et al., Analyzing and Improving the Image Quality of StyleGAN, CVPR 2020. "
    "https://arxiv.org/abs/1912.04958",
    default_epochs=25,
    presets=STYLEGAN2,
    default_run=DefaultRun(steps=1_400, minutes=2.8, megabytes=6.5,
                           how="CPU time of 20- and 60-step runs at load 17-21 (start-up + 0.75 x per step)"),
    **SHARED,
)
