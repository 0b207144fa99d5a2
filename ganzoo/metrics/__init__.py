"""Metrics of generated images, and the registry behind `ganzoo evaluate`.

A metric is a function `compute(model, real, options) -> dict[str, float]`
registered under a name with the tasks it applies to; `real` is a
`ganzoo.metrics.RealData` holding evaluation data in the model's task
structure. Metric modules import TensorFlow/Keras only when they run.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

from ganzoo.errors import GanzooError


@dataclasses.dataclass(frozen=True)
class Metric:
    """A named evaluation.

    Args:
        name: name used in `ganzoo evaluate --metrics NAME`.
        summary: one line for the help text.
        tasks: the model tasks it applies to.
        compute: `compute(model, real, options) -> dict[str, float]` (a
            `"protocol"` entry may hold what the numbers depend on).
        needs_arrays: whether `real.images`/`real.labels` must be loaded
            before `compute` (metrics that stream the data themselves: False).
        check: optional `check(options)`, run before the model loads, that
            fails fast (e.g. missing network weights).
    """

    name: str
    summary: str
    tasks: tuple
    compute: Callable
    needs_arrays: bool = True
    check: Callable | None = None


@dataclasses.dataclass
class RealData:
    """The evaluation data.

    For unconditional and conditional models `images` (float32 NHWC in
    [0, 1], at the model's image shape) and, for labelled data, `labels` are
    loaded arrays. Metrics of other tasks read `source` themselves (for
    example full-size images for super-resolution) with `ganzoo.data`.
    """

    source: str
    data_dir: str | None = None
    split: str = "train"
    images: object = None
    labels: object = None
    num_classes: int | None = None


METRICS: dict[str, Metric] = {}


def register(metric: Metric) -> Metric:
    """Adds a metric to the registry (its name must be new)."""
    if metric.name in METRICS:
        raise ValueError(f"metric {metric.name!r} is already registered")
    METRICS[metric.name] = metric
    return metric


def get(name: str, task: str | None = None) -> Metric:
    """The metric called `name`, checked against the model's task."""
    if name not in METRICS:
        raise GanzooError(f"unknown metric {name!r}; available: {', '.join(sorted(METRICS))}")
    metric = METRICS[name]
    if task is not None and task not in metric.tasks:
        raise GanzooError(f"metric {name!r} applies to {', '.join(metric.tasks)} models, not to a {task} model")
    return metric


def _classifier_metric(model, real, options):
    from ganzoo.metrics.classifier import classifier_report, train_classifier

    if real.labels is None:
        raise GanzooError("the classifier metric needs labelled data (e.g. --dataset digits or class subfolders)")
    n = int(options.get("n") or 1000)
    seed = int(options.get("seed", 0))
    classifier = train_classifier(real.images, real.labels, real.num_classes, validation=0.2)
    if model.task == "conditional":
        wanted = (__import__("numpy").arange(n) % real.num_classes).astype("int32")
        samples = model.generate(labels=wanted, seed=seed)
        report = classifier_report(classifier, samples, requested_labels=wanted, real_images=real.images)
    else:
        samples = model.generate(n, seed=seed)
        report = classifier_report(classifier, samples, real_images=real.images)
    report["real_accuracy"] = classifier.validation_accuracy
    return report


def _psnr_metric(model, real, options):
    from ganzoo.metrics.super_resolution import psnr_metric

    return psnr_metric(model, real, options)


def _ssim_metric(model, real, options):
    from ganzoo.metrics.super_resolution import ssim_metric

    return ssim_metric(model, real, options)


register(Metric(
    name="psnr",
    summary="super-resolution PSNR (dB, Y channel, border = scale cropped) of the model and of bicubic "
            "upscaling on whole high-resolution images",
    tasks=("paired",),
    compute=_psnr_metric,
))

register(Metric(
    name="ssim",
    summary="super-resolution SSIM (Y channel, border = scale cropped) of the model and of bicubic upscaling",
    tasks=("paired",),
    compute=_ssim_metric,
))

register(Metric(
    name="classifier",
    summary="confidence, class coverage, Fréchet distance (and conditional accuracy) under a classifier "
            "trained on the labelled real data",
    tasks=("unconditional", "conditional"),
    compute=_classifier_metric,
))


def _inception(name):
    def compute(model, real, options):
        from ganzoo.metrics import inception_metrics

        return getattr(inception_metrics, name)(model, real, options)

    return compute


def _inception_check(options):
    from ganzoo.metrics.inception_metrics import check

    check(options)


_REFERENCE = ("on the 2015-12-05 TF Inception graph (pool_3), TF1 bilinear resize of uint8 images; "
              "default 50k generated vs the full split (see docs/metrics.md)")
for _name, _function, _summary, _tasks in (
    ("fid", "fid", "Fréchet Inception Distance " + _REFERENCE, ("unconditional", "conditional")),
    ("kid", "kid", "Kernel Inception Distance (cubic kernel, 100 subsets of 1,000; mean, std) " + _REFERENCE,
     ("unconditional", "conditional")),
    ("is", "inception_score", "Inception Score (10 splits, 1008-way softmax of pool_3) " + _REFERENCE,
     ("unconditional", "conditional")),
    ("pr", "precision_recall", "improved precision and recall (k=3) on Inception pool_3 features",
     ("unconditional", "conditional")),
    ("dc", "density_coverage", "density and coverage (k=5) on Inception pool_3 features",
     ("unconditional", "conditional")),
    ("intra_fid", "intra_fid", "per-class FID of a conditional model and their mean", ("conditional",)),
):
    register(Metric(name=_name, summary=_summary, tasks=_tasks, compute=_inception(_function),
                    needs_arrays=False, check=_inception_check))
