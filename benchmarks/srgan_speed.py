"""Images per second of SRGAN's two training stages (default configuration).

    python benchmarks/srgan_speed.py [--precision mixed_bfloat16] [--steps 10] [--batch-norm]
    python benchmarks/srgan_speed.py --stage 2 --content-loss vgg54 --vgg-weights PATH
    python benchmarks/srgan_speed.py --stage 2 --set discriminator_antialias=true --set ema=0.99

Stage 1 is SRResNet pre-training (generator on MSE); stage 2 the adversarial
step (discriminator pass + generator pass; content loss "mse" unless
--content-loss vgg54). For timing only, `--vgg-weights random` writes and
uses a file of untrained VGG19 weights (same cost as the ImageNet ones).
`--set KEY=VALUE` (repeatable, as `ganzoo fit --set`) passes any other
option; without it the model is the constructor's (the paper's), not the
`cpu` preset's.
Prints one line per stage with the 1-minute load average, since a shared
machine skews timings.
"""

from __future__ import annotations

import argparse
import os
import time


def random_vgg_weights():
    import tempfile

    import keras

    path = os.path.join(tempfile.mkdtemp(), "random_vgg19.weights.h5")
    keras.applications.VGG19(include_top=False, weights=None, input_shape=(None, None, 3)).save_weights(path)
    return path


def measure(stage, precision, steps, batch_size, content_loss, batch_norm, vgg_weights, options=None):
    import keras

    import ganzoo

    keras.mixed_precision.set_global_policy(precision)
    if vgg_weights == "random":
        vgg_weights = random_vgg_weights()
    model = ganzoo.create("srgan", pretrain_steps=10**9 if stage == 1 else 0, content_loss=content_loss,
                          batch_norm=batch_norm, vgg_weights=vgg_weights, **(options or {}))
    model.compile()
    data = ganzoo.data.load("photos", model, batch_size=batch_size, seed=0, repeat=True)
    model.fit(data, steps_per_epoch=2, epochs=1, verbose=0, shuffle=False)   # trace and warm up
    start = time.perf_counter()
    model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False)
    seconds = (time.perf_counter() - start) / steps
    return seconds, batch_size / seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--precision", default="mixed_bfloat16")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--content-loss", default="mse")
    parser.add_argument("--vgg-weights", default="imagenet")
    parser.add_argument("--batch-norm", action="store_true")
    parser.add_argument("--stage", type=int, choices=(1, 2), nargs="*", default=(1, 2))
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="another srgan option, as in ganzoo fit (e.g. discriminator_antialias=true, ema=0.99)")
    args = parser.parse_args()
    from ganzoo.options import check_config, parse_assignments
    from ganzoo.registry import get_plugin

    options = check_config(get_plugin("srgan").model_class, dict(parse_assignments(args.set) or {}), "srgan")
    for stage in args.stage:
        seconds, rate = measure(stage, args.precision, args.steps, args.batch_size, args.content_loss,
                                args.batch_norm, args.vgg_weights, options)
        print(f"stage {stage} ({'SRResNet, MSE' if stage == 1 else 'SRGAN, D + G, ' + args.content_loss}) "
              f"{args.precision} batch {args.batch_size}{' BN' if args.batch_norm else ''}"
              f"{''.join(' ' + a for a in args.set)}: "
              f"{seconds:.3f} s/step, {rate:.1f} img/s (load average {os.getloadavg()[0]:.1f})", flush=True)


if __name__ == "__main__":
    main()
