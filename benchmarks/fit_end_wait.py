"""How long `fit()` takes to return after its last step, with tf.data's autotuner on and off (issue 18, item 9).

Deleting a tf.data iterator whose pipeline runs the autotuner sometimes waits
for the autotuner thread's next wake-up (ganzoo/data/autotune.py). Every
`fit()` deletes its iterator when it ends, so such a `fit()` returns late.
This script fits one model `--fits` times in one process, each on a fresh
iterator of the same pipeline (`ganzoo.data.load`, as `ganzoo fit` reads it),
`--steps` steps each, and prints one JSON line per fit:

  fit            1, 2, ...
  autotune       "on" (the pipeline's options set it, as a user's own
                 pipeline does by default) or "ganzoo" (ganzoo's: off)
  steps_s        seconds from fit() called to the last step's end
  after_last_s   seconds from the last step's end to fit() returning: about
                 0 unless the deletion waited
  fit_s          the whole call

Run each backend in its own process:

  for b in tensorflow jax torch; do for a in on ganzoo; do
    python benchmarks/fit_end_wait.py --backend $b --autotune $a --out waits.jsonl; done; done
  python benchmarks/fit_end_wait.py --summary waits.jsonl

The wait does not depend on Keras: `--plain` deletes bare iterators of the
same pipeline after pulling `--steps` batches at one per 0.1 s, without a
model.
"""

import argparse
import json
import os
import statistics
import sys
import time


def parse():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", default="tensorflow", choices=["tensorflow", "jax", "torch"])
    parser.add_argument("--autotune", default="ganzoo", choices=["on", "ganzoo"])
    parser.add_argument("--plugin", default="dcgan")
    parser.add_argument("--data", default="digits")
    parser.add_argument("--fits", type=int, default=8)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--plain", action="store_true", help="bare iterators, no model")
    parser.add_argument("--out", help="append the JSON lines to this file too")
    parser.add_argument("--summary", metavar="JSONL", help="print a table of a results file and exit")
    return parser.parse_args()


def summary(path):
    rows = {}
    for line in open(path):
        r = json.loads(line)
        rows.setdefault((r["backend"], r["mode"], r["autotune"]), []).append(r["after_last_s"])
    print("| backend | model | autotune | fits | fits that waited > 0.1 s | wait after the last step: median / max (s) |")
    print("|---|---|---|---|---|---|")
    for (backend, mode, autotune), waits in sorted(rows.items()):
        waited = sum(w > 0.1 for w in waits)
        print(f"| {backend} | {mode} | {autotune} | {len(waits)} | {waited} | "
              f"{statistics.median(waits):.3f} / {max(waits):.2f} |")


def main():
    args = parse()
    if args.summary:
        summary(args.summary)
        return
    os.environ["KERAS_BACKEND"] = args.backend
    import keras
    import tensorflow as tf

    import ganzoo

    keras.utils.set_random_seed(0)
    model = ganzoo.create(args.plugin)
    data = ganzoo.data.load(args.data, model, batch_size=64, seed=1, repeat=True)
    if args.autotune == "on":
        options = tf.data.Options()
        options.autotune.enabled = True
        data = data.with_options(options)

    last = []

    class LastStep(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            last[:] = [time.perf_counter()]

    if not args.plain:
        model.compile()
    for fit in range(1, args.fits + 1):
        start = time.perf_counter()
        if args.plain:
            iterator = iter(data)
            for _ in range(args.steps):
                next(iterator)
                time.sleep(0.1)
            last[:] = [time.perf_counter()]
            del iterator
        else:
            model.fit(data, epochs=1, steps_per_epoch=args.steps, verbose=0, callbacks=[LastStep()])
        end = time.perf_counter()
        row = {"backend": args.backend, "mode": "plain" if args.plain else args.plugin, "autotune": args.autotune,
               "fit": fit, "steps_s": round(last[0] - start, 3), "after_last_s": round(end - last[0], 3),
               "fit_s": round(end - start, 3), "load": round(os.getloadavg()[0], 2)}
        print(json.dumps(row), flush=True)
        if args.out:
            with open(args.out, "a") as f:
                f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    sys.exit(main())
