"""Named configurations of stylegan and stylegan2 (`ganzoo.Preset`).

`cpu` is the constructor's defaults (what `ganzoo fit stylegan` trains on 2
CPU cores in minutes); `paper` is the published configuration. Both papers
average the generator with a half-life of 10,000 images, which at batch 32
is a decay of 0.5 ** (32 / 10000) = 0.9978 per step. The `cpu` preset's
0.99 averages over about 100 steps: runs of a thousand steps would
otherwise sample from weights still largely at their initial values.

stylegan's `cpu` preset grows from 4 to 32 px in 7,000 images (1,000 per
fade and per stabilisation: 219 of its 3,000 steps) at a learning rate of
0.002. Measured on the embedded digits (issue 21; the figures are on
docs/plugins/stylegan.md): the former 4,000-image phases at 0.001 spent
875 steps growing and stalled below the digit bar at 3,000 steps; each
change raised the figures at equal steps, and a step costs the same at
every stage (all resolutions are computed at every step), so the CPU time
of 3,000 steps is unchanged.
"""

from __future__ import annotations

from ganzoo.plugin import Preset

_SHARED_PAPER = {"latent_dim": 512, "style_dim": 512, "mapping_layers": 8, "mapping_lr_multiplier": 0.01,
                 "generator_filters": 512, "discriminator_filters": 512, "r1_gamma": 10.0, "style_mixing": 0.9,
                 "ema": 0.9978, "w_avg_decay": 0.995}

STYLEGAN = (
    Preset("cpu", "32 px digits on 2 CPU cores in minutes: 64-wide 8-layer mapping, 32 filters, lr 0.002, 1k "
           "images per fade and per stabilisation, 3,000 steps (the constructor's defaults)", config={},
           batch_size=32, steps=3000),
    Preset("paper", "Karras et al. 2019 (FFHQ 1024x1024): 512-wide 8-layer mapping, 512 filters, 600k images per "
           "fade and stabilisation, R1 gamma 10, mixing 0.9, 25M images",
           config={**_SHARED_PAPER, "image_shape": (1024, 1024, 3), "learning_rate": 0.001, "progressive": True,
                   "fade_images": 600_000, "stable_images": 600_000},
           batch_size=32, steps=25_000_000 // 32),
)

STYLEGAN2 = (
    Preset("cpu", "32 px digits on 2 CPU cores in minutes: 64-wide 8-layer mapping, 32 filters, lazy R1 "
           "(the constructor's defaults)", config={}, batch_size=32, epochs=25),
    Preset("paper", "Karras et al. 2020, config F (FFHQ 1024x1024): lr 0.002, R1 gamma 10 every 16 steps, "
           "path-length weight 2 every 4 steps, mixing 0.9, 25M images",
           config={**_SHARED_PAPER, "image_shape": (1024, 1024, 3), "learning_rate": 0.002, "r1_interval": 16,
                   "path_length_weight": 2.0, "path_length_interval": 4},
           batch_size=32, steps=25_000_000 // 32),
)

PRESETS = {"stylegan": {p.name: p for p in STYLEGAN}, "stylegan2": {p.name: p for p in STYLEGAN2}}
