"""The model of a run: how it is compiled, built and restored."""

from __future__ import annotations

import math
import os

from ganzoo.errors import GanzooError
from ganzoo.precision import precision_policy
from ganzoo.training import checkpoints
from ganzoo.training.run_files import MODEL_FILE, saved_anything, save_model

#: How `ganzoo fit` compiles the training step unless told otherwise (see
#: docs/benchmarks.md): Keras' "auto", which is off on a CPU-only machine
#: (XLA was slower on CPU for every plugin measured) and under tf.distribute;
#: and one step per execution (more gave no measurable gain).
DEFAULT_JIT = "auto"
DEFAULT_STEPS_PER_EXECUTION = 1


def compile_options(jit=None, steps_per_execution=None):
    """The `keras.Model.compile` arguments of `--jit` and `--steps-per-execution`."""
    return {"jit_compile": DEFAULT_JIT if jit is None else bool(jit),  # "auto" unless asked
            "steps_per_execution": int(steps_per_execution or DEFAULT_STEPS_PER_EXECUTION)}


def execution_steps(requested, *boundaries):
    """The steps per execution a run can use: the largest divisor of
    `requested` that divides every boundary (steps in an epoch, steps left in
    a resumed epoch, checkpoint interval, total steps, steps already done).

    Keras runs `steps_per_execution` steps in one call and calls the batch-end
    callbacks once after them, so a checkpoint or a stop can only land on a
    multiple of it; and it rounds an epoch up to whole executions. Dividing
    every boundary keeps each one exact."""
    chosen = int(requested)
    for boundary in boundaries:
        if boundary:
            chosen = math.gcd(chosen, int(boundary))
    return max(1, chosen)


def build_model(plugin, settings, weights_preset=None, compile_kwargs=None):
    """The compiled model of a run.

    Args:
        plugin: the run's `Plugin`.
        settings: its `RunSettings` (seed, precision, configuration).
        weights_preset: a `.keras`/`.weights.h5` file whose weights it
            starts from, or None.
        compile_kwargs: `keras.Model.compile` arguments (`compile_options`).

    Returns:
        The compiled model.
    """
    import keras

    if settings.seed is not None:
        keras.utils.set_random_seed(settings.seed)
    with precision_policy(settings.precision):
        try:
            model = plugin.model_class(**settings.config)
        except GanzooError as exc:   # "needs a square size of ...; got 40": say where 40 came from
            shape = settings.config.get("image_shape")
            if not shape or str(shape[0]) not in str(exc):
                raise
            from ganzoo.data import size_origin

            raise GanzooError(f"{exc}{size_origin(settings.source, shape, data_dir=settings.data_dir)}") from None
    model.compile(**(compile_kwargs or {}))
    if weights_preset is not None:
        from ganzoo.factory import from_file

        source = from_file(plugin, weights_preset, {} if str(weights_preset).endswith(".keras")
                           else settings.config)
        model.set_weights(source.get_weights())
    return model


def restore_run(model, out, settings, echo):
    """Loads the run's checkpoint into `model` to train on.

    Returns:
        The checkpoint's state, or None when the run has none yet.

    Raises:
        GanzooError: the run got somewhere but its checkpoint is missing.
    """
    state = checkpoints.restore(model, out)
    if state is None:
        if saved_anything(out):
            # Never train from scratch over a run that got somewhere.
            raise GanzooError(f"{out} has a model or part of a checkpoint but no {checkpoints.WEIGHTS}, so it "
                              "cannot resume where it stopped; start a new run with another --out")
        echo(f"no checkpoint in {out} yet; starting from step 0")
        return None
    checkpoints.sync_state_copy(out, state)  # training writes here anyway; reads leave the copy alone
    inside = f", {state['epoch_step']} steps into epoch {state['epoch'] + 1}" if state.get("epoch_step") else ""
    whole = f"{state['epoch']} epoch{'' if state['epoch'] == 1 else 's'} done"
    echo(f"resuming {settings.plugin} from step {state['step']} ({whole}{inside})")
    return state


def finished(model, out, settings, state, echo):
    """True when the checkpoint already holds the whole run. A run killed
    after its last checkpoint but before its final model gets the model now;
    a finished run asks for a longer one."""
    if settings.total_steps is not None:
        done = model.steps_done
        complete = done >= settings.total_steps
        more = f"the run already did {done} steps; pass --steps N with N > {done} to train on"
    else:
        complete = state["epoch"] >= settings.epochs
        more = f"the run already finished {state['epoch']} epochs; pass --epochs N with N > {state['epoch']} to train on"
    if not complete:
        return False
    path = os.path.join(out, MODEL_FILE)
    weights = os.path.join(out, checkpoints.WEIGHTS)
    if os.path.exists(path) and not _older(path, weights):
        if not os.path.exists(weights):
            raise GanzooError(more)
        # Killed after its final model, before the model became its checkpoint.
        if checkpoints.fold_into_final(model, out):
            echo(f"the run had finished; {path} now holds its checkpoint too")
            return True
        raise GanzooError(more)
    save_model(model, path)
    echo(f"the run had finished before its final model was written; saved {path} after {model.steps_done} steps")
    return True


def _older(path, than):
    """Whether file `path` was written before file `than` (False when `than` is missing)."""
    return os.path.exists(than) and os.stat(path).st_mtime_ns < os.stat(than).st_mtime_ns
