"""Batched Inception features of images: quantise, resize, network.

`InceptionExtractor` runs the reference preprocessing and the port as one
Keras model per input size, on the accelerator when there is one:

1. images in [0, 1] are quantised to uint8 (`floor(255 x + 0.5)`), as the
   reference metric code receives saved images; grey images get 3 channels;
2. resized to 299x299 with the chosen mode (`ganzoo.metrics.resize`: TF1
   bilinear, or clean-fid's antialiased bicubic), as matrix products;
3. the port scales to [-1, 1] and returns `pool_3` and the unbiased logits.

Features are accumulated in float64 (`FeatureStatistics`).
"""

from __future__ import annotations

import time

import numpy as np

from ganzoo.metrics.inception import FEATURE_DIM
from ganzoo.metrics.resize import MODES, matrices, quantise
from ganzoo.metrics.statistics import FeatureStatistics

RESIZE_DESCRIPTIONS = {
    "reference": "reference: TF1 ResizeBilinear to 299x299, align_corners=False, no half-pixel centres "
                 "(the op inside the 2015 graph; TTUR, torch-fidelity)",
    "clean": "clean: PIL bicubic to 299x299 on float images, antialiased when shrinking, clipped to [0, 255] "
             "(clean-fid)",
}


def _resize_layer(height, width, mode):
    import keras
    from keras import ops

    rows, cols = matrices(height, width, mode)

    class Resize(keras.layers.Layer):
        def __init__(self):
            super().__init__(dtype="float32", name=f"resize_{mode}")
            self.rows = np.asarray(rows, np.float32)
            self.cols = np.asarray(cols, np.float32)

        def call(self, x):
            out = ops.einsum("ih,nhwc->niwc", ops.convert_to_tensor(self.rows), x)
            out = ops.einsum("niwc,jw->nijc", out, ops.convert_to_tensor(self.cols))
            if mode == "clean":
                out = ops.clip(out, 0.0, 255.0)
            return out

    return Resize()


def format_duration(seconds):
    """`"about 40 s"`, `"about 12 min"`, `"about 2 h 5 min"`."""
    seconds = max(0.0, float(seconds))
    if seconds < 90:
        return f"about {max(1, round(seconds))} s"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"about {minutes} min"
    return f"about {minutes // 60} h {minutes % 60} min"


class ExtractionProgress:
    """Progress of a feature extraction: once the rate is measured (the
    first batch builds the graph and is not counted; then at least
    `measure_seconds` or `measure_batches` batches), one line gives the
    expected time, "about 75 min for 50,000 images at ~11.1 images/s", then
    a `keras.utils.Progbar` with its estimate takes over.

    Args:
        total: images expected (None: a bar without a total, no estimate).
        verbose: print nothing when False.
        echo: prints a line (`print`).
        clock: seconds (`time.perf_counter`).
    """

    def __init__(self, total, verbose=True, echo=print, clock=time.perf_counter, measure_batches=2,
                 measure_seconds=5.0):
        self.total = None if total is None else int(total)
        self.verbose = verbose
        self.echo, self.clock = echo, clock
        self.measure_batches, self.measure_seconds = measure_batches, measure_seconds
        self.done = self.batches = 0
        self.rate = None
        self._start = None
        self._bar = None

    def _open_bar(self):
        import keras

        self._bar = keras.utils.Progbar(self.total, unit_name="image")
        if self.done:
            self._bar.update(self.done)

    def add(self, count):
        """Records `count` more images done."""
        self.done += int(count)
        self.batches += 1
        if not self.verbose:
            return
        if self._bar is not None:
            self._bar.add(count)
            return
        if self.total is None:
            self._open_bar()
            return
        now = self.clock()
        if self._start is None:  # the first batch builds and traces the model: not a rate
            self._start, self._start_done = now, self.done
            return
        measured = self.batches - 1
        elapsed = now - self._start
        if self.done < self.total and measured < self.measure_batches and elapsed < self.measure_seconds:
            return
        if elapsed > 0 and self.done < self.total:
            self.rate = (self.done - self._start_done) / elapsed
            self.echo(f"{format_duration(self.total / self.rate)} for {self.total:,} images at "
                      f"~{self.rate:.1f} images/s (measured on this machine)")
        self._open_bar()

    def close(self):
        """Shows the bar's last line if the extraction ended before it opened."""
        if self.verbose and self._bar is None and self.done:
            self._open_bar()


