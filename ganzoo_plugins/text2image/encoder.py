"""The text encoder of text2image: a caption (a string) -> an embedding phi(t).

It runs in two parts (`EncoderParts`): the string part (the
TextVectorization layer: strings -> token ids) runs in the `tf.data`
pipeline, or before the step in `generate()`, and the network part (token
ids -> phi(t)) in the training step. Strings enter neither a jitted JAX step
nor a torch tensor; ids do, on every backend.

The default encoder is small and built from the training captions:

    string -> TextVectorization (lower case, no punctuation, words; the
              vocabulary of the training captions, out-of-vocabulary words ->
              one [UNK] id, at most `max_length` words, the rest cut off)
           -> word embeddings (word_dim)
           -> two 1-D convolutions over the words (kernel 3: sees word pairs
              such as "top left"), LeakyReLU 0.2
           -> mean and max over the words that are there (an empty caption
              gives zeros, never a division by zero)
           -> Dense(text_dim): phi(t).

Keras' default initialisers (not DCGAN's N(0, 0.02)), so that phi(t) starts
with unit-scale values rather than ~1e-5.

The vocabulary is a constructor argument (a list of words), so it travels in
the `.keras` file's config and in a run's `run.json`; `build_vocabulary`
computes it from captions with the same standardisation as the layer.
"""

from __future__ import annotations

import collections
import re

import keras
from keras import layers, ops

from ganzoo import backends


# Keras' TextVectorization "lower_and_strip_punctuation" removes these.
_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
#: Ids 0 and 1 of TextVectorization: padding and out-of-vocabulary.
RESERVED_TOKENS = ("", "[UNK]")


def standardize(text):
    """A caption as the default encoder reads it: lower case, no punctuation, words."""
    return _PUNCTUATION.sub("", str(text).lower()).split()


def build_vocabulary(captions, max_tokens=4000):
    """The vocabulary of a list of captions: words by falling frequency (ties
    alphabetical, so the same captions always give the same list), at most
    `max_tokens - 2` of them (ids 0 and 1 are padding and [UNK]).

    Args:
        captions: iterable of strings.
        max_tokens: size of the word-embedding table.

    Returns:
        A list of words.
    """
    counts = collections.Counter(word for caption in captions for word in standardize(caption))
    for reserved in RESERVED_TOKENS:
        counts.pop(reserved, None)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [word for word, _ in ordered[: max(0, int(max_tokens) - len(RESERVED_TOKENS))]]


@keras.saving.register_keras_serializable(package="ganzoo_text2image")
class MaskedPooling(layers.Layer):
    """Mean and max over the word axis of the positions whose id is not 0.

    Inputs `[features (batch, length, d), ids (batch, length)]`; output
    (batch, 2 d). A caption with no words (empty, or only punctuation) gives
    zeros."""

    def call(self, inputs):
        features, ids = inputs
        mask = ops.cast(ops.not_equal(ids, 0), features.dtype)[..., None]
        count = ops.sum(mask, axis=1)
        mean = ops.sum(features * mask, axis=1) / ops.maximum(count, 1.0)
        lowest = ops.cast(-1e4, features.dtype)
        maximum = ops.max(ops.where(mask > 0, features, lowest), axis=1)
        maximum = ops.where(count > 0, maximum, ops.zeros_like(maximum))
        return ops.concatenate([mean, maximum], axis=-1)

    def compute_output_shape(self, input_shape):
        features, _ = input_shape
        return (features[0], 2 * features[-1])


def build_text_encoder(vocabulary, max_tokens=4000, max_length=32, word_dim=64, filters=128, text_dim=256,
                       name="text_encoder"):
    """The default text encoder: strings (batch,) -> phi(t) (batch, text_dim).

    Args:
        vocabulary: list of words (see `build_vocabulary`), or None for a
            layer without one yet (`set_vocabulary` before use).
        max_tokens: size of the word-embedding table (vocabulary + 2).
        max_length: words read per caption; longer captions are cut.
        word_dim: size of the word embeddings.
        filters: filters of the two word convolutions.
        text_dim: size of phi(t).
    """
    text = keras.Input((), dtype="string", name="text")
    vectorizer = layers.TextVectorization(
        max_tokens=int(max_tokens), output_mode="int", output_sequence_length=int(max_length),
        standardize="lower_and_strip_punctuation", split="whitespace",
        vocabulary=list(vocabulary) if vocabulary else None, name="vocabulary")
    ids = vectorizer(text)
    x = layers.Embedding(int(max_tokens), word_dim, name="words")(ids)
    for i in range(2):
        x = layers.Conv1D(filters, 3, padding="same", name=f"conv_{i}")(x)
        x = layers.LeakyReLU(0.2)(x)
    pooled = MaskedPooling(name="pool")([x, ids])
    phi = layers.Dense(text_dim, name="phi")(pooled)
    return keras.Model(text, phi, name=name)


def vectorizer_of(encoder):
    """The TextVectorization layer of a default encoder, or None."""
    for layer in encoder.layers:
        if isinstance(layer, layers.TextVectorization):
            return layer
    return None


