"""text2image: GAN-INT-CLS of Reed et al. (2016), an image for a sentence."""

from ganzoo.plugin import Plugin


def _model_class():
    from ganzoo_plugins.text2image.model import TextToImageGAN

    return TextToImageGAN


plugin = Plugin(
    name="text2image",
    summary="GAN-INT-CLS of Reed et al. 2016: draw an image for a caption (matching-aware D, interpolation)",
    task="captioned",
    load_model_class=_model_class,
    default_dataset="shapes",
    datasets=("shapes", "coco_captions", "a folder of images with a metadata.jsonl of captions"),
    paper="Reed, Akata, Yan, Logeswaran, Schiele & Lee, Generative Adversarial Text to Image Synthesis, "
    "ICML 2016. https://arxiv.org/abs/1605.05396",
    # 9 passes over the 14,400 (image, caption) pairs of shapes: about 2,000 steps of 64.
    default_epochs=9,
)

#: The paper's configuration (64x64 images, DCGAN widths, Adam 2e-4, phi(t) of 1024), for a `paper`
#: preset: `ganzoo.create("text2image", **PAPER_CONFIG)` or `ganzoo fit text2image --set ...`.
PAPER_CONFIG = {"image_shape": (64, 64, 3), "generator_filters": 64, "discriminator_filters": 64,
                "learning_rate": 2e-4, "text_dim": 1024, "condition_dim": 128, "latent_dim": 100}
