"""Under a multi-worker strategy each worker reads its own part of every
global batch (`ganzoo.distribute.shard_by_data`: auto-shard policy DATA on
the run's keyed, seeded pipeline), so no example is read twice in an epoch.

The workers are emulated as tf.distribute does for DATA sharding: the global
batches are re-batched into per-worker batches and worker i keeps every
W-th of them, starting at the i-th."""

import collections
import hashlib

import numpy as np
import pytest

BATCH = 8
WORKERS = 2


def digits(start=0):
    from ganzoo import data as data_lib
    from ganzoo.training import distribution as distribute

    dataset = data_lib.load("digits", task="unconditional", image_shape=(8, 8, 1), batch_size=BATCH, seed=3,
                            repeat=True, start=start)
    return distribute.shard_by_data(dataset)


def ids(batch):
    return [hashlib.sha1(np.ascontiguousarray(image).tobytes()).hexdigest() for image in np.asarray(batch)]


@pytest.mark.parametrize("start", [0, 5 * BATCH])
def test_workers_read_disjoint_parts_of_each_global_batch(start):
    import tensorflow as tf

    from ganzoo import data as data_lib

    info = data_lib.inspect("digits", task="unconditional")
    steps = info.num_examples // BATCH  # one epoch
    whole = [ids(b) for b in digits(start).take(steps)]
    assert tf.data.experimental.AutoShardPolicy.DATA == digits().options().experimental_distribute.auto_shard_policy
    per_worker = [
        [ids(b) for b in digits(start).rebatch(BATCH // WORKERS).shard(WORKERS, index).take(steps)]
        for index in range(WORKERS)
    ]
    for step in range(steps):
        parts = [per_worker[w][step] for w in range(WORKERS)]
        assert sum(len(p) for p in parts) == BATCH
        # Together the workers read exactly this step's global batch ...
        assert sorted(parts[0] + parts[1]) == sorted(whole[step])
    # ... and over the epoch no example is read by two workers or twice.
    seen = collections.Counter(i for w in per_worker for batch in w for i in batch)
    assert seen == collections.Counter(i for batch in whole for i in batch)