class EncoderParts:
    """A text encoder (strings -> phi) split at its TextVectorization layer:
    `tokenize` (strings -> token ids, any backend, inside `tf.data` too) and
    `network` (ids -> phi, a Keras model sharing the encoder's layers and
    weights).

    A plain object, not a Keras one, on purpose: the model keeps only the
    whole encoder among its layers, so a `.keras` file holds the encoder's
    weights once, where files saved before the split hold them.

    An encoder whose string input does not go straight into one
    TextVectorization layer cannot be split: `tokenize` then leaves the
    strings as they are and `network` is the whole encoder, which only
    TensorFlow can run inside a step (`splits` is False).
    """

    def __init__(self, encoder):
        self.encoder = encoder
        self.vectorizer = _input_vectorizer(encoder)
        self.splits = self.vectorizer is not None
        self.network = (keras.Model(self.vectorizer.output, encoder.output, name=f"{encoder.name}_of_tokens")
                        if self.splits else encoder)
        for layer in encoder._flatten_layers():
            if isinstance(layer, layers.TextVectorization):
                # Its lookup layer, called by TextVectorization.call without
                # __call__, never counts as built; Keras' JAX and PyTorch
                # trainers would then call the whole model symbolically
                # before the first step. It has no weights to build.
                for inner in layer._flatten_layers(include_self=False):
                    inner.built = True

    def tokenize(self, texts):
        """Token ids of a string batch (batch,): a backend tensor outside
        `tf.data`, a `tf.Tensor` inside a `Dataset.map`."""
        return self.vectorizer(texts) if self.splits else texts


def _input_vectorizer(encoder):
    """The TextVectorization layer that reads `encoder`'s string input, or None."""
    inputs = getattr(encoder, "inputs", None) or []
    if len(inputs) != 1 or "string" not in str(inputs[0].dtype):
        return None
    found = [layer for layer in encoder.layers if isinstance(layer, layers.TextVectorization)
             and layer.input is inputs[0]]
    return found[0] if len(found) == 1 else None


def build_image_encoder(image_shape, text_dim, filters=32, name="image_encoder"):
    """A small CNN images -> (batch, text_dim): the image side of the joint
    embedding used only to pre-train the text encoder."""
    images = keras.Input(image_shape, name="image")
    x = images
    for i in range(3):
        x = layers.Conv2D(filters * 2 ** i, 3, strides=2, padding="same", name=f"conv_{i}")(x)
        x = layers.LeakyReLU(0.2)(x)
    x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(images, layers.Dense(text_dim, name="embedding", dtype="float32")(x), name=name)


class JointEmbedding(backends.get().BuildsItsOwnState, keras.Model):
    """Pre-trains a text encoder with an image encoder on (image, caption)
    pairs, as Reed et al. pre-train theirs (a joint embedding), with the
    symmetric contrastive loss of CLIP in place of their structured hinge:
    in a batch, each caption must pick out its own image and each image its
    own caption (cosine similarity times `scale`).

    Only the text encoder is kept; `fit()` it on batches `(images, tokens)`
    with images in [0, 1] and the captions' token ids.

    Args:
        text_encoder: token ids (batch, ...) -> (batch, d) (`EncoderParts.network`).
        image_encoder: images -> (batch, d).
        scale: inverse temperature of the similarities.
    """

    def __init__(self, text_encoder, image_encoder, scale=10.0, **kwargs):
        super().__init__(**kwargs)
        self.text_encoder = text_encoder
        self.image_encoder = image_encoder
        self.scale = float(scale)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.accuracy_tracker = keras.metrics.Mean(name="accuracy")
        # Both encoders are built Keras models: nothing is left for Keras'
        # symbolic build, which would call this model (it has no `call`).
        self.built = True

    @property
    def metrics(self):
        return [self.loss_tracker, self.accuracy_tracker]

    def compile(self, *args, **kwargs):
        super().compile(*args, **kwargs)
        # The optimizer's state now, under the caller's strategy scope, not in
        # the first (replicated) step.
        self.optimizer.build(self.text_encoder.trainable_variables + self.image_encoder.trainable_variables)

    def similarities(self, images, tokens):
        t = ops.cast(self.text_encoder(tokens, training=True), "float32")
        i = ops.cast(self.image_encoder(images, training=True), "float32")
        t = t / ops.maximum(ops.norm(t, axis=-1, keepdims=True), 1e-6)
        i = i / ops.maximum(ops.norm(i, axis=-1, keepdims=True), 1e-6)
        return self.scale * ops.matmul(t, ops.transpose(i))

    def contrastive_loss(self, images, tokens):
        logits = self.similarities(images, tokens)
        labels = ops.arange(ops.shape(logits)[0])
        by_text = keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True)
        by_image = keras.losses.sparse_categorical_crossentropy(labels, ops.transpose(logits), from_logits=True)
        accuracy = ops.mean(ops.cast(ops.equal(ops.argmax(logits, axis=-1), labels), "float32"))
        return 0.5 * (ops.mean(by_text) + ops.mean(by_image)), accuracy

    def train_step(self, data):
        images, tokens, _ = keras.utils.unpack_x_y_sample_weight(data)
        images = ops.cast(images, "float32") * 2.0 - 1.0
        variables = self.text_encoder.trainable_variables + self.image_encoder.trainable_variables
        found = {}

        def loss_fn():
            loss, accuracy = self.contrastive_loss(images, tokens)
            found["accuracy"] = accuracy
            return loss

        loss = backends.get().minimize(loss_fn, variables, self.optimizer)
        self.loss_tracker.update_state(loss)
        self.accuracy_tracker.update_state(found["accuracy"])
        return {"loss": self.loss_tracker.result(), "accuracy": self.accuracy_tracker.result()}
