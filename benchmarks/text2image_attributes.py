"""text2image attribute match: does the generated image show what the caption says?

1. Trains text2image with the command line exactly as a user would (`ganzoo
   fit text2image --out RUN ...`, by default the plugin's defaults on the
   embedded `shapes`), timing the whole command; or, with `--run`, takes an
   existing run.
2. Reads the attributes (colour, kind, position, size) back from generated
   images with `ganzoo.metrics.captions` (its own accuracy on the real
   images is reported too) and reports how often each matches the caption:
   - for captions of combinations seen in training and of the held-out
     (colour, kind) pairs never seen together (split "test");
   - against the untrained generator (same config, fresh weights) and a
     caption-blind baseline: real training images drawn at random,
     ignoring the caption (the best any generator that ignores the text
     can do).
3. Training speed in images per second (a timed `fit` of the loaded model
   after a warm-up) in float32 and mixed_bfloat16, with the process's CPU
   seconds (the machine may be shared: images per CPU-second is the steadier figure).
4. Writes grids: seen captions and unseen captions (one row per caption,
   8 latents per row, the caption beside it).

Run by hand:
    python benchmarks/text2image_attributes.py --out /tmp/t2i_run
    python benchmarks/text2image_attributes.py --run /tmp/t2i_run           # measure only
    python benchmarks/text2image_attributes.py --out /tmp/r -- --steps 2000 --set generator_filters=64
Arguments after `--` go to `ganzoo fit`. Goals on shapes: colour >= 0.90, kind >= 0.70.
"""

import argparse
import json
import os
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

GOALS = {"colour": 0.90, "kind": 0.70}


def fit_with_cli(out, extra):
    command = ["ganzoo", "fit", "text2image", "--out", out, "--quiet", *extra]
    print("$", " ".join(command), flush=True)
    start, cpu = time.perf_counter(), os.times()
    subprocess.run(command, check=True)
    after = os.times()
    return time.perf_counter() - start, (after.children_user + after.children_system
                                         - cpu.children_user - cpu.children_system)


def caption_sets(n, seed=0):
    """(captions, attributes) for seen combinations and for held-out pairs, n each, varied wording."""
    import numpy as np

    from ganzoo.data import shapes

    rng = np.random.default_rng(seed)
    held = {(shapes.COLOURS.index(c), shapes.KINDS.index(k)) for c, k in shapes.HELD_OUT}
    combos = [(c, k, p, s) for c in range(6) for k in range(3) for p in range(5) for s in range(2)]
    result = {}
    for name, pool in (("seen", [x for x in combos if (x[0], x[1]) not in held]),
                       ("unseen", [x for x in combos if (x[0], x[1]) in held])):
        pick = [pool[i] for i in rng.integers(len(pool), size=n)]
        texts = [shapes.random_caption(rng, *[shapes.VALUES[a][v] for a, v in zip(shapes.ATTRIBUTES, x)])
                 for x in pick]
        result[name] = (texts, np.array(pick, np.int32))
    return result


def rounded(report):
    return {k: round(v, 3) for k, v in report.items()}


def speed(run, settings, precision, steps):
    import keras

    import ganzoo
    from ganzoo.registry import get_plugin

    keras.mixed_precision.set_global_policy(precision)
    config = dict(settings["config"], pretrain_steps=0)
    model = get_plugin("text2image").model_class(**config)
    model.compile()
    batch = settings["batch_size"]
    train = ganzoo.data.load(settings["source"], model, batch_size=batch, repeat=True, seed=0)
    model.fit(train, steps_per_epoch=10, epochs=1, verbose=0, shuffle=False)   # warm-up: tracing
    start, cpu = time.perf_counter(), time.process_time()
    model.fit(train, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"images_per_second": steps * batch / wall, "images_per_cpu_second": steps * batch / cpu,
            "cpu_share": cpu / wall}


