"""Run as a script: training steps of plugins on 2 simulated CPU devices under
`keras.distribution.DataParallel` on JAX and on one device, same global
batch, same initial weights; prints, per case, the largest relative
difference of any weight (the measure of tests/distribution/replication_check.py,
whose tiny configurations it reuses).

Usage: python jax_replication_check.py [STEPS] CASE...
"""

import os
import sys

# Before JAX starts: the host's CPU appears as two devices.
os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=2").strip()
os.environ["KERAS_BACKEND"] = "jax"

import json  # noqa: E402

import jax  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

import ganzoo  # noqa: E402
from ganzoo.testing import fixtures  # noqa: E402
from ganzoo.training import distribution  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir, "distribution"))
from replication_check import CASES, GLOBAL_BATCH, create, largest_relative_difference  # noqa: E402

# What tf.distribute does per replica by design is the global batch's here:
# dropout masks are drawn for the whole batch (and StyleGAN's minibatch
# standard deviation, whose groups the TensorFlow check sets to 1, is left as
# it is in every case).
CASES = {**CASES, "vanilla_dropout": ("vanilla", {**CASES["vanilla"][1], "dropout": 0.3})}

keras.config.disable_traceback_filtering()


def run(case, strategy_name, steps, initial):
    import tensorflow as tf

    name, config = CASES[case]
    strategy = distribution.strategy(strategy_name)
    # --sync-batchnorm as on TensorFlow; on JAX the statistics are the global
    # batch's in any case (the step sees the whole sharded batch).
    with strategy.scope(), ganzoo.layers.synchronized_batchnorm():
        keras.utils.set_random_seed(0)
        model = create(name, {"seed": 0, **config})
        model.compile()
        names = list(model.optimizer.keys())
        # Plain SGD: the update is linear in the gradient (see replication_check.py).
        model.compile(optimizers={name: keras.optimizers.SGD(0.1) for name in names})
    if initial is not None:
        model.set_weights(initial)
    start = model.get_weights()
    batch = fixtures.for_task(model.task).batch(model, GLOBAL_BATCH, np.random.default_rng(0))
    data = tf.data.Dataset.from_tensors(batch).repeat()
    history = model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False)
    shardings = {type(w.value.sharding).__name__ for w in model.weights}
    losses = {key: float(values[-1]) for key, values in history.history.items()}
    return start, model.get_weights(), [w.path for w in model.weights], strategy.num_replicas_in_sync, shardings, losses


def compare(case, steps):
    start, single, paths, _, _, single_losses = run(case, "one", steps, None)
    _, double, _, replicas, shardings, double_losses = run(case, "mirrored", steps, start)
    worst, where, moved = largest_relative_difference(paths, start, single, double)
    return {"case": case, "replicas": replicas, "shardings": sorted(shardings), "max_relative_difference": worst,
            "where": where, "weights": len(paths), "moved": moved, "losses_one": single_losses,
            "losses_two": double_losses}


def main():
    assert len(jax.devices()) == 2, jax.devices()
    steps, cases = int(sys.argv[1]), sys.argv[2:]
    for case in cases:
        print("RESULT " + json.dumps(compare(case, steps)), flush=True)


if __name__ == "__main__":
    main()
