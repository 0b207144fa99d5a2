"""cyclegan on a task with a known true mapping: does G_AB find it from unpaired images?

The embedded `chalk2ink` set has domain A = white digits on black and domain
B = *other* digits drawn in dark red ink on cream paper, B = T(A) for a known
per-pixel colour mapping T (`ganzoo.data.unpaired.chalk2ink_mapping`). On the
held-out test digits (never seen in training) this reports:

- a2b: mean |G_AB(x) - T(x)| against two baselines: doing nothing,
  mean |x - T(x)|, and the best input-blind output, the per-pixel median of
  the training B images (it ignores x);
- b2a: mean |G_BA(T(x)) - x|, with the same kind of baselines;
- cycle: mean |G_BA(G_AB(x)) - x| and mean |G_AB(G_BA(y)) - y| on test A and B;
- speed: image pairs per second of training (a timed `fit` of the loaded
  model after a warm-up, in the run's precision), and the CLI's wall time.

1. Trains with the command line exactly as a user would (`ganzoo fit cyclegan
   --out RUN ...`: the paper's networks, ngf = ndf = 64, 6 residual blocks,
   at chalk2ink's 32x32), timing the whole command; or, with `--run`, takes
   an existing run.
2. Measures as above and writes `measurement.json` into the run directory.

Run by hand:
    python benchmarks/cyclegan_known_mapping.py --out /tmp/cyclegan_run            # ~10 CPU minutes
    python benchmarks/cyclegan_known_mapping.py --run /tmp/cyclegan_run            # measure only
    python benchmarks/cyclegan_known_mapping.py --out /tmp/r --steps 100 -- --set residual_blocks=9
Arguments after `--` go to `ganzoo fit`.
"""

import argparse
import json
import os
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def fit_with_cli(out, steps, batch_size, seed, extra):
    command = ["ganzoo", "fit", "cyclegan", "--out", out, "--steps", str(steps), "--batch-size", str(batch_size),
               "--seed", str(seed), "--quiet", *extra]
    print("$", " ".join(command), flush=True)
    start = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - start


def mean_abs(x, y):
    import numpy as np

    return float(np.abs(np.asarray(x, "float32") - np.asarray(y, "float32")).mean())


def measure(run, speed_steps):
    import numpy as np

    import keras
    import ganzoo
    from ganzoo.data.unpaired import chalk2ink_mapping, load_chalk2ink
    from ganzoo.runs import load_run_model

    with open(os.path.join(run, "run.json")) as f:
        settings = json.load(f)["settings"]
    if settings["source"] != "chalk2ink":
        raise SystemExit(f"{run} was trained on {settings['source']}; the known mapping is chalk2ink's")
    keras.mixed_precision.set_global_policy(settings["precision"])
    model = load_run_model(run)

    def whole(split):
        ds = ganzoo.data.load("chalk2ink", model, split=split, batch_size=4096, shuffle=False, drop_remainder=False,
                              cache=False)
        return (np.asarray(t) for t in next(iter(ds)))

    # Unshuffled, each domain comes in order and the smaller one cycles: keep each image once.
    sizes = {split: np.bincount(load_chalk2ink(split)[0]["label"]) for split in ("train", "test")}
    test_a, test_b = (x[:n] for x, n in zip(whole("test"), sizes["test"]))
    train_a, train_b = (x[:n] for x, n in zip(whole("train"), sizes["train"]))
    truth = chalk2ink_mapping(test_a)
    fake_b = model.generate(images=test_a)
    fake_a = model.generate(images=test_b, direction="b2a")
    report = {
        "a2b": mean_abs(fake_b, truth),
        "a2b_do_nothing": mean_abs(test_a, truth),
        "a2b_input_blind": mean_abs(np.median(train_b, axis=0), truth),
        "b2a": mean_abs(model.generate(images=truth, direction="b2a"), test_a),
        "b2a_do_nothing": mean_abs(truth, test_a),
        "b2a_input_blind": mean_abs(np.median(train_a, axis=0), test_a),
        "cycle_aba": mean_abs(model.generate(images=fake_b, direction="b2a"), test_a),
        "cycle_bab": mean_abs(model.generate(images=fake_a), test_b),
        "test_images": [len(test_a), len(test_b)],
        "steps": int(model.step),
        "batch_size": settings["batch_size"],
        "precision": settings["precision"],
        "config": settings["config"],
    }

    # Training speed of this very model (a copy of the run's state), after a warm-up.
    train = ganzoo.data.load("chalk2ink", model, batch_size=settings["batch_size"], seed=0, repeat=True)
    model.fit(train, steps_per_epoch=2, epochs=1, verbose=0)
    start = time.perf_counter()
    model.fit(train, steps_per_epoch=speed_steps, epochs=1, verbose=0)
    report["pairs_per_second"] = speed_steps * settings["batch_size"] / (time.perf_counter() - start)
    return report


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="run directory to train into")
    parser.add_argument("--run", help="an existing run to measure (no training)")
    parser.add_argument("--steps", type=int, default=300, help="training steps (default 300)")
    parser.add_argument("--batch-size", type=int, default=8, help="pairs per step (default 8)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--speed-steps", type=int, default=10, help="steps of the timed fit")
    args = parser.parse_args(argv)
    if bool(args.out) == bool(args.run):
        parser.error("pass --out (train and measure) or --run (measure only)")
    run = args.run or args.out
    wall = None if args.run else fit_with_cli(args.out, args.steps, args.batch_size, args.seed, extra)
    report = measure(run, args.speed_steps)
    report["cli_seconds"] = wall
    grids = sorted(os.listdir(os.path.join(run, "samples")))
    report["grid"] = os.path.join(run, "samples", grids[-1]) if grids else None
    with open(os.path.join(run, "measurement.json"), "w") as f:
        json.dump(report, f, indent=2)
    print(json.dumps(report, indent=2))
    print(f"\nG_AB error {report['a2b']:.3f} vs do-nothing {report['a2b_do_nothing']:.3f} "
          f"and input-blind {report['a2b_input_blind']:.3f}; cycle {report['cycle_aba']:.3f} (A->B->A), "
          f"{report['cycle_bab']:.3f} (B->A->B); {report['pairs_per_second']:.1f} pairs/s")


if __name__ == "__main__":
    main()
