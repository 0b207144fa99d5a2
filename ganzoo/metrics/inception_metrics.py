"""FID, KID, IS, precision/recall, density/coverage and intra-FID of a model.

The functions here are what the registry (`ganzoo.metrics.METRICS`) calls.
Within one process, the generated features of a model (for one n, seed,
resize, weights and precision) are computed once and shared by every
metric; real features are cached on disk (`ganzoo.metrics.protocol`).

Options read (from `ganzoo evaluate`): `n` (generated images, default
50,000), `seed`, `resize` ("reference" or "clean"), `inception_weights`,
`real_n` (real images, default the whole split), `precision`,
`batch_size`, `verbose`.
"""

from __future__ import annotations

import numpy as np

from ganzoo.errors import GanzooError
from ganzoo.metrics import protocol, statistics

DEFAULT_N = protocol.COMMON_N
GENERATION_CHUNK = 1000

_EXTRACTORS = {}
_GENERATED = {}


def clear_generated():
    """Frees the generated images' features kept for the metrics of one model."""
    _GENERATED.clear()


def extractor_for(options):
    """An `InceptionExtractor` for the options (kept for the process)."""
    from ganzoo.metrics.features import InceptionExtractor

    key = (options.get("inception_weights"), options.get("resize") or "reference",
           options.get("precision") or "float32")
    if key not in _EXTRACTORS:
        _EXTRACTORS[key] = InceptionExtractor(key[0], resize=key[1], precision=key[2],
                                              batch_size=int(options.get("batch_size") or 50))
    return _EXTRACTORS[key]


def generated_chunks(model, n, seed, chunk=GENERATION_CHUNK):
    """Generated images in chunks of `chunk`, chunk i from seed `seed + 7919 i`
    (a fixed plan: the same n and seed give the same images); conditional
    models get labels `arange(n) % num_classes` (balanced classes)."""
    conditional = model.task == "conditional"
    for index, start in enumerate(range(0, n, chunk)):
        stop = min(n, start + chunk)
        chunk_seed = None if seed is None else int(seed) + 7919 * index
        if conditional:
            labels = (np.arange(start, stop) % model.num_classes).astype("int32")
            yield model.generate(labels=labels, seed=chunk_seed), labels
        else:
            yield model.generate(stop - start, seed=chunk_seed), None


def generated_statistics(model, extractor, n, seed, verbose=True):
    """`(FeatureStatistics, logits, labels)` of `n` generated images (cached per process)."""
    key = (id(model), model.steps_done if hasattr(model, "steps_done") else None, n, seed, id(extractor))
    if key not in _GENERATED:
        _GENERATED.clear()  # one model at a time: the features are large
        _GENERATED[key] = extractor.statistics(generated_chunks(model, n, seed), total=n, keep_features=True,
                                               keep_logits=True, verbose=verbose,
                                               label=f"generated features: {n} images")
    return _GENERATED[key]


def _context(model, real, options):
    n = int(options.get("n") or DEFAULT_N)
    seed = options.get("seed", 0)
    verbose = options.get("verbose", True)
    extractor = extractor_for(options)
    gen, logits, gen_labels = generated_statistics(model, extractor, n, seed, verbose)
    shape = getattr(model, "image_shape", None)
    real_stats, real_labels, path, fields = protocol.real_statistics(
        extractor, real.source, split=real.split, data_dir=real.data_dir,
        image_shape=tuple(shape) if shape else None,
        limit=options.get("real_n"), verbose=verbose)
    record = protocol.record(extractor, generated=gen.count, real=real_stats.count, source=real.source,
                             split=real.split, seed=seed, real_fields_=fields,
                             extra={"real_statistics_cache": path})
    return {"extractor": extractor, "gen": gen, "logits": logits, "gen_labels": gen_labels,
            "real": real_stats, "real_labels": real_labels, "record": record}


