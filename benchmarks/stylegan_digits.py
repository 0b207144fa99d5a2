"""stylegan / stylegan2 against dcgan on the embedded digits at equal CPU time.

Each model trains (its plugin's defaults: the `cpu` preset, the plugin's
batch size, mixed_bfloat16 as `ganzoo fit`) until its process has used
`--cpu-seconds` of CPU time (user + system, so that a shared, loaded machine
does not favour whichever ran alone), then is scored with the project's
digit metrics (ganzoo.metrics.classifier: confidence, coverage, Frechet
distance of classifier features) next to its untrained self. Run each model
in its own process, side by side or alternating:

    python benchmarks/stylegan_digits.py dcgan --cpu-seconds 240 --out runs/bench_dcgan
    python benchmarks/stylegan_digits.py stylegan --cpu-seconds 240 --out runs/bench_stylegan

`--image-size 32 --seed N --no-report` trains every model at the same size
and only saves it, to be read by one judge (benchmarks/digits_judge.py).
"""

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("plugin")
    parser.add_argument("--cpu-seconds", type=float, default=240)
    parser.add_argument("--chunk", type=int, default=20, help="steps between CPU-time checks")
    parser.add_argument("--out", required=True)
    parser.add_argument("--precision", default="mixed_bfloat16")
    parser.add_argument("--set", nargs="*", default=[], help="key=value options")
    parser.add_argument("--image-size", type=int, default=28, help="square size (the StyleGANs round 28 up to 32)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-report", action="store_true",
                        help="train and save only (score with benchmarks/digits_judge.py)")
    args = parser.parse_args()

    import keras

    import ganzoo
    from ganzoo.metrics.classifier import classifier_report, train_classifier
    from ganzoo.options import parse_assignments
    from ganzoo.precision import precision_policy
    from ganzoo.runs import save_model

    plugin = ganzoo.get_plugin(args.plugin)
    cls = plugin.model_class
    shape = (args.image_size, args.image_size, 1)
    if hasattr(cls, "supported_image_shape"):
        shape = cls.supported_image_shape(shape)
    keras.utils.set_random_seed(args.seed)
    with precision_policy(args.precision):
        model = ganzoo.create(args.plugin, image_shape=shape, seed=args.seed, **parse_assignments(args.set))
        untrained = type(model).from_config(model.get_config())
    model.compile()
    data = ganzoo.data.load("digits", model, batch_size=plugin.default_batch_size, seed=args.seed, repeat=True)
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    steps = 0
    while time.process_time() - start_cpu < args.cpu_seconds:
        model.fit(data, steps_per_epoch=args.chunk, epochs=1, verbose=0, shuffle=False)
        steps += args.chunk
    cpu, wall = time.process_time() - start_cpu, time.perf_counter() - start_wall
    os.makedirs(args.out, exist_ok=True)
    save_model(model, os.path.join(args.out, "model.keras"))
    if args.no_report:
        print(json.dumps({"plugin": args.plugin, "cpu_seconds": cpu, "wall_seconds": wall, "steps": steps}))
        return

    real = ganzoo.data.load("digits", task="conditional", image_shape=model.image_shape, batch_size=2000,
                            shuffle=False, drop_remainder=False)
    images, labels = (np.asarray(t) for t in next(iter(real)))
    classifier = train_classifier(images, labels, 10, validation=0.2)
    result = {
        "plugin": args.plugin, "cpu_seconds": cpu, "wall_seconds": wall, "steps": steps,
        "images": steps * plugin.default_batch_size, "image_shape": list(model.image_shape),
        "trained": classifier_report(classifier, model.generate(1000, seed=1), real_images=images),
        "untrained": classifier_report(classifier, untrained.generate(1000, seed=1), real_images=images),
        "real": classifier_report(classifier, images[:1000], real_images=images),
    }
    if hasattr(model, "truncation_grid"):
        result["trained_psi_0.7"] = classifier_report(classifier, model.generate(1000, seed=1, truncation_psi=0.7),
                                                      real_images=images)
    from ganzoo import images as images_lib

    images_lib.save_image(images_lib.grid(model.generate(64, seed=0)), os.path.join(args.out, "samples.png"), scale=4)
    if hasattr(model, "sample_grids"):
        images_lib.save_image(model.style_mixing_grid(), os.path.join(args.out, "mix.png"), scale=4)
        images_lib.save_image(model.truncation_grid(), os.path.join(args.out, "truncation.png"), scale=4)
        images_lib.save_image(model.interpolation_grid(steps=8), os.path.join(args.out, "interpolate.png"), scale=4)
    with open(os.path.join(args.out, "result.json"), "w") as f:
        json.dump(result, f, indent=2)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
