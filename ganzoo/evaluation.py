"""`ganzoo evaluate`: registered metrics of a trained model on real data."""

from __future__ import annotations

import os

import numpy as np

from ganzoo.errors import GanzooError, article, setting


def _arrays(source, info, model, data_dir, split, limit):
    """The first `limit` real images (and labels) of `source`, whose
    `SourceInfo` is `info`, as arrays."""
    from ganzoo import data

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


_TWO_DOMAIN_FOLDERS = frozenset({"trainA", "trainB", "testA", "testB"})


def _same_source(a, b):
    if a is None or b is None:
        return False
    if str(a) == str(b):
        return True
    return os.path.exists(str(a)) and os.path.exists(str(b)) and os.path.samefile(str(a), str(b))


def _shown_classes(names):
    names = list(names)
    return ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")


def check_real_data(model, source, info, run_source=None, run_info=None, what=None):
    """`GanzooError` when the real data cannot be compared with `model`'s
    images: comparing anyway gives scores that look perfect or are NaN.

    Args:
        model: the generator being evaluated (an unconditional or conditional model).
        source: the real data as given (`--dataset` or `--data`).
        info: its `SourceInfo` (`ganzoo.data.inspect`).
        run_source: the data the run was trained on, if known; channels may
            differ from the model's only there (a grey model of RGB data).
        run_info: the `SourceInfo` of `run_source`, if it could be had: the
            class names of a conditional model's labels.
        what: how to name the real data in messages (`--data FOLDER`).
    """
    from ganzoo.data.common import DOMAINS

    what = what or f"the real data {source!r}"
    classes = tuple(info.class_names or ())
    two_domain = (classes == DOMAINS or (classes and set(classes) <= _TWO_DOMAIN_FOLDERS)
                  or str(source).startswith("cycle_gan"))
    if two_domain:
        raise GanzooError(f"{what} is two-domain translation data (classes {', '.join(classes) or 'A, B'}), not "
                          f"images of the kind {article(model.task)} model makes; evaluate against its own kind of data "
                          f"(e.g. the run's dataset)")
    if model.task == "conditional":
        wanted = int(model.num_classes)
        if info.num_classes is None:
            raise GanzooError(f"{what} has no class labels, and this conditional model draws {wanted} classes; "
                              "pass labelled data (class subfolders or a labelled dataset)")
        if int(info.num_classes) != wanted:
            raise GanzooError(f"{what} has {info.num_classes} classes but the model draws {wanted}; its label k "
                              f"would be compared with real class k of another set: pass data with the model's "
                              f"{wanted} classes")
        trained = tuple((run_info.class_names if run_info is not None else None) or ())
        if trained and not _same_source(source, run_source) and tuple(info.class_names or ()) != trained:
            raise GanzooError(f"{what} has the classes ({_shown_classes(info.class_names)}) but the model learnt "
                              f"{run_source}'s ({_shown_classes(trained)}); label k would be compared with "
                              f"another class: pass data with the model's classes, in the same order")
    channels, real_channels = int(model.image_shape[-1]), info.image_shape[2]
    if real_channels is not None and int(real_channels) != channels and not _same_source(source, run_source):
        kinds = {1: "grey", 3: "colour"}
        raise GanzooError(f"{what} has {kinds.get(int(real_channels), real_channels)} images ({real_channels} "
                          f"channel(s)) but the model makes {kinds.get(channels, channels)} ones ({channels}); "
                          f"pass data of the model's kind (the run's own data: "
                          f"{run_source or 'see run.json'})")


def check_finite(results):
    """`GanzooError` naming the first metric value that is NaN or infinite
    (a NaN in evaluation.json reads as a score; it is never written)."""
    for metric, values in results.items():
        for key, value in _numbers(values):
            if not np.isfinite(value):
                raise GanzooError(f"metric {metric}: {key} is {value}, not a number; evaluation.json is not "
                                  "written. The real data probably do not suit this model (check --dataset/--data "
                                  "and --real-n), or the model's images are degenerate")


