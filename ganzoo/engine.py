"""Old home of the model base class; it lives in `ganzoo.model` now."""

from ganzoo.model import GAN, adam

__all__ = ["GAN", "adam"]
