"""Collectives a plugin calls inside `train_step` under several replicas.

Under a distribution strategy `train_step` runs once per replica on that
replica's rows of the global batch; gradients are summed by the optimizers and
each loss is scaled once by `GAN.update`. A plugin needs these functions only
for what is not a per-sample loss: state computed from the batch (a running
mean, an image pool) and operations that mix rows of the batch (a roll). On
one device each is the identity (or `ops.roll`).

```python
from ganzoo import replicas

w_mean = replicas.mean(ops.mean(w, axis=0))        # the global batch's mean, on every replica
self.images_seen.assign_add(replicas.global_batch_size(batch))
wrong = replicas.roll(embeddings)                   # the next example's, across replicas
```

No collective may run inside `ops.cond`: choose between updates with
`GAN.branch`, which handles replicas.
"""

from __future__ import annotations

from keras import ops

from ganzoo import backends

__all__ = ["mean", "global_batch_size", "global_batch", "local_rows", "roll", "fingerprints"]

#: The old names of these functions, as methods of `GAN` (before issue 17).
DEPRECATED_METHODS = {
    "replica_mean": "mean",
    "global_batch_size": "global_batch_size",
    "global_batch": "global_batch",
    "local_rows": "local_rows",
    "fingerprints": "fingerprints",
    "roll_batch": "roll",
}


def mean(value):
    """The mean of `value` over the replicas.

    A batch statistic of the whole global batch (every replica holds an
    equal share), the same on every replica, as a running average must be
    before it is assigned.

    Args:
        value: a tensor computed on this replica's rows.

    Returns:
        A tensor of the same shape.
    """
    return backends.get().all_reduce(value, "mean")


def global_batch_size(n):
    """The global batch size of a step whose replica holds `n` rows."""
    return n * backends.get().replica_count()


def global_batch(value):
    """The global batch: every replica's rows of `value`, in the order of the
    examples in the batch, on every replica."""
    return backends.get().all_gather(value)


def local_rows(value, n):
    """This replica's `n` rows of a global-batch `value` (the inverse of `global_batch`)."""
    return backends.get().local_rows(value, n)


def roll(value, shift=1):
    """`ops.roll(value, shift, axis=0)` over the global batch: the row that
    follows across replicas, as one device would pair them."""
    if backends.get().replica_count() == 1:
        return ops.roll(value, shift, axis=0)
    return local_rows(ops.roll(global_batch(value), shift, axis=0), ops.shape(value)[0])


def fingerprints(strings):
    """int64 numbers standing for a batch of strings (equal strings give equal
    numbers), to compare strings across replicas with `roll` or
    `global_batch`, which carry numbers only."""
    return backends.get().fingerprints(strings)


def attach_deprecated_methods(cls):
    """Gives `cls` the methods of `DEPRECATED_METHODS`: each calls its
    function here and warns (a `DeprecationWarning`, once per name), so that
    plugins written against the old methods keep training."""
    import functools
    import warnings

    def alias(old, function):
        warned = []

        @functools.wraps(function)
        def method(self, *args, **kwargs):
            if not warned:
                warned.append(True)
                warnings.warn(f"GAN.{old} is deprecated; call ganzoo.replicas.{function.__name__} instead",
                              DeprecationWarning, stacklevel=2)
            return function(*args, **kwargs)

        method.__name__ = method.__qualname__ = old
        return method

    for old, new in DEPRECATED_METHODS.items():
        setattr(cls, old, alias(old, globals()[new]))