class InceptionExtractor:
    """Features of images through the reference network.

    Args:
        weights: path of the `.pb`/`.tgz`/`.npz`, or None to resolve (see
            `ganzoo.metrics.inception_weights.resolve`), or an
            `InceptionWeights` already loaded.
        resize: "reference" or "clean".
        precision: "float32" (default) or "mixed_bfloat16" for the network.
        batch_size: images per forward pass.

    Example:

    ```python
    extractor = InceptionExtractor()
    stats = extractor.statistics(images)      # images: (n, h, w, c) in [0, 1]
    ```
    """

    def __init__(self, weights=None, resize="reference", precision="float32", batch_size=50):
        from ganzoo.errors import GanzooError
        from ganzoo.metrics import inception_weights

        if resize not in MODES:
            raise GanzooError(f"unknown resize mode {resize!r}; choose one of {', '.join(MODES)}")
        if isinstance(weights, inception_weights.InceptionWeights):
            self.weights = weights
        else:
            self.weights = inception_weights.resolve(weights)
        self.resize = resize
        self.precision = precision or "float32"
        self.batch_size = int(batch_size)
        self._network = None
        self._models = {}
        self.images_seen = 0
        self.seconds = 0.0

    def _network_model(self):
        if self._network is None:
            from ganzoo.metrics import inception_weights
            from ganzoo.metrics.inception import build_inception

            dtype = None if self.precision == "float32" else self.precision
            self._network = build_inception(dtype=dtype or "float32")
            inception_weights.fill(self._network, self.weights)
        return self._network

    def _model(self, height, width):
        key = (height, width)
        if key not in self._models:
            import keras

            inputs = keras.Input((height, width, 3))
            outputs = self._network_model()(_resize_layer(height, width, self.resize)(inputs))
            self._models[key] = keras.Model(inputs, outputs)
        return self._models[key]

    def describe(self):
        """What results record about the extraction."""
        return dict(self.weights.describe(), resize=RESIZE_DESCRIPTIONS[self.resize],
                    quantisation="uint8, floor(255 x + 0.5) after clipping to [0, 1] (generated and real alike)",
                    precision=self.precision)

    def batch(self, images):
        """`(pool_3, logits)` float32 of one batch of NHWC images in [0, 1]."""
        x = quantise(images).astype(np.float32)
        if x.ndim == 3:
            x = x[..., None]
        if x.shape[-1] == 1:
            x = np.repeat(x, 3, axis=-1)
        start = time.perf_counter()
        out = self._model(x.shape[1], x.shape[2]).predict_on_batch(x)
        self.seconds += time.perf_counter() - start
        self.images_seen += len(x)
        return np.asarray(out["pool_3"], np.float32), np.asarray(out["logits"], np.float32)

    def statistics(self, batches, total=None, keep_features=True, keep_logits=False, verbose=True, label=""):
        """Accumulates features over an iterable of image batches (or one array).

        Args:
            batches: an array `(n, h, w, c)` in [0, 1], or an iterable of such
                batches, or of `(images, labels)` pairs.
            total: number of images, for the progress bar.
            keep_features: keep the features (KID, k-NN metrics, intra-FID).
            keep_logits: keep the logits (Inception Score).
            verbose: print the expected time (measured on the first
                batches) and a progress bar (`ExtractionProgress`).
            label: text before the progress bar.

        Returns:
            `(FeatureStatistics, logits or None, labels or None)`.
        """
        if isinstance(batches, np.ndarray):
            array = batches
            total = len(array)
            batches = (array[i:i + self.batch_size] for i in range(0, len(array), self.batch_size))
        stats = FeatureStatistics(FEATURE_DIM, keep_features=keep_features)
        logits, labels = [], []
        if verbose and label:
            print(label)
        progress = ExtractionProgress(total, verbose=verbose)
        for item in batches:
            images, y = item if isinstance(item, tuple) else (item, None)
            images = np.asarray(images)
            for i in range(0, len(images), self.batch_size):
                features, batch_logits = self.batch(images[i:i + self.batch_size])
                stats.update(features)
                if keep_logits:
                    logits.append(batch_logits)
                progress.add(len(features))
            if y is not None:
                labels.append(np.asarray(y).reshape(-1))
        progress.close()
        logits = np.concatenate(logits) if keep_logits and logits else None
        labels = np.concatenate(labels) if labels else None
        return stats, logits, labels

    @property
    def images_per_second(self):
        """Throughput of the network calls so far (resize included)."""
        return self.images_seen / self.seconds if self.seconds else float("nan")
