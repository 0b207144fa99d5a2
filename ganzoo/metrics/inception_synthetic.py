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

from ganzoo.metrics.inception import BLOCKS, FEATURE_DIM, INPUT_SIZE, NUM_CLASSES, STEM


def synthetic_graph_def(seed=0, epsilon=0.001, scale_after_normalization=False):
    """Returns the serialized synthetic GraphDef (bytes)."""
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    graph = tf.compat.v1.GraphDef()
    graph.versions.producer = 5
    float_type = tf.float32.as_datatype_enum

    def node(name, op, inputs=(), **attrs):
        n = graph.node.add()
        n.name, n.op = name, op
        n.input.extend(inputs)
        for key, value in attrs.items():
            attr = n.attr[key]
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
        return name

    def const(name, array):
        array = np.asarray(array)
        n = graph.node.add()
        n.name, n.op = name, "Const"
        n.attr["dtype"].type = tf.as_dtype(array.dtype).as_datatype_enum
        n.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(array))
        return name

    channels = {"x": 3}

    def conv(x, spec):
        g = spec["name"]
        kh, kw = spec["kernel"]
        cin = channels[x]
        kernel = rng.normal(0, np.sqrt(2.0 / (kh * kw * cin)), (kh, kw, cin, spec["filters"])).astype(np.float32)
        const(f"{g}/conv2d_params", kernel)
        s = spec["strides"]
        node(f"{g}/Conv2D", "Conv2D", [x, f"{g}/conv2d_params"], T=tf.float32, strides=[1, s, s, 1],
             padding=spec["padding"].encode(), use_cudnn_on_gpu=True)
        f = spec["filters"]
        const(f"{g}/batchnorm/moving_mean", rng.normal(0, 0.2, f).astype(np.float32))
        const(f"{g}/batchnorm/moving_variance", rng.uniform(0.5, 2.0, f).astype(np.float32))
        const(f"{g}/batchnorm/beta", rng.normal(0, 0.2, f).astype(np.float32))
        const(f"{g}/batchnorm/gamma", rng.uniform(0.5, 1.5, f).astype(np.float32))
        node(f"{g}/batchnorm", "BatchNormWithGlobalNormalization",
             [f"{g}/Conv2D", f"{g}/batchnorm/moving_mean", f"{g}/batchnorm/moving_variance",
              f"{g}/batchnorm/beta", f"{g}/batchnorm/gamma"],
             T=tf.float32, variance_epsilon=float(epsilon), scale_after_normalization=bool(scale_after_normalization))
        node(g, "Relu", [f"{g}/batchnorm"], T=tf.float32)
        channels[g] = f
        return g

    def pool(x, op, name, size, stride, padding):
        node(name, op, [x], T=tf.float32, ksize=[1, size, size, 1], strides=[1, stride, stride, 1],
             padding=padding)
        channels[name] = channels[x]
        return name

    def concat(name, parts):
        const(f"{name}/concat_dim", np.int32(3))
        node(name, "Concat", [f"{name}/concat_dim"] + parts, N=len(parts), T=tf.float32)
        channels[name] = sum(channels[p] for p in parts)
        return name

    def apply(x, item):
        if isinstance(item, dict):
            return conv(x, item)
        kind, name = item[0], item[1]
        if kind == "max_valid":
            return pool(x, "MaxPool", name, 3, 2, b"VALID")
        if kind == "max":
            return pool(x, "MaxPool", name, 3, 1, b"SAME")
        if kind == "avg":
            return pool(x, "AvgPool", name, 3, 1, b"SAME")
        if kind == "split":
            return concat(name, [apply(x, spec) for spec in item[2]])
        raise ValueError(kind)

    placeholder = graph.node.add()
    placeholder.name, placeholder.op = "ExpandDims", "Placeholder"
    placeholder.attr["dtype"].type = float_type
    const("ResizeBilinear/size", np.array([INPUT_SIZE, INPUT_SIZE], np.int32))
    node("ResizeBilinear", "ResizeBilinear", ["ExpandDims", "ResizeBilinear/size"], T=tf.float32,
         align_corners=False)
    const("Sub/y", np.float32(128.0))
    node("Sub", "Sub", ["ResizeBilinear", "Sub/y"], T=tf.float32)
    const("Mul/y", np.float32(1.0 / 128.0))
    node("Mul", "Mul", ["Sub", "Mul/y"], T=tf.float32)
    channels["Mul"] = 3
    x = "Mul"
    for item in STEM:
        x = apply(x, item)
    for block in BLOCKS:
        outputs = []
        for branch in block["branches"]:
            y = x
            for item in branch:
                y = apply(y, item)
            outputs.append(y)
        x = concat(f"{block['name']}/join", outputs)
    pool(x, "AvgPool", "pool_3", 8, 1, b"VALID")
    const("pool_3/_reshape/shape", np.array([-1, FEATURE_DIM], np.int32))
    node("pool_3/_reshape", "Reshape", ["pool_3", "pool_3/_reshape/shape"], T=tf.float32, Tshape=tf.int32)
    const("softmax/weights", rng.normal(0, 1.0 / np.sqrt(FEATURE_DIM), (FEATURE_DIM, NUM_CLASSES)).astype(np.float32))
    const("softmax/biases", rng.normal(0, 0.1, NUM_CLASSES).astype(np.float32))
    node("softmax/logits/MatMul", "MatMul", ["pool_3/_reshape", "softmax/weights"], T=tf.float32,
         transpose_a=False, transpose_b=False)
    node("softmax/logits", "Add", ["softmax/logits/MatMul", "softmax/biases"], T=tf.float32)
    node("softmax", "Softmax", ["softmax/logits"], T=tf.float32)
    return graph.SerializeToString()


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