def _numbers(values, prefix=""):
    if isinstance(values, dict):
        for key, value in values.items():
            if key != "protocol":
                yield from _numbers(value, f"{prefix}{key}" if not prefix else f"{prefix}.{key}")
    elif isinstance(values, (list, tuple)):
        for i, value in enumerate(values):
            yield from _numbers(value, f"{prefix}[{i}]")
    elif isinstance(values, (bool, str)) or values is None:
        return
    else:
        try:
            yield prefix, float(values)
        except (TypeError, ValueError):
            return


def check_metrics(metric_names, options):
    """Runs the metrics' fast checks (e.g. that the Inception weights can be
    had) before anything heavy is imported or loaded; raises GanzooError."""
    from ganzoo import metrics

    for name in metric_names:
        if name.strip():
            metric = metrics.get(name.strip())
            if metric.check is not None:
                metric.check(options)


# Metrics for tasks that no registered metric covers yet: where to look instead.
_ELSEWHERE = {
    "captioned": "for text2image on the embedded shapes, ganzoo.metrics.captions.attribute_match(images, captions) "
                 "reads colour, kind, position and size back from generated images (docs/plugins/text2image.md)",
}


def check_applicable(task, metric_names):
    """`GanzooError` naming the metrics that do apply to models of `task`
    when one of `metric_names` does not (or that none does yet)."""
    from ganzoo import metrics

    task = str(task)
    wrong = [name for name in metric_names if task not in metrics.get(name).tasks]
    if not wrong:
        return
    works = metrics.for_task(task)
    a_model = f"{article(task)} model"
    which = ", ".join(f"{name!r} ({'/'.join(metrics.get(name).tasks)} models)" for name in wrong)
    if works:
        raise GanzooError(f"metric {which} does not apply to {a_model}; the metrics for {task} models: "
                          f"{', '.join(works)} (e.g. "
                          f"{setting('metrics', ','.join(works), python=f'metric_names={list(works)!r}')})")
    covered = sorted({t for metric in metrics.METRICS.values() for t in metric.tasks})
    hint = _ELSEWHERE.get(task)
    raise GanzooError(f"metric {which} does not apply to {a_model}, and no installed metric does yet (the "
                      f"metrics cover {', '.join(covered)} models: see docs/metrics.md)"
                      + (f"; {hint}" if hint else "; a package can add one under the ganzoo.metrics entry points "
                         "(docs/metrics.md)"))


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
    from ganzoo.training.run_files import load_run_model, read_run

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
    check_applicable(model.task, [metric.name for metric in chosen])
    saved = read_run(run) if os.path.isdir(run) else None
    source, data_dir, info = _real_source(model, saved, dataset=dataset, data=data, data_dir=data_dir, split=split)
    real = metrics.RealData(source=str(source), data_dir=data_dir, split=split)
    if info is not None and any(m.needs_arrays for m in chosen):
        real.images, real.labels, real.num_classes = _arrays(source, info, model, data_dir, split, limit)
    results = {metric.name: metric.compute(model, real, options) for metric in chosen}
    check_finite(results)
    if os.path.isdir(run):
        write_json({"source": str(source), "split": split, "n": n, "seed": seed, "options": options,
                    "results": results}, os.path.join(run, "evaluation.json"))
    return results


def _real_source(model, saved, *, dataset, data, data_dir, split):
    """The real data to compare with (given, else the run's), its data
    directory, and for models of images from noise its `SourceInfo`, checked
    against the model (None for other tasks: nothing is inspected)."""
    source = data or dataset
    run_source = saved["settings"].get("source") if saved else None
    if source is None:
        if saved is None:
            raise GanzooError("say which real data to compare with: --dataset NAME or --data FOLDER")
        source = run_source
        data_dir = data_dir or saved["settings"].get("data_dir")
    if model.task not in ("unconditional", "conditional"):
        return source, data_dir, None
    from ganzoo import data as data_lib

    run_info = None
    if model.task == "conditional" and run_source is not None and not _same_source(source, run_source):
        try:
            run_info = data_lib.inspect(run_source, data_dir=saved["settings"].get("data_dir"))
        except GanzooError:  # e.g. a TFDS set not on this machine: the class count is still checked
            run_info = None
    what = f"--data {source}" if data else f"--dataset {source}" if dataset else f"the run's data {source!r}"
    info = data_lib.inspect(source, split=split, data_dir=data_dir)
    check_real_data(model, source, info, run_source, run_info, what)
    return source, data_dir, info
