"""`ganzoo export`: the network `generate()` runs, as a SavedModel, an ONNX
file or a LiteRT (TFLite) file, with a JSON description beside it.

The artifact takes named inputs (`z`, and `label`, `caption_embedding` or
`image` as the model's task needs: `ganzoo.export.inputs`) and returns
`images`, float32 NHWC in [0, 1]. After writing, the artifact is run by its
own runtime on latents from `model.sample_latent(n, seed)` and compared
with `model.generate(n, seed=seed)`; the largest difference goes into the
description and the summary line.

Example:

```python
from ganzoo.export import export

written = export("runs/dcgan", "onnx", out="dcgan.onnx")
print(written.summary())
```
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import time

import numpy as np

from ganzoo.errors import GanzooError
from ganzoo.export import formats
from ganzoo.export.formats import FORMATS
from ganzoo.export.formats import OUTPUT
from ganzoo.export.inputs import LATENT_ABOUT, fixed_conditions, inputs_of

#: Images the check after writing compares, and its seed.
CHECK_IMAGES = 4
CHECK_SEED = 0

#: The largest difference from `generate()` the check accepts.
TOLERANCE = 1e-4

__all__ = ["FORMATS", "Exported", "export", "export_model", "description_path", "check"]


@dataclasses.dataclass
class Exported:
    """What `export` wrote, and what the check measured.

    Attributes:
        path: the artifact (a file, or a SavedModel folder).
        description: the JSON beside it.
        format: the format's name.
        size: the artifact's bytes.
        seconds: how long the conversion took.
        max_difference: the largest |difference| between the artifact, run
            by its runtime, and `generate()` (same latents and conditions).
        checked_images: how many images the check compared.
        precision: `(compute dtype, max |difference|)` against the run's own
            `generate()` when the run computes in another precision than
            the artifact's float32, else None.
    """

    path: str
    description: str
    format: str
    size: int
    seconds: float
    max_difference: float
    checked_images: int
    precision: tuple | None = None

    def summary(self):
        """The line `ganzoo export` prints."""
        line = (f"wrote {self.path} ({_size_text(self.size)}) and {self.description} in {self.seconds:.1f} s; "
                f"{formats.get(self.format).runtime} gives generate()'s images within {self.max_difference:.1e} "
                f"(max |difference| over {self.checked_images} images)")
        if self.precision:
            line += (f"; the artifact computes in float32, the run in {self.precision[0]}: its own generate() "
                     f"differs by up to {self.precision[1]:.1e}")
        return line


def default_out(run, fmt):
    """`NAME.onnx`, `NAME.tflite` or `NAME_saved_model` in the working folder,
    NAME the run folder's (or .keras file's) name."""
    name = os.path.splitext(os.path.basename(os.path.normpath(str(run))))[0] or "model"
    return f"{name}{FORMATS[fmt].suffix or '_saved_model'}"


def description_path(out):
    """The JSON beside an artifact: `dcgan.onnx` -> `dcgan.onnx.json`
    (so the exports of one run in several formats can share a folder)."""
    return os.fspath(out).rstrip("/" + os.sep) + ".json"


def export(run, format, out=None, force=False, conditions=None, input_size=None):  # noqa: A002 - the CLI's flag
    """Exports the generator of a run (a run folder or a `.keras` file).

    Args:
        run: the run folder or `.keras` file.
        format: "saved_model", "onnx" or "litert".
        out: the artifact's path (default: `default_out`).
        force: replace an existing artifact and description.
        conditions: `generate()` arguments fixed in the graph, e.g.
            `{"direction": "b2a"}` or `{"truncation_psi": 0.7}`.
        input_size: `(height, width)` of the image input of a model that
            takes images of any size (super-resolution); None leaves it free
            where the graph can be traced so.

    Returns:
        An `Exported`.
    """
    fmt = formats.get(format)
    out = out or default_out(run, format)
    _check_out(fmt, out, force)
    _check_backend()
    from ganzoo.cli.quiet import quiet_tensorflow

    quiet_tensorflow()  # TensorFlow starts here (the converters import it), after the request's checks
    formats.check_installed(fmt)
    from ganzoo.training.run_files import load_run_model

    model = load_run_model(run)
    return export_model(model, format, out, force=force, conditions=conditions, input_size=input_size,
                        source=str(run))


def export_model(model, format, out, force=False, conditions=None, input_size=None, source=None):  # noqa: A002
    """`export` for a model in memory (see `export`)."""
    fmt = formats.get(format)
    _check_out(fmt, out, force)
    _check_backend()
    formats.check_installed(fmt)
    original, model = model, in_float32(model)
    inputs = inputs_of(model, input_size)
    fixed, shown = fixed_conditions(model, inputs, dict(conditions or {}))
    from ganzoo.export.graph import GenerationGraph

    graph = GenerationGraph(model, inputs, fixed)
    started = time.perf_counter()
    with _staged(out, fmt) as tmp:
        try:
            formats.write(graph, fmt, tmp)
        except Exception as exc:
            if type(exc).__name__ == "OperatorNotAllowedInGraphError" and graph_input_any_size(inputs):
                raise GanzooError("this generator cannot be traced for images of any size (a layer needs the size "
                                  "in Python, e.g. Keras' bicubic UpSampling2D); pass --input-size HxW, e.g. "
                                  "--input-size 128x128") from None
            raise
        seconds = time.perf_counter() - started
        difference = check(model, fmt, tmp, inputs, dict(conditions or {}))
        if not difference <= TOLERANCE:
            raise GanzooError(f"the {fmt.name} artifact differs from generate() by {difference:.2g} (more than "
                              f"{TOLERANCE:g}); nothing was written")
        precision = None
        if original is not model:
            precision = (original.compute_dtype, check(original, fmt, tmp, inputs, dict(conditions or {})))
    size = _size(out)
    described = description(model, fmt, out, inputs, shown, difference, source)
    if precision:
        described["check"]["run_precision"] = {"compute_dtype": precision[0], "max_abs_difference": precision[1]}
    from ganzoo.files import write_json

    write_json(described, description_path(out))
    return Exported(out, description_path(out), fmt.name, size, seconds, difference, CHECK_IMAGES, precision)


def feeds_and_reference(model, inputs, n, seed, conditions=None):
    """The artifact's feeds for `n` images from `seed`, and `generate()`'s
    images for the same latents and conditions."""
    import keras
    from keras import ops

    rng = np.random.default_rng(seed)
    feeds, kwargs = {}, dict(conditions or {})
    for graph_input in inputs:
        if graph_input.feeds is None:
            feeds[graph_input.name] = ops.convert_to_numpy(
                model.sample_latent(n, keras.random.SeedGenerator(seed))).astype("float32")
        else:
            given, fed = graph_input.example(model, n, rng)
            kwargs[graph_input.keyword] = given
            feeds[graph_input.name] = np.asarray(fed, dtype=graph_input.dtype)
    count = None if any(graph_input.keyword for graph_input in inputs) else n
    return feeds, model.generate(count, seed=seed, **kwargs)


def check(model, fmt, path, inputs, conditions=None, n=CHECK_IMAGES, seed=CHECK_SEED):
    """The largest |difference| between the artifact at `path`, run by its
    own runtime, and `model.generate()` for `n` images from `seed`."""
    if isinstance(fmt, str):
        fmt = formats.get(fmt)
    feeds, reference = feeds_and_reference(model, inputs, n, seed, conditions)
    got = formats.run(fmt, path, feeds)
    if got.shape != reference.shape:
        raise GanzooError(f"the {fmt.name} artifact gives images of shape {got.shape}, generate() {reference.shape}")
    return float(np.max(np.abs(got.astype("float32") - reference)))


def description(model, fmt, out, inputs, fixed, difference, source=None):
    """The JSON written beside the artifact: inputs, output, fixed conditions,
    how to draw `z`, and the check's figure."""
    from ganzoo.version import __version__

    described_inputs = []
    for graph_input in inputs:
        entry = {"name": graph_input.name, "shape": list(graph_input.shape), "dtype": graph_input.dtype,
                 "about": graph_input.about}
        if graph_input.feeds is None:
            entry.update(distribution="standard_normal", mean=0.0, stddev=1.0)
        if graph_input.value_range is not None:
            entry["range"] = list(graph_input.value_range)
        if graph_input.keyword:
            entry["generate_argument"] = graph_input.keyword
        described_inputs.append(entry)
    output_shape = [None, *(None if graph_input_any_size(inputs) else int(side) for side in model.image_shape[:2]),
                    int(model.image_shape[-1])]
    signature = {"saved_model": "serving_default", "onnx": None, "litert": "serving_default"}[fmt.name]
    return {
        "format": fmt.name,
        "file": os.path.basename(os.fspath(out).rstrip("/" + os.sep)),
        "runtime": fmt.runtime,
        "signature": signature,
        "plugin": _plugin_name(model),
        "task": model.task.name,
        "source": source,
        "ganzoo_version": __version__,
        "inputs": described_inputs,
        "outputs": [{"name": OUTPUT, "shape": output_shape, "dtype": "float32", "range": [0.0, 1.0],
                     "layout": "NHWC"}],
        "fixed_conditions": fixed,
        "latent": LATENT_ABOUT if any(graph_input.feeds is None for graph_input in inputs) else None,
        "check": {"images": CHECK_IMAGES, "seed": CHECK_SEED, "max_abs_difference": difference,
                  "against": "model.generate(n, seed=seed) with the same latents and conditions"},
    }