def measure(run, n, speed_steps, grids):
    import numpy as np

    import keras
    from ganzoo import images as images_lib
    from ganzoo.data import shapes
    from ganzoo.metrics.captions import attribute_match, checker_accuracy
    from ganzoo.registry import get_plugin
    from ganzoo.runs import load_run_model

    with open(os.path.join(run, "run.json")) as f:
        settings = json.load(f)["settings"]
    keras.mixed_precision.set_global_policy(settings["precision"])
    model = load_run_model(run)
    keras.mixed_precision.set_global_policy(settings["precision"])
    untrained = get_plugin("text2image").model_class(**settings["config"])
    sets = caption_sets(n)
    real = shapes.split_arrays("train")
    rng = np.random.default_rng(1)
    result = {"steps": int(model.step), "config": {k: v for k, v in settings["config"].items() if k != "vocabulary"},
              "precision": settings["precision"], "batch_size": settings["batch_size"],
              "checker_accuracy_on_real": {"train": rounded(checker_accuracy("train")),
                                           "test": rounded(checker_accuracy("test"))}}
    for name, (texts, wanted) in sets.items():
        blind = real["image"][rng.integers(len(real["image"]), size=n)].astype(np.float32) / 255.0
        result[name] = {
            "trained": rounded(attribute_match(model.generate(texts=texts, seed=0), wanted)),
            "untrained": rounded(attribute_match(untrained.generate(texts=texts, seed=0), wanted)),
            "caption_blind": rounded(attribute_match(blind, wanted)),
        }
    if grids:
        os.makedirs(grids, exist_ok=True)
        seen = [shapes.canonical_caption(*v) for v in (
            ("red", "circle", "top left", "large"), ("green", "square", "bottom right", "large"),
            ("blue", "triangle", "center", "large"), ("yellow", "circle", "top right", "small"),
            ("purple", "square", "bottom left", "small"), ("white", "triangle", "center", "small"))]
        unseen = [shapes.canonical_caption(c, k, p, s) for (c, k), p, s in zip(
            shapes.HELD_OUT, ("center", "top left", "bottom right", "center", "top right", "bottom left"),
            ("large", "large", "large", "small", "large", "small"))]
        for name, texts in (("seen", seen), ("unseen", unseen)):
            picture = model.caption_grid(texts, columns=8, seed=0)
            path = os.path.join(grids, f"text2image_shapes_{name}.png")
            images_lib.save_image(picture, path, scale=max(1, 700 // max(picture.shape[:2])))
            result[f"grid_{name}"] = {"path": path, "captions": texts,
                                      "match": rounded(attribute_match(
                                          model.generate(texts=[t for t in texts for _ in range(8)], seed=0),
                                          [t for t in texts for _ in range(8)]))}
    if speed_steps:
        result["speed"] = {p: speed(run, settings, p, speed_steps) for p in ("float32", "mixed_bfloat16")}
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="/tmp/t2i_run", help="run directory for `ganzoo fit`")
    parser.add_argument("--run", help="measure this existing run instead of training one")
    parser.add_argument("--n", type=int, default=600, help="generated images per caption set")
    parser.add_argument("--speed-steps", type=int, default=40, help="steps of each images/s measurement (0: skip)")
    parser.add_argument("--grids", help="folder for the seen/unseen caption grids")
    parser.add_argument("fit_args", nargs="*", help="arguments for `ganzoo fit` (after --)")
    args = parser.parse_args()
    run, seconds, cpu_seconds = args.run, None, None
    if run is None:
        seconds, cpu_seconds = fit_with_cli(args.out, args.fit_args)
        run = args.out
    result = measure(run, args.n, args.speed_steps, args.grids)
    result["fit_command_seconds"] = seconds
    result["fit_command_cpu_seconds"] = cpu_seconds
    print(json.dumps(result, indent=2))
    trained = result["seen"]["trained"]
    verdicts = [f"{k} {trained[k]:.3f} ({'reached' if trained[k] >= g else 'MISSED'} {g:.2f})"
                for k, g in GOALS.items()]
    print(f"after {result['steps']} steps: " + ", ".join(verdicts), flush=True)
    return 0 if all(trained[k] >= g for k, g in GOALS.items()) else 1


if __name__ == "__main__":
    sys.exit(main())
