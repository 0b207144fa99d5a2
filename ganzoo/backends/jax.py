"""The JAX adapter: a stateless, jitted step around the plugin's stateful one.

JAX computes on values, never on variables. Keras' JAX trainer threads the
model's state through the compiled step as four lists of values (trainable
variables, non-trainable ones, the optimizer's variables, the metrics'
variables) and writes them back to the Keras variables only at the end of
each epoch (`jax_state_sync`). ganzoo's plugins write a stateful
`train_step(data)`: they read and assign variables. The bridge is Keras'
`StatelessScope`: the jitted step opens one over the incoming values, runs the
plugin's step (every read sees the scope's value, every `assign` lands in the
scope), and returns every variable's value from the scope as the new state.

Inside that step:

- `minimize` is `jax.value_and_grad` of a function of the updated variables'
  values that runs `loss_fn` inside a nested scope; everything else the loss
  function changes (BatchNorm statistics, the random stream, an image
  history) comes out as auxiliary values and is written to the outer scope,
  and `optimizer.apply` then updates the variables in the outer scope.
- `input_gradients` is `jax.value_and_grad` with respect to the inputs, in
  the same kind of nested scope; it is itself differentiable (R1 and WGAN-GP
  penalise it inside a `minimize` loss).
- `branch` is `jax.lax.cond`. A branch's assignments cannot leave `cond`
  as side effects, so each branch runs in a nested scope and returns, with its
  result, the value of every variable of the step; the chosen values are
  written to the outer scope.

Keras' `StatelessScope` does not look into an enclosing scope for a variable
it does not map (it would read the variable itself, which the trainer empties
during an epoch), so the nested scopes here do (`_Scope`).

Several devices: `ganzoo fit --strategy mirrored` sets
`keras.distribution.DataParallel` for the process (`DataParallelStrategy`).
The jitted step then sees the whole global batch as one array sharded along
its first axis, the variables replicated, and XLA inserts the collectives; so
every collective of ganzoo's is the identity and `replica_count()` is 1,
exactly as on one device. BatchNorm statistics, random draws, image pools
and averages are then those of the global batch, and the step is one
device's on the global batch (tests/backends/test_jax_data_parallel.py).

Strings cannot enter a jitted JAX step: a model whose batches hold strings
(captions) turns them into numbers on the data side (see text2image).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import keras
from keras.src.backend.common.stateless_scope import get_stateless_scope

from ganzoo.backends.base import Adapter, OneReplica


class _Scope(keras.StatelessScope):
    """A `StatelessScope` that reads what it does not map from the scope
    around it (or from the variable itself when there is none), and
    remembers which variables were assigned in it.

    Args:
        state_mapping: `(variable, value)` pairs this scope maps itself.
        parent: the enclosing scope, or None.
    """

    def __init__(self, state_mapping=(), parent=None):
        state_mapping = list(state_mapping)
        super().__init__(state_mapping=state_mapping, initialize_variables=False)
        self.parent = parent
        self.mapped = {id(variable): variable for variable, _ in state_mapping}
        self.assigned = {}

    def add_update(self, update):
        variable, _ = update
        self.assigned[id(variable)] = variable
        super().add_update(update)

    def get_current_value(self, variable):
        value = self.state_mapping.get(id(variable))
        if value is None and self.parent is not None:
            value = self.parent.get_current_value(variable)
        return value

    def current(self, variable):
        """The variable's value as seen here (its own when nothing maps it)."""
        value = self.get_current_value(variable)
        return variable.value if value is None else value

    def variables(self):
        """Every variable this scope and its parents map or assigned, outermost first."""
        found = dict(self.parent.variables()) if isinstance(self.parent, _Scope) else {}
        found.update(self.mapped)
        found.update(self.assigned)
        return found

    def updates(self):
        """`[(variable, value)]` of what was assigned in this scope."""
        return [(variable, self.state_mapping[key]) for key, variable in self.assigned.items()]


def _write(updates, scope):
    """Writes `(variable, value)` pairs into `scope`, or into the variables
    themselves outside any scope (a step run eagerly, outside `fit`)."""
    for variable, value in updates:
        if scope is None:
            variable.assign(value)
        else:
            scope.add_update((variable, value))


def _state_lists(model):
    """The four lists of variables the Keras JAX trainer threads through the
    step, in its order."""
    optimizer = model.optimizer.variables if model.optimizer is not None else []
    return (model.trainable_variables, model.non_trainable_variables, optimizer, model.metrics_variables)


def _from_tensorflow(data):
    """`data` with TensorFlow tensors as NumPy arrays: `fit` on JAX reads a
    `tf.data` pipeline into NumPy itself, but `train_on_batch` passes a batch
    on as it is, and a batch taken from `ganzoo.data.load` holds TF tensors,
    which JAX cannot take."""
    def convert(value):
        if type(value).__module__.startswith("tensorflow"):
            return value.numpy()
        return value
    return keras.tree.map_structure(convert, data)


