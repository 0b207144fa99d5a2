"""The TensorFlow adapter: eager, `tf.function` and `tf.distribute`.

Gradients come from a `GradientTape` around the loss, collectives from the
replica context of `tf.distribute`, and the step's branches from `ops.cond`
on one device and from Python (with a retrace when the decision changes)
under several replicas, because TensorFlow cannot run a collective inside
graph control flow.
"""

from __future__ import annotations

from ganzoo.backends.base import Adapter


def _tf():
    import tensorflow as tf

    return tf


def multi_worker_strategy(strategy=None) -> bool:
    """Whether `strategy` (default: the current one) is a `MultiWorkerMirroredStrategy`.

    The one place ganzoo asks; `ganzoo.distribute` describes strategies with it."""
    tf = _tf()
    strategy = strategy or tf.distribute.get_strategy()
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)


def multi_worker(strategy=None) -> bool:
    """Whether training runs under a `MultiWorkerMirroredStrategy` with several workers."""
    tf = _tf()
    strategy = strategy or tf.distribute.get_strategy()
    return multi_worker_strategy(strategy) and strategy.extended._in_multi_worker_mode()


def _replica_context():
    """The replica context when several replicas run this code, else None."""
    context = _tf().distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return None
    return context


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


class _Traced:
    """One traced step function and the decisions it was traced with:
    `{key: (current value, function of the model)}` filled while tracing."""

    def __init__(self, function):
        self.function = function
        self.decisions = {}
        self.called = False

    def matches(self, model, step):
        return all(decide(model, step) == value for value, decide in self.decisions.values())


class ModelHooks(BuildsItsOwnState):
    """The TensorFlow trainer's overrides for `ganzoo.GAN`.

    Under a strategy with several replicas, a step whose updates depend on
    the step counter (`GAN.branch`, or the older `stage()` hook) cannot
    choose them in the graph: the replicas' gradient all-reduce (a
    `merge_call`) is not supported inside `tf.cond` without XLA. The step is
    then traced once per combination of decisions, each decided in Python
    from the step counter before the call; `train_function` hands Keras the
    trace that matches the coming step. On one device none of this runs.

    The decisions are read once per call into TensorFlow, so with
    `steps_per_execution` above 1 a decision changes on the first step of an
    execution at the earliest.
    """

    def stage(self):
        """Older form of `GAN.branch`: the training stage, an int computed
        eagerly from the model's state, or None (the default) when the step
        has one form. Under several replicas the step is retraced when it
        changes and the plugin branches in Python on `self.traced_stage`."""
        return None

    @property
    def traced_stage(self):
        """The `stage()` the current step was traced for, under a strategy
        with several replicas; None otherwise (branch in the graph)."""
        traced = self.__dict__.get("_ganzoo_traced")
        if traced is None or self.distribute_strategy.num_replicas_in_sync == 1:
            return None
        stage = self.__dict__.get("_ganzoo_stage_now")
        traced.decisions["stage"] = (stage, lambda model, step: model.stage())
        return stage

    @property
    def train_function(self):
        traced = self.__dict__.get("_ganzoo_traced")
        if traced is None or self.__dict__.get("_ganzoo_retracing") or \
                self.distribute_strategy.num_replicas_in_sync == 1:
            return traced and traced.function
        if traced.called and not traced.decisions:
            return traced.function   # traced with no branch: one form
        step = self.steps_done
        if traced.called and not traced.matches(self, step):
            traced = self._trace_for(step)
        traced.called = True
        # Read while the step is traced: Python cannot read variables there.
        self.__dict__["_ganzoo_step_now"] = step
        self.__dict__["_ganzoo_stage_now"] = self.stage()
        return traced.function

    @train_function.setter
    def train_function(self, function):
        if not self.__dict__.get("_ganzoo_retracing"):
            self.__dict__["_ganzoo_traces"] = []   # a new step (Keras rebuilt it): forget older traces
        traced = None if function is None else _Traced(function)
        self.__dict__["_ganzoo_traced"] = traced
        if traced is not None:
            self.__dict__.setdefault("_ganzoo_traces", []).append(traced)

    def _trace_for(self, step):
        for traced in self.__dict__.get("_ganzoo_traces", ()):
            if traced.called and traced.matches(self, step):
                self.__dict__["_ganzoo_traced"] = traced
                return traced
        self.__dict__["_ganzoo_retracing"] = True
        try:
            self.make_train_function(force=True)
        finally:
            self.__dict__["_ganzoo_retracing"] = False
        return self.__dict__["_ganzoo_traced"]


