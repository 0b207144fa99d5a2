"""tf.data's autotuner, off in the pipelines ganzoo trains on.

Why. A pipeline with autotuning on (tf.data's default) runs an optimisation
thread that sleeps between rounds, 10 ms, then 20, 40, ... doubling up to a
minute. Deleting the pipeline's iterator, as every `fit()` does when it ends,
cancels that thread, and on TensorFlow 2.21 the cancellation is sometimes
missed: the deletion then waits for the thread's next wake-up. Measured on the
2-core CPU (benchmarks/fit_end_wait.py, docs/benchmarks.md): of 8 `fit()` calls
of 30 steps, 3 (TensorFlow), 4 (JAX) and 1 (PyTorch) returned 0.87 to 8.1 s
after their last step, each ending exactly 10 ms x (2^k - 1) after its
iterator was made; with the autotuner off, none of 24. In a long run the
thread sleeps a minute between rounds, so the wait can reach a minute. Plain
TensorFlow, without Keras, waits the same way.

With the autotuner off there is no such thread: `AUTOTUNE` parallelism and
buffer sizes take tf.data's fixed defaults. On the 2-core CPU the digits and
photos pipelines read 13-40% more batches per second that way (the thread's
own work competes with the pipeline's).
"""

from __future__ import annotations


def without_autotuner(dataset):
    """`dataset` with tf.data's autotuner off, unless its options already say.

    A pipeline whose `options().autotune.enabled` is set (True or False)
    is returned as it is: that was its author's choice. Ordering, shuffling
    and determinism are untouched (autotuning changes only parallelism and
    buffer sizes).

    Args:
        dataset: a `tf.data.Dataset` (anything else is returned unchanged).

    Returns:
        The dataset, with `autotune.enabled = False` where it was unset.

    Example:

    >>> ds = ganzoo.data.autotune.without_autotuner(tf.data.Dataset.range(4))
    >>> ds.options().autotune.enabled
    False
    """
    if not hasattr(dataset, "options") or dataset.options().autotune.enabled is not None:
        return dataset   # a distributed dataset, or its author chose
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)
