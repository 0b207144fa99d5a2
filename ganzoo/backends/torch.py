"""The PyTorch adapter: eager steps and `torch.autograd`.

Keras' torch trainer calls the model's `train_step` eagerly, once per batch,
so a step is plain Python: the step counter is a number the moment it is
read, `GAN.branch` is an `if`, and no state has to be threaded through a
compiled function.

Gradients come from `torch.autograd.grad` with respect to the updated
variables only: the frozen player's gradients are never computed nor stored
(`loss.backward()` would fill every parameter's `.grad` that the loss
touched). While a `fit()` step runs, the model's other trainable weights
also stop requiring gradients for the duration of each `update`, so PyTorch
builds no graph through the frozen player at all (the generator's forward
pass in the discriminator's update): less memory and less work, the same
numbers.

One process trains on one device. `torch.distributed` is not wired in:
`ganzoo fit --strategy mirrored` / `multi-worker` is refused on this backend
in one line that points to the TensorFlow and JAX backends (see
`ganzoo.training.distribution`), and every collective of `ganzoo.replicas` is
the identity.
"""

from __future__ import annotations

import contextlib
import threading

from ganzoo.backends.base import Adapter, OneReplica


def _torch():
    import torch

    return torch


def _tensor(value):
    """The torch tensor behind a Keras variable or a tensor-like."""
    from keras import ops

    value = getattr(value, "value", value)   # a KerasVariable's parameter
    return value if isinstance(value, _torch().Tensor) else ops.convert_to_tensor(value)


_running = threading.local()


@contextlib.contextmanager
def _frozen(variables):
    """The model's trainable weights other than `variables` stop requiring
    gradients inside the block (those of the model whose `fit()` step runs;
    outside a step, nothing changes)."""
    model = getattr(_running, "model", None)
    if model is None:
        yield
        return
    updated = {id(v) for v in variables}
    switched = []
    for variable in model.trainable_variables:
        parameter = variable.value
        if id(variable) not in updated and parameter.requires_grad:
            parameter.requires_grad_(False)
            switched.append(parameter)
    try:
        yield
    finally:
        for parameter in switched:
            parameter.requires_grad_(True)


class BuildsItsOwnState:
    """Mixin, before `keras.Model`, for a model that builds its networks and
    optimizers itself. On PyTorch Keras' symbolic build before the first
    step only builds what is not built; nothing needs to change."""


class ModelHooks(BuildsItsOwnState):
    """The torch trainer's overrides for `ganzoo.GAN`.

    The step function Keras builds (`make_train_function`) is wrapped so
    that, while one step runs, the adapter knows the model: each `update`
    then takes the other trainable weights out of autograd (see the module
    docstring). Keras' `steps_per_execution` above 1 does not exist on
    PyTorch (Keras refuses it); `compile` lowers it to 1 here, since every
    step is an eager call anyway.
    """

    def stage(self):
        """Older form of `GAN.branch` (see the TensorFlow adapter): the
        training stage, or None. On PyTorch a plugin branches in Python on
        it directly, every step being eager."""
        return None

    @property
    def traced_stage(self):
        """None: a torch step is never traced, so a plugin branches on its
        own condition (`GAN.branch`)."""
        return None

    def compile(self, *args, **kwargs):
        if int(kwargs.get("steps_per_execution") or 1) > 1:
            kwargs["steps_per_execution"] = 1   # one eager call per step is all PyTorch has
        return super().compile(*args, **kwargs)

    def make_train_function(self, force=False):
        if self.train_function is not None and not force:
            return self.train_function
        super().make_train_function(force=force)
        step = self.train_function
        if step is None or getattr(step, "_ganzoo_step", False):
            return step

        def one_step(data):
            previous = getattr(_running, "model", None)
            _running.model = self
            try:
                return step(data)
            finally:
                _running.model = previous

        one_step._ganzoo_step = True
        self.train_function = one_step
        return one_step


class TorchAdapter(OneReplica, Adapter):
    """`ganzoo.backends.base.Adapter` for Keras on PyTorch."""

    name = "torch"
    ModelHooks = ModelHooks
    BuildsItsOwnState = BuildsItsOwnState

    def minimize(self, loss_fn, variables, optimizer, has_aux=False):
        torch = _torch()
        variables = list(variables)
        with torch.enable_grad(), _frozen(variables):
            result = loss_fn()
            loss, aux = result if has_aux else (result, None)
            scaled = optimizer.scale_loss(loss / self.replica_count())
            parameters = [v.value for v in variables]
            # Only these variables' gradients: the frozen player's are never
            # computed, and no `.grad` is left on any parameter.
            gradients = list(torch.autograd.grad(scaled, parameters, allow_unused=True)) if parameters else []
        with torch.no_grad():
            optimizer.apply(gradients, variables)
        if has_aux:
            from keras import tree

            aux = tree.map_structure(lambda x: x.detach() if isinstance(x, torch.Tensor) else x, aux)
            return loss.detach(), aux
        return loss.detach()

    def input_gradients(self, fn, inputs):
        torch = _torch()
        from keras import tree

        def watched(x):
            x = _tensor(x)
            if x.is_floating_point() and not x.requires_grad:
                x = x.detach().requires_grad_(True)
            return x

        with torch.enable_grad():
            inputs = tree.map_structure(watched, inputs)
            value = fn(inputs)
            total = sum(_tensor(v).float().sum() for v in tree.flatten(value))
            flat = tree.flatten(inputs)
            wanted = [x for x in flat if x.requires_grad]
            found = iter(torch.autograd.grad(total, wanted, create_graph=True, allow_unused=True))
            gradients = [next(found) if x.requires_grad else None for x in flat]
        gradients = [torch.zeros_like(x) if g is None and x.requires_grad else g for x, g in zip(flat, gradients)]
        return value, tree.pack_sequence_as(inputs, gradients)

    def fingerprints(self, strings):
        # Strings cannot be torch tensors: a batch of strings (NumPy bytes or
        # str) is hashed in Python. Equal strings give equal numbers; the
        # numbers differ from TensorFlow's, which only compares them.
        import hashlib

        import numpy as np

        values = np.asarray(strings, dtype=object).reshape(-1)
        numbers = [int.from_bytes(hashlib.blake2b(_bytes(s), digest_size=8).digest(), "little") % 2**62
                   for s in values]
        return _torch().tensor(numbers, dtype=_torch().int64).reshape(np.shape(strings))

    def branch(self, model, condition, true_fn, false_fn):
        return true_fn() if bool(condition(model.step)) else false_fn()


def _bytes(value):
    if isinstance(value, bytes):
        return value
    if hasattr(value, "numpy"):
        value = value.numpy()
    return value if isinstance(value, bytes) else str(value).encode("utf-8")
