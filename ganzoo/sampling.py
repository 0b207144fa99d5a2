"""`ganzoo sample`: images from a trained model; the model's task decides what.

The flags beyond `--n`, `--seed` and `--out` belong to the task (`--label`,
`--input`, `--direction`, `--text`, ...) or to the model (`extra_sample_options`);
they are checked against the loaded model, so each flag's error names it.
"""

from __future__ import annotations


def sample(run, *, count=64, seed=0, out="samples.png", **options):
    """Generates from the model of `run` and writes PNG files; returns their paths.

    Args:
        run: a run directory or a `.keras` file.
        count: images (per condition, where the task has conditions).
        seed: seed of the latents.
        out: the PNG file (or folder, for a folder of inputs).
        **options: the task's and model's sample options by name
            (`labels=(7,)`, `input_path="photo.png"`, `texts=("a red circle",)`).
    """
    from ganzoo.runs import load_run_model

    model = load_run_model(run)
    return model.sample(out=out, count=count, seed=seed, **options)
