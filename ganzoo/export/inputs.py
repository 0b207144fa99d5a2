"""What an exported generator takes, per task: its named inputs, and the
`generate()` arguments that stay fixed in the graph.

An input feeds one keyword of the model's `generate_batch` (the latent feeds
`sample_latent`); every other condition `prepare_generation` makes (a
translation's direction, StyleGAN's truncation) is fixed when the graph is
built, from `ganzoo export --condition NAME=VALUE` or `generate()`'s default.

A third party's task adds its inputs with `register(task_name, function)`,
`function(model) -> [GraphInput, ...]`, or by defining `export_inputs(model)`
on the task.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ganzoo.errors import GanzooError

#: How a latent is drawn, for the description file.
LATENT_ABOUT = ("standard normal N(0, I), float32, one row per image; "
                "model.sample_latent(n, keras.random.SeedGenerator(seed)) gives the rows "
                "model.generate(n, seed=seed) uses")


@dataclasses.dataclass(frozen=True)
class GraphInput:
    """One named input of an exported generator.

    Args:
        name: the input's name in the artifact (`z`, `label`, `image`, ...).
        shape: its shape, None where any size goes (the batch first).
        dtype: "float32" or "int32".
        about: how to make it, one line for the description file.
        feeds: the `generate_batch` keyword it feeds; None for the latent.
        replaces: the `generate()` keyword it stands for when that differs
            (a caption embedding stands for `texts`); default `feeds`.
        value_range: `[low, high]` of its values, or None.
        example: `example(model, n, rng)` -> `(generate() value, input value)`
            for n images: what `generate()` is given and what the artifact is
            fed for the same images.
    """

    name: str
    shape: tuple
    dtype: str
    about: str
    feeds: str | None = None
    replaces: str | None = None
    value_range: list | None = None
    example: object = None

    @property
    def keyword(self):
        """The `generate()` keyword this input stands for."""
        return self.replaces or self.feeds


def latent(model):
    return GraphInput("z", (None, int(model.latent_dim)), "float32", LATENT_ABOUT)


def _random_images(model, shape):
    def example(model, n, rng):
        images = rng.random((n, *shape), dtype=np.float32)
        return images, images
    return example


def unconditional(model):
    return [latent(model)]


def conditional(model):
    classes = int(model.num_classes)

    def example(model, n, rng):
        labels = (np.arange(n) % classes).astype("int32")
        return labels, labels

    return [latent(model),
            GraphInput("label", (None,), "int32", f"the class of each image, 0 .. {classes - 1}", feeds="labels",
                       value_range=[0, classes - 1], example=example)]


def captioned(model):
    """The caption's text encoding is an input: string operations (a
    vocabulary lookup) have no ONNX or LiteRT kernels, so the text encoder
    stays outside the graph (`model.embed(texts)`)."""
    if not callable(getattr(model, "embed", None)):
        raise GanzooError(f"{type(model).__name__} has no embed(texts) to compute caption embeddings outside the "
                          "graph, so its text encoder cannot be split off; only a model with one can be exported")
    width = int(np.shape(_embed(model, ["a"]))[-1])

    def example(model, n, rng):
        from ganzoo.testing.fixtures import random_captions

        texts = random_captions(rng, n)
        return texts, _embed(model, texts)

    return [latent(model),
            GraphInput("caption_embedding", (None, width), "float32",
                       "the caption's encoding, float32: model.embed(texts) of the ganzoo model "
                       "(ganzoo.load_model(RUN/model.keras)); a saved_model export also serves it as its "
                       "'embed' signature, taking strings", feeds="embeddings", replaces="texts", example=example)]


def _embed(model, texts):
    from keras import ops

    strings = ops.convert_to_tensor(np.asarray([str(t) for t in texts], dtype=str).reshape(-1))
    return ops.convert_to_numpy(ops.cast(model.embed(strings), "float32"))


def paired(model, input_size=None):
    channels = int(model.image_shape[-1])
    scale = int(getattr(model, "scale", 1))
    low = tuple(max(1, int(side) // scale) for side in model.image_shape[:2])
    if input_size:
        size = tuple(int(side) for side in input_size)
        about = f"low-resolution images, NHWC in [0, 1], {size[0]}x{size[1]} (the output is {scale} times larger)"
    else:
        size = (None, None)
        about = f"low-resolution images, NHWC in [0, 1], any size (the output is {scale} times larger)"
    return [GraphInput("image", (None, *size, channels), "float32", about, feeds="images", value_range=[0.0, 1.0],
                       example=_random_images(model, (*(input_size or low), channels)))]


def unpaired(model):
    shape = tuple(int(side) for side in model.image_shape)
    return [GraphInput("image", (None, *shape), "float32",
                       f"images NHWC in [0, 1], resized to {shape[0]}x{shape[1]} (bilinear, antialiased) as "
                       "generate() does", feeds="images", value_range=[0.0, 1.0], example=_random_images(model, shape))]


INPUTS = {"unconditional": unconditional, "conditional": conditional, "captioned": captioned, "paired": paired,
          "unpaired": unpaired}


def register(task_name, function):
    """Declares the inputs of a task's exported generator:
    `function(model) -> [GraphInput, ...]`."""
    INPUTS[task_name] = function


def inputs_of(model, input_size=None):
    """The named inputs of `model`'s exported generator (`GraphInput`s).

    Args:
        model: a ganzoo model.
        input_size: `(height, width)` of image inputs whose size the model
            leaves free (super-resolution); None keeps it free.
    """
    task = model.task
    own = getattr(task, "export_inputs", None)
    function = own if callable(own) else INPUTS.get(task.name)
    if function is None:
        raise GanzooError(f"task {task.name!r} does not say what its exported generator takes; give the task "
                          "export_inputs(model) or call ganzoo.export.inputs.register()")
    if input_size is None:
        return list(function(model))
    try:
        return list(function(model, input_size=input_size))
    except TypeError:
        raise GanzooError(f"--input-size applies to models that upscale images of any size; a model of task "
                          f"{task.name!r} takes its inputs at a fixed size") from None


def fixed_conditions(model, inputs, conditions):
    """The conditions the graph fixes: what `prepare_generation` makes for one
    image with `conditions` (`ganzoo export --condition`), less those the
    inputs feed. Returns `(arrays for generate_batch, plain values for the
    description)`."""
    fed = {graph_input.keyword for graph_input in inputs if graph_input.keyword}
    taken = set(fed) | {graph_input.feeds for graph_input in inputs if graph_input.feeds}
    clash = sorted(set(conditions) & taken)
    if clash:
        raise GanzooError(f"--condition {clash[0]} is an input of the exported graph, not a fixed value; drop it")
    rng = np.random.default_rng(0)
    probe = {graph_input.keyword: graph_input.example(model, 1, rng)[0] for graph_input in inputs
             if graph_input.keyword}
    n = None if probe else 1
    try:
        _, prepared = model.prepare_generation(n, **probe, **conditions)
    except TypeError as exc:
        raise GanzooError(f"--condition: {exc}") from None
    arrays = {key: np.asarray(value)[:1] for key, value in prepared.items() if key not in fed}
    defaults = _defaults(model)
    shown = {key: np.asarray(conditions.get(key, defaults.get(key, value[0]))).tolist() for key, value in arrays.items()}
    return arrays, shown


def _defaults(model):
    """`generate()`'s defaults as the user writes them (`direction="a2b"`,
    not the code the task makes of it), from `prepare_generation`'s signatures."""
    import inspect

    found = {}
    for function in (model.task.prepare_generation, model.prepare_generation):
        for parameter in inspect.signature(function).parameters.values():
            if parameter.default is not inspect.Parameter.empty and parameter.default is not None:
                found[parameter.name] = parameter.default
    return found
