"""BatchNormalization for ganzoo's networks, synchronised across replicas on request.

Under a `tf.distribute` strategy a plain `BatchNormalization` normalises each
replica's share of the batch with that share's statistics: with N replicas a
step differs from one device's on the whole batch, and the moving statistics
kept (and saved) are the first replica's. `BatchNormalization(synchronized=True)`
(Keras 3, TensorFlow backend) computes the statistics over the global batch
instead, at the cost of one all-reduce per layer and step.

Every BatchNorm of the built-in networks is made by `batch_normalization()`;
networks built inside `synchronized_batchnorm()` synchronise theirs.
`ganzoo fit --sync-batchnorm` does that (and stores it in run.json, so a
resumed run does it again). The switch changes training only: the weights are
the same variables either way, so a model trained with it loads without it.

Example:

```python
with strategy.scope(), ganzoo.layers.synchronized_batchnorm():
    model = ganzoo.create("dcgan")
    model.compile()
```
"""

from __future__ import annotations

import contextlib
import threading

from keras import backend, layers

_state = threading.local()


def synchronizing() -> bool:
    """Whether networks built now synchronise their BatchNorm across replicas."""
    return getattr(_state, "enabled", False)


@contextlib.contextmanager
def synchronized_batchnorm(enabled=True):
    """Networks built inside this block synchronise their BatchNorm statistics
    across replicas (`enabled=False`: they do not)."""
    previous = synchronizing()
    _state.enabled = bool(enabled)
    try:
        yield
    finally:
        _state.enabled = previous


def batch_normalization(**kwargs):
    """`keras.layers.BatchNormalization(**kwargs)`, synchronised inside
    `synchronized_batchnorm()` on TensorFlow.

    Keras accepts `synchronized=True` on TensorFlow only. On JAX the step
    under `keras.distribution.DataParallel` computes on the global batch as
    one (sharded) array, so the statistics are the global batch's whether
    asked or not; on PyTorch one process trains on one device.
    """
    kwargs.setdefault("synchronized", synchronizing() and backend.backend() == "tensorflow")
    return layers.BatchNormalization(**kwargs)
