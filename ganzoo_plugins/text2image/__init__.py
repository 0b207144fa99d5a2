"""text2image: GAN-INT-CLS of Reed et al. (2016), an image for a sentence."""

from ganzoo.plugin import DefaultRun, Plugin, Preset


plugin = Plugin(
    name="text2image", task="captioned", model="ganzoo_plugins.text2image.model:TextToImageGAN",
    summary="GAN-INT-CLS of Reed et al. 2016: draw an image for a caption (matching-aware D, interpolation)",
    default_dataset="shapes",
    datasets=("shapes", "coco_captions", "a folder of images with a metadata.jsonl of captions"),
    paper="Reed, Akata, Yan, Logeswaran, Schiele & Lee, Generative Adversarial Text to Image Synthesis, "
    "ICML 2016. https://arxiv.org/abs/1605.05396",
    # 12 passes over the 14,400 (image, caption) pairs of shapes: 2,700 steps of 64.
    default_epochs=12,
    presets=(
        Preset("cpu", "the default: 32x32, widths 32, Adam 1e-3 decayed to 0 over the second half, a word-CNN "
                      "text encoder pre-trained for 1,500 steps, mode-seeking term 0.05, batch 64, 12 epochs "
                      "(2,700 steps)"),
        Preset("paper", "Reed et al.'s GAN-INT-CLS at 64x64: DCGAN widths 64, Adam 2e-4, phi(t) of 1024 "
                        "compressed to 128, batch 64, 600 epochs (word-CNN encoder instead of the char-CNN-RNN)",
               config={"generator_filters": 64, "discriminator_filters": 64, "learning_rate": 2e-4,
                       "text_dim": 1024, "condition_dim": 128, "latent_dim": 100, "diversity_weight": 0.0},
               batch_size=64, epochs=600, image_size=64),
    ),
    default_preset="cpu",
    default_run=DefaultRun(steps=2_700, minutes=7.8, megabytes=18,
                           how="the whole default run's 611 CPU-s at load 6-10 (start-up and encoder pre-training + 0.75 x per "
                               "step)"),
)

#: The paper preset's options (with 64x64 images): `ganzoo.create("text2image", preset="paper")`.
PAPER_CONFIG = {"image_shape": (64, 64, 3), "generator_filters": 64, "discriminator_filters": 64,
                "learning_rate": 2e-4, "text_dim": 1024, "condition_dim": 128, "latent_dim": 100,
                "diversity_weight": 0.0}
