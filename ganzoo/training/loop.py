"""The training loop of `ganzoo fit`: from the request to the final model.

`fit` checks the request, picks the devices, takes the run directory's lock,
plans the run (`ganzoo.training.plan`), builds or restores the model
(`ganzoo.training.build`) and trains epoch by epoch with the run's callbacks,
committing each epoch's files before its checkpoint.
"""

from __future__ import annotations

import math
import os

from ganzoo.errors import GanzooError
from ganzoo.factory import is_file_preset
from ganzoo.training import checkpoints, distribution
from ganzoo.training.build import build_model, compile_options, execution_steps, finished, restore_run
from ganzoo.training.interruption import Interrupted, Interruption
from ganzoo.training.plan import check_same_data, model_config, new_settings, plan_length, resumed_settings
from ganzoo.training.request import (DEFAULT_CHECKPOINT_MINUTES, DEFAULT_CHECKPOINT_STEPS, FitRequest, check_request,
                                     resolve_source)
from ganzoo.training.run_files import (MODEL_FILE, RUN_FILE, note_version, read_run, run_record, run_size_line,
                                       save_model, saved_anything, saved_config)
from ganzoo.training.run_folder import check_new, check_outside_data, repair
from ganzoo.training.xla import raise_for_xla


def fit(plugin_name, *, dataset=None, data=None, data_dir=None, image_size=None, batch_size=None,
        epochs=None, steps=None, out=None, resume=False, seed=None, overrides=None, precision=None,
        preset=None, verbose="auto", echo=print, evaluation=None, checkpoint_steps=None,
        checkpoint_minutes=None, strategy=None, sync_batchnorm=None, jit=None, steps_per_execution=None):
    """Trains a plugin into a run directory (the engine of `ganzoo fit`).

    Every argument but `verbose`, `echo` and `evaluation` is the `FitRequest`
    field of that name, documented there in full; None means not given.

    Args:
        plugin_name: registered plugin name.
        dataset: embedded or TFDS dataset name (the plugin's default if None).
        data: a folder (or file) of training data instead of `dataset`.
        data_dir: TFDS data directory.
        image_size: square image size, overriding the dataset's.
        batch_size: images per step, over all replicas together.
        epochs: passes over the data.
        steps: total training steps instead of `epochs`.
        out: run directory (`runs/PLUGIN` if None).
        resume: continue the run in `out` from its last checkpoint.
        seed: seed of weights, latents and data order.
        overrides: dict of plugin options (`--set key=value`).
        precision: "float32", "mixed_bfloat16" or "mixed_float16".
        preset: a preset name, or a `.keras`/`.weights.h5` file to start from.
        verbose: Keras `fit` verbosity.
        echo: function that prints progress messages.
        evaluation: None, or keyword arguments of
            `ganzoo.metrics.callback.InceptionEvaluation` (`every`, `unit`,
            `metrics`, `n`, ...) to score the model during training.
        checkpoint_steps: save a checkpoint every this many steps.
        checkpoint_minutes: and whenever this many minutes have passed.
        strategy: "auto", "one", "mirrored" or "multi-worker".
        sync_batchnorm: synchronise BatchNorm statistics across replicas.
        jit: compile the training step with XLA.
        steps_per_execution: training steps per call into TensorFlow.

    Returns:
        The trained model.

    Raises:
        GanzooError: a bad argument, a run directory that is not this run's
            or is in use, a failed checkpoint write, training that diverged.
        ganzoo.training.interruption.Interrupted: Ctrl-C or SIGTERM, after saving.
    """
    request = FitRequest(plugin_name, dataset, data, data_dir, image_size, batch_size, epochs, steps, out,
                         resume, seed, overrides, precision, preset, checkpoint_steps, checkpoint_minutes,
                         strategy, sync_batchnorm, jit, steps_per_execution)
    return fit_request(request, verbose=verbose, echo=echo, evaluation=evaluation)