def _concrete(value):
    """The Python bool of `value`, or None while it is traced."""
    try:
        return bool(value)
    except jax.errors.ConcretizationTypeError:
        return None


class BuildsItsOwnState:
    """Mixin, before `keras.Model`, for a model with a stateful
    `train_step(data)` that updates through the adapter (ganzoo's models and
    helper models such as text2image's encoder pre-training).

    Keras' JAX trainer expects a stateless `train_step(state, data)`; a
    ganzoo model's `train_step(data)` is stateful. `make_train_function`
    builds the stateless step around it, over every variable of the four
    state lists (both players' networks with their BatchNorm statistics, the
    averaged copies, the model's random state and any other variable of a
    layer, every optimizer through the model's `OptimizerGroup`, the step
    counter, the metric trackers). A variable outside those lists would be
    read, not threaded: ganzoo models keep none.
    """

    def make_train_function(self, force=False):
        if self.train_function is not None and not force:
            return self.train_function
        from keras.src.distribution import distribution_lib

        model = self

        def stateless_step(state, data):
            lists = _state_lists(model)
            mapping = [(variable, value) for variables, values in zip(lists, state)
                       for variable, value in zip(variables, values)]
            with _Scope(mapping) as scope:
                logs = model.train_step(data)
            return logs, tuple([scope.current(variable) for variable in variables] for variables in lists)

        step = stateless_step
        if not self.run_eagerly and (self.jit_compile or _step_supports_jit(self)):
            out_shardings = None
            if distribution_lib.distribution() is not None:
                out_shardings = (None, self._get_state_sharding_spec())

            def compile_step(function):
                return jax.jit(function, donate_argnums=0, out_shardings=out_shardings)

            step = _HostDecisions(self, stateless_step, compile_step) if host_decisions() else \
                compile_step(stateless_step)
        self.train_function = self._make_function(step)
        return self.train_function

    def train_on_batch(self, x=None, y=None, sample_weight=None, *args, **kwargs):
        x, y, sample_weight = _from_tensorflow((x, y, sample_weight))
        return super().train_on_batch(x, y, sample_weight, *args, **kwargs)


def _step_supports_jit(model):
    """Keras' "auto" `jit_compile` for the training step alone: Keras turns
    jit off on JAX when any layer of the model cannot be traced (a
    TextVectorization), and the whole step would then run op by op; a layer
    the model holds but its step never runs (`layers_outside_the_step`: text
    preprocessing in the data pipeline) does not count here. An explicit
    `jit_compile=False` stays off."""
    if getattr(model, "_ganzoo_compile_kwargs", {}).get("jit_compile", "auto") != "auto":
        return False
    outside = getattr(model, "layers_outside_the_step", lambda: [])()
    if not outside:
        return False   # Keras' own answer stands
    skipped = {id(inner) for layer in outside for inner in layer._flatten_layers()}
    return all(layer.supports_jit for layer in model._flatten_layers() if id(layer) not in skipped)


def host_decisions():
    """Whether `GAN.branch` is decided on the host, one compiled step per
    decision (`_HostDecisions`), instead of by `jax.lax.cond` in the step:
    on CPU. XLA:CPU runs a convolution inside a conditional without its fast
    path (jax-ml/jax #12868 has the same inside loops): SRGAN's generator
    gradient took 9.2 s inside `lax.cond` against 0.22 s outside (16 LR
    crops of 16 px, 32 filters, 2-core CPU). GPUs keep `lax.cond`, which
    needs no read of the step counter per step."""
    return jax.default_backend() == "cpu"


