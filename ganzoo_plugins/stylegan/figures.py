"""The papers' figures of a style-based generator: style mixing (StyleGAN
figure 3), truncation (figure 8), interpolation in W or Z, and what
`ganzoo sample --mix / --interpolate / --truncation-psi` writes."""

from __future__ import annotations

import numpy as np

import keras
from keras import ops

from ganzoo import images as images_lib
from ganzoo import sampling
from ganzoo.errors import GanzooError
from ganzoo.sampling import SampleOption
from ganzoo_plugins.stylegan import styles


class StyleFigures:
    """The figures, as methods of `StyleGANBase` (which provides `styles`,
    `synthesize`, `sample_latent`, `w_avg`, `num_ws`)."""

    def latents(self, seeds):
        """One z per seed: the same z as `generate(1, seed=s)`."""
        return ops.concatenate([self.sample_latent(1, keras.random.SeedGenerator(int(s))) for s in seeds], axis=0)

    def mix_styles(self, coarse_seeds, fine_seeds, crossover, truncation_psi=1.0, noise="const"):
        """Images whose layers `[0, crossover)` take their styles from
        `coarse_seeds` and the rest from `fine_seeds` (pairwise), in [0, 1].

        In the paper's terms (figure 3), a crossover of 4 (4x4 and 8x8)
        copies the coarse styles: pose, face shape, glasses; 8 (up to 32x32)
        the middle ones; later crossovers only the colour scheme and fine
        detail."""
        if not 0 <= crossover <= self.num_ws:
            raise GanzooError(f"crossover is a layer index in [0, {self.num_ws}]; got {crossover}")
        if len(coarse_seeds) != len(fine_seeds):
            raise GanzooError("mix_styles() pairs coarse_seeds with fine_seeds: give as many of each")
        ws_coarse = styles.truncate(self.styles(self.latents(coarse_seeds)), self.w_avg, truncation_psi)
        ws_fine = styles.truncate(self.styles(self.latents(fine_seeds)), self.w_avg, truncation_psi)
        ws = styles.mix(ws_coarse, ws_fine, crossover)
        return ops.convert_to_numpy(self.from_network_range(self.synthesize(ws, noise)))

    def style_mixing_grid(self, source_seeds=(1, 2, 3, 4, 5), destination_seeds=(6, 7, 8, 9), crossover=None,
                          truncation_psi=1.0):
        """The paper's style-mixing figure as one HWC image in [0, 1]: the
        top row shows the sources, the left column the destinations; cell
        (i, j) takes the styles of layers `[0, crossover)` from source j and
        the rest from destination i. `crossover` defaults to the coarse
        styles (up to 8x8 above the base when the network has them)."""
        crossover = self.coarse_crossover() if crossover is None else int(crossover)
        sources = self.generate_from_seeds(source_seeds, truncation_psi)
        destinations = self.generate_from_seeds(destination_seeds, truncation_psi)
        blank = np.ones_like(sources[:1])
        rows = [np.concatenate([blank, sources])]
        for i, destination in enumerate(destination_seeds):
            mixed = self.mix_styles(list(source_seeds), [destination] * len(source_seeds), crossover,
                                      truncation_psi)
            rows.append(np.concatenate([destinations[i:i + 1], mixed]))
        cells = np.concatenate(rows)
        return images_lib.grid(cells, rows=len(rows), pad_value=1.0)

    def coarse_crossover(self):
        """The default crossover: the coarse styles (up to 8x8 above the base when the network has them)."""
        return min(4, self.num_ws - 1)

    def mixing_row(self, seed, other_seed, crossover=None, truncation_psi=1.0):
        """Style mixing of two seeds as one HWC image in [0, 1]: the image of
        `seed`, that of `other_seed`, and their mix, whose layers
        `[0, crossover)` take the styles of `seed` and the rest those of
        `other_seed` (`crossover` defaults to the coarse styles)."""
        crossover = self.coarse_crossover() if crossover is None else int(crossover)
        ends = self.generate_from_seeds([seed, other_seed], truncation_psi)
        mixed = self.mix_styles([seed], [other_seed], crossover, truncation_psi)
        return images_lib.grid(np.concatenate([ends, mixed]), rows=1, pad_value=1.0)

    def walk(self, seed, other_seed, steps=8, truncation_psi=1.0):
        """A latent walk from the image of `seed` to that of `other_seed`:
        `steps` images whose styles go linearly in W from one to the other
        (the first and last are `generate(1, seed=...)` of each); one HWC
        image in [0, 1], a row."""
        if steps < 2:
            raise GanzooError("a walk needs at least 2 steps")
        ws_start, ws_end = (ops.convert_to_numpy(self.styles(self.latents([s]))) for s in (seed, other_seed))
        t = np.linspace(0.0, 1.0, steps, dtype="float32")[:, None, None]
        ws = styles.truncate(ops.convert_to_tensor(ws_start + (ws_end - ws_start) * t), self.w_avg, truncation_psi)
        frames = ops.convert_to_numpy(self.from_network_range(self.synthesize(ws, "const")))
        return images_lib.grid(frames, rows=1)

    def generate_from_seeds(self, seeds, truncation_psi=1.0):
        ws = styles.truncate(self.styles(self.latents(seeds)), self.w_avg, truncation_psi)
        return ops.convert_to_numpy(self.from_network_range(self.synthesize(ws, "const")))

    def interpolation_grid(self, steps=8, rows=4, seed=0, space="w", truncation_psi=1.0):
        """Rows of `steps` images walking from one random latent to another,
        linearly in W (`space="w"`) or along the great circle in Z
        (`space="z"`, spherical interpolation); one HWC image in [0, 1]."""
        if space not in ("w", "z"):
            raise GanzooError(f"space is 'w' or 'z'; got {space!r}")
        if steps < 2:
            raise GanzooError("interpolation needs at least 2 steps")
        rng = keras.random.SeedGenerator(seed)
        z0 = ops.convert_to_numpy(self.sample_latent(rows, rng))
        z1 = ops.convert_to_numpy(self.sample_latent(rows, rng))
        t = np.linspace(0.0, 1.0, steps, dtype="float32")
        if space == "z":
            cos = np.sum(z0 * z1, -1) / (np.linalg.norm(z0, axis=-1) * np.linalg.norm(z1, axis=-1))
            omega = np.arccos(np.clip(cos, -1.0, 1.0))[:, None, None]                   # (rows, 1, 1)
            tt = t[None, :, None]
            zs = (np.sin((1 - tt) * omega) * z0[:, None] + np.sin(tt * omega) * z1[:, None]) / np.sin(omega)
            ws = self.styles(zs.reshape(rows * steps, -1).astype("float32"))
        else:
            w0, w1 = (ops.convert_to_numpy(self.averaged(self.mapping)(z)) for z in (z0, z1))
            w = w0[:, None] + (w1 - w0)[:, None] * t[None, :, None]
            ws = styles.broadcast(w.reshape(rows * steps, -1), self.num_ws)
        ws = styles.truncate(ws, self.w_avg, truncation_psi)
        frames = ops.convert_to_numpy(self.from_network_range(self.synthesize(ws, "const")))
        return images_lib.grid(frames, rows=rows)

    def truncation_grid(self, seeds=(0, 1, 2, 3, 4, 5), psis=(1.0, 0.7, 0.5, 0.0, -0.5, -1.0)):
        """One row per psi, one column per seed (the paper's figure 8)."""
        cells = np.concatenate([self.generate_from_seeds(seeds, psi) for psi in psis])
        return images_lib.grid(cells, rows=len(psis))

    #: `ganzoo sample RUN --mix`, `--mix-with SEED`, `--interpolate N`, `--walk-to SEED` (beyond the
    #: unconditional task's grid).
    extra_sample_options = (
        SampleOption("mix", "--mix", "the style-mixing figure: sources on top, destinations on the left",
                     is_flag=True, default=False),
        SampleOption("interpolate", "--interpolate", "an interpolation grid in W with N steps per row (the steps "
                     "of --walk-to)", type="int"),
        SampleOption("truncation_psi", "--truncation-psi", "the truncation trick's psi (1 = off)", type="float",
                     default=1.0),
        SampleOption("mix_with", "--mix-with", "style mixing of --seed and this seed: both images and their mix "
                     "(the layers before --crossover from --seed)", type="int"),
        SampleOption("crossover", "--crossover", "the layer where --mix and --mix-with switch from the first "
                     "seed's styles to the second's (default: after the coarse styles)", type="int"),
        SampleOption("walk_to", "--walk-to", "a latent walk in W from --seed to this seed (--interpolate steps, "
                     "default 8)", type="int"),
    )

    def sample(self, *, out, count=64, seed=0, mix=False, interpolate=None, truncation_psi=1.0, mix_with=None,
               crossover=None, walk_to=None, **options):
        """`ganzoo sample`: the task's grid, or with `--mix` the style-mixing
        figure, `--mix-with SEED` two seeds and their mix, `--interpolate N`
        the interpolation grid, `--walk-to SEED` a walk between two seeds."""
        figures = [flag for flag, given in (("--mix", mix), ("--mix-with", mix_with is not None),
                                            ("--walk-to", walk_to is not None),
                                            ("--interpolate", interpolate is not None and walk_to is None)) if given]
        if len(figures) > 1:
            raise GanzooError(f"pass one of {', '.join(figures)}, not several")
        if crossover is not None and not (mix or mix_with is not None):
            raise GanzooError("--crossover goes with --mix or --mix-with")
        if interpolate is not None and int(interpolate) < 2:
            raise GanzooError("--interpolate needs at least 2 steps")
        if not figures:
            if truncation_psi == 1.0:
                return sampling.task_sample(self, out=out, count=count, seed=seed, **options)
            picture = images_lib.grid(self.generate(count, seed=seed, truncation_psi=truncation_psi))
        elif mix:
            picture = self.style_mixing_grid(crossover=crossover, truncation_psi=truncation_psi)
        elif mix_with is not None:
            picture = self.mixing_row(seed, mix_with, crossover, truncation_psi)
        elif walk_to is not None:
            picture = self.walk(seed, walk_to, int(interpolate or 8), truncation_psi)
        else:
            picture = self.interpolation_grid(steps=int(interpolate), seed=seed, truncation_psi=truncation_psi)
        return sampling.files.save_picture(picture, out)

