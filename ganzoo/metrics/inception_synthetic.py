"""A synthetic stand-in for `classify_image_graph_def.pb`, for offline tests.

`synthetic_graph_def` writes a TF1 `GraphDef` with the reference graph's op
types and node names (`ExpandDims` input, `ResizeBilinear` without
half-pixel centres, `Sub`/`Mul` scaling, `<name>/conv2d_params` +
`<name>/Conv2D` + `BatchNormWithGlobalNormalization` at `<name>/batchnorm`
+ `Relu`, `MaxPool`/`AvgPool`, `Concat` at `mixed_N/join`, `pool_3`,
`softmax/weights`, `softmax/biases`, `softmax/logits`, `softmax`) and
random weights. The converter fills the Keras port from it exactly as from
the real file, and `run_graph` runs it in a `tf.compat.v1.Session`: the
port can be checked against TF's own execution of the same ops.

The producer version is set to 5 (as in 2015), since
`BatchNormWithGlobalNormalization` is refused in graphs produced at
version 9 or later. Weights: He-normal kernels and batch-norm statistics
that keep activations near unit scale, so the features are not degenerate.
Scores through these weights are NOT FID; they only exercise the pipeline.
"""

from __future__ import annotations

import numpy as np

from ganzoo.metrics.inception import FEATURE_DIM, INPUT_SIZE, NUM_CLASSES, POOLS, build_layout


def _set_attr(attr, key, value):
    import tensorflow as tf

    if isinstance(value, bool):
        attr.b = value
    elif isinstance(value, float):
        attr.f = value
    elif isinstance(value, int) and key in ("N",):
        attr.i = value
    elif isinstance(value, bytes):
        attr.s = value
    elif isinstance(value, list):
        attr.list.i.extend(value)
    elif isinstance(value, tf.dtypes.DType):
        attr.type = value.as_datatype_enum
    else:
        attr.CopyFrom(value)


