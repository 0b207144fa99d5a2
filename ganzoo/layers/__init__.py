"""Reusable layers for ganzoo's architectures (Keras 3, NHWC)."""

from ganzoo.layers.adain import AdaIN
from ganzoo.layers.blur import Blur
from ganzoo.layers.equalized import EqualizedConv2D, EqualizedDense
from ganzoo.layers.history import ImageHistory
from ganzoo.layers.minibatch_std import MinibatchStdDev
from ganzoo.layers.modulated_conv import ModulatedConv2D
from ganzoo.layers.noise import NoiseInjection
from ganzoo.layers.padding import ReflectionPadding2D
from ganzoo.layers.pixel_norm import PixelNorm
from ganzoo.layers.pixel_shuffle import PixelShuffle