def fit_request(request, *, verbose="auto", echo=print, evaluation=None):
    """`fit` of a `FitRequest` (see `fit` for the other arguments and the result)."""
    from ganzoo.training.lock import RunLock

    # 1. Every argument, before the run directory is looked at.
    plugin = check_request(request)
    replicas = distribution.strategy(request.strategy or "auto")  # before any other TensorFlow work
    if not distribution.is_chief(replicas):
        # Only the chief writes the run directory and holds its lock; another
        # worker reads the run from it and writes into a folder of its own.
        return _fit_worker(request, plugin, request.out or os.path.join("runs", request.plugin), replicas,
                           verbose=verbose, echo=echo)
    # 2. The run directory: a new run, or the one to resume; held by this process.
    out = os.path.abspath(request.out or os.path.join("runs", request.plugin))
    check_outside_data(out, resolve_source(plugin, request.dataset, request.data) if request.data else None)
    check_new(out)
    with RunLock(out, echo=echo):
        try:
            return _fit_locked(request, plugin, out, verbose=verbose, echo=echo, evaluation=evaluation,
                               replicas=replicas)
        except BaseException:
            if not request.resume:
                remove_failed_start(out)
            raise


def remove_failed_start(out):
    """A new run that failed before its first checkpoint (data offline,
    labels missing, a bad option found while building) leaves nothing: its
    run.json, CSV, grids and logs go, and `RunLock` removes the folder when
    it created it and nothing else is in it. A run with a checkpoint or a
    model keeps everything (it can be resumed)."""
    import shutil

    from ganzoo.training.run_folder import CSV_FILE, SAMPLES

    if saved_anything(out):
        return
    for name in (RUN_FILE, CSV_FILE):
        try:
            os.unlink(os.path.join(out, name))
        except OSError:
            pass
    for name in (SAMPLES, "tensorboard"):
        shutil.rmtree(os.path.join(out, name), ignore_errors=True)


