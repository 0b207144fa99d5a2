"""The networks of the conditional GAN.

Both players see the class label y (Mirza & Osindero 2014):

- "mlp": the paper's multilayer perceptrons. G gets [z, e(y)], D gets
  [flatten(x), e(y)], where e(y) is the one-hot vector or a learned embedding.
- "conv": DCGAN-style networks (Radford et al. 2016). G gets [z, e(y)] before
  its projection to the first feature map; D gets e(y) as label maps (e(y)
  repeated over every pixel) concatenated to the image channels.

With a projection discriminator (Miyato & Koyama 2018) the label does not enter
D's input; D's features phi(x) score the image as
    D(x, y) = psi(phi(x)) + <embed(y), phi(x)>.

Every network takes `[inputs, labels]` with int32 labels of shape (batch,);
outputs are float32 (tanh images in [-1, 1], or one logit) under any policy.
"""

import math

import keras
from keras import layers, ops

from ganzoo.errors import GanzooError
from ganzoo.layers.dcgan_blocks import downsampling_stack, resolution_plan, upsampling_stack
from ganzoo.layers import normal_init as weight_init
from ganzoo.layers import batch_normalization

ARCHITECTURES = ("mlp", "conv")
DISCRIMINATORS = ("concat", "projection")
LABEL_ENCODINGS = ("one_hot", "embedding")


class OneHot(layers.Layer):
    """Integer labels (batch,) -> one-hot vectors (batch, num_classes).

    Rows of the identity matrix are gathered rather than `ops.one_hot`
    computed, so that a label outside 0 .. num_classes - 1 fails (on CPU) as
    an out-of-range index, the way an `Embedding` lookup does, instead of
    silently becoming a zero vector."""

    def __init__(self, num_classes, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = int(num_classes)

    def call(self, labels):
        return ops.take(ops.eye(self.num_classes, dtype=self.compute_dtype), ops.cast(labels, "int32"), axis=0)

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.num_classes)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}


def encode_label(labels, num_classes, encoding, embedding_dim, name):
    """e(y): the one-hot vector of y, or a learned embedding of size `embedding_dim`."""
    if encoding == "one_hot":
        return OneHot(num_classes, name=name)(labels)
    if encoding == "embedding":
        return layers.Embedding(num_classes, embedding_dim, embeddings_initializer=weight_init(), name=name)(labels)
    raise GanzooError(f"label_encoding must be one of {', '.join(LABEL_ENCODINGS)}; got {encoding!r}")


def label_maps(code, height, width, name="label_maps"):
    """(batch, k) -> (batch, height, width, k): the code repeated at every pixel."""
    k = code.shape[-1]
    maps = layers.Reshape((1, 1, k), name=f"{name}_reshape")(code)
    return layers.UpSampling2D((height, width), name=name)(maps)


def projection_head(features, labels, num_classes, name="logit"):
    """Miyato & Koyama's output: psi(phi(x)) + <embed(y), phi(x)>, in float32."""
    psi = layers.Dense(1, kernel_initializer=weight_init(), name="psi")(features)
    embedded = layers.Embedding(num_classes, features.shape[-1], embeddings_initializer=weight_init(),
                                name="class_embedding")(labels)
    projection = layers.Dot(axes=1, name="projection")([embedded, features])
    return layers.Add(dtype="float32", name=name)([psi, projection])


# --------------------------------------------------------------------------- conv
def check_conv_shape(image_shape):
    height, width, _ = image_shape
    if height != width or resolution_plan(height) is None:
        raise GanzooError(
            "the conv cGAN needs square images of 4 or 7 times a power of two (16, 28, 32, 64, 128, ...); "
            f"got {height}x{width}; use architecture='mlp' or another image size"
        )
    return resolution_plan(height)


