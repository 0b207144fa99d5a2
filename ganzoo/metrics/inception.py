"""A Keras 3 port of the 2015-12-05 TensorFlow Inception graph used by FID.

FID, KID and the Inception Score are defined on `classify_image_graph_def.pb`
from `inception-2015-12-05.tgz` (TTUR, pytorch-fid, torch-fidelity,
clean-fid and StyleGAN2-ADA all use it). It is an Inception-v3 with 1008
output classes and, unlike `keras.applications.InceptionV3`, a max-pool
(not an average pool) in the pool branch of the last block (`mixed_10`);
its weights are its own. Scores through any other network are not FID.

`SPEC` lists the graph's convolutions by their names in the graph; the
port, the converter (`ganzoo.metrics.inception_weights`) and the synthetic
test graph (`ganzoo.metrics.inception_synthetic`) are all built from it.
Every convolution is followed by `BatchNormWithGlobalNormalization` and a
ReLU in the graph; the port folds the batch norm into the convolution
(kernel times `gamma / sqrt(var + eps)`, bias `beta - mean x that`).

Input: 299x299x3 images with values in [0, 255] (the graph then computes
`(x - 128) / 128`). Outputs: `pool_3` (2048-d, the FID/KID features) and
the 1008 logits `pool_3 @ softmax/weights` *without* the bias, which is
what the Inception Score reference code (Salimans et al.'s `inception_score`
and torch-fidelity's `logits_unbiased`) applies its softmax to.
"""

from __future__ import annotations

FEATURE_DIM = 2048
NUM_CLASSES = 1008
INPUT_SIZE = 299


def _conv(name, filters, kernel, strides=1, padding="SAME"):
    kernel = (kernel, kernel) if isinstance(kernel, int) else tuple(kernel)
    return {"name": name, "filters": filters, "kernel": kernel, "strides": strides, "padding": padding}


def _block_a(p, pool_filters):
    return {"name": p, "kind": "a", "branches": [
        [_conv(f"{p}/conv", 64, 1)],
        [_conv(f"{p}/tower/conv", 48, 1), _conv(f"{p}/tower/conv_1", 64, 5)],
        [_conv(f"{p}/tower_1/conv", 64, 1), _conv(f"{p}/tower_1/conv_1", 96, 3), _conv(f"{p}/tower_1/conv_2", 96, 3)],
        [("avg", f"{p}/tower_2/pool"), _conv(f"{p}/tower_2/conv", pool_filters, 1)],
    ]}


def _block_b(p):
    return {"name": p, "kind": "b", "branches": [
        [_conv(f"{p}/conv", 384, 3, 2, "VALID")],
        [_conv(f"{p}/tower/conv", 64, 1), _conv(f"{p}/tower/conv_1", 96, 3),
         _conv(f"{p}/tower/conv_2", 96, 3, 2, "VALID")],
        [("max_valid", f"{p}/pool")],
    ]}


def _block_c(p, c7):
    return {"name": p, "kind": "c", "branches": [
        [_conv(f"{p}/conv", 192, 1)],
        [_conv(f"{p}/tower/conv", c7, 1), _conv(f"{p}/tower/conv_1", c7, (1, 7)),
         _conv(f"{p}/tower/conv_2", 192, (7, 1))],
        [_conv(f"{p}/tower_1/conv", c7, 1), _conv(f"{p}/tower_1/conv_1", c7, (7, 1)),
         _conv(f"{p}/tower_1/conv_2", c7, (1, 7)), _conv(f"{p}/tower_1/conv_3", c7, (7, 1)),
         _conv(f"{p}/tower_1/conv_4", 192, (1, 7))],
        [("avg", f"{p}/tower_2/pool"), _conv(f"{p}/tower_2/conv", 192, 1)],
    ]}


def _block_d(p):
    return {"name": p, "kind": "d", "branches": [
        [_conv(f"{p}/tower/conv", 192, 1), _conv(f"{p}/tower/conv_1", 320, 3, 2, "VALID")],
        [_conv(f"{p}/tower_1/conv", 192, 1), _conv(f"{p}/tower_1/conv_1", 192, (1, 7)),
         _conv(f"{p}/tower_1/conv_2", 192, (7, 1)), _conv(f"{p}/tower_1/conv_3", 192, 3, 2, "VALID")],
        [("max_valid", f"{p}/pool")],
    ]}


def _block_e(p, pool):
    # Branches 2 and 3 end in a split: a 1x3 and a 3x1 convolution of the same
    # input, concatenated ("tower/mixed"). The pool branch is an average pool
    # in mixed_9 and a MAX pool in mixed_10 (the reference graph's quirk).
    return {"name": p, "kind": "e", "branches": [
        [_conv(f"{p}/conv", 320, 1)],
        [_conv(f"{p}/tower/conv", 384, 1),
         ("split", f"{p}/tower/mixed", [_conv(f"{p}/tower/mixed/conv", 384, (1, 3)),
                                        _conv(f"{p}/tower/mixed/conv_1", 384, (3, 1))])],
        [_conv(f"{p}/tower_1/conv", 448, 1), _conv(f"{p}/tower_1/conv_1", 384, 3),
         ("split", f"{p}/tower_1/mixed", [_conv(f"{p}/tower_1/mixed/conv", 384, (1, 3)),
                                          _conv(f"{p}/tower_1/mixed/conv_1", 384, (3, 1))])],
        [(pool, f"{p}/tower_2/pool"), _conv(f"{p}/tower_2/conv", 192, 1)],
    ]}