def _fit_worker(request, plugin, out, replicas, *, verbose, echo):
    """A multi-worker run's non-chief worker: the run's files (when resuming)
    are copied from `out` into a temporary folder, where it writes."""
    import shutil
    import tempfile

    out = os.path.abspath(out)
    scratch = tempfile.mkdtemp(prefix="ganzoo-worker-")
    if request.resume and os.path.isdir(out):
        for name in os.listdir(out):
            path = os.path.join(out, name)
            if os.path.isfile(path) and not name.startswith("."):
                shutil.copy2(path, os.path.join(scratch, name))
    try:
        return _fit_locked(request, plugin, scratch, verbose=verbose, echo=echo, evaluation=None,
                           replicas=replicas)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _fit_locked(request, plugin, out, *, verbose, echo, evaluation, replicas=None):
    from ganzoo.files import write_json

    previous = _previous_run(request, out)
    # 3. The settings and the model's whole configuration.
    settings, info = _plan_run(request, plugin, out, previous, echo)
    # 4. The model, restored when resuming; what a crash left half-done, removed.
    compile_kwargs = compile_options(request.jit, request.steps_per_execution)
    model, state, replicas = _model_of_run(request, plugin, out, settings, replicas, compile_kwargs, echo)
    _check_sync_batchnorm(model, settings, echo)
    done = state is not None and finished(model, out, settings, state, echo)
    repair(out, state, echo=echo, going_on=not done)
    if done:
        checkpoints.fold_into_final(model, out)
        echo(run_size_line(out))
        return model
    per_epoch = settings.steps_per_epoch or (info.num_examples // settings.batch_size if info.num_examples else None)
    epoch, epoch_step = (state["epoch"], state.get("epoch_step", 0)) if state else (0, 0)
    if settings.total_steps is not None:
        done = model.steps_done
        settings.epochs = epoch + math.ceil((epoch_step + settings.total_steps - done) / settings.steps_per_epoch)
    if not request.resume:
        settings.config = saved_config(model)
    # 5. Train, writing the run directory.
    write_json(run_record(plugin.name, settings, previous), os.path.join(out, RUN_FILE))
    echo(_announcement(plugin.name, info, settings, out, distribution.describe(replicas)))
    checkpointing = ((request.checkpoint_steps or DEFAULT_CHECKPOINT_STEPS,
                      request.checkpoint_minutes or DEFAULT_CHECKPOINT_MINUTES) if per_epoch else None)
    if per_epoch:
        _fit_execution_steps(model, compile_kwargs["steps_per_execution"],
                             (per_epoch, epoch_step, checkpointing[0], settings.total_steps, model.steps_done), echo)
    _train(model, plugin.name, out, settings, per_epoch=per_epoch,
           position=(epoch, epoch_step, state.get("trackers") if state else None), resumed=bool(state),
           checkpointing=checkpointing, evaluation=evaluation, verbose=verbose, echo=echo)
    save_model(model, os.path.join(out, MODEL_FILE))
    echo(f"saved {os.path.join(out, MODEL_FILE)} after {model.steps_done} steps")
    checkpoints.fold_into_final(model, out)
    echo(run_size_line(out))
    return model


def _previous_run(request, out):
    """The run.json of the run in `out` to resume, or None for a new run."""
    previous = read_run(out)
    if previous and not request.resume and not saved_anything(out):
        previous = None  # it stopped before its first checkpoint (e.g. a setup error): start it afresh
    if previous and not request.resume:
        raise GanzooError(f"{out} already holds a run; pass --resume to continue it, or start another with "
                          f"--out {free_out(out)}")
    if request.resume and not previous:
        raise GanzooError(f"nothing to resume in {out} (no {RUN_FILE}); drop --resume to start a new run")
    return previous


def free_out(out):
    """A run folder beside `out` that is free (`runs/dcgan-2`, `-3`, ...),
    relative to the working directory when inside it."""
    base = out.rstrip(os.sep)
    number = 2
    while os.path.exists(f"{base}-{number}"):
        number += 1
    free = f"{base}-{number}"
    relative = os.path.relpath(free)
    return relative if not relative.startswith(os.pardir) else free


def _check_sync_batchnorm(model, settings, echo):
    """`--sync-batchnorm` on a model without BatchNorm changes nothing: said
    in one line, not refused (the same flag can be passed to every plugin of
    a multi-GPU script)."""
    if not settings.sync_batchnorm:
        return
    if not any(variable.path.endswith("moving_mean") for variable in model.variables):
        echo(f"note: --sync-batchnorm has no effect: {settings.plugin} has no BatchNorm layers")


def _plan_run(request, plugin, out, previous, echo):
    """The run's settings (model configuration included) and its data's `SourceInfo`."""
    from ganzoo import data as data_lib

    steps = request.steps
    if request.resume:
        settings = resumed_settings(request, previous, out)
        check_outside_data(out, settings.source)
        info = data_lib.inspect(settings.source, data_dir=settings.data_dir, task=plugin.task)
        check_same_data(settings, info)
        if steps is None and request.epochs is None:
            steps = settings.total_steps  # a plain --resume finishes the run as it was asked
        plan_length(settings, info, steps)
        note_version(previous, echo)
        return settings, info
    info = data_lib.inspect(resolve_source(plugin, request.dataset, request.data), data_dir=request.data_dir,
                            task=plugin.task)
    settings = new_settings(request, plugin, info)
    named = plugin.preset(settings.preset) if settings.preset and not is_file_preset(settings.preset) else None
    if steps is None and named is not None and named.steps and request.epochs is None:
        steps = named.steps
    plan_length(settings, info, steps)
    settings.config = model_config(plugin, settings, info, request, named)
    return settings, info


def _model_of_run(request, plugin, out, settings, replicas, compile_kwargs, echo):
    """The compiled model under the run's strategy, its checkpoint's state
    (None for a new run) and the strategy."""
    import tensorflow as tf

    from ganzoo.layers import synchronized_batchnorm

    resume = request.resume
    weights = settings.preset if (settings.preset and is_file_preset(settings.preset) and not resume) else None
    replicas = replicas or tf.distribute.get_strategy()
    distribution.check_batch(settings.batch_size, replicas)
    with replicas.scope(), synchronized_batchnorm(settings.sync_batchnorm):
        model = build_model(plugin, settings, weights, compile_kwargs)
    state = restore_run(model, out, settings, echo) if resume else None
    return model, state, replicas


def _fit_execution_steps(model, requested, boundaries, echo):
    """Lowers the model's steps per execution to what the run's boundaries allow."""
    if requested <= 1:
        return
    usable = execution_steps(requested, *boundaries)
    if usable != requested:
        echo(f"note: {usable} steps per execution instead of {requested}, so that epochs, checkpoints "
             "and the last step land exactly")
        model.steps_per_execution = usable
        model.make_train_function(force=True)


def _train(model, plugin_name, out, settings, *, per_epoch, position, resumed, checkpointing, evaluation, verbose,
           echo):
    """Keras `fit` epoch by epoch from `position` (epoch, steps into it, the
    epoch's running means) to `settings.epochs`, or until stopped."""
    epoch, epoch_step, trackers = position
    interruption = Interruption(echo=echo)
    appended = resumed
    with interruption.installed():
        while epoch < settings.epochs:
            last, steps = fit_span(epoch, epoch_step, settings.epochs, per_epoch,
                                   _steps_left(model, settings))
            if steps == 0:
                break
            train = distribution.shard_by_data(_training_data(model, settings, per_epoch, epoch))
            callbacks = run_callbacks(model, out, settings, append=appended, evaluation=evaluation,
                                      checkpointing=checkpointing, epoch_step=epoch_step, trackers=trackers,
                                      interruption=interruption, per_epoch=per_epoch)
            try:
                model.fit(train, epochs=last, initial_epoch=epoch, steps_per_epoch=steps,
                          shuffle=False, callbacks=callbacks, verbose=verbose)
            except Exception as exc:  # noqa: BLE001 - re-raised unless XLA refused the step
                raise_for_xla(exc, plugin_name, out)
                raise
            appended = True
            if interruption.requested:
                raise Interrupted(f"stopped at step {model.steps_done}; the checkpoint is saved in {out}")
            if model.stop_training:
                break
            if per_epoch and epoch_step + steps < per_epoch:
                break  # the run's last epoch, cut short by --steps: the run is done
            epoch, epoch_step, trackers = last, 0, None


def _steps_left(model, settings):
    return None if settings.total_steps is None else max(0, settings.total_steps - model.steps_done)


def fit_span(epoch, epoch_step, epochs, per_epoch, steps_left=None):
    """The next `model.fit` call of a run: `(last epoch, steps per epoch)`.

    Keras shows every epoch of one call with the same length, so a call
    holds only epochs of one length: the rest of an epoch a resumed run
    stopped inside (alone), whole epochs, or the run's last epoch cut
    short by `--steps` (alone, shown with the steps it really runs).

    Args:
        epoch: whole epochs done.
        epoch_step: steps done inside the next epoch.
        epochs: the epoch the run ends in (its last, maybe partial).
        per_epoch: steps of a whole epoch, None when unknown (one call of
            whole passes).
        steps_left: steps left to the run's `--steps` total, None for none.

    Returns:
        `(last, steps)`: `model.fit(epochs=last, initial_epoch=epoch,
        steps_per_epoch=steps)`; `steps` is 0 when nothing is left.
    """
    if not per_epoch:
        return epochs, None
    rest = per_epoch - epoch_step
    if steps_left is not None and steps_left <= 0:
        return epoch, 0
    if epoch_step:  # a run resumed inside an epoch first finishes that epoch alone
        return epoch + 1, rest if steps_left is None else min(rest, steps_left)
    whole = epochs - epoch
    if steps_left is not None:
        whole = min(whole, steps_left // per_epoch)
        if whole == 0:
            return epoch + 1, steps_left
    return epoch + whole, per_epoch


def _training_data(model, settings, per_epoch, epoch):
    from ganzoo import data as data_lib

    if per_epoch:
        return data_lib.load(settings.source, model, batch_size=settings.batch_size, data_dir=settings.data_dir,
                             seed=settings.seed, repeat=True, start=model.steps_done * settings.batch_size)
    # Size unknown until read: whole passes, no position inside one.
    return data_lib.load(settings.source, model, batch_size=settings.batch_size, data_dir=settings.data_dir,
                         seed=settings.seed + epoch)


def evaluation_callback(evaluation, settings, out):
    """`InceptionEvaluation` for `ganzoo fit --eval-every`, or None."""
    if not evaluation:
        return None
    from ganzoo.metrics.callback import InceptionEvaluation

    return InceptionEvaluation(settings.source, out, data_dir=settings.data_dir,
                               tensorboard_dir=os.path.join(out, "tensorboard"), **evaluation)


def run_callbacks(model, out, settings, *, append, evaluation=None, checkpointing=None, epoch_step=0,
                  trackers=None, interruption=None, per_epoch=None):
    """The callbacks of a run. The files of an epoch are committed in order:
    grid, scores, CSV row, and last the checkpoint, so a checkpoint is never
    ahead of them (see `ganzoo.training.run_folder.repair`).

    Args:
        model: the run's model.
        out: the run directory.
        settings: the run's `RunSettings`.
        append: continue the CSV (a resumed run).
        evaluation: `fit`'s `evaluation`, or None.
        checkpointing: `(every_steps, every_minutes)`, or None.
        epoch_step: steps already done in the first epoch.
        trackers: the running means to put back in that epoch.
        interruption: the `Interruption` that asks for a save and a stop.
        per_epoch: steps of a whole epoch; an epoch ended sooner (the last
            of a `--steps` run) is checkpointed as that many steps into it.

    Returns:
        A list of Keras callbacks.
    """
    from ganzoo import data as data_lib
    from ganzoo.training.callbacks import (Checkpoint, EpochTensorBoard, MetricsCSV, ResumeEpoch, RunProgress,
                                           SampleGrid, StopAtStep, StopOnNonFinite)

    # A fixed, seeded draw of training examples for the per-epoch grids: varied
    # (not the first files in order) and the same in every epoch.
    preview_data = data_lib.load(settings.source, model, batch_size=min(settings.batch_size, 16),
                                 data_dir=settings.data_dir, seed=(settings.seed or 0) + 1234, cache=False)
    examples = next(iter(preview_data))
    scorer = evaluation_callback(evaluation, settings, out)
    every_steps, every_minutes = checkpointing or (None, None)
    callbacks = [
        ResumeEpoch(trackers),
        StopOnNonFinite(),
        SampleGrid(os.path.join(out, "samples"), examples=examples, seed=settings.seed or 1234,
                   tensorboard_dir=os.path.join(out, "tensorboard")),
        *([scorer] if scorer else []),  # before the CSV and TensorBoard, which log what it adds
        MetricsCSV(os.path.join(out, "metrics.csv"), append=append, extra_keys=scorer.log_keys if scorer else ()),
        EpochTensorBoard(os.path.join(out, "tensorboard"), write_graph=False),
        Checkpoint(out, every_steps=every_steps, every_minutes=every_minutes, epoch_step=epoch_step,
                   interruption=interruption, steps_per_epoch=per_epoch),
        RunProgress(settings.epochs),
    ]
    if settings.total_steps is not None:
        callbacks.insert(0, StopAtStep(settings.total_steps))
    return callbacks


def _announcement(plugin_name, info, settings, out, replicas=None):
    shape = "x".join(map(str, settings.config.get("image_shape", ())))
    length = (f"to step {settings.total_steps}" if settings.total_steps is not None
              else f"for {settings.epochs} epochs")
    preset = f", preset {settings.preset}" if settings.preset else ""
    replicas = f", {replicas}" if replicas else ""
    return (f"training {plugin_name} on {info.name} ({shape}) {length}, batch {settings.batch_size}{replicas}, "
            f"{settings.precision}{preset}; run directory {out}")
