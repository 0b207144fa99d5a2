"""Finding, verifying and converting the reference Inception weights.

The weights are the constants of `classify_image_graph_def.pb` inside
`inception-2015-12-05.tgz` (the file TTUR's FID downloads). `resolve` finds
them, in this order:

1. an explicit path (`--inception-weights PATH`): the `.pb`, the `.tgz`, or
   a converted `.npz`;
2. the environment variable `GANZOO_INCEPTION_WEIGHTS` (same forms);
3. a converted cache, `$KERAS_HOME/models/ganzoo-inception-2015-12-05-*.npz`;
4. `classify_image_graph_def.pb` or `inception-2015-12-05.tgz` in
   `$KERAS_HOME/models/` (default `~/.keras/models/`);
5. a download through Keras' file cache, after a reachability probe of a
   few seconds (offline, Keras' own retries would take minutes).

Otherwise `GanzooError` names where to put the file. A graph is converted
once (batch norms folded into the convolutions, every shape, stride,
padding, pool type and concatenation order checked against
`ganzoo.metrics.inception.SPEC`) and cached as `.npz` beside the models.

The reference `.pb` is 95,673,916 bytes (md5 e6bb154e85f5d4331c22abcddb5dcf31,
as quoted in public code; not re-checked here, the file cannot be fetched
from the build machine). A graph that converts but differs in size or hash
(e.g. the synthetic test graph) is used, but marked `reference: false` in
every result.
"""

from __future__ import annotations

import dataclasses
import glob
import hashlib
import os
import tarfile

import numpy as np

from ganzoo.errors import GanzooError

URL = "http://download.tensorflow.org/models/image/imagenet/inception-2015-12-05.tgz"
GRAPH_FILE = "classify_image_graph_def.pb"
ARCHIVE_FILE = "inception-2015-12-05.tgz"
REFERENCE_SIZE = 95_673_916
REFERENCE_MD5 = "e6bb154e85f5d4331c22abcddb5dcf31"
ENV = "GANZOO_INCEPTION_WEIGHTS"
CACHE_PREFIX = "ganzoo-inception-2015-12-05-"


@dataclasses.dataclass
class InceptionWeights:
    """Converted weights and where they came from.

    Attributes:
        arrays: `{keras layer name: [arrays]}` for `build_inception`.
        source: the file they were read from.
        sha256: sha256 of the source `.pb` (the graph, not the cache).
        reference: whether size and md5 match the published file.
    """

    arrays: dict
    source: str
    sha256: str
    reference: bool

    def describe(self):
        """What a result records about the network."""
        return {"network": "inception-2015-12-05 (classify_image_graph_def.pb), pool_3 2048-d",
                "weights_sha256": self.sha256, "reference_weights": self.reference,
                "weights_file": self.source}


