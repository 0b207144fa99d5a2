"""Quality of a run trained on the embedded digits, next to its baselines.

Scores the run's samples, an untrained generator of the same configuration,
uniform noise, and real digits, all under one classifier trained on the real
digits (see ganzoo.metrics.classifier). Run by hand:

    python benchmarks/digits_quality.py runs/dcgan [--n 1000]
"""

import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

import ganzoo  # noqa: E402
from ganzoo.metrics.classifier import classifier_report, train_classifier  # noqa: E402
from ganzoo.runs import load_run_model  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("run")
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args()

    model = load_run_model(args.run)
    real = ganzoo.data.load("digits", task="conditional", image_shape=model.image_shape, batch_size=2000,
                            shuffle=False, drop_remainder=False)
    images, labels = (np.asarray(t) for t in next(iter(real)))
    classifier = train_classifier(images, labels, 10, validation=0.2)
    untrained = type(model).from_config(model.get_config())
    rows = {
        "trained": classifier_report(classifier, model.generate(args.n, seed=1), real_images=images),
        "untrained": classifier_report(classifier, untrained.generate(args.n, seed=1), real_images=images),
        "noise": classifier_report(classifier, np.random.default_rng(0).random((args.n, *model.image_shape),
                                                                              dtype=np.float32), real_images=images),
        "real": classifier_report(classifier, images[: args.n], real_images=images),
    }
    print(json.dumps({"classifier_accuracy_on_held_out_real": classifier.validation_accuracy, **rows}, indent=2))


if __name__ == "__main__":
    main()
