"""Training speed of stylegan (per progressive stage) and stylegan2 (per
image size), in float32 and mixed_bfloat16, on whatever device TensorFlow
sees. A plain loop over `model.train_step` in a `tf.function` (see
KERAS_NOTES.md: `fit()` speed is bimodal on 2 CPU cores).

    python benchmarks/stylegan_speed.py [--preset cpu|paper] [--steps 20] [--batch 32]
"""

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402


def measure(name, precision, config, batch, steps, images_seen=None):
    import keras
    import tensorflow as tf

    import ganzoo
    from ganzoo.precision import precision_policy

    with precision_policy(precision):
        model = ganzoo.create(name, **config)
    model.compile()
    if images_seen is not None:
        model.images_seen.assign(float(images_seen))
    real = tf.constant(np.random.default_rng(0).random((batch, *model.image_shape), dtype=np.float32))
    step = tf.function(model.train_step)
    step(real)  # trace
    start = time.perf_counter()
    for _ in range(steps):
        logs = step(real)
    float(logs["d_loss"])
    elapsed = time.perf_counter() - start
    keras.backend.clear_session()
    return batch * steps / elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--which", default="stylegan,stylegan2")
    parser.add_argument("--sizes", default="32,64,128")
    parser.add_argument("--precisions", default="float32,mixed_bfloat16")
    args = parser.parse_args()
    results = []
    for precision in args.precisions.split(","):
        if "stylegan" in args.which.split(","):
            # stylegan at 32 px: the schedule's level decides which stage runs;
            # every stage costs the full graph (all resolutions are computed).
            config = {"image_shape": (32, 32, 1)}
            for stage_images, label in ((0, "4px"), (24000 * 2, "8px fade"), (24000 * 7, "32px stable")):
                ips = measure("stylegan", precision, config, args.batch, args.steps, stage_images)
                results.append({"model": "stylegan", "stage": label, "precision": precision, "images_per_s": ips})
                print(json.dumps(results[-1]), flush=True)
            ips = measure("stylegan", precision, {**config, "progressive": False}, args.batch, args.steps)
            results.append({"model": "stylegan", "stage": "32px direct", "precision": precision, "images_per_s": ips})
            print(json.dumps(results[-1]), flush=True)
        if "stylegan2" in args.which.split(","):
            for size in (int(s) for s in args.sizes.split(",")):
                ips = measure("stylegan2", precision, {"image_shape": (size, size, 3)}, args.batch, args.steps)
                results.append({"model": "stylegan2", "stage": f"{size}px", "precision": precision,
                                "images_per_s": ips})
                print(json.dumps(results[-1]), flush=True)


if __name__ == "__main__":
    main()