class _HostDecisions:
    """The jitted step, one compilation per combination of `GAN.branch`
    decisions, chosen on the host before each step.

    The decisions are recorded while a compilation traces the step (each
    branch's condition evaluated on that step's counter); before a later
    step, the recorded conditions are evaluated on its counter, read from
    the incoming state, and the matching compilation runs, or a new one is
    traced. A step without branches is compiled once and never reads the
    counter. What each branch computes is the same as under `lax.cond`.

    Reading the counter waits for the step before it, which would leave the
    host idle while a step computes (srgan: 0.91x the hand-written step).
    So the counter is read once, where a state arrives that no step here
    returned (the start of an epoch or of a `fit()`); after that it is known
    on the host, since the engine adds exactly 1 per `train_step`.
    """

    def __init__(self, model, stateless_step, compile_step):
        self.model, self.stateless_step, self.compile_step = model, stateless_step, compile_step
        self.compiled = []   # [(decisions, jitted step)]; decisions: {key: (taken, condition)}
        optimizer_variables = [id(variable) for variable in model.optimizer.variables]
        self.counter = optimizer_variables.index(id(model.optimizer.iterations))
        self.returned = None   # (the counter array the last step returned, its value)
        self.reads = 0         # counter reads from the device (a test's window on the syncs)

    def step_of(self, state):
        """The step counter of `state`: known when the last step returned this very array, else read."""
        counter = state[2][self.counter]
        if self.returned is not None and counter is self.returned[0]:
            return self.returned[1]
        self.reads += 1
        # This process's copy: replicated over several processes, the array is not all addressable here.
        return int(counter.addressable_data(0))

    def __call__(self, state, data):
        if len(self.compiled) == 1 and not self.compiled[0][0]:
            return self.compiled[0][1](state, data)   # no branches: one form
        step = self.step_of(state)
        logs, new_state = self.dispatch(state, data, step)
        self.returned = (new_state[2][self.counter], step + 1)
        return logs, new_state

    def dispatch(self, state, data, step):
        for decisions, jitted in self.compiled:
            if all(decide(condition, step) == taken for taken, condition in decisions.values()):
                return jitted(state, data)
        decisions = {}
        model, stateless_step = self.model, self.stateless_step

        def traced_step(state, data):
            # Runs only while JAX traces: the branches read the plan then.
            model.__dict__["_ganzoo_host_decisions"] = (step, decisions)
            try:
                return stateless_step(state, data)
            finally:
                del model.__dict__["_ganzoo_host_decisions"]

        jitted = self.compile_step(traced_step)
        self.compiled.append((decisions, jitted))
        return jitted(state, data)


def decide(condition, step):
    """`condition(step)` as a Python bool, also while a step is traced (a
    condition written with `keras.ops` would otherwise be staged into it)."""
    with jax.ensure_compile_time_eval():
        return bool(condition(step))


class ModelHooks(BuildsItsOwnState):
    """The JAX trainer's overrides for `ganzoo.GAN`: the stateless step of
    `BuildsItsOwnState`, and reads that bring the variables up to date.

    During an epoch the trainer keeps the step's state to itself and the
    Keras variables are empty (keras-team/keras #19054): `save`,
    `save_weights` and `get_weights` sync first, and so does
    `ganzoo.backends.get().sync(model)` (checkpoints, `steps_done`,
    `generate()`).
    """

    def save(self, *args, **kwargs):
        self.jax_state_sync()
        return super().save(*args, **kwargs)

    def save_weights(self, *args, **kwargs):
        self.jax_state_sync()
        return super().save_weights(*args, **kwargs)

    def get_weights(self):
        self.jax_state_sync()
        return super().get_weights()


class JaxAdapter(OneReplica, Adapter):
    """`ganzoo.backends.base.Adapter` for Keras on JAX."""

    name = "jax"
    ModelHooks = ModelHooks
    BuildsItsOwnState = BuildsItsOwnState

    # ------------------------------------------------------------------ gradients
    def minimize(self, loss_fn, variables, optimizer, has_aux=False):
        parent = get_stateless_scope()
        variables = list(variables)

        def objective(values):
            with _Scope(zip(variables, values), parent=parent) as scope:
                result = loss_fn()
            loss, aux = result if has_aux else (result, None)
            updates = [(variable, value) for variable, value in scope.updates()
                       if id(variable) not in scope.mapped]
            return optimizer.scale_loss(loss / self.replica_count()), (loss, aux, updates)

        values = [_current(variable, parent) for variable in variables]
        (_, (loss, aux, updates)), gradients = jax.value_and_grad(objective, has_aux=True)(values)
        _write(updates, parent)
        optimizer.apply(gradients, variables)
        if has_aux:
            return loss, jax.tree_util.tree_map(jax.lax.stop_gradient, aux)
        return loss

    def input_gradients(self, fn, inputs):
        parent = get_stateless_scope()
        inputs = jnp.asarray(inputs)

        def total(x):
            with _Scope(parent=parent) as scope:
                value = fn(x)
            return jnp.sum(jnp.asarray(value).astype("float32")), (value, scope.updates())

        (_, (value, updates)), gradient = jax.value_and_grad(total, has_aux=True)(inputs)
        _write(updates, parent)
        return value, gradient

    # ------------------------------------------------------------------ replicas
    # The collectives are OneReplica's: the jitted step works on the global batch.
    def fingerprints(self, strings):
        raise TypeError("strings cannot enter a JAX step; turn them into numbers on the data side")

    # ------------------------------------------------------------------ the step
    def branch(self, model, condition, true_fn, false_fn):
        plan = model.__dict__.get("_ganzoo_host_decisions")
        if plan is not None:   # decided on the host for this compilation (`_HostDecisions`)
            step, decisions = plan
            taken = decide(condition, step)
            decisions[(condition.__code__, len(decisions))] = (taken, condition)
            return true_fn() if taken else false_fn()
        taken = condition(model.step)
        decided = _concrete(taken)
        if decided is not None:   # outside a traced step: a Python choice
            return true_fn() if decided else false_fn()
        parent = get_stateless_scope()
        state = list(parent.variables().values()) if isinstance(parent, _Scope) else []

        def run(fn):
            def branch_fn():
                with _Scope(parent=parent) as scope:
                    result = fn()
                # Variables first assigned in a branch (none in ganzoo's
                # models: the step's scope maps every variable) would leave
                # the two branches with different outputs.
                unknown = [v.path for key, v in scope.assigned.items() if key not in known]
                if unknown:
                    raise RuntimeError(f"GAN.branch: {', '.join(unknown)} is assigned in a branch but is not "
                                       "part of the model's state")
                return result, [scope.current(variable) for variable in state]
            return branch_fn

        known = {id(variable) for variable in state}
        result, values = jax.lax.cond(jnp.asarray(taken, "bool"), run(true_fn), run(false_fn))
        _write(zip(state, values), parent)
        return result

    def sync(self, model):
        model.jax_state_sync()


