"""Training on several devices or machines with `tf.distribute`.

`ganzoo fit NAME --strategy auto|one|mirrored|multi-worker` picks the
strategy; from Python, build and compile the model under its scope and call
`fit` as usual:

```python
import ganzoo
from ganzoo.training import distribution   # also ganzoo.distribute

strategy = distribution.strategy("mirrored")        # every visible GPU of this machine
with strategy.scope():
    model = ganzoo.create("dcgan", image_shape=(64, 64, 3))
    model.compile()
model.fit(ganzoo.data.load("celeb_a", model, batch_size=256), epochs=5)   # 256: the global batch
```

Keras' `fit` hands a `tf.data` dataset to `strategy.experimental_distribute_dataset`
itself, so each replica receives its own share of every global batch.
`GAN.update` scales each loss once for the replica count, and the engine makes
a replicated step equal to one device's on the whole batch (see
docs/distributed.md for what is per replica by design).

Strategies:
    one: `tf.distribute.get_strategy()`, the default one-device strategy.
    mirrored: `MirroredStrategy` over every visible GPU (without GPUs, over
        the logical CPU devices: one unless the process split its CPU).
    auto: `mirrored` when several GPUs are visible, else `one`.
    multi-worker: `MultiWorkerMirroredStrategy` from `TF_CONFIG` (every
        worker runs the same command; worker 0 is the chief).

On the JAX backend, `mirrored` (and `auto` over several accelerators) is
`keras.distribution.DataParallel` over `jax.devices()`, set for the process
(`ganzoo.backends.jax.DataParallelStrategy`, which has the strategy's
`scope()` and `num_replicas_in_sync`); `one` and `auto` otherwise clear the
distribution; `multi-worker` joins the processes named by the
`KERAS_DISTRIBUTION_*` variables (`jax.distributed`) and is a `DataParallel`
over every process's devices, process 0 the chief. PyTorch trains on one device and
refuses `mirrored` and `multi-worker`.
"""

from __future__ import annotations

import json
import os

from ganzoo.backends.tensorflow import multi_worker_strategy
from ganzoo.errors import GanzooError

STRATEGIES = ("auto", "one", "mirrored", "multi-worker")


def strategy(name="auto"):
    """The `tf.distribute.Strategy` called `name` (on JAX, for several
    devices, a `DataParallelStrategy`; see the module docstring).

    Create it before any other TensorFlow work in the process:
    `MultiWorkerMirroredStrategy` must be created first, and the devices of
    `MirroredStrategy` are fixed once TensorFlow has started.
    """
    if name not in STRATEGIES:
        raise GanzooError(f"unknown strategy {name!r}; choose one of {', '.join(STRATEGIES)}")
    import tensorflow as tf

    from ganzoo.backends import configured_backend

    backend, _ = configured_backend()
    if backend == "jax":
        from ganzoo.backends.jax import data_parallel

        return data_parallel(name)
    if backend != "tensorflow":
        # tf.distribute strategies drive Keras on TensorFlow only, and
        # torch.distributed is not wired in.
        if name in ("mirrored", "multi-worker"):
            raise GanzooError(f"--strategy {name} needs several devices, which ganzoo drives on TensorFlow "
                              f"(tf.distribute) and JAX (keras.distribution), not on {backend}: pass --backend "
                              "tensorflow or --backend jax, or drop --strategy to train on one device")
        return tf.distribute.get_strategy()

    if name == "multi-worker":
        if not os.environ.get("TF_CONFIG"):
            raise GanzooError("--strategy multi-worker reads the cluster from TF_CONFIG, which is not set; see "
                              "docs/distributed.md for the variable each worker needs")
        try:
            config = json.loads(os.environ["TF_CONFIG"])
        except ValueError as exc:
            raise GanzooError(f"TF_CONFIG is not JSON ({exc})") from None
        if "worker" not in config.get("cluster", {}) or "task" not in config:
            raise GanzooError('TF_CONFIG needs "cluster": {"worker": [...]} and "task": {"type": "worker", '
                              '"index": N}')
        return tf.distribute.MultiWorkerMirroredStrategy()
    gpus = tf.config.list_logical_devices("GPU")
    if name == "mirrored" or (name == "auto" and len(gpus) > 1):
        # Every GPU; without one, every logical CPU device (one, unless the
        # process split its CPU with tf.config.set_logical_device_configuration).
        devices = [d.name for d in gpus] or [d.name for d in tf.config.list_logical_devices("CPU")]
        return tf.distribute.MirroredStrategy(devices)
    return tf.distribute.get_strategy()


def is_chief(strategy=None) -> bool:
    """Whether this process writes the run directory: always, except on the
    workers other than worker 0 (or the "chief" task) of a multi-worker run."""
    import tensorflow as tf

    strategy = strategy or tf.distribute.get_strategy()
    if hasattr(strategy, "is_chief"):   # JAX's DataParallel: process 0
        return strategy.is_chief()
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return True
    task_type, task_id = resolver.task_type, resolver.task_id
    if task_type is None or task_type == "chief":
        return True
    has_chief = "chief" in resolver.cluster_spec().as_dict()
    return task_type == "worker" and task_id == 0 and not has_chief


def describe(strategy) -> str:
    """`"2 replicas (MirroredStrategy)"`, `"1 replica"`: for the announcement line."""
    count = strategy.num_replicas_in_sync
    kind = getattr(strategy, "kind", None) or type(strategy).__name__
    if multi_worker_strategy(strategy):
        kind = "MultiWorkerMirroredStrategy"
    if kind.startswith("_Default") or kind == "DefaultDistributionStrategy":
        return f"{count} replica"
    workers = ""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is not None and kind == "MultiWorkerMirroredStrategy":
        workers = f" on {len(resolver.cluster_spec().as_dict().get('worker', []))} workers"
    return f"{count} replica{'s' if count != 1 else ''}{workers} ({kind})"


def check_batch(batch_size, strategy):
    """`GanzooError` unless the global batch divides by the replica count."""
    count = strategy.num_replicas_in_sync
    if batch_size % count:
        lower, upper = (batch_size // count) * count, (batch_size // count + 1) * count
        options = f"{lower} or {upper}" if lower else f"{upper}"
        raise GanzooError(f"--batch-size {batch_size} is the global batch and must divide by the {count} replicas; "
                          f"pass --batch-size {options}")


def shard_by_data(dataset):
    """`dataset` with the auto-shard policy DATA: under a multi-worker strategy
    every worker runs the same pipeline (the same keyed, seeded order) and
    keeps its own examples of each global batch, so no example is read by two
    workers. FILE sharding would need at least as many files as workers and
    does not apply to the embedded, in-memory datasets; one machine's
    strategies ignore the policy (they split each batch between replicas)."""
    import tensorflow as tf

    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options)