def _plugin_name(model):
    """The name the model's plugin is registered under (`dcgan`), else its class name."""
    import keras

    from ganzoo.saving import PACKAGE

    package, _, name = keras.saving.get_registered_name(type(model)).partition(">")
    return name if package == PACKAGE and name else type(model).__name__


def graph_input_any_size(inputs):
    """Whether the output's size follows an input of any size (super-resolution)."""
    return any(graph_input.name == "image" and graph_input.shape[1] is None for graph_input in inputs)


def in_float32(model):
    """`model` if it computes in float32, else a float32 copy with its weights.

    The exported graph computes in float32 whatever the run's precision: the
    runtimes' CPU kernels for bfloat16 are few (onnxruntime has no bfloat16
    convolution), and float32 is what a deployed generator wants anyway."""
    if getattr(model, "compute_dtype", "float32") == "float32":
        return model
    config = {**model.get_config(), "dtype": "float32"}
    copy = type(model).from_config(config)
    copy.set_weights(model.get_weights())
    return copy


def _check_backend():
    from ganzoo.backends import configured_backend

    name, where = configured_backend()
    if name != "tensorflow":
        raise GanzooError(f"ganzoo export traces the generator with TensorFlow, but the Keras backend is {name} "
                          f"({where}); run it with KERAS_BACKEND=tensorflow (a model saved on any backend loads "
                          "there)")


