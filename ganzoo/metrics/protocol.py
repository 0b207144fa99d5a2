"""What an Inception-based score records, and the cache of real statistics.

A score is only comparable with another computed under the same protocol:
network and weights, resize, quantisation, number of generated and real
images, dataset and split, resolution, seed. `record` collects those next
to the numbers; `real_statistics` computes the real data's features once
and caches them under a key made of everything that changes them.
"""

from __future__ import annotations

import hashlib
import json
import os

import numpy as np

from ganzoo.metrics.inception import FEATURE_DIM

# FID's covariance has rank at most N - 1: below 2,048 samples it is singular
# and the score is far above its large-N value.
SINGULAR_BELOW = FEATURE_DIM
COMMON_N = 50_000


def cache_dir():
    """`$KERAS_HOME/ganzoo/inception_statistics` (default under ~/.keras)."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(home, "ganzoo", "inception_statistics")


def cache_key(fields):
    """A stable hash of the fields that determine the real features."""
    text = json.dumps(fields, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def real_fields(extractor, source, split, data_dir, image_shape, limit, labelled):
    """Everything the real statistics depend on (the cache key's input)."""
    return {
        "source": str(source), "split": split, "data_dir": str(data_dir) if data_dir else None,
        "image_shape": list(image_shape) if image_shape else None, "limit": limit, "labelled": bool(labelled),
        "weights_sha256": extractor.weights.sha256, "resize": extractor.resize,
        "precision": extractor.precision, "quantisation": "floor(255x+0.5)", "version": 1,
    }


def _save(path, stats, labels):
    from ganzoo.files import atomic_path

    arrays = {"mean": stats.mean, "covariance": stats.covariance, "count": np.array(stats.count)}
    if stats.features is not None:
        arrays["features"] = stats.features
    if labels is not None:
        arrays["labels"] = labels
    with atomic_path(path, suffix=".npz") as tmp:
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)


class CachedStatistics:
    """Real statistics read back from the cache (same interface as
    `FeatureStatistics` for what the metrics use)."""

    def __init__(self, path):
        with np.load(path) as npz:
            self.mean = npz["mean"]
            self.covariance = npz["covariance"]
            self.count = int(npz["count"])
            self.features = npz["features"] if "features" in npz.files else None
            self.labels = npz["labels"] if "labels" in npz.files else None


def real_statistics(extractor, source, split="train", data_dir=None, image_shape=None, limit=None,
                    verbose=True, cache=True):
    """Features of the real data, computed once and cached on disk.

    Real images go through `ganzoo.data` at `image_shape` (the model's
    resolution), then the same quantisation, resize and network as the
    generated ones. Labels are kept for labelled data (intra-FID).

    Returns:
        `(statistics, labels or None, cache path or None, fields)`.
    """
    from ganzoo import data

    info = data.inspect(source, split=split, data_dir=data_dir)
    labelled = bool(info.labelled)
    fields = real_fields(extractor, source, split, data_dir, image_shape, limit, labelled)
    path = os.path.join(cache_dir(), cache_key(fields) + ".npz")
    if cache and os.path.exists(path):
        cached = CachedStatistics(path)
        return cached, cached.labels, path, fields
    task = "conditional" if labelled else "unconditional"
    dataset = data.load(source, task=task, image_shape=tuple(image_shape) if image_shape else None,
                        batch_size=extractor.batch_size, split=split, data_dir=data_dir, shuffle=False,
                        drop_remainder=False, cache=False)
    total = info.num_examples if limit is None else min(limit, info.num_examples or limit)

    def batches():
        seen = 0
        for batch in dataset:
            x, y = batch if labelled else (batch, None)
            x = np.asarray(x)
            if limit is not None:
                x = x[:max(0, limit - seen)]
            if not len(x):
                return
            seen += len(x)
            yield (x, None if y is None else np.asarray(y)[:len(x)])

    stats, _, labels = extractor.statistics(batches(), total=total, keep_features=True, verbose=verbose,
                                            label=f"real features: {source} {split}")
    if cache:
        _save(path, stats, labels)
    return stats, labels, (path if cache else None), fields


def warnings_for(n_generated, n_real):
    """Warnings about sample sizes that bias the scores."""
    notes = []
    smallest = min(n_generated, n_real)
    if smallest < SINGULAR_BELOW:
        notes.append(f"FID from {smallest} < 2,048 samples: the 2048-d covariance is singular and FID is strongly "
                     "biased upward; compare only at the same N (KID is unbiased)")
    elif n_generated < COMMON_N:
        notes.append(f"FID from {n_generated} generated images is biased upward relative to the common 50k "
                     "protocol; compare only at the same N")
    return notes


def record(extractor, *, generated, real, source, split, seed, real_fields_=None, extra=None):
    """The protocol written next to every Inception-based score."""
    out = dict(extractor.describe())
    out.update({
        "generated": int(generated), "real": int(real), "dataset": str(source), "split": split, "seed": seed,
        "covariance": "sample covariance, divisor N - 1 (np.cov; as TTUR, pytorch-fid, clean-fid)",
        "real_images": ("through ganzoo.data at the model's resolution "
                        f"{'x'.join(map(str, real_fields_['image_shape'])) if real_fields_ and real_fields_.get('image_shape') else ''}"),
        "warnings": warnings_for(generated, real),
    })
    if not extractor.weights.reference:
        out["warnings"] = ["weights are NOT the reference classify_image_graph_def.pb: these are not FID/KID/IS "
                           "values comparable with any paper"] + out["warnings"]
    if extra:
        out.update(extra)
    return out
