"""Feature-extraction speed, the effect of bfloat16 on FID, and FID/KID floors.

    python benchmarks/inception_metrics.py [--weights PATH] [--runs runs/dcgan runs/cgan]

Without `--weights` the network gets weights converted from the synthetic
graph (`ganzoo.metrics.inception_synthetic`): the pipeline is the real one,
the numbers are NOT FID. With the real `classify_image_graph_def.pb` they are.

Prints a JSON report:
- `speed`: images/s of quantise + resize + network on 28x28 grey images,
  float32 and mixed_bfloat16 (after one warm-up batch);
- `bf16`: the same FIDs under both precisions and their difference;
- `floor`: FID/KID of the real digits' two halves (the best a model can
  hope for at that N), and of each run's samples against the full split.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

import numpy as np


def _weights(path):
    from ganzoo.metrics import inception_weights
    from ganzoo.metrics.inception_synthetic import write_synthetic_graph

    if path:
        return inception_weights.from_file(path)
    pb = os.path.join(tempfile.mkdtemp(), "classify_image_graph_def.pb")
    return inception_weights.from_file(write_synthetic_graph(pb, seed=0), cache=False)


def _speed(weights, precision, images, batch_size):
    from ganzoo.metrics.features import InceptionExtractor

    extractor = InceptionExtractor(weights, precision=precision, batch_size=batch_size)
    extractor.batch(images[:batch_size])  # build and trace
    extractor.images_seen, extractor.seconds = 0, 0.0
    start = time.perf_counter()
    extractor.statistics(images, verbose=False)
    wall = time.perf_counter() - start
    return extractor, len(images) / wall


def _from_features(features):
    from ganzoo.metrics.statistics import FeatureStatistics

    stats = FeatureStatistics(features.shape[1], keep_features=True)
    stats.update(features)
    return stats


def _fid(a, b):
    from ganzoo.metrics.statistics import fid_of

    return fid_of(a, b)


def _kid(a, b):
    from ganzoo.metrics.statistics import kernel_inception_distance

    return kernel_inception_distance(a.features, b.features)[:2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--weights", help="classify_image_graph_def.pb (default: synthetic weights)")
    parser.add_argument("--speed-n", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--n", type=int, default=1797, help="generated images per run (default: as many as the split)")
    parser.add_argument("--runs", nargs="*", default=[])
    parser.add_argument("--run-precisions", default="float32,mixed_bfloat16",
                        help="precisions under which the runs are scored")
    parser.add_argument("--out", help="also write the report here")
    args = parser.parse_args()

    from ganzoo.data.embedded import _load_digits
    from ganzoo.metrics import inception_metrics, protocol
    from ganzoo.runs import load_run_model

    weights = _weights(args.weights)
    report = {"weights": weights.describe(), "speed": {}, "bf16": {}, "floor": {}}
    arrays, _ = _load_digits()
    import tensorflow as tf

    digits = tf.image.resize(arrays["image"][: args.speed_n].astype("float32") / 255.0, (28, 28)).numpy()
    extractors = {}
    for precision in ("float32", "mixed_bfloat16"):
        extractor, rate = _speed(weights, precision, digits, args.batch_size)
        extractors[precision] = extractor
        report["speed"][precision] = round(rate, 2)
        print(precision, "images/s", round(rate, 2), flush=True)

    stats = {}
    for precision, extractor in extractors.items():
        # The whole training split once; its halves are slices of the same features.
        full = protocol.real_statistics(extractor, "digits", "train", image_shape=(28, 28, 1), verbose=False)[0]
        half = full.count // 2
        halves = [_from_features(full.features[:half]), _from_features(full.features[half:])]
        stats[precision] = {"halves": halves, "full": full}
        entry = report["floor"].setdefault(precision, {})
        entry["real train[:50%] vs train[50%:]"] = {"fid": _fid(*halves), "kid": _kid(*halves),
                                                    "n": [halves[0].count, halves[1].count]}
        for run in (args.runs if precision in args.run_precisions.split(",") else []):
            model = load_run_model(run)
            start = time.perf_counter()
            gen, _, _ = inception_metrics.generated_statistics(model, extractor, args.n, 0, verbose=False)
            seconds = time.perf_counter() - start
            name = os.path.basename(run.rstrip("/"))
            entry[f"{name} vs train"] = {"fid": _fid(gen, full), "kid": _kid(gen, full), "n": [gen.count, full.count],
                                         "seconds": round(seconds, 1)}
            entry[f"{name} vs train[50%:]"] = {"fid": _fid(_from_features(gen.features[:half]), halves[1]),
                                               "kid": _kid(gen, halves[1]), "n": [half, halves[1].count]}
            inception_metrics._GENERATED.clear()
        print(precision, json.dumps(entry), flush=True)
    for key in report["floor"]["float32"]:
        if key not in report["floor"]["mixed_bfloat16"]:
            continue
        f32, bf16 = report["floor"]["float32"][key]["fid"], report["floor"]["mixed_bfloat16"][key]["fid"]
        report["bf16"][key] = {"fid_float32": f32, "fid_bfloat16": bf16, "difference": bf16 - f32,
                               "relative": (bf16 - f32) / f32 if f32 else None}
    a, b = stats["float32"]["full"], stats["mixed_bfloat16"]["full"]
    report["bf16"]["feature_relative_error"] = float(np.linalg.norm(a.features - b.features) / np.linalg.norm(a.features))
    text = json.dumps(report, indent=2, default=float)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
