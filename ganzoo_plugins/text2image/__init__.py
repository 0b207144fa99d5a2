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
    default_epochs=10,
)