def models_dir():
    """Keras' model cache, `$KERAS_HOME/models` (default `~/.keras/models`)."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(home, "models")


def missing_message():
    return (f"the reference Inception weights are not available offline: put {GRAPH_FILE} (from {URL}) "
            f"or the .tgz in {models_dir()}/, or pass --inception-weights PATH")


def network_available(timeout=3.0):
    """Whether download.tensorflow.org answers within `timeout` s
    (False at once when `GANZOO_OFFLINE` is set)."""
    from ganzoo.reachability import reachable

    return reachable("download.tensorflow.org", 80, timeout)


def _graph_bytes(path):
    """The `.pb` bytes of a `.pb` file or of the `.tgz` archive."""
    if path.endswith((".tgz", ".tar.gz")):
        with tarfile.open(path, "r:gz") as archive:
            for member in archive.getmembers():
                if os.path.basename(member.name) == GRAPH_FILE:
                    return archive.extractfile(member).read()
        raise GanzooError(f"{path} holds no {GRAPH_FILE}")
    with open(path, "rb") as f:
        return f.read()


def is_reference(data):
    return len(data) == REFERENCE_SIZE and hashlib.md5(data).hexdigest() == REFERENCE_MD5


class _Nodes:
    """The nodes of a parsed GraphDef by name, read with checks that name the
    node in the error when the graph is not the reference one."""

    def __init__(self, graph):
        self.nodes = {n.name: n for n in graph.node}

    def need(self, name, op=None):
        if name not in self.nodes:
            raise GanzooError(f"the graph has no node {name!r}: not the 2015-12-05 Inception graph")
        node = self.nodes[name]
        if op is not None and node.op not in ((op,) if isinstance(op, str) else op):
            raise GanzooError(f"graph node {name!r} is a {node.op}, expected {op}")
        return node

    def constant(self, name):
        import tensorflow as tf

        return tf.make_ndarray(self.need(name.split(":")[0], "Const").attr["value"].tensor)

    def is_constant(self, name):
        node = self.nodes.get(name.split(":")[0])
        return node is not None and node.op == "Const"


def _convolution_arrays(nodes):
    """`{keras layer name: [kernel, bias]}` of every convolution, its batch
    norm folded into the kernel and bias."""
    from ganzoo.metrics.inception import convolutions, layer_name

    arrays = {}
    for spec in convolutions():
        g = spec["name"]
        kernel = nodes.constant(f"{g}/conv2d_params").astype(np.float64)
        kh, kw = spec["kernel"]
        if kernel.shape[:2] != (kh, kw) or kernel.shape[3] != spec["filters"]:
            raise GanzooError(f"{g}: kernel {kernel.shape}, expected {kh}x{kw}x?x{spec['filters']}")
        conv = nodes.need(f"{g}/Conv2D", "Conv2D")
        strides = list(conv.attr["strides"].list.i)
        padding = conv.attr["padding"].s.decode()
        if strides != [1, spec["strides"], spec["strides"], 1] or padding != spec["padding"]:
            raise GanzooError(f"{g}: strides {strides} padding {padding}, expected {spec['strides']} {spec['padding']}")
        bn = nodes.need(f"{g}/batchnorm", "BatchNormWithGlobalNormalization")
        if bn.input[0].split(":")[0] != f"{g}/Conv2D":
            raise GanzooError(f"{g}/batchnorm does not read {g}/Conv2D")
        mean, variance, beta, gamma = (nodes.constant(name).astype(np.float64) for name in bn.input[1:5])
        scale = 1.0 / np.sqrt(variance + bn.attr["variance_epsilon"].f)
        if bn.attr["scale_after_normalization"].b:
            scale = scale * gamma
        arrays[layer_name(g)] = [(kernel * scale).astype(np.float32), (beta - mean * scale).astype(np.float32)]
    return arrays


def _check_pools(nodes):
    from ganzoo.metrics.inception import BLOCKS, POOLS, STEM

    pools = [(item[0], item[1]) for item in STEM if not isinstance(item, dict)]
    for block in BLOCKS:
        for branch in block["branches"]:
            pools += [(item[0], item[1]) for item in branch if not isinstance(item, dict) and item[0] != "split"]
    for kind, name in pools:
        op, size, stride, padding = POOLS[kind]
        node = nodes.need(name, op)
        if list(node.attr["ksize"].list.i) != [1, size, size, 1] \
                or list(node.attr["strides"].list.i) != [1, stride, stride, 1] \
                or node.attr["padding"].s.decode() != padding:
            raise GanzooError(f"pool {name!r} differs from the reference graph's")
    nodes.need("pool_3", "AvgPool")


def _check_joins(nodes):
    from ganzoo.metrics.inception import BLOCKS

    for block in BLOCKS:
        join = nodes.need(f"{block['name']}/join", ("Concat", "ConcatV2"))
        values = [i for i in join.input if not nodes.is_constant(i)]
        # Each branch's output, by name (a split's concat by its scope, whose
        # exact name the check does not depend on).
        firsts = []
        for branch in block["branches"]:
            last = branch[-1]
            firsts.append(last["name"] if isinstance(last, dict) else
                          (last[1].rsplit("/", 1)[0] + "/" if last[0] == "split" else last[1]))
        names = [v.split(":")[0] for v in values]
        if len(names) != len(firsts) or not all(n == f or n.startswith(f if f.endswith("/") else f + "/")
                                                 for n, f in zip(names, firsts)):
            raise GanzooError(f"{block['name']}/join concatenates {names}, expected {firsts}")


def convert_graph(data):
    """Converts the bytes of a reference-style GraphDef to port arrays.

    Every convolution of `SPEC` must exist with the same kernel shape,
    strides and padding, followed by `BatchNormWithGlobalNormalization`
    (epsilon and `scale_after_normalization` read from the node); every
    pool must have the spec's type (the max pool of `mixed_10` included);
    every `mixed*/join` must concatenate its branches in the spec's order.

    Returns:
        `{keras layer name: [kernel, bias]}` plus `softmax__logits: [W]` and
        `softmax__biases: [b]` (`inception.LOGITS_BIAS`).
    """
    import tensorflow as tf

    graph = tf.compat.v1.GraphDef()
    try:
        graph.ParseFromString(data)
    except Exception as exc:  # noqa: BLE001 - protobuf's DecodeError
        raise GanzooError(f"not a GraphDef: {exc}") from exc
    from ganzoo.metrics.inception import LOGITS_BIAS, layer_name

    nodes = _Nodes(graph)
    arrays = _convolution_arrays(nodes)
    _check_pools(nodes)
    _check_joins(nodes)
    weights = nodes.constant("softmax/weights").astype(np.float32)
    if weights.shape != (2048, 1008):
        raise GanzooError(f"softmax/weights has shape {weights.shape}, expected (2048, 1008)")
    arrays[layer_name("softmax/logits")] = [weights]
    arrays[LOGITS_BIAS] = [nodes.constant("softmax/biases").astype(np.float32)]
    return arrays


def _save_cache(arrays, sha256, reference, source):
    path = os.path.join(models_dir(), f"{CACHE_PREFIX}{sha256[:16]}.npz")
    flat = {f"{name}::{i}": value for name, values in arrays.items() for i, value in enumerate(values)}
    flat["__sha256__"] = np.array(sha256)
    flat["__reference__"] = np.array(bool(reference))
    flat["__source__"] = np.array(str(source))
    from ganzoo.files import atomic_path

    with atomic_path(path, suffix=".npz") as tmp:
        with open(tmp, "wb") as f:
            np.savez(f, **flat)
    return path


def _load_cache(path):
    from ganzoo.metrics.inception import current_name

    with np.load(path) as npz:
        arrays = {}
        for key in npz.files:
            if key.startswith("__"):
                continue
            name, index = key.rsplit("::", 1)
            # Caches written before the port ran on PyTorch name the layers `mixed_9.tower.conv`.
            arrays.setdefault(current_name(name), {})[int(index)] = npz[key]
        arrays = {name: [parts[i] for i in sorted(parts)] for name, parts in arrays.items()}
        return InceptionWeights(arrays, str(npz["__source__"]), str(npz["__sha256__"]), bool(npz["__reference__"]))


def from_file(path, cache=True):
    """Weights from a `.pb`, a `.tgz` or a converted `.npz`; a graph is
    converted and (with `cache`) saved to the model cache."""
    path = os.path.abspath(os.path.expanduser(str(path)))
    if not os.path.exists(path):
        raise GanzooError(f"--inception-weights {path}: no such file")
    if path.endswith(".npz"):
        return _load_cache(path)
    data = _graph_bytes(path)
    sha256 = hashlib.sha256(data).hexdigest()
    cached = os.path.join(models_dir(), f"{CACHE_PREFIX}{sha256[:16]}.npz")
    if os.path.exists(cached):
        return _load_cache(cached)
    reference = is_reference(data)
    arrays = convert_graph(data)
    if cache:
        _save_cache(arrays, sha256, reference, path)
    return InceptionWeights(arrays, path, sha256, reference)


def resolve(path=None, download=True):
    """Finds the weights (see the module docstring for the order).

    Raises:
        GanzooError: with one line saying where to put the file, when there
            is none and the download server cannot be reached (within a few
            seconds).
    """
    path = path or os.environ.get(ENV)
    if path:
        return from_file(path)
    directory = models_dir()
    caches = sorted(glob.glob(os.path.join(directory, CACHE_PREFIX + "*.npz")))
    if caches:
        loaded = [_load_cache(c) for c in caches]
        return next((w for w in loaded if w.reference), loaded[0])
    for name in (GRAPH_FILE, ARCHIVE_FILE):
        candidate = os.path.join(directory, name)
        if os.path.exists(candidate):
            return from_file(candidate)
    if not download or not network_available():
        raise GanzooError(missing_message())
    import keras

    archive = keras.utils.get_file(ARCHIVE_FILE, URL, cache_subdir="models")
    return from_file(archive)


def check_available(path=None):
    """Fails fast (a few seconds, before any model or data is loaded) when
    `resolve` could not find the weights."""
    path = path or os.environ.get(ENV)
    if path:
        if not os.path.exists(os.path.expanduser(str(path))):
            raise GanzooError(f"--inception-weights {path}: no such file")
        return
    directory = models_dir()
    if glob.glob(os.path.join(directory, CACHE_PREFIX + "*.npz")):
        return
    if any(os.path.exists(os.path.join(directory, n)) for n in (GRAPH_FILE, ARCHIVE_FILE)):
        return
    if not network_available():
        raise GanzooError(missing_message())


def load_inception(path=None, dtype=None):
    """The port filled with the resolved weights: `(keras model, InceptionWeights)`."""
    from ganzoo.metrics.inception import build_inception

    weights = resolve(path)
    model = build_inception(dtype=dtype)
    fill(model, weights)
    return model, weights


def fill(model, weights):
    """Sets the port's layers (`build_inception`) to converted `InceptionWeights`."""
    from ganzoo.metrics.inception import LOGITS_BIAS

    for name, values in weights.arrays.items():
        if name != LOGITS_BIAS:
            model.get_layer(name).set_weights(values)