STEM = [
    _conv("conv", 32, 3, 2, "VALID"),
    _conv("conv_1", 32, 3, 1, "VALID"),
    _conv("conv_2", 64, 3, 1, "SAME"),
    ("max_valid", "pool"),
    _conv("conv_3", 80, 1, 1, "VALID"),
    _conv("conv_4", 192, 3, 1, "VALID"),
    ("max_valid", "pool_1"),
]

BLOCKS = [
    _block_a("mixed", 32), _block_a("mixed_1", 64), _block_a("mixed_2", 64),
    _block_b("mixed_3"),
    _block_c("mixed_4", 128), _block_c("mixed_5", 160), _block_c("mixed_6", 160), _block_c("mixed_7", 192),
    _block_d("mixed_8"),
    _block_e("mixed_9", "avg"), _block_e("mixed_10", "max"),
]


#: Each pool kind of the layout: (TF op, window, stride, padding).
POOLS = {"max_valid": ("MaxPool", 3, 2, "VALID"), "max": ("MaxPool", 3, 1, "SAME"), "avg": ("AvgPool", 3, 1, "SAME")}


def build_layout(x, apply, join):
    """Builds the stem and the mixed blocks on `x`, for the Keras port and
    the synthetic graph alike: `apply(x, item)` builds one item (a
    convolution spec, a pool or a split) and returns its output;
    `join(name, outputs)` concatenates a block's branches as `<block>/join`.
    Returns the last block's output."""
    for item in STEM:
        x = apply(x, item)
    for block in BLOCKS:
        outputs = []
        for branch in block["branches"]:
            y = x
            for item in branch:
                y = apply(y, item)
            outputs.append(y)
        x = join(f"{block['name']}/join", outputs)
    return x


def convolutions():
    """Every convolution of the graph, in order, as spec dicts."""
    found = []

    def walk(items):
        for item in items:
            if isinstance(item, dict):
                found.append(item)
            elif item[0] == "split":
                walk(item[2])

    walk(STEM)
    for block in BLOCKS:
        for branch in block["branches"]:
            walk(branch)
    return found


#: What stands for the graph's '/' in the port's layer names. Keras refuses
#: '/' in a layer name, and PyTorch refuses '.' in the parameter names Keras
#: derives from it on that backend; the graph's names hold no '__'.
SEPARATOR = "__"

#: The separator of converted caches written before PyTorch ran the port
#: (`mixed_9.tower.conv`); `current_name` maps their names at load time.
OLD_SEPARATOR = "."


def layer_name(graph_name):
    """The port's layer of a graph node: `mixed_9/tower/conv` -> `mixed_9__tower__conv`."""
    return graph_name.replace("/", SEPARATOR)


def current_name(saved_name):
    """A layer name as any converted cache holds it, today's (`mixed_9__tower__conv`) or an
    older one's (`mixed_9.tower.conv`), as the port names that layer now."""
    return saved_name.replace(OLD_SEPARATOR, SEPARATOR)


#: The key of the logits' bias in converted weights (the port leaves it out; see the module docstring).
LOGITS_BIAS = layer_name("softmax/biases")


def build_inception(dtype=None):
    """The port, with untrained weights (fill it with
    `ganzoo.metrics.inception_weights.load_inception`).

    Args:
        dtype: a Keras dtype policy name for the layers ("float32",
            "mixed_bfloat16"); the global policy if None. Outputs are float32.

    Returns:
        A `keras.Model` from `(None, 299, 299, 3)` images in [0, 255] to
        `{"pool_3": (None, 2048), "logits": (None, 1008)}`.
    """
    import keras
    from keras import layers

    def conv(x, spec):
        x = layers.Conv2D(spec["filters"], spec["kernel"], strides=spec["strides"], padding=spec["padding"].lower(),
                          use_bias=True, dtype=dtype, name=layer_name(spec["name"]))(x)
        return layers.ReLU(dtype=dtype, name=layer_name(spec["name"] + "/relu"))(x)

    def apply(x, item):
        if isinstance(item, dict):
            return conv(x, item)
        kind, name = item[0], item[1]
        if kind == "split":
            return join(name, [apply(x, spec) for spec in item[2]])
        if kind not in POOLS:
            raise ValueError(kind)
        # TF's SAME average pool leaves the padding out of the count, as Keras' does.
        op, size, stride, padding = POOLS[kind]
        pool = layers.MaxPooling2D if op == "MaxPool" else layers.AveragePooling2D
        return pool(size, stride, padding=padding.lower(), dtype=dtype, name=layer_name(name))(x)

    def join(name, parts):
        return layers.Concatenate(dtype=dtype, name=layer_name(name))(parts)

    inputs = keras.Input((INPUT_SIZE, INPUT_SIZE, 3), name="images")
    x = layers.Rescaling(1.0 / 128.0, offset=-1.0, dtype=dtype, name="scale")(inputs)
    x = build_layout(x, apply, join)
    x = layers.AveragePooling2D(8, padding="valid", dtype=dtype, name="pool_3")(x)
    pool = layers.Flatten(dtype="float32", name=layer_name("pool_3/flat"))(layers.Activation("linear", dtype="float32")(x))
    logits = layers.Dense(NUM_CLASSES, use_bias=False, dtype=dtype, name=layer_name("softmax/logits"))(pool)
    logits = layers.Activation("linear", dtype="float32", name="logits")(logits)
    return keras.Model(inputs, {"pool_3": pool, "logits": logits}, name="inception_2015_12_05")
