"""StyleGAN and StyleGAN2 (kept for imports written before the split into
`base`, `v1`, `v2` and `figures`)."""

from ganzoo_plugins.stylegan.base import NOISE_MODES, StyleGANBase
from ganzoo_plugins.stylegan.v1 import StyleGAN
from ganzoo_plugins.stylegan.v2 import StyleGAN2

__all__ = ["NOISE_MODES", "StyleGAN", "StyleGAN2", "StyleGANBase"]
