"""The metric networks give the same features on every backend: the Inception
port (FID, KID, IS, precision/recall) and the classifier of the classifier
metric, from the same weights and the same images, each backend in its own
process (the backend is fixed per process).

Both sides run the same float32 arithmetic through other convolution and
matrix kernels (oneDNN on TensorFlow and for PyTorch's convolutions, XLA on
JAX, other GEMMs), which sum in other orders; nothing else differs (no random
draw, no training: the classifier is trained once, on TensorFlow, and its
weights file read by the others). Measured, largest |a - b| over the largest
|a| (synthetic Inception weights, 2 digits and 2 noise images; classifier
trained 2 epochs on the digits, 256 digits):

    output                      PyTorch    JAX
    Inception pool_3            0          4.1e-7
    Inception logits            3.3e-7     7.1e-7
    classifier features         0          3.8e-7
    classifier probabilities    2.4e-7     4.8e-7

The tolerance, 1e-5 for each, is 14x the largest of these (float32's
epsilon is 1.2e-7; 94 convolutions deep); a real difference (a padding, a
pool, a layer out of order, weights in the wrong layer) moves features by far
more than 1e-3.

Cost: the synthetic graph (shared with the other metric tests) and three
processes that each import Keras, build the port and run it on four images:
6 min on the 2 build cores while other test runs shared them; hence slow.
"""

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

pytestmark = pytest.mark.slow

OTHERS = [name for name in ("torch", "jax") if importlib.util.find_spec(name) is not None]

#: Largest |a - b| allowed, relative to the largest |a|, per output.
TOLERANCES = {"pool_3": 1e-5, "logits": 1e-5, "features": 1e-5, "probabilities": 1e-5}

FEATURES = """
import os, sys, numpy as np, keras
from ganzoo.data.digits import load_embedded
from ganzoo.metrics.classifier import build_classifier, features_and_probabilities, train_classifier
from ganzoo.metrics.features import InceptionExtractor

weights, classifier_path, out = sys.argv[1:]
arrays, _ = load_embedded()
digits, labels = arrays["image"].astype("float32") / 16.0, arrays["label"]
noise = np.random.default_rng(0).uniform(0, 1, (2, 8, 8, 3)).astype("float32")
images = np.concatenate([np.repeat(digits[:2], 3, axis=-1), noise])
pool, logits = InceptionExtractor(weights, batch_size=4).batch(images)
if not os.path.exists(classifier_path):  # the first backend trains it: realistic weights, saved for the others
    keras.utils.set_random_seed(0)
    train_classifier(digits, labels, 10, epochs=2).save_weights(classifier_path)
classifier = build_classifier(digits.shape[1:], 10)
classifier.load_weights(classifier_path)
features, probabilities = features_and_probabilities(classifier, digits[:256])
np.savez(out, pool_3=pool, logits=logits, features=features, probabilities=probabilities)
"""


def features(backend, weights, classifier, out):
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, "-c", FEATURES, weights, classifier, out], env=env, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return np.load(out)


def relative_differences(reference, other):
    return {key: float(np.max(np.abs(other[key] - reference[key])) / np.max(np.abs(reference[key])))
            for key in TOLERANCES}


@pytest.mark.skipif(not OTHERS, reason="only TensorFlow is installed: nothing to compare it with")
def test_inception_and_classifier_features_are_the_same_on_every_backend(synthetic_pb, tmp_path):
    from ganzoo.metrics import inception_weights

    weights = inception_weights.from_file(synthetic_pb)  # converted once, cached as .npz
    (cache,) = [os.path.join(inception_weights.models_dir(), name)
                for name in os.listdir(inception_weights.models_dir()) if name.endswith(".npz")]
    classifier = str(tmp_path / "classifier.weights.h5")
    reference = features("tensorflow", cache, classifier, str(tmp_path / "tensorflow.npz"))
    assert reference["pool_3"].shape == (4, 2048) and reference["features"].shape == (256, 128)
    assert reference["pool_3"].std(0).mean() > 1e-3 and reference["features"].std(0).mean() > 1e-3  # not degenerate
    assert weights.reference is False
    for backend in OTHERS:
        other = features(backend, cache, classifier, str(tmp_path / f"{backend}.npz"))
        differences = relative_differences(reference, other)
        print(backend, differences)
        assert all(differences[key] <= TOLERANCES[key] for key in TOLERANCES), (backend, differences)
