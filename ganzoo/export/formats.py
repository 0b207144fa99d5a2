"""The three formats: writing a `GenerationGraph` in each, and running the
artifact with the format's own runtime (to check it against `generate()`).

| format | written by | run by |
|---|---|---|
| `saved_model` | `keras.export.ExportArchive` | TensorFlow (`tf.saved_model.load`) |
| `onnx` | `keras.Model.export(format="onnx")` (tf2onnx) | onnxruntime |
| `litert` | `keras.Model.export(format="litert")` (TFLite converter, built-in ops only) | the LiteRT interpreter (`ai-edge-litert`) |
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import os
import re
import sys
import warnings

import numpy as np

from ganzoo.errors import GanzooError

#: The artifact's one output: float32 NHWC images in [0, 1].
OUTPUT = "images"

EXTRA = "pip install 'ganzoo[export]'"


@dataclasses.dataclass(frozen=True)
class Format:
    """One export format.

    Args:
        name: what `--format` takes.
        suffix: the artifact's file suffix ("" for a folder).
        runtime: the module that runs it, named in the description file.
        needs: modules the format needs to write and run, with the pip name.
    """

    name: str
    suffix: str
    runtime: str
    needs: tuple = ()


FORMATS = {
    "saved_model": Format("saved_model", "", "tensorflow"),
    "onnx": Format("onnx", ".onnx", "onnxruntime", (("tf2onnx", "tf2onnx"), ("onnx", "onnx"),
                                                     ("onnxruntime", "onnxruntime"))),
    "litert": Format("litert", ".tflite", "ai_edge_litert", (("ai_edge_litert", "ai-edge-litert"),)),
}


def get(name):
    """The `Format` called `name`; `GanzooError` naming the choices otherwise."""
    if name not in FORMATS:
        raise GanzooError(f"unknown export format {name!r}; choose one of {', '.join(FORMATS)}")
    return FORMATS[name]


def check_installed(fmt):
    """`GanzooError` naming the package a format needs when it is missing."""
    for module, package in fmt.needs:
        try:
            importlib.import_module(module)
        except ImportError:
            raise GanzooError(f"--format {fmt.name} needs the package {package}: {EXTRA}") from None


# ---------------------------------------------------------------- writing
def write(graph, fmt, path):
    """Writes `graph` (a `GenerationGraph`) to `path` in format `fmt`.

    Raises:
        GanzooError: the format cannot express an operation of the graph (one
            line naming it and the formats that can).
    """
    signature = graph.input_signature()
    random = random_operations(graph, signature)
    if random:
        raise GanzooError(f"this generator draws random numbers inside the graph ({', '.join(random)}), which no "
                          "format reproduces from generate()'s seed; fix the condition that asks for them (e.g. "
                          "--condition noise=const)")
    try:
        if fmt.name == "saved_model":
            _write_saved_model(graph, signature, path)
        elif fmt.name == "onnx":
            with warnings.catch_warnings():
                # Keras' numpy-2 patch of tf2onnx probes `np.object`, which numpy answers with a FutureWarning.
                warnings.filterwarnings("ignore", message=".*np.object.*", category=FutureWarning)
                graph.export(path, format="onnx", input_signature=signature, verbose=False)
            _rename_onnx_output(path)
        else:
            import tensorflow as tf

            # Built-in ops only: a graph needing TensorFlow's own kernels ("Flex"
            # ops) would convert, then fail to load in the plain LiteRT interpreter.
            graph.export(path, format="litert", input_signature=signature, verbose=False,
                         target_spec={"supported_ops": [tf.lite.OpsSet.TFLITE_BUILTINS]})
    except GanzooError:
        raise
    except Exception as exc:  # noqa: BLE001 - converters raise many types; the op they refuse is the message
        operations = unsupported_operations(str(exc))
        if not operations:
            raise
        others = [name for name in FORMATS if name != fmt.name]
        raise GanzooError(f"--format {fmt.name} cannot express the operation{'s' if len(operations) > 1 else ''} "
                          f"{', '.join(operations)} of this model's generator; try --format "
                          f"{' or '.join(others)}") from None


def _write_saved_model(graph, signature, path):
    import keras

    # Not `archive.track(graph)`: that would save every variable of the model (its discriminators too);
    # `add_endpoint` tracks what the endpoints use.
    archive = keras.export.ExportArchive()
    archive.add_endpoint("serve", lambda inputs: graph(inputs), input_signature=signature)
    embed = getattr(graph.gan, "embed", None)
    if any(graph_input.replaces == "texts" for graph_input in graph.graph_inputs) and callable(embed):
        import tensorflow as tf
        from keras import ops

        # The text encoder's lookup tables are tracked only through their layer, somewhere in the model.
        archive.track(graph)
        archive.add_endpoint("embed", lambda texts: {"caption_embedding": ops.cast(embed(texts), "float32")},
                             input_signature=[tf.TensorSpec((None,), tf.string, name="texts")])
    archive.write_out(path, verbose=False)


def random_operations(graph, signature):
    """The random-number operations of `graph`'s trace (nested functions included)."""
    import tensorflow as tf

    concrete = tf.function(lambda inputs: graph(inputs)).get_concrete_function(*signature)
    definition = concrete.graph.as_graph_def()
    nodes = list(definition.node) + [node for function in definition.library.function for node in function.node_def]
    return sorted({node.op for node in nodes if "Random" in node.op and "GetKeyCounter" not in node.op})


