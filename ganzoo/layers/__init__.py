"""Reusable layers for ganzoo's architectures (Keras 3, NHWC)."""

from ganzoo.layers.history import ImageHistory
from ganzoo.layers.padding import ReflectionPadding2D
from ganzoo.layers.pixel_shuffle import PixelShuffle
