"""The network `generate()` runs, as a Keras model with named inputs.

`GenerationGraph` calls the model's own `generate_batch` (so the averaged
generator, a plugin's own mapping or truncation, all that `generate()` does)
with the latent taken from its input `z` instead of the model's random
stream, and maps the result to [0, 1] as `generate()` does. Keras then
traces it for each format (`keras.Model.export`, `keras.export.ExportArchive`).
"""

from __future__ import annotations

import contextlib

import keras
from keras import ops

from ganzoo.errors import GanzooError
from ganzoo.export.formats import OUTPUT


@contextlib.contextmanager
def given_latents(model, z):
    """Inside it, `model.sample_latent(...)` returns `z`: the graph's input
    stands where `generate()` draws from its seed. Without `z` (a model of a
    task with no latent input), drawing one is an error."""

    def sample_latent(n, seed=None):
        if z is None:
            raise GanzooError(f"{type(model).__name__}.generate_batch draws a latent, which its task's exported "
                              "graph has no input for")
        return z

    # An instance attribute, set past Keras' attribute tracking, shadows the
    # method for this trace only.
    object.__setattr__(model, "sample_latent", sample_latent)
    try:
        yield
    finally:
        object.__delattr__(model, "sample_latent")


class GenerationGraph(keras.Model):
    """`generate()`'s network for one model: named inputs -> `{"images": ...}`,
    float32 NHWC in [0, 1].

    Args:
        model: a ganzoo model.
        inputs: its `ganzoo.export.inputs.GraphInput`s, in order.
        fixed: the conditions fixed in the graph (arrays of one value, as
            `prepare_generation` makes them).

    Example:

    ```python
    graph = GenerationGraph(model, inputs_of(model), {})
    images = graph([z])["images"]
    ```
    """

    def __init__(self, model, inputs, fixed, **kwargs):
        super().__init__(name=f"{model.name}_generation", **kwargs)
        self.gan = model
        self.graph_inputs = list(inputs)
        self.fixed = dict(fixed)
        self.built = True  # its only weights are the model's, built already

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            inputs = [inputs]
        given = dict(zip((graph_input.name for graph_input in self.graph_inputs), inputs))
        z = given.get("z")
        conditions = {graph_input.feeds: given[graph_input.name] for graph_input in self.graph_inputs
                      if graph_input.feeds}
        first = inputs[0]
        n = ops.shape(first)[0]
        with given_latents(self.gan, z):
            images = self.gan.generate_batch(n, None, **self.fixed, **conditions)
        return {OUTPUT: ops.cast(self.gan.from_network_range(images), "float32")}

    def input_signature(self):
        """The inputs as named `tf.TensorSpec`s, one argument (a list)."""
        import tensorflow as tf

        specs = [tf.TensorSpec(graph_input.shape, graph_input.dtype, name=graph_input.name)
                 for graph_input in self.graph_inputs]
        return [specs]