def _rename_onnx_output(path):
    """tf2onnx names the output after a TensorFlow node ("Identity:0");
    the artifact's output is called `images`, as in the other formats."""
    import onnx

    model = onnx.load(path)
    # tf2onnx leaves an operation it cannot map as a node of its TensorFlow type, which onnxruntime refuses
    # to load: name it here instead.
    unknown = sorted({node.op_type for node in model.graph.node
                      if node.domain in ("", "ai.onnx") and not onnx.defs.has(node.op_type)})
    if unknown:
        raise RuntimeError(f"Unsupported ops: Counter({{{', '.join(repr(op) + ': 1' for op in unknown)}}})")
    old = model.graph.output[0].name
    if old != OUTPUT:
        for node in model.graph.node:
            node.output[:] = [OUTPUT if name == old else name for name in node.output]
            node.input[:] = [OUTPUT if name == old else name for name in node.input]
        model.graph.output[0].name = OUTPUT
    onnx.save(model, path)


def unsupported_operations(message):
    """The operation names a converter's error refuses, [] if it names none."""
    found = []
    # tf2onnx: "Unsupported ops: Counter({'StringLower': 1, ...})"; the TFLite
    # converter: "'tf.ResizeBicubic' op is neither a custom op nor a flex op".
    for match in re.finditer(r"Unsupported ops: Counter\(\{([^}]*)\}\)", message):
        found += re.findall(r"'([^']+)'", match.group(1))
    found += re.findall(r"'tf\.(\w+)' op is neither a custom op nor a flex op", message)
    return sorted(set(found))


# ---------------------------------------------------------------- running
def run(fmt, path, feeds):
    """The artifact's output for `feeds` (`{input name: array}`), run by the
    format's own runtime: float32 NHWC images."""
    if fmt.name == "saved_model":
        import tensorflow as tf

        loaded = tf.saved_model.load(path)
        function = loaded.signatures["serving_default"]
        return np.asarray(function(**{name: tf.constant(value) for name, value in feeds.items()})[OUTPUT])
    if fmt.name == "onnx":
        import onnxruntime

        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        return session.run([OUTPUT], feeds)[0]
    from ai_edge_litert.interpreter import Interpreter

    with _c_stderr_silenced():  # the interpreter's C++ "INFO: Created TensorFlow Lite XNNPACK delegate"
        interpreter = Interpreter(model_path=path)
        runner = interpreter.get_signature_runner()
        outputs = runner(**feeds)
    return np.asarray(outputs[OUTPUT] if OUTPUT in outputs else next(iter(outputs.values())))


@contextlib.contextmanager
def _c_stderr_silenced():
    """File descriptor 2 to /dev/null: C++ logging that no Python setting reaches."""
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(devnull)
        os.close(saved)
