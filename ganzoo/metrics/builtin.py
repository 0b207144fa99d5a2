"""The built-in metrics, declared under the `ganzoo.metrics` entry points
(pyproject.toml) like a third party's: one `Metric` object per name."""

from __future__ import annotations

from ganzoo.errors import GanzooError
from ganzoo.metrics import Metric


def _classifier_metric(model, real, options):
    from ganzoo.metrics.classifier import classifier_report, train_classifier

    if real.labels is None:
        raise GanzooError("the classifier metric needs labelled data (e.g. --dataset digits or class subfolders)")
    n = int(options.get("n") or 1000)
    seed = int(options.get("seed", 0))
    classifier = train_classifier(real.images, real.labels, real.num_classes, validation=0.2)
    if model.task == "conditional":
        import numpy as np

        wanted = (np.arange(n) % real.num_classes).astype("int32")
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


psnr = Metric(
    name="psnr",
    summary="super-resolution PSNR (dB, Y channel, border = scale cropped) of the model and of bicubic "
            "upscaling on whole high-resolution images",
    tasks=("paired",),
    compute=_psnr_metric,
)

ssim = Metric(
    name="ssim",
    summary="super-resolution SSIM (Y channel, border = scale cropped) of the model and of bicubic upscaling",
    tasks=("paired",),
    compute=_ssim_metric,
)

classifier = Metric(
    name="classifier",
    summary="confidence, class coverage, Fréchet distance (and conditional accuracy) under a classifier "
            "trained on the labelled real data",
    tasks=("unconditional", "conditional"),
    compute=_classifier_metric,
)


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
    globals()[_name] = Metric(name=_name, summary=_summary, tasks=_tasks, compute=_inception(_function),
                              needs_arrays=False, check=_inception_check)