def _current(variable, scope):
    if scope is None:
        return variable.value
    value = scope.get_current_value(variable)
    return variable.value if value is None else value


class DataParallelStrategy:
    """`keras.distribution.DataParallel` with the face of a `tf.distribute`
    strategy that ganzoo's training loop uses (`scope()`,
    `num_replicas_in_sync`, `is_chief()`).

    Creating it sets the distribution for the whole process: Keras' JAX
    trainer reads the global one when `fit` shards each batch and compiles
    the step, which happens outside any `scope()`. Variables created after it
    are replicated on every device.

    Args:
        devices: the JAX devices to train on (every process's, when
            `jax.distributed` was initialised).
    """

    def __init__(self, devices):
        self.distribution = keras.distribution.DataParallel(devices=list(devices))
        keras.distribution.set_distribution(self.distribution)
        self.num_replicas_in_sync = len(devices)
        processes = jax.process_count()
        self.kind = f"DataParallel on {processes} processes" if processes > 1 else "DataParallel"

    def scope(self):
        return self.distribution.scope()

    def is_chief(self):
        return jax.process_index() == 0


def data_parallel(name):
    """What `ganzoo.training.distribution.strategy(name)` returns on JAX:
    a `DataParallelStrategy` over every device for "mirrored" (over every
    accelerator for "auto" when there are several), else TensorFlow's default
    strategy (one device: the process's distribution is cleared).

    "multi-worker" joins the processes named by the `KERAS_DISTRIBUTION_*`
    variables first (`join_processes`) and is a `DataParallelStrategy` over
    every process's devices.

    Raises:
        GanzooError: "multi-worker" without its variables, or too late to join.
    """
    import tensorflow as tf

    from ganzoo.errors import GanzooError

    if name == "multi-worker":
        join_processes()
        return DataParallelStrategy(jax.devices())
    devices = jax.devices()
    accelerators = [device for device in devices if device.platform != "cpu"]
    if name == "mirrored" or (name == "auto" and len(accelerators) > 1):
        return DataParallelStrategy(devices)
    # One device means no distribution, also after an earlier strategy of this process.
    keras.distribution.set_distribution(None)
    return tf.distribute.get_strategy()


#: What `keras.distribution.initialize()` reads on every process of a multi-process JAX run.
PROCESS_VARIABLES = ("KERAS_DISTRIBUTION_JOB_ADDRESSES", "KERAS_DISTRIBUTION_NUM_PROCESSES",
                     "KERAS_DISTRIBUTION_PROCESS_ID")


def join_processes():
    """`jax.distributed.initialize` through `keras.distribution.initialize()`,
    from the `KERAS_DISTRIBUTION_*` variables (`PROCESS_VARIABLES`); waits
    until every process has joined. Once per process, before any JAX
    computation: afterwards `jax.devices()` lists every process's devices.

    Raises:
        GanzooError: a variable is not set, or JAX has already computed.
    """
    import os

    from ganzoo.errors import GanzooError

    if jax.distributed.is_initialized():
        return
    missing = [name for name in PROCESS_VARIABLES if not os.environ.get(name)]
    if missing:
        raise GanzooError(f"--strategy multi-worker on JAX needs {', '.join(missing)} on every process "
                          "(KERAS_DISTRIBUTION_JOB_ADDRESSES: the coordinator's host:port, the same everywhere; "
                          "KERAS_DISTRIBUTION_PROCESS_ID: 0, 1, ...); see docs/distributed.md, \"Several processes\"")
    try:
        keras.distribution.initialize()
    except (RuntimeError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise GanzooError(f"could not join the JAX processes ({first}); check the KERAS_DISTRIBUTION_* variables "
                          "and that the multi-worker strategy is chosen before any other JAX work") from None
