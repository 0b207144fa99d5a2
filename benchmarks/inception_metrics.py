"""Feature-extraction speed, the effect of bfloat16 on FID, and FID/KID floors.

    python benchmarks/inception_metrics.py [--weights PATH] [--runs runs/dcgan runs/cgan]

Without `--weights` the network gets weights converted from the synthetic
graph (`ganzoo.metrics.inception_synthetic`): the pipeline is the real one,
the numbers are NOT FID. With the real `classify_image_graph_def.pb` they are.

Prints a JSON report:
- `speed`: images/s of quantise + resize + network on 28x28 grey images
  (all the extraction below, after one warm-up batch), per precision;
- `bf16`: the same FIDs under both precisions and their difference;
- `floor`: FID/KID of `n` real digits of train[:80%] against `n` of the
  held-out train[80%:] (the best a model can hope for at that N), and of
  `n` samples of each run against the same train[:80%] images.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile

import numpy as np


def _weights(path):
    from ganzoo.metrics import inception_weights
    from ganzoo.metrics.inception_synthetic import write_synthetic_graph

    if path:
        return inception_weights.from_file(path)
    pb = os.path.join(tempfile.mkdtemp(), "classify_image_graph_def.pb")
    return inception_weights.from_file(write_synthetic_graph(pb, seed=0), cache=False)


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
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--n", type=int, default=100, help="images per set (real halves and each run)")
    parser.add_argument("--runs", nargs="*", default=[])
    parser.add_argument("--precisions", default="float32,mixed_bfloat16")
    parser.add_argument("--out", help="also write the report here")
    args = parser.parse_args()

    from ganzoo.metrics import inception_metrics, protocol
    from ganzoo.runs import load_run_model

    weights = _weights(args.weights)
    report = {"weights": weights.describe(), "speed": {}, "bf16": {}, "floor": {}}
    from ganzoo.metrics.features import InceptionExtractor

    stats = {}
    for precision in args.precisions.split(","):
        extractor = InceptionExtractor(weights, precision=precision, batch_size=args.batch_size)
        extractor.batch(np.zeros((2, 28, 28, 1), np.float32))  # build and trace before timing
        extractor.images_seen, extractor.seconds = 0, 0.0
        entry = report["floor"].setdefault(precision, {})
        real = {}
        for split in ("train[:80%]", "train[80%:]"):
            real[split] = protocol.real_statistics(extractor, "digits", split, image_shape=(28, 28, 1),
                                                   limit=args.n, verbose=False)[0]
        a, b = real["train[:80%]"], real["train[80%:]"]
        entry["real train[:80%] vs train[80%:]"] = {"fid": _fid(a, b), "kid": _kid(a, b), "n": [a.count, b.count]}
        stats[precision] = {"train": a}
        for run in args.runs:
            model = load_run_model(run)
            gen, _, _ = inception_metrics.generated_statistics(model, extractor, args.n, 0, verbose=False)
            name = os.path.basename(run.rstrip("/"))
            entry[f"{name} vs train[:80%]"] = {"fid": _fid(gen, a), "kid": _kid(gen, a), "n": [gen.count, a.count]}
            stats[precision][name] = gen
            inception_metrics.clear_generated()
        report["speed"][precision] = round(extractor.images_per_second, 2)
        print(precision, "images/s", report["speed"][precision], json.dumps(entry, default=float), flush=True)
    if len(stats) < 2:
        print(json.dumps(report, indent=2, default=float))
        return
    for key in report["floor"]["float32"]:
        if key not in report["floor"]["mixed_bfloat16"]:
            continue
        f32, bf16 = report["floor"]["float32"][key]["fid"], report["floor"]["mixed_bfloat16"][key]["fid"]
        report["bf16"][key] = {"fid_float32": f32, "fid_bfloat16": bf16, "difference": bf16 - f32,
                               "relative": (bf16 - f32) / f32 if f32 else None}
    a, b = stats["float32"]["train"], stats["mixed_bfloat16"]["train"]
    report["bf16"]["feature_relative_error"] = float(np.linalg.norm(a.features - b.features) / np.linalg.norm(a.features))
    text = json.dumps(report, indent=2, default=float)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
