"""`ganzoo evaluate`: registered metrics of a trained model on real data."""

from __future__ import annotations

import os

import numpy as np

from ganzoo.errors import GanzooError


def _arrays(source, model, data_dir, split, limit):
    from ganzoo import data

    info = data.inspect(source, split=split, data_dir=data_dir)
    task = "conditional" if info.labelled else "unconditional"
    dataset = data.load(source, model, task=task, batch_size=256, split=split, data_dir=data_dir,
                        shuffle=False, drop_remainder=False, cache=False)
    images, labels, count = [], [], 0
    for batch in dataset:
        x, y = batch if info.labelled else (batch, None)
        images.append(np.asarray(x))
        if y is not None:
            labels.append(np.asarray(y))
        count += len(images[-1])
        if count >= limit:
            break
    images = np.concatenate(images)[:limit]
    labels = np.concatenate(labels)[:limit] if labels else None
    return images, labels, info.num_classes


def check_metrics(metric_names, options):
    """Runs the metrics' fast checks (e.g. that the Inception weights can be
    had) before anything heavy is imported or loaded; raises GanzooError."""
    from ganzoo import metrics

    for name in metric_names:
        if name.strip():
            metric = metrics.get(name.strip())
            if metric.check is not None:
                metric.check(options)


def evaluate(run, metric_names, *, dataset=None, data=None, data_dir=None, split="train", n=None, seed=0,
             limit=5000, **metric_options):
    """Computes metrics of the model in `run` (a run directory or .keras file).

    Args:
        run: run directory or `.keras` file.
        metric_names: names registered in `ganzoo.metrics.METRICS`.
        dataset: dataset name; the run's own dataset if None.
        data: a folder instead of `dataset`.
        data_dir: TFDS data directory.
        split: split of the real data.
        n: number of generated images for sample-based metrics (None: each
            metric's default, 50,000 for the Inception metrics, 1,000 for
            the classifier).
        seed: seed of the generated images.
        limit: most real images loaded (for metrics that load arrays).
        **metric_options: passed to the metrics, e.g. `resize`,
            `inception_weights`, `real_n`, `precision`, `batch_size`
            (see `ganzoo.metrics.inception_metrics`).

    Returns:
        A dict `{metric name: {value name: number}}`; for a run directory it
        is also written to `RUN/evaluation.json`.
    """
    from ganzoo import metrics
    from ganzoo.files import write_json
    from ganzoo.runs import load_run_model, read_run

    if dataset and data:
        raise GanzooError("pass either --dataset or --data, not both")
    chosen = [metrics.get(name.strip()) for name in metric_names if name.strip()]
    if not chosen:
        raise GanzooError(f"no metric given; available: {', '.join(sorted(metrics.METRICS))}")
    options = {"n": n, "seed": seed, **{k: v for k, v in metric_options.items() if v is not None}}
    for metric in chosen:
        if metric.check is not None:
            metric.check(options)  # fail in seconds, before the model and data load
    model = load_run_model(run)
    for metric in chosen:
        metrics.get(metric.name, model.task)
    source = data or dataset
    if source is None:
        saved = read_run(run) if os.path.isdir(run) else None
        if saved is None:
            raise GanzooError("say which real data to compare with: --dataset NAME or --data FOLDER")
        source = saved["settings"]["source"]
        data_dir = data_dir or saved["settings"].get("data_dir")
    real = metrics.RealData(source=str(source), data_dir=data_dir, split=split)
    if model.task in ("unconditional", "conditional") and any(m.needs_arrays for m in chosen):
        real.images, real.labels, real.num_classes = _arrays(source, model, data_dir, split, limit)
    results = {}
    for metric in chosen:
        results[metric.name] = metric.compute(model, real, options)
    if os.path.isdir(run):
        write_json({"source": str(source), "split": split, "n": n, "seed": seed, "options": options,
                    "results": results}, os.path.join(run, "evaluation.json"))
    return results
