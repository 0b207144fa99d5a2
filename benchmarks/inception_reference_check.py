"""Checks ganzoo's Inception metrics against published values on CIFAR-10.

    python benchmarks/inception_reference_check.py --weights classify_image_graph_def.pb

Needs the real weights and TFDS `cifar10` (downloaded once). It computes:

- IS of the 50,000 CIFAR-10 training images (10 splits). torch-fidelity
  publishes 11.24 +- 0.10 for this (its README's CIFAR-10 train figures).
- FID and KID between 5,000 training and 5,000 test images. torch-fidelity
  publishes FID 10.3233 for 5k train vs 5k test, but with its own random
  subsets (its subset seed, torch's RNG), which this script cannot draw;
  the first 5,000 of each split give a value of the same size, not the
  same digits. `--all` uses the full splits (50k vs 10k) instead.

Both with `--resize reference` (the TF1 bilinear the published numbers use;
CIFAR-10 is 32x32, upscaled to 299).
"""

from __future__ import annotations

import argparse
import json


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--weights", help="classify_image_graph_def.pb, its .tgz or a converted .npz")
    parser.add_argument("--data-dir", help="TFDS data directory")
    parser.add_argument("--resize", default="reference", choices=["reference", "clean"])
    parser.add_argument("--all", action="store_true", help="full train and test splits for FID/KID")
    args = parser.parse_args()

    from ganzoo.metrics import protocol, statistics
    from ganzoo.metrics.features import InceptionExtractor

    extractor = InceptionExtractor(args.weights, resize=args.resize)

    def stats(split):
        return protocol.real_statistics(extractor, "cifar10", split, data_dir=args.data_dir,
                                        image_shape=(32, 32, 3))[0]

    train = stats("train")
    _, logits, _ = extractor.statistics(_images("cifar10", "train", args.data_dir, extractor.batch_size),
                                        total=50000, keep_features=False, keep_logits=True)
    is_mean, is_std = statistics.inception_score(logits)
    a = train if args.all else stats("train[:5000]")
    b = stats("test" if args.all else "test[:5000]")
    report = {
        "inception_score_train": [is_mean, is_std], "published_is_train": [11.24, 0.10],
        "fid_train_test": statistics.frechet_distance(a.mean, a.covariance, b.mean, b.covariance),
        "published_fid_5k_train_vs_5k_test": 10.3233,
        "kid_train_test": statistics.kernel_inception_distance(a.features, b.features)[:2],
        "protocol": protocol.record(extractor, generated=a.count, real=b.count, source="cifar10",
                                    split="train vs test", seed=None),
    }
    print(json.dumps(report, indent=2, default=float))


def _images(source, split, data_dir, batch_size):
    import numpy as np

    from ganzoo import data

    for batch in data.load(source, task="unconditional", image_shape=(32, 32, 3), batch_size=batch_size, split=split,
                           data_dir=data_dir, shuffle=False, drop_remainder=False, cache=False):
        yield np.asarray(batch)


if __name__ == "__main__":
    main()