def fid(model, real, options):
    """FID: Fréchet distance of pool_3 Gaussians (float64, N - 1 covariance)."""
    c = _context(model, real, options)
    value = statistics.fid_of(c["gen"], c["real"])
    return {"fid": value, "protocol": c["record"]}


def kid(model, real, options):
    """KID: unbiased MMD^2, cubic kernel, 100 subsets of up to 1,000."""
    c = _context(model, real, options)
    mean, std, size = statistics.kernel_inception_distance(c["gen"].features, c["real"].features,
                                                           subsets=100, subset_size=1000, seed=options.get("seed", 0))
    record = dict(c["record"], kid={"kernel": "(x.y / 2048 + 1)^3", "subsets": 100, "subset_size": size,
                                    "estimator": "unbiased MMD^2; mean and std over subsets"})
    return {"kid": mean, "kid_std": std, "protocol": record}


def inception_score(model, real, options):
    """IS over 10 splits of the 1008-way softmax of pool_3 @ W (no bias)."""
    c = _context(model, real, options)
    mean, std = statistics.inception_score(c["logits"], splits=10)
    record = dict(c["record"], inception_score={"splits": 10, "softmax": "1008 classes of pool_3 @ softmax/weights, "
                                                "without the bias (as the reference IS code)"})
    return {"is": mean, "is_std": std, "protocol": record}


_KNN_NOTE = ("Inception pool_3 (2048-d) features; the papers (Kynkäänniemi et al. 2019, Naeem et al. 2020) and "
             "StyleGAN2-ADA use VGG16 fc2 (4096-d): values are not comparable with theirs")


def precision_recall(model, real, options):
    """Improved precision and recall, k = 3, on pool_3 features."""
    c = _context(model, real, options)
    precision, recall = statistics.precision_recall(c["gen"].features, c["real"].features, k=3)
    record = dict(c["record"], precision_recall={"k": 3, "features": _KNN_NOTE})
    return {"precision": precision, "recall": recall, "protocol": record}


def density_coverage(model, real, options):
    """Density and coverage, k = 5, on pool_3 features."""
    c = _context(model, real, options)
    density, coverage = statistics.density_coverage(c["gen"].features, c["real"].features, k=5)
    record = dict(c["record"], density_coverage={"k": 5, "features": _KNN_NOTE})
    return {"density": density, "coverage": coverage, "protocol": record}


def intra_fid(model, real, options):
    """Per-class FID of a conditional model (generated class c against real
    class c); `intra_fid` is their mean (Miyato & Koyama 2018)."""
    c = _context(model, real, options)
    if c["real_labels"] is None:
        raise GanzooError("intra-FID needs labelled real data (e.g. --dataset digits or class subfolders)")
    gen_features, real_features = c["gen"].features, c["real"].features
    out = {}
    for label in range(model.num_classes):
        g = gen_features[c["gen_labels"] == label]
        r = real_features[c["real_labels"] == label]
        if len(g) < 2 or len(r) < 2:
            continue
        # Classes hold fewer samples than dimensions: the low-rank route, exact and fast.
        out[f"fid_class_{label}"] = statistics.frechet_distance_low_rank(g, r.mean(0), np.cov(r, rowvar=False)) \
            if len(g) < g.shape[1] else statistics.frechet_distance(g.mean(0), np.cov(g, rowvar=False),
                                                                    r.mean(0), np.cov(r, rowvar=False))
    if not out:
        raise GanzooError("no class has two generated and two real images")
    per_class = min(int((c["gen_labels"] == k).sum()) for k in range(model.num_classes))
    record = dict(c["record"], intra_fid={"classes": len(out), "generated_per_class": per_class,
                                          "warnings": protocol.warnings_for(per_class, per_class)})
    return dict({"intra_fid": float(np.mean(list(out.values())))}, **out, protocol=record)


def check(options):
    """Fails within seconds when the weights cannot be had (before the model loads)."""
    from ganzoo.metrics.inception_weights import check_available

    check_available(options.get("inception_weights"))
