"""Reusable layers for ganzoo's architectures (Keras 3, NHWC).

Plugins build on these instead of writing their own: the DCGAN stacks
(`upsampling_stack`, `downsampling_stack`, `resolution_plan`), the papers'
initialisers (`normal_init`, `gamma_init`, and `ICNR` for sub-pixel
convolutions), reflection padding, pixel shuffle,
the image history of CycleGAN, BatchNorm that synchronises across replicas on
request (`synchronized_batchnorm`), and the StyleGAN family's layers (equalised
learning rate, pixel norm, noise injection, AdaIN, blur, minibatch standard
deviation, modulated convolution).
"""

from ganzoo.layers.adain import AdaIN
from ganzoo.layers.batch_norm import batch_normalization, synchronized_batchnorm
from ganzoo.layers.blur import Blur
from ganzoo.layers.dcgan_blocks import downsampling_stack, resolution_plan, upsampling_stack
from ganzoo.layers.equalized import EqualizedConv2D, EqualizedDense
from ganzoo.layers.history import ImageHistory
from ganzoo.layers.initializers import ICNR, gamma_init, normal_init
from ganzoo.layers.minibatch_std import MinibatchStdDev
from ganzoo.layers.modulated_conv import ModulatedConv2D
from ganzoo.layers.noise import NoiseInjection
from ganzoo.layers.padding import ReflectionPadding2D
from ganzoo.layers.pixel_norm import PixelNorm
from ganzoo.layers.pixel_shuffle import PixelShuffle

__all__ = ["AdaIN", "Blur", "EqualizedConv2D", "EqualizedDense", "ICNR", "ImageHistory", "MinibatchStdDev",
           "ModulatedConv2D", "NoiseInjection", "PixelNorm", "PixelShuffle", "ReflectionPadding2D",
           "batch_normalization", "downsampling_stack", "gamma_init", "normal_init", "resolution_plan", "synchronized_batchnorm", "upsampling_stack"]
