"""Images per second of a plugin through `model.fit()` on 1 or N replicas of
`MirroredStrategy`, on GPUs when there are N, else on N logical devices that
split this machine's CPU (there it measures the cost of replication, not a
speed-up: the replicas share the same cores).

One configuration per process, so that two TensorFlow programs never share
one (run the two sides in turn and compare medians):

    python benchmarks/replicas_speed.py --plugin dcgan --replicas 1
    python benchmarks/replicas_speed.py --plugin dcgan --replicas 2
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plugin", default="dcgan")
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--batch", type=int, default=64, help="global batch")
    parser.add_argument("--steps", type=int, default=60, help="timed steps (after one untimed epoch)")
    parser.add_argument("--precision", default="mixed_bfloat16")
    args = parser.parse_args()

    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if args.replicas > 1 and len(gpus) < args.replicas:
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * args.replicas)
        devices = [f"/cpu:{i}" for i in range(args.replicas)]
    else:
        devices = [f"/gpu:{i}" for i in range(args.replicas)] if gpus else ["/cpu:0"]
    strategy = tf.distribute.MirroredStrategy(devices) if args.replicas > 1 else tf.distribute.get_strategy()

    import ganzoo
    from ganzoo import data
    from ganzoo.precision import precision_policy

    plugin = ganzoo.registry.get_plugin(args.plugin)
    with strategy.scope():
        with precision_policy(args.precision):
            model = ganzoo.create(args.plugin)
        model.compile()
    train = data.load(plugin.default_dataset, model, batch_size=args.batch, seed=0, repeat=True)
    model.fit(train, epochs=1, steps_per_epoch=5, verbose=0)  # trace and warm up
    start = time.perf_counter()
    model.fit(train, epochs=1, steps_per_epoch=args.steps, verbose=0)
    elapsed = time.perf_counter() - start
    print(f"{args.plugin} replicas={strategy.num_replicas_in_sync} devices={','.join(devices)} "
          f"{args.precision} batch={args.batch}: {args.batch * args.steps / elapsed:.1f} images/s")


if __name__ == "__main__":
    main()