def build_conv_generator(image_shape, latent_dim, num_classes, filters, label_encoding, embedding_dim,
                         name="generator"):
    """[z, e(y)] -> project to start x start -> stride-2 transposed convolutions
    (BatchNorm, ReLU) that double the resolution and halve the filters -> tanh."""
    start, stages = check_conv_shape(image_shape)
    z = keras.Input((latent_dim,), name="z")
    labels = keras.Input((), dtype="int32", name="label")
    x = layers.Concatenate(name="z_and_label")([z, encode_label(labels, num_classes, label_encoding, embedding_dim,
                                                                 "label_code")])
    images = upsampling_stack(x, start, stages, filters, image_shape[-1])
    return keras.Model([z, labels], images, name=name)


def build_conv_discriminator(image_shape, num_classes, filters, kind, label_encoding, embedding_dim,
                             name="discriminator"):
    """[x, y] -> (label maps concatenated to the channels, for "concat") ->
    stride-2 convolutions (LeakyReLU 0.2, BatchNorm after the first) -> phi(x)
    flattened -> one logit (a dense layer, or the projection head)."""
    _, stages = check_conv_shape(image_shape)
    height, width, _ = image_shape
    images = keras.Input(image_shape, name="image")
    labels = keras.Input((), dtype="int32", name="label")
    x = images
    if kind == "concat":
        code = encode_label(labels, num_classes, label_encoding, embedding_dim, "label_code")
        x = layers.Concatenate(axis=-1, name="image_and_label_maps")([images, label_maps(code, height, width)])
    features = layers.Flatten(name="phi")(downsampling_stack(x, stages, filters))
    logit = _head(features, labels, num_classes, kind)
    return keras.Model([images, labels], logit, name=name)


# --------------------------------------------------------------------------- mlp
def build_mlp_generator(image_shape, latent_dim, num_classes, hidden_units, hidden_layers, label_encoding,
                        embedding_dim, name="generator"):
    """[z, e(y)] -> hidden layers (Dense, BatchNorm, ReLU) -> tanh pixels."""
    z = keras.Input((latent_dim,), name="z")
    labels = keras.Input((), dtype="int32", name="label")
    x = layers.Concatenate(name="z_and_label")([z, encode_label(labels, num_classes, label_encoding, embedding_dim,
                                                                 "label_code")])
    for i in range(hidden_layers):
        x = layers.Dense(hidden_units, name=f"hidden_{i}")(x)
        x = batch_normalization(name=f"norm_{i}")(x)
        x = layers.ReLU()(x)
    x = layers.Dense(math.prod(image_shape), name="pixels")(x)
    x = layers.Activation("tanh", dtype="float32", name="tanh")(x)
    images = layers.Reshape(image_shape, name="image")(x)
    return keras.Model([z, labels], images, name=name)


def build_mlp_discriminator(image_shape, num_classes, hidden_units, hidden_layers, dropout, kind, label_encoding,
                            embedding_dim, name="discriminator"):
    """[flatten(x), e(y)] (or flatten(x) alone for "projection") -> hidden layers
    (Dense, LeakyReLU 0.2, dropout) -> phi(x) -> one logit."""
    images = keras.Input(image_shape, name="image")
    labels = keras.Input((), dtype="int32", name="label")
    x = layers.Flatten()(images)
    if kind == "concat":
        code = encode_label(labels, num_classes, label_encoding, embedding_dim, "label_code")
        x = layers.Concatenate(name="image_and_label")([x, code])
    for i in range(hidden_layers):
        x = layers.Dense(hidden_units, name=f"hidden_{i}")(x)
        x = layers.LeakyReLU(0.2)(x)
        if dropout:
            x = layers.Dropout(dropout)(x)
    logit = _head(x, labels, num_classes, kind)
    return keras.Model([images, labels], logit, name=name)


def _head(features, labels, num_classes, kind):
    if kind == "projection":
        return projection_head(features, labels, num_classes)
    if kind == "concat":
        return layers.Dense(1, kernel_initializer=weight_init(), dtype="float32", name="logit")(features)
    raise GanzooError(f"discriminator must be one of {', '.join(DISCRIMINATORS)}; got {kind!r}")
