"""Learning happens: the vanilla GAN of Goodfellow et al. on the embedded
digits, judged by a classifier trained on the real digits."""

import numpy as np
import pytest

import ganzoo
from ganzoo.metrics.classifier import classifier_report, train_classifier

pytestmark = pytest.mark.slow  # a learning/training test: deselect with -m "not slow"

STEPS = 2000  # about 4 s on 2 CPU cores


def test_vanilla_gan_learns_digits():
    import keras

    real = ganzoo.data.load("digits", task="conditional", image_shape=(8, 8, 1), batch_size=2000,
                            shuffle=False, drop_remainder=False)
    images, labels = (np.asarray(t) for t in next(iter(real)))
    classifier = train_classifier(images, labels, 10, validation=0.2)
    assert classifier.validation_accuracy > 0.9  # the judge itself reads real digits

    keras.utils.set_random_seed(0)
    # The default average (ema 0.999, a ~1,000-step horizon) would still hold 13% of the untrained
    # generator after these 2,000 steps; 0.99 keeps the same averaging, scaled to this short run.
    model = ganzoo.create("vanilla", image_shape=(8, 8, 1), seed=0, ema=0.99)
    model.compile()
    untrained = classifier_report(classifier, model.generate(500, seed=1), real_images=images)
    noise = classifier_report(classifier, np.random.default_rng(0).random((500, 8, 8, 1), dtype=np.float32),
                              real_images=images)

    data = ganzoo.data.load("digits", model, batch_size=64, seed=0, repeat=True)
    history = model.fit(data, steps_per_epoch=STEPS, epochs=1, verbose=0, shuffle=False)
    trained = classifier_report(classifier, model.generate(500, seed=1), real_images=images)

    assert np.isfinite(history.history["d_loss"][0]) and np.isfinite(history.history["g_loss"][0])
    # Samples are read as digits with far more confidence than noise or the untrained forger...
    assert trained["confidence"] > max(untrained["confidence"], noise["confidence"]) + 0.12, (trained, untrained, noise)
    # ...at least 8 of the 10 digit classes appear in 500 samples (no collapse onto a few modes;
    # runs on this CPU are not bit-reproducible, and 0.8 and 1.0 were both seen)...
    assert trained["coverage"] >= 0.8, trained
    # ...and their features lie close to the real digits' (measured about 5 vs 34 and 46).
    assert trained["frechet"] < 0.35 * min(untrained["frechet"], noise["frechet"]), (trained, untrained, noise)
