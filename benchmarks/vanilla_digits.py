"""Digit quality of vanilla GAN runs, with a distance ratio to the real digits.

Scores runs trained on the embedded digits under one classifier trained on
80% of the real digits (ganzoo.metrics.classifier, seeded, cached in
--cache so that runs are compared under the same judge), and adds a nearest-
neighbour figure that the classifier's confidence alone misses (a speckled
"3" can still be read as a confident 3):

- `distance_ratio`: mean distance of each sample to its nearest real digit
  (of the classifier's 80%), divided by the same mean for the held-out 20%
  of real digits; 1.0 means samples lie as close to the data as unseen real
  digits do, above 1 they lie farther (speckle, blur, broken strokes).
  Computed on the classifier's 128-d features (`distance_ratio`) and on the
  pixels (`pixel_distance_ratio`).

    python benchmarks/vanilla_digits.py runs/vanilla [more runs] [--n 1000]
"""

import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

import ganzoo  # noqa: E402
from ganzoo.metrics.classifier import classifier_report, features_and_probabilities, train_classifier  # noqa: E402
from ganzoo.training.run_files import load_run_model  # noqa: E402


def real_digits(image_shape):
    real = ganzoo.data.load("digits", task="conditional", image_shape=image_shape, batch_size=2000,
                            shuffle=False, drop_remainder=False)
    images, labels = (np.asarray(t) for t in next(iter(real)))
    # train_classifier's own split: the first 20% of this order are held out.
    order = np.random.default_rng(0).permutation(len(images))
    return images, labels, order[: int(len(images) * 0.2)], order[int(len(images) * 0.2):]


def judge(images, labels, cache):
    import keras

    keras.utils.set_random_seed(0)
    if cache and os.path.exists(cache):
        from ganzoo.metrics.classifier import build_classifier

        classifier = build_classifier(images.shape[1:], 10)
        classifier.load_weights(cache)
        return classifier
    classifier = train_classifier(images, labels, 10, validation=0.2)
    print(f"classifier accuracy on held-out real digits: {classifier.validation_accuracy:.3f}")
    if cache:
        classifier.save_weights(cache)
    return classifier


def nearest(queries, references):
    """Euclidean distance of each query to its nearest reference."""
    q = np.asarray(queries, "float64").reshape(len(queries), -1)
    r = np.asarray(references, "float64").reshape(len(references), -1)
    squared = (q ** 2).sum(1)[:, None] + (r ** 2).sum(1)[None, :] - 2.0 * q @ r.T
    return np.sqrt(np.clip(squared.min(axis=1), 0, None))


def score(classifier, samples, images, held, train):
    report = classifier_report(classifier, samples, real_images=images[train])
    features, _ = features_and_probabilities(classifier, samples)
    real_features, _ = features_and_probabilities(classifier, images)
    floor = nearest(real_features[held], real_features[train]).mean()
    report["distance_ratio"] = float(nearest(features, real_features[train]).mean() / floor)
    pixel_floor = nearest(images[held], images[train]).mean()
    report["pixel_distance_ratio"] = float(nearest(samples, images[train]).mean() / pixel_floor)
    return report


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", default="/tmp/ganzoo_digits_judge_28.weights.h5")
    parser.add_argument("--real", action="store_true", help="also score the held-out real digits (the floor)")
    args = parser.parse_args()

    results = {}
    classifier = None
    for run in args.runs:
        model = load_run_model(run)
        if classifier is None:
            images, labels, held, train = real_digits(model.image_shape)
            classifier = judge(images, labels, args.cache)
            if args.real:
                results["real (held out)"] = score(classifier, images[held], images, held, train)
        results[run] = score(classifier, np.asarray(model.generate(args.n, seed=args.seed)), images, held, train)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