def _check_out(fmt, out, force):
    out = os.fspath(out)
    if fmt.suffix and not out.endswith(fmt.suffix):
        raise GanzooError(f"--format {fmt.name} writes a {fmt.suffix} file; give --out a name ending in {fmt.suffix}")
    parent = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(parent):
        raise GanzooError(f"{parent} is not a folder; create it first or give another --out")
    if not os.access(parent, os.W_OK):
        raise GanzooError(f"{parent} is not writable; give another --out")
    if force:
        return
    for path in (out, description_path(out)):
        if os.path.lexists(path):
            raise GanzooError(f"{path} already exists; pass --force to overwrite it, or another --out")


class _staged:
    """A temporary path beside `out`; moved onto `out` when the block
    succeeds (a folder replacing a folder too), removed when it fails."""

    def __init__(self, out, fmt):
        self.out = os.fspath(out).rstrip("/" + os.sep)
        self.fmt = fmt

    def __enter__(self):
        parent = os.path.dirname(os.path.abspath(self.out))
        self.folder = tempfile.mkdtemp(dir=parent, prefix=".incomplete-export-")
        return os.path.join(self.folder, "artifact" + self.fmt.suffix)

    def __exit__(self, kind, value, traceback):
        try:
            if kind is None:
                staged = os.path.join(self.folder, "artifact" + self.fmt.suffix)
                old = None
                if os.path.isdir(self.out) and not os.path.islink(self.out):
                    old = os.path.join(self.folder, "old")
                    os.replace(self.out, old)
                os.replace(staged, self.out)
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
        return False


def _size(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    return sum(os.path.getsize(os.path.join(root, name)) for root, _, names in os.walk(path) for name in names)


def _size_text(size):
    return f"{size / 1e6:.1f} MB" if size >= 1e5 else f"{size / 1e3:.0f} kB"
