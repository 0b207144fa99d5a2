"""Run as a script: the JAX replication check across processes. Each
process has one CPU device; `keras.distribution.initialize()` (from the
`KERAS_DISTRIBUTION_*` variables) joins them, and `--strategy multi-worker`'s
`DataParallel` spans every process's device. Every process feeds the whole
global batch: Keras' JAX trainer keeps this process's part of it
(`DataParallel.distribute_dataset`).

Usage:
    python jax_process_check.py one OUT CASE...     one process, one device: writes
                                                    OUT/CASE.start.npz and OUT/CASE.one.npz
    python jax_process_check.py joined OUT CASE...  every process of the run: starts from
                                                    OUT/CASE.start.npz, writes OUT/CASE.process<i>.npz

Each prints `RESULT {json}` per case (losses, replicas, process count).
"""

import os
import sys

os.environ["KERAS_BACKEND"] = "jax"

import json  # noqa: E402

import jax  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

from ganzoo.testing import fixtures  # noqa: E402
from ganzoo.training import distribution  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), os.pardir, "distribution"))
from replication_check import CASES, GLOBAL_BATCH, create  # noqa: E402

STEPS = 2


def save(path, weights):
    np.savez(path, *[np.asarray(w) for w in weights])


def load(path):
    with np.load(path) as file:
        return [file[f"arr_{i}"] for i in range(len(file.files))]


def run(case, mode, out):
    import tensorflow as tf

    name, config = CASES[case]
    # The strategy first: joining the processes must come before any JAX work.
    strategy = distribution.strategy("multi-worker" if mode == "joined" else "one")
    with strategy.scope():
        keras.utils.set_random_seed(0)
        model = create(name, {"seed": 0, **config})
        model.compile()
        # Plain SGD: the update is linear in the gradient (see replication_check.py).
        model.compile(optimizers={player: keras.optimizers.SGD(0.1) for player in model.optimizer.keys()})
    if mode == "joined":
        model.set_weights(load(os.path.join(out, f"{case}.start.npz")))
    else:
        save(os.path.join(out, f"{case}.start.npz"), model.get_weights())
    batch = fixtures.for_task(model.task).batch(model, GLOBAL_BATCH, np.random.default_rng(0))
    data = tf.data.Dataset.from_tensors(batch).repeat()
    history = model.fit(data, steps_per_epoch=STEPS, epochs=1, verbose=0, shuffle=False)
    tag = f"process{jax.process_index()}" if mode == "joined" else "one"
    save(os.path.join(out, f"{case}.{tag}.npz"), model.get_weights())
    return {"case": case, "processes": jax.process_count(), "replicas": strategy.num_replicas_in_sync,
            "paths": [w.path for w in model.weights],
            "losses": {key: float(values[-1]) for key, values in history.history.items()}}


def main():
    mode, out, cases = sys.argv[1], sys.argv[2], sys.argv[3:]
    for case in cases:
        print("RESULT " + json.dumps(run(case, mode, out)), flush=True)


if __name__ == "__main__":
    main()
