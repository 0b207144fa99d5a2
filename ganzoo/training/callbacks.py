"""Callbacks that make a training run inspectable and resumable."""

from __future__ import annotations

import math
import os
import time

import keras

from ganzoo import images, sampling
from ganzoo.errors import GanzooError
from ganzoo.training import checkpoints
from ganzoo.training.interruption import Interrupted


class SampleGrid(keras.callbacks.Callback):
    """Saves `ganzoo.sampling.preview(model)` as `epoch_NNNN.png` after every `every` epochs.

    The same seed and the same `examples` are used each time, so the grids
    show the progress of one fixed set of latent vectors (or inputs).

    Args:
        directory: folder for the PNG files.
        examples: a fixed batch of training data, for models whose preview
            needs inputs (translation, super-resolution); None otherwise.
        seed: seed of the latent vectors.
        every: epochs between grids.
        tensorboard_dir: if set, the grid is also logged there as an image.
        scale: nearest-neighbour enlargement of the PNG; by default small
            grids are enlarged to about 700 pixels.

    Example:

    ```python
    model.fit(data, epochs=10, callbacks=[ganzoo.callbacks.SampleGrid("samples")])
    ```
    """

    def __init__(self, directory, examples=None, seed=1234, every=1, tensorboard_dir=None, scale=None):
        super().__init__()
        self.directory = directory
        self.examples = examples
        self.seed = seed
        self.every = every
        self.tensorboard_dir = tensorboard_dir
        self.scale = scale
        self._writer = None

    def _scale(self, picture):
        if self.scale is not None:
            return self.scale
        # Small grids (64 digits of 28 px) are enlarged to about 700 px to stay readable.
        return max(1, 700 // max(picture.shape[:2]))

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        picture = sampling.preview(self.model, self.examples, seed=self.seed)
        images.save_image(picture, os.path.join(self.directory, f"epoch_{epoch + 1:04d}.png"), scale=self._scale(picture))
        if self.tensorboard_dir:
            import tensorflow as tf  # summaries are TensorFlow's

            if self._writer is None:
                self._writer = tf.summary.create_file_writer(os.path.join(self.tensorboard_dir, "samples"))
            with self._writer.as_default():
                tf.summary.image("samples", picture[None], step=self.model.steps_done)
            self._writer.flush()


class _CountsSteps(keras.callbacks.Callback):
    """Knows the model's step count after each batch without reading the
    step variable at every step (0.4 ms per read on CPU, 5% of a small
    model's step): the count at the epoch's start plus the batches since
    (`batch` is the last step of an execution of several)."""

    def on_epoch_begin(self, epoch, logs=None):
        self._first_step = self.model.steps_done

    def step_after(self, batch):
        return self._first_step + batch + 1


class RunProgress(keras.callbacks.ProgbarLogger):
    """Keras' progress bar, whose epoch line counts the run's epochs
    (`Epoch 2/3`) rather than those of one `fit()` call: a run trains in
    several calls (the rest of a resumed epoch, then whole epochs, then the
    last epoch cut short by `--steps`), each bar showing the steps it runs.

    Args:
        epochs: the epoch the run ends in.
    """

    def __init__(self, epochs):
        super().__init__()
        self.run_epochs = int(epochs)

    def set_params(self, params):
        super().set_params(params)
        self.epochs = self.run_epochs


class EpochTensorBoard(keras.callbacks.TensorBoard):
    """Keras' `TensorBoard` writing per epoch (`update_freq="epoch"`), without
    its per-batch hooks: with nothing to write per batch they still cost
    0.8 ms a step (measured on the vanilla GAN, whose step takes 7 ms)."""

    def __init__(self, log_dir, **kwargs):
        super().__init__(log_dir, update_freq="epoch", profile_batch=0, **kwargs)

    def on_train_batch_begin(self, batch, logs=None):
        pass

    def on_train_batch_end(self, batch, logs=None):
        pass


class Checkpoint(_CountsSteps):
    """Saves everything needed to resume: at every epoch end, every
    `every_steps` steps and every `every_minutes` minutes.

    `checkpoint.weights.h5` holds the networks, every optimizer's state, the
    step counter, the model's random state and the run's position (epoch,
    steps into it, the running means of the epoch's logs), committed by one
    atomic rename (see `ganzoo.training.checkpoints`); `checkpoint.json` is a
    readable copy. Put it after the callbacks that write the epoch's files
    (grids, CSV): a checkpoint is then never ahead of them.

    Args:
        directory: folder of the two files.
        every_steps: also save every this many steps (None: not by steps).
        every_minutes: also save when this many minutes have passed since
            the last save (None: not by time).
        epoch_step: steps already done in the first epoch of this `fit()`
            (a run resumed in the middle of an epoch).
        interruption: an object whose `requested` attribute asks for a save
            and a stop after the current step (Ctrl-C in `ganzoo fit`).
        steps_per_epoch: steps of a whole epoch. An epoch that ends sooner
            (the last of a run cut short by `--steps`) is saved as not
            done: its steps and running means, so that epochs done always
            count whole epochs and a longer run finishes it (None: every
            epoch end is a whole epoch).

    Example:

    ```python
    model.fit(data, epochs=10, callbacks=[ganzoo.callbacks.Checkpoint("run", every_minutes=10)])
    ```
    """

    WEIGHTS = checkpoints.WEIGHTS
    STATE = checkpoints.STATE

    def __init__(self, directory, every_steps=None, every_minutes=None, epoch_step=0, interruption=None,
                 clock=time.monotonic, steps_per_epoch=None):
        super().__init__()
        self.steps_per_epoch = steps_per_epoch
        self.directory = directory
        self.every_steps = every_steps
        self.every_minutes = every_minutes
        self.interruption = interruption
        self._clock = clock
        self._resumed_epoch_step = int(epoch_step)
        self._epoch = 0
        self._epoch_start = 0
        self._last_save = clock()
        self.saved_step = None

    def on_epoch_begin(self, epoch, logs=None):
        super().on_epoch_begin(epoch, logs)
        self._epoch = epoch
        self._epoch_start = self._first_step - self._resumed_epoch_step
        self._resumed_epoch_step = 0

    def on_train_batch_end(self, batch, logs=None):
        step = self.step_after(batch)
        interrupted = self.interruption is not None and self.interruption.requested
        due = ((self.every_steps and step % self.every_steps == 0)
               or (self.every_minutes and self._clock() - self._last_save >= 60 * self.every_minutes))
        steps = (self.params or {}).get("steps")
        if steps and batch + 1 >= steps:
            # The epoch ends with this step; its own checkpoint follows the
            # epoch's grid and CSV row. A stop asked for now waits for it.
            if interrupted:
                self.model.stop_training = True
            return
        if due or interrupted:
            self.save(epoch=self._epoch, epoch_step=step - self._epoch_start,
                      trackers=checkpoints.tracker_state(self.model))
        if interrupted:
            # Raised, not stop_training: fit() would close the epoch and write
            # a grid and CSV row for half of it.
            raise Interrupted(f"stopped at step {step}; the checkpoint is saved in {self.directory}")

    def on_epoch_end(self, epoch, logs=None):
        logs = {k: float(v) for k, v in (logs or {}).items()}
        done = self.model.steps_done - self._epoch_start
        if self.steps_per_epoch and done < self.steps_per_epoch:
            self.save(epoch=epoch, epoch_step=done, trackers=checkpoints.tracker_state(self.model), logs=logs,
                      ended_early=True)
        else:
            self.save(epoch=epoch + 1, epoch_step=0, logs=logs)

    def save(self, *, epoch, epoch_step, **extra):
        """Writes the checkpoint of the run at `epoch` (epochs finished) and
        `epoch_step` (steps into the next one)."""
        step = self.model.steps_done
        checkpoints.save(self.model, self.directory, {"epoch": epoch, "epoch_step": epoch_step, "step": step,
                                                      **extra})
        self._last_save = self._clock()
        self.saved_step = step

    @classmethod
    def state(cls, directory):
        """The saved `{"epoch", "epoch_step", "step", ...}`, or None if there
        is no checkpoint."""
        return checkpoints.read_state(directory)

    @classmethod
    def restore(cls, model, directory):
        """Loads the checkpoint into a compiled `model`; returns its state."""
        return checkpoints.restore(model, directory)


class ResumeEpoch(keras.callbacks.Callback):
    """Puts back the running means of the logs of an epoch that a run left
    in the middle, after `fit()` resets them, so the epoch's row in the CSV
    is the one an uninterrupted run writes."""

    def __init__(self, trackers):
        super().__init__()
        self.trackers = trackers

    def on_epoch_begin(self, epoch, logs=None):
        if self.trackers is not None:
            checkpoints.restore_trackers(self.model, self.trackers)
            self.trackers = None


class StopOnNonFinite(keras.callbacks.Callback):
    """Stops training at the first step whose logs hold NaN or Inf, with one
    line naming the step and the value; the last checkpoint, written before
    the values went bad, is what the run keeps."""

    def on_train_batch_end(self, batch, logs=None):
        for name, value in (logs or {}).items():
            value = float(value)
            if not math.isfinite(value):
                step = self.model.steps_done
                raise GanzooError(
                    f"training diverged at step {step}: {name} is {value}; nothing from this step on is saved "
                    "(the last checkpoint is kept). Lower the learning rates (--set) or try another --seed"
                )


class StopAtStep(_CountsSteps):
    """Ends training once the model has done `total_steps` steps in all
    (counted by `model.step`, so it holds across resumes)."""

    def __init__(self, total_steps):
        super().__init__()
        self.total_steps = total_steps

    def on_train_batch_end(self, batch, logs=None):
        if self.step_after(batch) >= self.total_steps:
            self.model.stop_training = True


class MetricsCSV(keras.callbacks.CSVLogger):
    """Keras' `CSVLogger` without the empty `val_*` columns it adds when
    `fit()` has no validation data; appends on resume.

    Args:
        filename: the CSV file.
        append: continue an existing file (resumed runs).
        extra_keys: columns present from the first row even when their
            value comes later (e.g. `eval_fid` every N epochs; "NA" until then).
    """

    def __init__(self, filename, separator=",", append=False, extra_keys=()):
        super().__init__(filename, separator=separator, append=append)
        self.extra_keys = tuple(extra_keys)

    def on_epoch_end(self, epoch, logs=None):
        if self.keys is None:
            self.keys = sorted(set((logs or {}).keys()) | set(self.extra_keys))
        super().on_epoch_end(epoch, logs)