class TensorFlowAdapter(Adapter):
    """`ganzoo.backends.base.Adapter` for Keras on TensorFlow."""

    name = "tensorflow"
    ModelHooks = ModelHooks
    BuildsItsOwnState = BuildsItsOwnState

    def replica_count(self) -> int:
        return _tf().distribute.get_strategy().num_replicas_in_sync

    def minimize(self, loss_fn, variables, optimizer, has_aux=False):
        tf = _tf()
        with tf.GradientTape() as tape:
            result = loss_fn()
            loss, aux = result if has_aux else (result, None)
            scaled = optimizer.scale_loss(loss / self.replica_count())
        gradients = tape.gradient(scaled, variables)
        optimizer.apply(gradients, variables)
        if has_aux:
            return loss, tf.nest.map_structure(tf.stop_gradient, aux)
        return loss

    def input_gradients(self, fn, inputs):
        tf = _tf()
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            value = fn(inputs)
            total = tf.reduce_sum(tf.cast(value, "float32"))
        return value, tape.gradient(total, inputs)

    def replica_rows(self, draw, shape):
        context = _replica_context()
        if context is None or len(shape) == 0:
            return draw(shape)
        tf = _tf()
        n = shape[0]
        full = draw((n * context.num_replicas_in_sync, *shape[1:]))
        start = tf.cast(context.replica_id_in_sync_group, tf.int32) * tf.cast(n, tf.int32)
        return full[start:start + n]

    def all_reduce(self, value, reduction="mean"):
        context = _replica_context()
        if context is None:
            return value
        tf = _tf()
        op = {"mean": tf.distribute.ReduceOp.MEAN, "sum": tf.distribute.ReduceOp.SUM}[reduction]
        return context.all_reduce(op, value)

    def all_gather(self, value):
        context = _replica_context()
        if context is None:
            return value
        tf = _tf()
        value = tf.convert_to_tensor(value)
        if value.dtype == tf.bfloat16:
            # TensorFlow's collective gather has no bfloat16 kernel (mixed_bfloat16 activations).
            return tf.cast(context.all_gather(tf.cast(value, tf.float32), axis=0), tf.bfloat16)
        return context.all_gather(value, axis=0)

    def local_rows(self, value, n):
        context = _replica_context()
        if context is None:
            return value
        tf = _tf()
        start = tf.cast(context.replica_id_in_sync_group, tf.int32) * tf.cast(n, tf.int32)
        return value[start:start + n]

    def fingerprints(self, strings):
        return _tf().strings.to_hash_bucket_fast(strings, 2**62)

    def step_logs(self, logs):
        """Keras 3.15 reduces logs across the workers of a
        MultiWorkerMirroredStrategy with `strategy.reduce("MEAN", value,
        axis=0)`, which fails on the scalars every train_step returns
        ("Invalid reduction dimension 0 for input with 0 dimensions";
        keras-team/keras #20585). Under several workers each scalar is given
        one axis of length 1, which that reduction averages back to a scalar."""
        if not multi_worker():
            return logs
        tf = _tf()
        return {key: tf.reshape(value, (1,)) if getattr(value, "shape", None) is not None and value.shape.rank == 0
                else value for key, value in logs.items()}

    def branch(self, model, condition, true_fn, false_fn):
        if self.replica_count() == 1 or "_ganzoo_step_now" not in model.__dict__:
            from keras import ops

            return ops.cond(condition(model.step), true_fn, false_fn)
        traced = model.__dict__["_ganzoo_traced"]
        taken = _decide(condition, model.__dict__["_ganzoo_step_now"])
        traced.decisions[condition.__code__] = (taken, lambda m, step: _decide(condition, step))
        return true_fn() if taken else false_fn()


def _decide(condition, step):
    # Eagerly, also while the step is traced: a condition written with
    # keras.ops would otherwise make graph tensors of the Python step.
    with _tf().init_scope():
        return bool(condition(step))
