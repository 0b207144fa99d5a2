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


def flat_train_function(model):
    """`model.fit()`'s per-step function as a hand-written loop has it: the
    next batch is read in Python and passed to one `tf.function` of
    `model.train_step`, or None where Keras' own must run (several steps per
    execution, eager mode, a `tf.distribute` strategy).

    Keras' TensorFlow trainer instead reads the batch inside a second
    `tf.function` (`multi_step_on_iterator`) that calls the step's function
    and wraps its result in a `tf.data` Optional; see docs/benchmarks.md for
    what that cost here.
    """
    tf = _tensorflow()
    if model.steps_per_execution != 1 or model.run_eagerly or tf.distribute.has_strategy():
        return None
    strategy = getattr(model, "_distribute_strategy", None)
    if strategy is not None and strategy is not tf.distribute.get_strategy():
        return None
    step = tf.function(model.train_step, jit_compile=bool(model.jit_compile), reduce_retracing=True)

    def function(iterator):
        return step(next(iterator))

    return function
