"""Scores of generated images through a classifier trained on the real data.

For labelled datasets (the embedded digits, MNIST, CIFAR-10, class folders)
a small CNN trained on the real images judges samples the way FID judges
them through Inception, but with a network that knows this data:

- `accuracy`: share of samples classified as the class they were asked for
  (conditional models: the "conditional accuracy").
- `confidence`: mean top-class probability; real digits score near 1,
  noise and blurry mixtures far lower.
- `coverage`: share of classes that receive at least half their fair share
  of samples; 1.0 means no class is dropped (no mode collapse).
- `frechet`: Fréchet distance between the classifier's penultimate features
  of samples and of real images (FID's formula on a domain classifier).
"""

from __future__ import annotations

import numpy as np

import keras
from keras import layers


def build_classifier(image_shape, num_classes):
    """A small CNN: two conv blocks, a 128-unit feature layer, softmax."""
    inputs = keras.Input(image_shape)
    x = inputs
    for filters in (32, 64):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", dtype="float32")(x)
        if min(x.shape[1], x.shape[2]) >= 4:
            x = layers.MaxPooling2D(dtype="float32")(x)
    x = layers.Flatten(dtype="float32")(x)
    features = layers.Dense(128, activation="relu", dtype="float32", name="features")(x)
    x = layers.Dropout(0.3, dtype="float32")(features)
    outputs = layers.Dense(num_classes, activation="softmax", dtype="float32", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="classifier")


def train_classifier(images, labels, num_classes, epochs=15, batch_size=64, validation=0.0, verbose=0):
    """Trains `build_classifier` on real images.

    Args:
        images: float32 NHWC in [0, 1].
        labels: int class labels.
        num_classes: number of classes.
        epochs: training epochs.
        batch_size: batch size.
        validation: share of the data held out; its accuracy is stored in
            `classifier.validation_accuracy` (None when 0).
        verbose: Keras verbosity.

    Returns:
        The trained classifier.

    Example:

    ```python
    clf = train_classifier(x, y, 10)
    report = classifier_report(clf, model.generate(labels=y_wanted), requested_labels=y_wanted)
    ```
    """
    images = np.asarray(images, "float32")
    labels = np.asarray(labels, "int32")
    order = np.random.default_rng(0).permutation(len(images))
    images, labels = images[order], labels[order]
    held = int(len(images) * validation)
    classifier = build_classifier(images.shape[1:], num_classes)
    classifier.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                       metrics=["accuracy"])
    classifier.fit(images[held:], labels[held:], epochs=epochs, batch_size=batch_size, verbose=verbose)
    classifier.validation_accuracy = None
    if held:
        predicted = classifier.predict(images[:held], verbose=0).argmax(axis=1)
        classifier.validation_accuracy = float((predicted == labels[:held]).mean())
    return classifier


def features_and_probabilities(classifier, images):
    """`(features, class probabilities)` of `images` under a `train_classifier` classifier, float64;
    the features are its "features" layer's, those of the Frechet distance."""
    extractor = getattr(classifier, "_feature_extractor", None)
    if extractor is None:
        extractor = keras.Model(classifier.inputs[0], [classifier.get_layer("features").output, classifier.outputs[0]])
        classifier._feature_extractor = extractor
    features, probabilities = extractor(np.asarray(images, "float32"), training=False)
    # convert_to_numpy, not np.asarray: an eager PyTorch call returns tensors attached to autograd.
    return (keras.ops.convert_to_numpy(features).astype("float64"),
            keras.ops.convert_to_numpy(probabilities).astype("float64"))


def frechet_distance(features_a, features_b):
    """||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a^1/2 S_b S_a^1/2)^1/2), with
    symmetric eigendecompositions (no scipy needed)."""
    mu_a, mu_b = features_a.mean(0), features_b.mean(0)
    cov_a, cov_b = np.cov(features_a, rowvar=False), np.cov(features_b, rowvar=False)
    values, vectors = np.linalg.eigh(cov_a)
    root_a = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    middle = np.linalg.eigvalsh(root_a @ cov_b @ root_a)
    trace_root = np.sqrt(np.clip(middle, 0, None)).sum()
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) - 2.0 * trace_root)


def classifier_report(classifier, images, requested_labels=None, real_images=None):
    """Scores generated `images` with a classifier trained on real data.

    Args:
        classifier: from `train_classifier`.
        images: generated float32 NHWC images in [0, 1].
        requested_labels: the classes the images were generated for
            (conditional models); adds `accuracy`.
        real_images: real images; adds `frechet`.

    Returns:
        A dict with `confidence`, `coverage`, `class_entropy` and, when the
        inputs allow, `accuracy` and `frechet`.
    """
    features, probabilities = features_and_probabilities(classifier, images)
    num_classes = probabilities.shape[1]
    predicted = probabilities.argmax(axis=1)
    shares = np.bincount(predicted, minlength=num_classes) / len(predicted)
    nonzero = shares[shares > 0]
    report = {
        "confidence": float(probabilities.max(axis=1).mean()),
        "coverage": float((shares >= 0.5 / num_classes).mean()),
        "class_entropy": float(abs((nonzero * np.log(nonzero)).sum()) / np.log(num_classes)),
    }
    if requested_labels is not None:
        report["accuracy"] = float((predicted == np.asarray(requested_labels)).mean())
    if real_images is not None:
        real_features, _ = features_and_probabilities(classifier, real_images)
        report["frechet"] = frechet_distance(features, real_features)
    return report
