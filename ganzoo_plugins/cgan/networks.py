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

ARCHITECTURES = ("mlp", "conv")
DISCRIMINATORS = ("concat", "projection")
LABEL_ENCODINGS = ("one_hot", "embedding")


def weight_init():
    """DCGAN's N(0, 0.02) initialisation."""
    return keras.initializers.RandomNormal(0.0, 0.02)


def gamma_init():
    return keras.initializers.RandomNormal(1.0, 0.02)


class OneHot(layers.Layer):
    """Integer labels (batch,) -> one-hot vectors (batch, num_classes)."""

    def __init__(self, num_classes, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = int(num_classes)

    def call(self, labels):
        return ops.one_hot(ops.cast(labels, "int32"), self.num_classes, dtype=self.compute_dtype)

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
def resolution_plan(size):
    """Start resolution and number of stride-2 stages for a conv image size:
    16 = 4 x 2^2, 28 = 7 x 2^2, 32 = 4 x 2^3, 64 = 4 x 2^4, ... (None if none)."""
    for start in (4, 7):
        stages, s = 0, size
        while s > start and s % 2 == 0:
            s //= 2
            stages += 1
        if s == start and stages >= 1:
            return start, stages
    return None


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
    channels = image_shape[-1]
    top = filters * 2 ** (stages - 1)
    z = keras.Input((latent_dim,), name="z")
    labels = keras.Input((), dtype="int32", name="label")
    x = layers.Concatenate(name="z_and_label")([z, encode_label(labels, num_classes, label_encoding, embedding_dim,
                                                                 "label_code")])
    x = layers.Dense(start * start * top, use_bias=False, kernel_initializer=weight_init(), name="project")(x)
    x = layers.Reshape((start, start, top))(x)
    x = layers.BatchNormalization(gamma_initializer=gamma_init())(x)
    x = layers.ReLU()(x)
    for i in range(stages - 1):
        x = layers.Conv2DTranspose(top // 2 ** (i + 1), 4, strides=2, padding="same", use_bias=False,
                                   kernel_initializer=weight_init(), name=f"up_{i}")(x)
        x = layers.BatchNormalization(gamma_initializer=gamma_init())(x)
        x = layers.ReLU()(x)
    x = layers.Conv2DTranspose(channels, 4, strides=2, padding="same", kernel_initializer=weight_init(),
                               name="to_image")(x)
    images = layers.Activation("tanh", dtype="float32", name="tanh")(x)
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
    for i in range(stages):
        x = layers.Conv2D(filters * 2 ** i, 4, strides=2, padding="same", use_bias=i == 0,
                          kernel_initializer=weight_init(), name=f"down_{i}")(x)
        if i > 0:
            x = layers.BatchNormalization(gamma_initializer=gamma_init())(x)
        x = layers.LeakyReLU(0.2)(x)
    features = layers.Flatten(name="phi")(x)
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
        x = layers.BatchNormalization(name=f"norm_{i}")(x)
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
