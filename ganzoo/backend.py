"""The backend-specific part of training: gradients. Nothing else in ganzoo
differentiates, so another Keras backend is a change to this module only.

Implemented for TensorFlow (eager, `tf.function` and `tf.distribute`).
"""

from __future__ import annotations

import keras

from ganzoo.errors import GanzooError


def _tensorflow():
    if keras.backend.backend() != "tensorflow":
        raise GanzooError(
            f"ganzoo trains with the TensorFlow backend; KERAS_BACKEND is {keras.backend.backend()!r}. "
            "Set KERAS_BACKEND=tensorflow."
        )
    import tensorflow as tf

    return tf


def replica_count() -> int:
    """Number of replicas that each compute a share of the global batch."""
    return _tensorflow().distribute.get_strategy().num_replicas_in_sync


def minimize(loss_fn, variables, optimizer):
    """Runs `loss_fn`, differentiates it with respect to `variables` only,
    and applies one `optimizer` step to them.

    The loss is divided by the replica count (each replica sees 1/N of the
    batch and gradients are summed across replicas) and scaled by the
    optimizer for mixed float16 (`LossScaleOptimizer.apply` unscales).

    Returns:
        The unscaled loss.
    """
    tf = _tensorflow()
    with tf.GradientTape() as tape:
        loss = loss_fn()
        scaled = optimizer.scale_loss(loss / replica_count())
    gradients = tape.gradient(scaled, variables)
    optimizer.apply(gradients, variables)
    return loss


def input_gradients(fn, inputs):
    """Value of `fn(inputs)` (summed to a scalar) and its gradient with respect
    to `inputs`, differentiable again (for R1 and WGAN-GP inside a loss)."""
    tf = _tensorflow()
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        value = fn(inputs)
        total = tf.reduce_sum(tf.cast(value, "float32"))
    return value, tape.gradient(total, inputs)
