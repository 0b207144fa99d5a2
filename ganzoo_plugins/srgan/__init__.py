"""srgan: x4 photo-realistic super-resolution of Ledig et al. (2017), SRResNet then SRGAN."""

from ganzoo.plugin import DefaultRun, Plugin, Preset


plugin = Plugin(
    name="srgan", task="paired", model="ganzoo_plugins.srgan.model:SRGAN",
    summary="SRGAN x4 super-resolution of Ledig et al. 2017 (SRResNet pre-training, then adversarial)",
    default_dataset="photos",
    datasets=("photos", "div2k/bicubic_x4", "a folder of high-resolution images"),
    paper="Ledig et al., Photo-Realistic Single Image Super-Resolution Using a Generative Adversarial "
    "Network, CVPR 2017. https://arxiv.org/abs/1609.04802",
    default_epochs=20,
    default_batch_size=16,
    presets=(
        # Adversarial weight 1e-4, not the paper's 1e-3: at 1e-3 the short CPU schedule's adversarial stage
        # prints a 4x4 grid over flat regions. The discriminator's stride-2 convolutions blurred first: without
        # the blur its input gradient's period-2 pattern is copied by the generator as a diagonal hatching
        # within ~100 adversarial steps (docs/plugins/srgan.md, "The checkerboard"). Upscaling with a moving
        # average of the generator over stage 2 (ema 0.99, about the last 100 steps): the blur alone still
        # ended some runs with a hatching that comes and goes between steps; the average kept every
        # checkpoint of two seeds clean, at a PSNR above the same runs' trained generators.
        Preset("cpu", "the default: no BatchNorm, bicubic skip, 1,000 SRResNet steps then SRGAN with the pixel "
                      "MSE as content loss (offline: no VGG19 download), adversarial weight 1e-4, a "
                      "discriminator that blurs before each stride-2 convolution, upscaling with a moving "
                      "average of the generator over stage 2 (ema 0.99), batch 16 "
                      "(beats bicubic within CPU minutes)",
               config={"content_loss": "mse", "adversarial_weight": 1e-4, "discriminator_antialias": True,
                       "ema": 0.99}),
        Preset("paper", "the paper's networks and schedule: BatchNorm, no bicubic skip, 10^6 SRResNet steps "
                        "then VGG54 + 1e-3 adversarial (downloads the VGG19 ImageNet weights, 80 MB, "
                        "when training starts), 96 px crops, batch 16 (ImageNet-scale, for GPUs)",
               config={"batch_norm": True, "bicubic_skip": False, "pretrain_steps": 1_000_000,
                       "content_loss": "vgg54", "adversarial_weight": 1e-3, "image_shape": (96, 96, 3)},
               batch_size=16),
    ),
    default_preset="cpu",
    default_run=DefaultRun(steps=1_640, minutes=21, megabytes=316,
                           how="`ganzoo fit srgan --seed 3` timed end to end on the idle 2-core CPU: 1,247 s "
                               "(0.38 s a stage-1 step, 1.27 s a stage-2 step with the blurred discriminator and "
                               "the generator's average, start-up and 20 checkpoints); model.keras is 308 MB (both "
                               "networks, their Adam state and the generator's average), the run folder 316 MB"),
)
