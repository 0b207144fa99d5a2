"""The backend-specific part of training: gradients. Nothing else in ganzoo
differentiates, so another Keras backend is a change to this module (and the
engine's step), never to a plugin.

Only TensorFlow is supported: `check_backend()` (run by every `ganzoo`
command) refuses another Keras backend in one line. Implemented for
TensorFlow (eager, `tf.function` and `tf.distribute`): a
`GradientTape` around the loss, the optimizer's `apply` on the variables, the
replica count from `tf.distribute`.

What the other Keras backends would need (not implemented; plugins would not
change, since they call only `GAN.update`, `GAN.input_gradients` and
`keras.ops`):

- JAX: `train_step` must be stateless. `minimize` would become
  `jax.value_and_grad` of a function that runs `loss_fn` inside a
  `keras.StatelessScope` over the current variable values, followed by
  `optimizer.stateless_apply`; every updated value (both networks, every
  optimizer, the seed generator, the metric trackers, the averaged copies)
  would have to be threaded out of `train_step` and assigned back by the
  engine, so the engine's `train_step` wrapper, not this module alone, would
  change. `input_gradients` becomes `jax.grad` of the summed value, which is
  differentiable again as R1/WGAN-GP need.
- torch: `minimize` runs `loss_fn`, zeroes the variables' gradients,
  `loss.backward()`, and calls `optimizer.apply` under `torch.no_grad()`;
  `input_gradients` uses `torch.autograd.grad(..., create_graph=True)`; the
  replica count comes from `torch.distributed`.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys

from ganzoo.errors import GanzooError

#: The one Keras backend ganzoo runs on.
SUPPORTED = "tensorflow"


def configured_backend():
    """`(backend name, where it was set)` as Keras will choose it, without
    importing Keras: `KERAS_BACKEND`, else `keras.json` in `KERAS_HOME`
    (default ~/.keras), else TensorFlow; once Keras is imported, its own answer."""
    if "keras" in sys.modules and hasattr(sys.modules["keras"], "backend"):
        return sys.modules["keras"].backend.backend(), "Keras"
    name = os.environ.get("KERAS_BACKEND")
    if name:
        return name, "KERAS_BACKEND"
    # Keras's own rule (keras/src/backend/config.py): KERAS_HOME, else
    # ~/.keras, else /tmp/.keras when the home folder is read-only.
    home = os.environ.get("KERAS_HOME")
    if not home:
        base = os.path.expanduser("~")
        home = os.path.join(base if os.access(base, os.W_OK) else "/tmp", ".keras")
    path = os.path.join(home, "keras.json")
    try:
        with open(path, encoding="utf-8") as file:
            name = json.load(file).get("backend")
    except (OSError, ValueError, AttributeError):
        name = None
    return (name, path) if name else (SUPPORTED, "default")


def check_backend():
    """`GanzooError` unless Keras is set to the TensorFlow backend.

    Run before Keras is imported: importing it with KERAS_BACKEND=jax and
    no JAX installed fails with a bare ModuleNotFoundError, and with JAX
    installed ganzoo would fail later anyway (gradients and data are
    TensorFlow; see this module's docstring for what another backend needs).
    """
    name, where = configured_backend()
    if name == SUPPORTED:
        return
    setting = f"KERAS_BACKEND={name}" if where == "KERAS_BACKEND" else f"Keras backend {name!r} (set in {where})"
    module = {"jax": "jax", "torch": "torch"}.get(name)
    missing = f", and {module} is not installed" if module and importlib.util.find_spec(module) is None else ""
    fix = ("unset KERAS_BACKEND or set KERAS_BACKEND=tensorflow" if where == "KERAS_BACKEND"
           else f"set KERAS_BACKEND=tensorflow or \"backend\": \"tensorflow\" in {where}")
    raise GanzooError(f"{setting}: ganzoo runs on the TensorFlow backend only{missing}; {fix}")


def _tensorflow():
    import keras

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


def minimize(loss_fn, variables, optimizer, has_aux=False):
    """Runs `loss_fn`, differentiates it with respect to `variables` only,
    and applies one `optimizer` step to them.

    The loss is divided by the replica count (each replica sees 1/N of the
    batch and gradients are summed across replicas) and scaled by the
    optimizer for mixed float16 (`LossScaleOptimizer.apply` unscales).

    Returns:
        The unscaled loss, or `(loss, aux)` when `has_aux` (then `loss_fn`
        returns the pair and `aux` is passed through, not differentiated).
    """
    tf = _tensorflow()
    with tf.GradientTape() as tape:
        result = loss_fn()
        loss, aux = result if has_aux else (result, None)
        scaled = optimizer.scale_loss(loss / replica_count())
    gradients = tape.gradient(scaled, variables)
    optimizer.apply(gradients, variables)
    if has_aux:
        return loss, tf.nest.map_structure(tf.stop_gradient, aux)
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


# ---------------------------------------------------------------------- replicas
# Under a tf.distribute strategy, `train_step` runs once per replica on that
# replica's rows of the global batch. These helpers let the engine make a
# replicated step compute what one device computes on the whole batch. On one
# device (or outside `strategy.run`) each is the identity.

def _replica_context():
    """The replica context when several replicas run this code, else None."""
    tf = _tensorflow()
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return None
    return context


def replica_rows(draw, shape):
    """`draw(shape)` where `shape[0]` is this replica's share of the batch:
    with N replicas, every replica draws the whole global batch's values
    (`N * shape[0]` rows, from the same random state, so the state stays the
    same on all) and keeps its own rows, exactly those one device would give
    those examples."""
    context = _replica_context()
    if context is None or len(shape) == 0:
        return draw(shape)
    tf = _tensorflow()
    n = shape[0]
    full = draw((n * context.num_replicas_in_sync, *shape[1:]))
    start = tf.cast(context.replica_id_in_sync_group, tf.int32) * tf.cast(n, tf.int32)
    return full[start:start + n]


def all_reduce(value, reduction="mean"):
    """`value` reduced over the replicas (`"mean"` or `"sum"`), the same on all."""
    context = _replica_context()
    if context is None:
        return value
    tf = _tensorflow()
    op = {"mean": tf.distribute.ReduceOp.MEAN, "sum": tf.distribute.ReduceOp.SUM}[reduction]
    return context.all_reduce(op, value)


def all_gather(value):
    """The global batch: every replica's rows of `value`, in replica order
    (the order of the examples in the global batch), on every replica."""
    context = _replica_context()
    if context is None:
        return value
    tf = _tensorflow()
    value = tf.convert_to_tensor(value)
    if value.dtype == tf.bfloat16:
        # TensorFlow's collective gather has no bfloat16 kernel (mixed_bfloat16 activations).
        return tf.cast(context.all_gather(tf.cast(value, tf.float32), axis=0), tf.bfloat16)
    return context.all_gather(value, axis=0)


def local_rows(value, n):
    """This replica's `n` rows of a global-batch `value` (see `all_gather`)."""
    context = _replica_context()
    if context is None:
        return value
    tf = _tensorflow()
    start = tf.cast(context.replica_id_in_sync_group, tf.int32) * tf.cast(n, tf.int32)
    return value[start:start + n]


def fingerprints(strings):
    """int64 fingerprints of a string tensor (equal strings, equal numbers):
    strings cannot cross replicas, numbers can."""
    tf = _tensorflow()
    return tf.strings.to_hash_bucket_fast(strings, 2**62)


def multi_worker() -> bool:
    """Whether training runs under MultiWorkerMirroredStrategy with several workers."""
    tf = _tensorflow()
    strategy = tf.distribute.get_strategy()
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and \
        strategy.extended._in_multi_worker_mode()


def step_logs(logs):
    """`train_step`'s logs as Keras can reduce them over the replicas.

    Keras 3.15 reduces logs across the workers of a MultiWorkerMirroredStrategy
    with `strategy.reduce("MEAN", value, axis=0)`, which fails on the scalars
    every train_step returns ("Invalid reduction dimension 0 for input with 0
    dimensions"; keras-team/keras #20585). Under several workers each scalar
    is given one axis of length 1, which that reduction averages back to a
    scalar; otherwise the logs are returned as they are.
    """
    if not multi_worker():
        return logs
    tf = _tensorflow()
    return {key: tf.reshape(value, (1,)) if getattr(value, "shape", None) is not None and value.shape.rank == 0
            else value for key, value in logs.items()}


def unsupported_by_xla(exc):
    """The operations XLA reported it has no kernel for in `exc` (sorted
    names), or None when `exc` is not that error: `jit_compile` fails at the
    first step, inside TensorFlow's graph execution, for a model that uses
    one of them (SRGAN's bicubic skip on CPU: ResizeBicubic)."""
    text = str(exc)
    if "XLA compilation requires that operator arguments that represent shapes" in text:
        return ["a shape computed while the step runs"]
    if "Detected unsupported operations" not in text:
        return None
    import re

    return sorted(set(re.findall(r"No registered '(\w+)' OpKernel for XLA", text))) or ["an operation"]


class BuildsItsOwnState:
    """Mixin, before `keras.Model`, for a model that builds its networks and
    optimizers itself (in `__init__` and `compile`).

    Under a `tf.distribute` strategy Keras 3 averages the first distributed
    batch over the replicas for a symbolic build before training, which fails
    on string inputs such as captions ("Value for attr 'T' of string" in
    AddN). Such a model needs no symbolic build: it is left to the first
    traced step, as Keras does without a strategy.
    """

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        if getattr(self, "_distribute_strategy", None) is not None and self.compiled:
            return None
        return super()._maybe_symbolic_build(iterator=iterator, data_batch=data_batch)
