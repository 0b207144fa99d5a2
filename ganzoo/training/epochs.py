"""The epochs of a run: Keras `fit()` calls, each over epochs of one length,
with the run's callbacks and its data from the model's step on."""

from __future__ import annotations

import os

from ganzoo.training import distribution
from ganzoo.training.interruption import Interrupted, Interruption
from ganzoo.training.xla import raise_for_xla


def train_epochs(model, plugin_name, out, settings, *, per_epoch, position, resumed, checkpointing, evaluation,
                 verbose, echo):
    """Keras `fit` epoch by epoch from `position` (epoch, steps into it, the
    epoch's running means) to `settings.epochs`, or until stopped."""
    epoch, epoch_step, trackers = position
    interruption = Interruption(echo=echo)
    appended = resumed
    with interruption.installed():
        while epoch < settings.epochs:
            last, steps = fit_span(epoch, epoch_step, settings.epochs, per_epoch,
                                   steps_left(model, settings))
            if steps == 0:
                break
            train = distribution.shard_by_data(training_data(model, settings, per_epoch, epoch))
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


def steps_left(model, settings):
    """Steps left to the run's `--steps` total, or None without one."""
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


def training_data(model, settings, per_epoch, epoch):
    """The training stream of a run, from the model's step on (or the epoch's whole pass)."""
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
