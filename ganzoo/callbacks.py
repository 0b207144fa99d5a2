"""Callbacks that make a training run inspectable and resumable."""

from __future__ import annotations

import json
import os

import keras

from ganzoo import images
from ganzoo.files import atomic_path, write_json


class SampleGrid(keras.callbacks.Callback):
    """Saves `model.preview()` as `epoch_NNNN.png` after every `every` epochs.

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
        picture = self.model.preview(self.examples, seed=self.seed)
        images.save_image(picture, os.path.join(self.directory, f"epoch_{epoch + 1:04d}.png"), scale=self._scale(picture))
        if self.tensorboard_dir:
            import tensorflow as tf  # summaries are TensorFlow's

            if self._writer is None:
                self._writer = tf.summary.create_file_writer(os.path.join(self.tensorboard_dir, "samples"))
            with self._writer.as_default():
                tf.summary.image("samples", picture[None], step=int(self.model.step))
            self._writer.flush()


class Checkpoint(keras.callbacks.Callback):
    """Saves everything needed to resume after every epoch, atomically.

    `checkpoint.weights.h5` holds the networks, every optimizer's state, the
    step counter and the model's random state; `checkpoint.json` the epoch
    and step. Files are written to a temporary name and renamed, so an
    interrupted run keeps its previous checkpoint.

    Args:
        directory: folder of the two files.
    """

    WEIGHTS = "checkpoint.weights.h5"
    STATE = "checkpoint.json"

    def __init__(self, directory):
        super().__init__()
        self.directory = directory

    def on_epoch_end(self, epoch, logs=None):
        with atomic_path(os.path.join(self.directory, self.WEIGHTS), suffix=".weights.h5") as tmp:
            self.model.save_weights(tmp)
        state = {"epoch": epoch + 1, "step": int(self.model.step),
                 "logs": {k: float(v) for k, v in (logs or {}).items()}}
        write_json(state, os.path.join(self.directory, self.STATE))

    @classmethod
    def state(cls, directory):
        """The saved `{"epoch", "step"}`, or None if there is no checkpoint."""
        path = os.path.join(directory, cls.STATE)
        if not os.path.exists(path) or not os.path.exists(os.path.join(directory, cls.WEIGHTS)):
            return None
        with open(path) as f:
            return json.load(f)

    @classmethod
    def restore(cls, model, directory):
        """Loads the checkpoint into a compiled `model`; returns its state."""
        state = cls.state(directory)
        if state is not None:
            model.load_weights(os.path.join(directory, cls.WEIGHTS))
        return state


class StopAtStep(keras.callbacks.Callback):
    """Ends training once the model has done `total_steps` steps in all
    (counted by `model.step`, so it holds across resumes)."""

    def __init__(self, total_steps):
        super().__init__()
        self.total_steps = total_steps

    def on_train_batch_end(self, batch, logs=None):
        if int(self.model.step) >= self.total_steps:
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
