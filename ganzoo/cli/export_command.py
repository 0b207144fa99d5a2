"""`ganzoo export RUN --format saved_model|onnx|litert`: the click layer over `ganzoo.export`."""

from __future__ import annotations

import re

import click

from ganzoo.errors import GanzooError

FORMAT_NAMES = ("saved_model", "onnx", "litert")


def _conditions(values):
    """`--condition NAME=VALUE` pairs as generate() arguments: numbers as
    numbers, anything else as text."""
    from ganzoo.options import parse_assignments

    result = {}
    for key, text in parse_assignments(values).items():
        try:
            result[key] = int(text)
        except ValueError:
            try:
                result[key] = float(text)
            except ValueError:
                result[key] = text
    return result


def _input_size(text):
    if text is None:
        return None
    match = re.fullmatch(r"\s*(\d+)\s*[x,]\s*(\d+)\s*", text)
    if not match or min(int(match.group(1)), int(match.group(2))) < 1:
        raise GanzooError(f"--input-size takes HEIGHTxWIDTH, e.g. 128x128; got {text!r}")
    return int(match.group(1)), int(match.group(2))


@click.command("export")
@click.argument("run", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), required=True,
              help="saved_model (TensorFlow), onnx (onnxruntime) or litert (a .tflite file).")
@click.option("--out", type=click.Path(), default=None,
              help="The artifact: NAME.onnx, NAME.tflite or a NAME_saved_model folder (default: named after RUN, "
                   "in the working folder); its description goes beside it as OUT.json.")
@click.option("--condition", "conditions", multiple=True, metavar="NAME=VALUE",
              help="A generate() argument fixed in the graph, e.g. direction=b2a or truncation_psi=0.7 "
                   "(repeatable; default: generate()'s).")
@click.option("--input-size", default=None, metavar="HxW",
              help="The image input's size, for a model that upscales images of any size "
                   "(default: any size, where the graph allows it).")
@click.option("--force", is_flag=True, help="Overwrite an existing artifact and its description.")
def export_command(run, fmt, out, conditions, input_size, force):
    """Write the network generate() runs as a standalone artifact.

    \b
    Inputs are named z (the latent), and label, caption_embedding or image as
    the model's task needs; the output `images` is float32 NHWC in [0, 1].
    OUT.json beside it describes inputs, shapes, ranges and how to draw z.
    The artifact is run by its own runtime and checked against generate()
    before it is kept. Formats beyond saved_model need: pip install 'ganzoo[export]'
    """
    from ganzoo.export import export

    written = export(run, fmt, out=out, force=force, conditions=_conditions(conditions),
                     input_size=_input_size(input_size))
    click.echo(written.summary())
