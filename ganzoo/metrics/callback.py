"""Scoring a model during training: `InceptionEvaluation`.

Every `every` epochs (or steps) the callback generates `n` images from a
fixed seed, scores them against the real data's cached statistics (FID by
default; KID and IS on request), logs the scores to the epoch's logs (so
`metrics.csv` and TensorBoard get them as `eval_fid`, ...), appends the
protocol to `evaluations.json` and keeps the best weights in
`best.weights.h5` (with `best.json`).

Between evaluations it does nothing but compare two integers; the Inception
network is built and the real statistics computed (or read from the cache)
at the first evaluation, and the training function is never retraced, so
training slows by what the evaluations themselves cost and nothing more.
"""

from __future__ import annotations

import json
import os
import time

import keras
import numpy as np

from ganzoo.errors import GanzooError
from ganzoo.files import atomic_path, write_json

SUPPORTED = ("fid", "kid", "is")
LOWER_IS_BETTER = {"fid": True, "kid": True, "is": False}


def parse_every(text):
    """`"5"` or `"5epochs"` -> `(5, "epoch")`; `"500steps"` -> `(500, "step")`."""
    value = str(text).strip().lower().replace(" ", "")
    unit = "epoch"
    for suffix, name in (("steps", "step"), ("step", "step"), ("epochs", "epoch"), ("epoch", "epoch")):
        if value.endswith(suffix):
            value, unit = value[: -len(suffix)], name
            break
    try:
        count = int(value)
    except ValueError:
        raise GanzooError(f"--eval-every {text!r}: give a number of epochs (5) or steps (500steps)") from None
    if count < 1:
        raise GanzooError("--eval-every must be at least 1")
    return count, unit