class _GraphWriter:
    """Appends the reference graph's nodes to a GraphDef, with random weights
    drawn from `rng` in node order. It keeps each output's channel count: a
    convolution's kernel shape needs its input's."""

    def __init__(self, rng, epsilon, scale_after_normalization):
        import tensorflow as tf

        self.tf = tf
        self.rng = rng
        self.epsilon = float(epsilon)
        self.scale_after_normalization = bool(scale_after_normalization)
        self.graph = tf.compat.v1.GraphDef()
        # BatchNormWithGlobalNormalization is refused in graphs produced at version 9 or later.
        self.graph.versions.producer = 5
        self.channels = {}

    def node(self, name, op, inputs=(), **attrs):
        n = self.graph.node.add()
        n.name, n.op = name, op
        n.input.extend(inputs)
        for key, value in attrs.items():
            _set_attr(n.attr[key], key, value)
        return name

    def const(self, name, array):
        array = np.asarray(array)
        n = self.graph.node.add()
        n.name, n.op = name, "Const"
        n.attr["dtype"].type = self.tf.as_dtype(array.dtype).as_datatype_enum
        n.attr["value"].tensor.CopyFrom(self.tf.make_tensor_proto(array))
        return name

    def conv(self, x, spec):
        tf, rng, g, f = self.tf, self.rng, spec["name"], spec["filters"]
        kh, kw = spec["kernel"]
        cin = self.channels[x]
        kernel = rng.normal(0, np.sqrt(2.0 / (kh * kw * cin)), (kh, kw, cin, f)).astype(np.float32)
        self.const(f"{g}/conv2d_params", kernel)
        s = spec["strides"]
        self.node(f"{g}/Conv2D", "Conv2D", [x, f"{g}/conv2d_params"], T=tf.float32, strides=[1, s, s, 1],
                  padding=spec["padding"].encode(), use_cudnn_on_gpu=True)
        self.const(f"{g}/batchnorm/moving_mean", rng.normal(0, 0.2, f).astype(np.float32))
        self.const(f"{g}/batchnorm/moving_variance", rng.uniform(0.5, 2.0, f).astype(np.float32))
        self.const(f"{g}/batchnorm/beta", rng.normal(0, 0.2, f).astype(np.float32))
        self.const(f"{g}/batchnorm/gamma", rng.uniform(0.5, 1.5, f).astype(np.float32))
        self.node(f"{g}/batchnorm", "BatchNormWithGlobalNormalization",
                  [f"{g}/Conv2D", f"{g}/batchnorm/moving_mean", f"{g}/batchnorm/moving_variance",
                   f"{g}/batchnorm/beta", f"{g}/batchnorm/gamma"], T=tf.float32, variance_epsilon=self.epsilon,
                  scale_after_normalization=self.scale_after_normalization)
        self.node(g, "Relu", [f"{g}/batchnorm"], T=tf.float32)
        self.channels[g] = f
        return g

    def pool(self, x, op, name, size, stride, padding):
        self.node(name, op, [x], T=self.tf.float32, ksize=[1, size, size, 1], strides=[1, stride, stride, 1],
                  padding=padding)
        self.channels[name] = self.channels[x]
        return name

    def concat(self, name, parts):
        self.const(f"{name}/concat_dim", np.int32(3))
        self.node(name, "Concat", [f"{name}/concat_dim"] + parts, N=len(parts), T=self.tf.float32)
        self.channels[name] = sum(self.channels[p] for p in parts)
        return name

    def apply(self, x, item):
        if isinstance(item, dict):
            return self.conv(x, item)
        kind, name = item[0], item[1]
        if kind == "split":
            return self.concat(name, [self.apply(x, spec) for spec in item[2]])
        if kind not in POOLS:
            raise ValueError(kind)
        op, size, stride, padding = POOLS[kind]
        return self.pool(x, op, name, size, stride, padding.encode())

    def input(self):
        """`ExpandDims` (the images), resized and scaled to [-1, 1] as `Mul`."""
        tf = self.tf
        placeholder = self.graph.node.add()
        placeholder.name, placeholder.op = "ExpandDims", "Placeholder"
        placeholder.attr["dtype"].type = tf.float32.as_datatype_enum
        self.const("ResizeBilinear/size", np.array([INPUT_SIZE, INPUT_SIZE], np.int32))
        self.node("ResizeBilinear", "ResizeBilinear", ["ExpandDims", "ResizeBilinear/size"], T=tf.float32,
                  align_corners=False)
        self.const("Sub/y", np.float32(128.0))
        self.node("Sub", "Sub", ["ResizeBilinear", "Sub/y"], T=tf.float32)
        self.const("Mul/y", np.float32(1.0 / 128.0))
        self.node("Mul", "Mul", ["Sub", "Mul/y"], T=tf.float32)
        self.channels["Mul"] = 3
        return "Mul"

    def head(self, x):
        """`pool_3` of the last block, then `softmax/logits` and `softmax`."""
        tf, rng = self.tf, self.rng
        self.pool(x, "AvgPool", "pool_3", 8, 1, b"VALID")
        self.const("pool_3/_reshape/shape", np.array([-1, FEATURE_DIM], np.int32))
        self.node("pool_3/_reshape", "Reshape", ["pool_3", "pool_3/_reshape/shape"], T=tf.float32, Tshape=tf.int32)
        self.const("softmax/weights",
                   rng.normal(0, 1.0 / np.sqrt(FEATURE_DIM), (FEATURE_DIM, NUM_CLASSES)).astype(np.float32))
        self.const("softmax/biases", rng.normal(0, 0.1, NUM_CLASSES).astype(np.float32))
        self.node("softmax/logits/MatMul", "MatMul", ["pool_3/_reshape", "softmax/weights"], T=tf.float32,
                  transpose_a=False, transpose_b=False)
        self.node("softmax/logits", "Add", ["softmax/logits/MatMul", "softmax/biases"], T=tf.float32)
        self.node("softmax", "Softmax", ["softmax/logits"], T=tf.float32)


def synthetic_graph_def(seed=0, epsilon=0.001, scale_after_normalization=False):
    """Returns the serialized synthetic GraphDef (bytes)."""
    writer = _GraphWriter(np.random.default_rng(seed), epsilon, scale_after_normalization)
    writer.head(build_layout(writer.input(), writer.apply, writer.concat))
    return writer.graph.SerializeToString()


def write_synthetic_graph(path, seed=0, **kwargs):
    """Writes `synthetic_graph_def(seed)` to `path`; returns the path."""
    data = synthetic_graph_def(seed, **kwargs)
    with open(path, "wb") as f:
        f.write(data)
    return path


def run_graph(graph_bytes, images, outputs=("pool_3:0", "softmax/logits:0", "softmax:0")):
    """Runs a reference-style graph in a `tf.compat.v1.Session`, feeding
    `images` (NHWC, values in [0, 255], any size) to `ExpandDims:0` as TTUR
    does; returns the requested tensors as NumPy arrays."""
    import tensorflow as tf

    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString(graph_bytes)
    with tf.Graph().as_default() as graph:
        tf.graph_util.import_graph_def(graph_def, name="")
        with tf.compat.v1.Session(graph=graph) as session:
            return session.run(list(outputs), {"ExpandDims:0": np.asarray(images, np.float32)})
