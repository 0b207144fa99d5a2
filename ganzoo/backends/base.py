"""The backend adapter: every operation of training that depends on the Keras
backend, behind one interface.

Plugins never see it: they call `GAN.update`, `GAN.input_gradients`,
`GAN.branch`, the collectives of `ganzoo.replicas` and `keras.ops`; the model
base class (`ganzoo.model.GAN`) calls `ganzoo.backends.get()`, which returns
the adapter of the backend Keras runs on. A new backend is a new subclass of
`Adapter` registered in `ganzoo.backends._ADAPTERS`, never a change to a
plugin. `ganzoo.backends.tensorflow` is the one implementation today.

Where JAX and PyTorch plug in (the next issue; see docs/architecture.md and
the last section of the project's Keras notes):

- `ganzoo/backends/jax.py`, `JaxAdapter(Adapter)`. JAX steps are stateless:
  `minimize` becomes `jax.value_and_grad` of a function that runs `loss_fn`
  inside a `keras.StatelessScope` over the current variable values, then
  `optimizer.stateless_apply`; every value the step changes (both networks
  including BatchNorm statistics, which move in *both* players' updates,
  every optimizer, the seed generator, the metric trackers, the averaged
  copies) travels out of the jitted step and is written back. That threading
  is the JAX adapter's `ModelHooks` job (overriding Keras' JAX trainer's
  stateless `train_step` around the plugin's), not the plugins'.
  `input_gradients` is `jax.grad` of the summed value (differentiable again
  for R1 and WGAN-GP). Several devices are `keras.distribution.DataParallel`:
  the jitted step works on the whole global batch as one sharded array, so
  every collective is the identity (`OneReplica`). `branch` is `lax.cond`.
  The symbolic-build workaround is not needed.
- `ganzoo/backends/torch.py`, `TorchAdapter(Adapter)`. `minimize` runs
  `loss_fn`, zeroes the variables' gradients (`variable.value.grad`),
  `loss.backward()` and `optimizer.apply` under `torch.no_grad()`; it must
  keep the frozen player's weights out of the graph (`requires_grad` off for
  them) or `backward()` fills their gradients too. `input_gradients` is
  `torch.autograd.grad(..., create_graph=True)`. Collectives come from
  `torch.distributed` (`all_reduce`, `all_gather_into_tensor`); `branch` is a
  Python `if` on the eager condition.

Each operation below says what the model relies on; an adapter that keeps
those promises needs no change elsewhere in ganzoo.
"""

from __future__ import annotations

import abc


class Adapter(abc.ABC):
    """What ganzoo needs from a Keras backend to train a GAN.

    "Replica" below means one copy of the training step that sees a share of
    the global batch (a device under `tf.distribute.MirroredStrategy`, a
    shard under `keras.distribution.DataParallel`). On one device every
    collective is the identity.
    """

    #: The Keras backend name (`keras.backend.backend()`) this adapter serves.
    name: str = ""

    # ------------------------------------------------------------------ gradients
    @abc.abstractmethod
    def minimize(self, loss_fn, variables, optimizer, has_aux=False):
        """Runs `loss_fn`, differentiates it with respect to `variables` only
        (everything else stays frozen), and applies one `optimizer` step.

        The loss is divided by `replica_count()` (gradients are summed across
        replicas) and scaled by the optimizer for mixed float16
        (`optimizer.scale_loss`; `LossScaleOptimizer.apply` unscales).

        Args:
            loss_fn: a function of no arguments returning the scalar loss,
                or `(loss, aux)` with `has_aux`.
            variables: the trainable variables to update.
            optimizer: the optimizer that owns them.
            has_aux: whether `loss_fn` returns `(loss, aux)`.

        Returns:
            The unscaled loss, or `(loss, aux)` with `aux` not differentiated.
        """

    @abc.abstractmethod
    def input_gradients(self, fn, inputs):
        """`(fn(inputs), gradient)`: the gradient of the sum of `fn(inputs)`
        (cast to float32) with respect to `inputs`, itself differentiable
        (R1 and WGAN-GP penalise it inside a `minimize` loss)."""

    # ------------------------------------------------------------------ replicas
    @abc.abstractmethod
    def replica_count(self) -> int:
        """Number of replicas that each compute a share of the global batch."""

    @abc.abstractmethod
    def replica_rows(self, draw, shape):
        """`draw(shape)` where `shape[0]` is this replica's share: every
        replica draws the whole global batch (same random state) and keeps
        its own rows, so that a replicated step draws what one device would."""

    @abc.abstractmethod
    def all_reduce(self, value, reduction="mean"):
        """`value` reduced over the replicas (`"mean"` or `"sum"`), the same on all."""

    @abc.abstractmethod
    def all_gather(self, value):
        """Every replica's rows of `value`, in the order of the global batch, on every replica."""

    @abc.abstractmethod
    def local_rows(self, value, n):
        """This replica's `n` rows of a global-batch `value` (the inverse of `all_gather`)."""

    @abc.abstractmethod
    def fingerprints(self, strings):
        """int64 numbers standing for a batch of strings (equal strings, equal
        numbers): strings cannot cross replicas, numbers can."""

    # ------------------------------------------------------------------ the step
    @abc.abstractmethod
    def step_logs(self, logs):
        """`train_step`'s logs in the form the backend's `fit` can reduce over
        the replicas (and workers)."""

    @abc.abstractmethod
    def branch(self, model, condition, true_fn, false_fn):
        """`true_fn()` if `condition(step)` else `false_fn()`, inside a training step.

        `condition` is a function of the step counter (a tensor inside a
        compiled step, a Python int when the adapter decides outside it).
        Both functions return the same structure. What `GAN.branch` runs; an
        adapter whose collectives cannot run inside graph control flow
        (TensorFlow's `MirroredStrategy`) decides outside the graph and
        recompiles the step when the decision changes.
        """

    def sync(self, model):
        """Brings `model`'s Keras variables up to date with the training step.

        A backend whose `fit` keeps the step's state apart from the variables
        during an epoch (JAX: keras-team/keras #19054) writes it back here;
        the others have nothing to do. Called before anything outside the step
        reads the model in the middle of an epoch: checkpoints, the step
        counter, `generate()`.
        """

    #: A mixin class the model base class puts before `keras.Model`: the
    #: backend's overrides of Keras' trainer (the step function's
    #: construction and retracing for `branch` and the legacy `stage()`
    #: hook, and any workaround of Keras' own symbolic build). It defines no
    #: name that a plugin calls.
    ModelHooks: type = object

    #: A mixin for a `keras.Model` that builds its networks and optimizers
    #: itself, in `__init__` and `compile` (ganzoo's models, and helper
    #: models such as text2image's encoder pre-training): whatever the
    #: backend's `fit` would otherwise build symbolically, and cannot.
    BuildsItsOwnState: type = object


class OneReplica:
    """Mixin before `Adapter`: the collectives of a step that sees the whole
    global batch as one array (PyTorch on one device; JAX, whose jitted step
    works on the global batch, sharded or not). Every collective is the identity."""

    def replica_count(self) -> int:
        return 1

    def replica_rows(self, draw, shape):
        return draw(shape)

    def all_reduce(self, value, reduction="mean"):
        return value

    def all_gather(self, value):
        return value

    def local_rows(self, value, n):
        return value

    def step_logs(self, logs):
        return logs
