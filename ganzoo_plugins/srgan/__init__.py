"""srgan: x4 photo-realistic super-resolution of Ledig et al. (2017), SRResNet then SRGAN."""

from ganzoo.plugin import Plugin, Preset


plugin = Plugin(
    name="srgan", task="paired", model="ganzoo_plugins.srgan.model:SRGAN",
    summary="SRGAN x4 super-resolution of Ledig et al. 2017 (SRResNet pre-training, then VGG perceptual loss)",
    default_dataset="photos",
    datasets=("photos", "div2k/bicubic_x4", "a folder of high-resolution images"),
    paper="Ledig et al., Photo-Realistic Single Image Super-Resolution Using a Generative Adversarial "
    "Network, CVPR 2017. https://arxiv.org/abs/1609.04802",
    default_epochs=20,
    default_batch_size=16,
    presets=(
        Preset("cpu", "the default: no BatchNorm, bicubic skip, 1,000 SRResNet steps then SRGAN, batch 16 "
                      "(beats bicubic within CPU minutes)"),
        Preset("paper", "the paper's networks and schedule: BatchNorm, no bicubic skip, 10^6 SRResNet steps "
                        "then VGG54 + 1e-3 adversarial, 96 px crops, batch 16 (ImageNet-scale, for GPUs)",
               config={"batch_norm": True, "bicubic_skip": False, "pretrain_steps": 1_000_000,
                       "content_loss": "vgg54", "image_shape": (96, 96, 3)},
               batch_size=16),
    ),
    default_preset="cpu",
)
