"""The hand-written JAX / PyTorch steps, one module per plugin (`steps.py` documents the toolkit they use).

`RECIPES` maps a plugin's name to its recipe: `recipe(model) -> Recipe`.
"""

from hand_written.recipes.cgan import cgan
from hand_written.recipes.cyclegan import cyclegan
from hand_written.recipes.dcgan import dcgan
from hand_written.recipes.srgan import srgan
from hand_written.recipes.stylegan import stylegan
from hand_written.recipes.stylegan2 import stylegan2
from hand_written.recipes.text2image import text2image
from hand_written.recipes.vanilla import vanilla

RECIPES = {"dcgan": dcgan, "vanilla": vanilla, "cgan": cgan, "srgan": srgan, "stylegan2": stylegan2,
           "stylegan": stylegan, "cyclegan": cyclegan, "text2image": text2image}
