"""Reusable layers for ganzoo's architectures (Keras 3, NHWC).

Plugins build on these instead of writing their own: the DCGAN stacks
(`upsampling_stack`, `downsampling_stack`, `resolution_plan`), the papers'
initialisers (`normal_init`, `gamma_init`), reflection padding, pixel shuffle
and the image history of CycleGAN.
"""

from ganzoo.layers.dcgan_blocks import downsampling_stack, resolution_plan, upsampling_stack
from ganzoo.layers.history import ImageHistory
from ganzoo.layers.initializers import gamma_init, normal_init
from ganzoo.layers.padding import ReflectionPadding2D
from ganzoo.layers.pixel_shuffle import PixelShuffle

__all__ = ["ImageHistory", "PixelShuffle", "ReflectionPadding2D", "downsampling_stack", "gamma_init",
           "normal_init", "resolution_plan", "upsampling_stack"]