class InceptionEvaluation(keras.callbacks.Callback):
    """Scores the model with Inception metrics during training.

    Args:
        source: the real data (dataset name or folder).
        directory: the run directory (best weights and `evaluations.json`).
        every: evaluations every `every` units.
        unit: "epoch" or "step".
        metrics: names among "fid", "kid", "is"; the first decides the best
            checkpoint.
        n: generated images per evaluation (5,000 by default; say so when
            comparing: FID falls with n).
        split, data_dir, real_n: the real data (the whole split by default).
        seed: seed of the generated images (the same every time).
        resize, inception_weights, precision: as for `ganzoo evaluate`.
        tensorboard_dir: where to log the scores, or None.
        verbose: print a line per evaluation.
    """

    def __init__(self, source, directory, every=1, unit="epoch", metrics=("fid",), n=5000, split="train",
                 data_dir=None, real_n=None, seed=0, resize="reference", inception_weights=None,
                 precision="float32", tensorboard_dir=None, verbose=1):
        super().__init__()
        metrics = tuple(m.strip() for m in (metrics.split(",") if isinstance(metrics, str) else metrics) if m.strip())
        unknown = [m for m in metrics if m not in SUPPORTED]
        if unknown or not metrics:
            raise GanzooError(f"--eval-metrics: {', '.join(unknown) or 'none given'}; choose from {', '.join(SUPPORTED)}")
        if unit not in ("epoch", "step"):
            raise GanzooError(f"unit must be 'epoch' or 'step', got {unit!r}")
        self.source, self.directory, self.every, self.unit = str(source), directory, int(every), unit
        self.metrics, self.n, self.seed = metrics, int(n), seed
        self.options = {"n": int(n), "seed": seed, "resize": resize, "inception_weights": inception_weights,
                        "precision": precision, "real_n": real_n, "verbose": False}
        self.split, self.data_dir = split, data_dir
        self.tensorboard_dir, self.verbose = tensorboard_dir, verbose
        self.latest = {}
        self.history = []
        self.best = None
        self.seconds = 0.0
        self.evaluations = 0
        self._writer = None
        self._last_step = None
        self._fresh = False

    @property
    def log_keys(self):
        """The keys this callback adds to the epoch logs."""
        keys = []
        for name in self.metrics:
            keys += [f"eval_{name}"] + ([f"eval_{name}_std"] if name in ("kid", "is") else [])
        return keys

    def on_train_begin(self, logs=None):
        from ganzoo.metrics.inception_weights import check_available

        check_available(self.options["inception_weights"])  # a missing file stops the run now, not hours later

    def on_train_batch_end(self, batch, logs=None):
        if self.unit != "step":
            return
        step = self.model.steps_done
        if step % self.every == 0 and step != self._last_step:
            self.evaluate()

    def on_epoch_end(self, epoch, logs=None):
        if self.unit == "epoch" and (epoch + 1) % self.every == 0:
            self.evaluate(epoch=epoch + 1)
        if logs is not None and self._fresh:  # only the epoch in which an evaluation ran carries its scores
            logs.update(self.latest)
        self._fresh = False

    def evaluate(self, epoch=None):
        """Scores the model now; returns `{eval_name: value}`."""
        from ganzoo.metrics import inception_metrics, protocol, statistics

        start = time.perf_counter()
        step = self.model.steps_done
        self._last_step = step
        extractor = inception_metrics.extractor_for(self.options)
        gen, logits, _ = inception_metrics.generated_statistics(self.model, extractor, self.n, self.seed, verbose=False)
        shape = getattr(self.model, "image_shape", None)
        real, _, cache, fields = protocol.real_statistics(
            extractor, self.source, split=self.split, data_dir=self.data_dir,
            image_shape=tuple(shape) if shape else None, limit=self.options["real_n"], verbose=False)
        values = {}
        if "fid" in self.metrics:
            values["eval_fid"] = statistics.fid_of(gen, real)
        if "kid" in self.metrics:
            values["eval_kid"], values["eval_kid_std"], _ = statistics.kernel_inception_distance(
                gen.features, real.features, seed=self.seed or 0)
        if "is" in self.metrics:
            values["eval_is"], values["eval_is_std"] = statistics.inception_score(logits)
        inception_metrics.clear_generated()  # free the features until the next evaluation
        seconds = time.perf_counter() - start
        self.seconds += seconds
        self.evaluations += 1
        self.latest = values
        self._fresh = True
        record = protocol.record(extractor, generated=gen.count, real=real.count, source=self.source,
                                 split=self.split, seed=self.seed, real_fields_=fields)
        entry = {"step": step, "epoch": epoch, "seconds": round(seconds, 2), **values, "protocol": record}
        self.history.append(entry)
        write_json(self.history, os.path.join(self.directory, "evaluations.json"))
        self._log_tensorboard(values, step)
        self._keep_best(values, entry)
        if self.verbose:
            shown = ", ".join(f"{k[5:]} {v:.4g}" for k, v in values.items() if not k.endswith("_std"))
            print(f"evaluation at step {step}: {shown} ({self.n} generated, {seconds:.0f} s)")
        return values

    def _log_tensorboard(self, values, step):
        if not self.tensorboard_dir:
            return
        import tensorflow as tf

        if self._writer is None:
            self._writer = tf.summary.create_file_writer(os.path.join(self.tensorboard_dir, "eval"))
        with self._writer.as_default():
            for key, value in values.items():
                tf.summary.scalar(key, value, step=step)
        self._writer.flush()

    def _keep_best(self, values, entry):
        monitor = f"eval_{self.metrics[0]}"
        value = values[monitor]
        lower = LOWER_IS_BETTER[self.metrics[0]]
        if not np.isfinite(value):
            return
        if self.best is None:
            path = os.path.join(self.directory, "best.json")
            if os.path.exists(path):  # a resumed run keeps its earlier best
                with open(path) as f:
                    self.best = json.load(f)
        if self.best is not None and self.best.get("metric") == monitor:
            previous = self.best["value"]
            if (value >= previous) if lower else (value <= previous):
                return
        with atomic_path(os.path.join(self.directory, "best.weights.h5"), suffix=".weights.h5") as tmp:
            self.model.save_weights(tmp)
        self.best = {"metric": monitor, "value": value, "step": entry["step"], "epoch": entry["epoch"],
                     "n": self.n, "weights": "best.weights.h5"}
        write_json(self.best, os.path.join(self.directory, "best.json"))
