"""Pictures and files of a trained model: the per-epoch preview grid, what
`ganzoo sample` writes, and the lines it prints.

A model's task decides what is drawn, through the task's `Sampler`
(`ganzoo.sampling.unconditional`, `.conditional`, `.captioned`, `.paired`,
`.unpaired`), found by task name in the `ganzoo.samplers` entry points; a
third party's task registers its own there. A task written before samplers
existed that defines `preview`/`sample`/`sample_options` itself still works.

A plugin's model class may draw for itself: when it defines `preview`,
`sample` or `extra_sample_options`, the functions here use them (stylegan's
mixing and interpolation figures, srgan's held-back photos, text2image's
captions); inside them, `task_preview` and `task_sample` draw what the task
would.

The flags beyond `--n`, `--seed` and `--out` belong to the sampler
(`--label`, `--input`, `--direction`, `--text`, ...) or to the model
(`extra_sample_options`); they are checked against the loaded model, so each
flag's error names it. Where the files go: `ganzoo.sampling.files`.
"""

from __future__ import annotations

from ganzoo.sampling import files
from ganzoo.sampling.base import SAMPLERS, SampleOption, Sampler, sampler_for
from ganzoo.sampling.files import GRID_LIMIT, STREAM_BATCH, Written, summary, to_folder, write_numbered

__all__ = ["GRID_LIMIT", "SAMPLERS", "STREAM_BATCH", "SampleOption", "Sampler", "Written", "preview", "sample",
           "sample_options", "sampler_for", "summary", "task_preview", "task_sample", "to_folder",
           "write_numbered"]

#: Where the base model class lives: its methods, where it still has them, are not a plugin's own.
_BASE_MODULES = ("ganzoo.engine", "ganzoo.model")


def _own(model, name):
    """The model's `name` when its plugin class defines it, else None."""
    for cls in type(model).__mro__:
        if name in vars(cls):
            return None if cls.__module__ in _BASE_MODULES else getattr(model, name)
    return None


def task_preview(model, examples=None, seed=0):
    """The preview the model's task draws (for a plugin's own `preview` that adds to it)."""
    return sampler_for(model.task).preview(model, examples, seed)


def task_sample(model, *, out, count=64, seed=0, **options):
    """What the model's task writes for `ganzoo sample` (for a plugin's own `sample`)."""
    return sampler_for(model.task).sample(model, out=out, count=count, seed=seed, **options)


def preview(model, examples=None, seed=0):
    """A picture of training progress: one HWC float image in [0, 1].

    The sample-grid callback calls it after each epoch with the same `seed`
    (and the same `examples`), so successive grids are comparable: 64 images
    of an unconditional model, one row per class, input / output columns, ...

    Args:
        model: a `ganzoo.GAN`.
        examples: a fixed batch of training data, for models whose picture
            shows inputs beside outputs (translation, super-resolution).
        seed: the latents' seed.

    Example:

    ```python
    picture = ganzoo.sampling.preview(model, seed=0)
    ganzoo.images.save_image(picture, "progress.png")
    ```
    """
    own = _own(model, "preview")
    if own is not None:
        return own(examples, seed=seed)
    return task_preview(model, examples, seed)


def sample(model, *, out="samples.png", count=64, seed=0, force=False, **options):
    """Writes what `ganzoo sample` writes for `model`; returns the paths.

    Args:
        model: a `ganzoo.GAN` (a run's: `ganzoo.training.run_files.load_run_model`).
        out: the PNG file (a grid), or a folder for one PNG per image (see
            `ganzoo.sampling.files`), or a folder for a folder of inputs.
        count: images (per condition, where the task has conditions).
        seed: seed of the latents.
        force: replace files that exist (`ganzoo sample --force`); without
            it an existing file is an error that names it, raised before
            anything is generated (`ganzoo.sampling.files`).
        **options: the model's sample options by name (`labels=(7,)`,
            `input_path="photo.png"`, `texts=("a red circle",)`; see
            `sample_options`).

    Returns:
        The paths written (a `Written` list: `skipped` counts unreadable inputs).
    """
    with files.overwriting(force):
        if files.is_picture_path(out):
            files.check_new([out])   # before generating anything
        own = _own(model, "sample")
        if own is not None:
            return own(out=out, count=count, seed=seed, **options)
        return task_sample(model, out=out, count=count, seed=seed, **options)


def sample_options(model) -> tuple:
    """The `ganzoo sample` flags of `model` (`SampleOption`s): its task's,
    then its plugin's `extra_sample_options`."""
    return (*sampler_for(model.task).options, *getattr(model, "extra_sample_options", ()))
