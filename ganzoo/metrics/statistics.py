"""Sample statistics of features and the scores built on them (NumPy only).

- `FeatureStatistics`: streaming mean and covariance in float64 (the
  covariance divides by N - 1, as `np.cov` and every reference FID code do).
- `frechet_distance`: FID's formula, in float64, with symmetric
  eigendecompositions instead of SciPy's `sqrtm`.
- `kernel_inception_distance`: KID (Bińkowski et al. 2018), unbiased MMD^2
  with the cubic polynomial kernel `(x.y / d + 1)^3`, over random subsets.
- `inception_score`: IS (Salimans et al. 2016) from logits, over splits.
- `precision_recall`: Kynkäänniemi et al. (2019), k-NN balls, k = 3.
- `density_coverage`: Naeem et al. (2020), k-NN balls of real samples, k = 5.
"""

from __future__ import annotations

import numpy as np

from ganzoo.errors import GanzooError


class FeatureStatistics:
    """Streaming mean and covariance of feature vectors, in float64.

    Sums are taken around a shift (the first batch's mean), so the
    covariance keeps its precision for features with a large mean.

    Args:
        dim: feature dimension.
        keep_features: also keep the features (float32), for KID and the
            k-NN metrics.

    Example:

    >>> stats = FeatureStatistics(2)
    >>> stats.update(np.array([[0.0, 1.0], [2.0, 3.0]]))
    >>> stats.mean
    array([1., 2.])
    """

    def __init__(self, dim, keep_features=False):
        self.dim = int(dim)
        self.count = 0
        self._shift = None
        self._sum = np.zeros(self.dim, np.float64)
        self._outer = np.zeros((self.dim, self.dim), np.float64)
        self._kept = [] if keep_features else None

    def update(self, features):
        """Adds a batch `(n, dim)` of features."""
        x = np.asarray(features, np.float64).reshape(-1, self.dim)
        if not len(x):
            return
        if self._shift is None:
            self._shift = x.mean(axis=0)
        centred = x - self._shift
        self._sum += centred.sum(axis=0)
        self._outer += centred.T @ centred
        self.count += len(x)
        if self._kept is not None:
            self._kept.append(np.asarray(features, np.float32).reshape(-1, self.dim))

    @property
    def mean(self):
        """The mean, float64 `(dim,)`."""
        if not self.count:
            raise GanzooError("no features were accumulated")
        return self._shift + self._sum / self.count

    @property
    def covariance(self):
        """The sample covariance (divisor N - 1), float64 `(dim, dim)`."""
        if self.count < 2:
            raise GanzooError(f"a covariance needs at least 2 samples, got {self.count}")
        centred_sum = self._sum / self.count
        return (self._outer - self.count * np.outer(centred_sum, centred_sum)) / (self.count - 1)

    @property
    def features(self):
        """The kept features, float32 `(count, dim)` (None unless kept)."""
        if self._kept is None:
            return None
        return np.concatenate(self._kept) if self._kept else np.zeros((0, self.dim), np.float32)


def frechet_distance(mu1, sigma1, mu2, sigma2):
    """The Fréchet distance between two Gaussians, as FID defines it.

    `||mu1 - mu2||^2 + Tr(S1) + Tr(S2) - 2 Tr((S1 S2)^(1/2))`, in float64.
    `Tr((S1 S2)^(1/2))` equals `Tr((S1^(1/2) S2 S1^(1/2))^(1/2))` for
    positive semi-definite matrices; both square roots come from `eigh`
    (no SciPy), and the tiny negative eigenvalues rounding leaves on
    singular covariances are clipped to 0.

    Args:
        mu1, mu2: means `(d,)`.
        sigma1, sigma2: covariances `(d, d)`.

    Returns:
        The distance as a float (0 for identical statistics).
    """
    mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
    sigma1, sigma2 = np.asarray(sigma1, np.float64), np.asarray(sigma2, np.float64)
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape:
        raise GanzooError(f"statistics differ in shape: {mu1.shape}/{sigma1.shape} vs {mu2.shape}/{sigma2.shape}")
    values, vectors = np.linalg.eigh((sigma1 + sigma1.T) / 2)
    root1 = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    middle = root1 @ sigma2 @ root1
    trace_root = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None)).sum()
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * trace_root)


def frechet_distance_low_rank(features1, mu2, sigma2):
    """FID's formula when the first set is given by its `n1 <= d` features.

    With `X` the centred features and `S1 = X^T X / (n1 - 1)`, the non-zero
    eigenvalues of `S1 S2` are those of the small symmetric matrix
    `X S2 X^T / (n1 - 1)`, so `Tr (S1 S2)^(1/2)` needs an `n1 x n1`
    eigendecomposition instead of two `d x d` ones: the same number, much
    faster below 2,048 samples.
    """
    x = np.asarray(features1, np.float64)
    n1 = len(x)
    mu1 = x.mean(axis=0)
    centred = x - mu1
    sigma2 = np.asarray(sigma2, np.float64)
    small = centred @ sigma2 @ centred.T / (n1 - 1)
    trace_root = np.sqrt(np.clip(np.linalg.eigvalsh((small + small.T) / 2), 0, None)).sum()
    trace1 = (centred * centred).sum() / (n1 - 1)
    diff = mu1 - np.asarray(mu2, np.float64)
    return float(diff @ diff + trace1 + np.trace(sigma2) - 2.0 * trace_root)


def fid_of(a, b):
    """FID between two `FeatureStatistics`-like objects (`mean`,
    `covariance`, `count`, `features`), by the low-rank route when one side
    has fewer samples than dimensions and kept its features."""
    for first, second in ((a, b), (b, a)):
        features = getattr(first, "features", None)
        if features is not None and 1 < len(features) < features.shape[1]:
            return frechet_distance_low_rank(features, second.mean, second.covariance)
    return frechet_distance(a.mean, a.covariance, b.mean, b.covariance)


def polynomial_kernel(x, y):
    """`(x . y / d + 1)^3`, KID's kernel, float64."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def mmd2_unbiased(x, y):
    """Unbiased MMD^2 of two equal-size samples (Bińkowski et al.'s form:
    off-diagonal means of K_xx and K_yy minus twice the mean of K_xy)."""
    m = len(x)
    k_xx, k_yy, k_xy = polynomial_kernel(x, x), polynomial_kernel(y, y), polynomial_kernel(x, y)
    off = m * (m - 1)
    return ((k_xx.sum() - np.trace(k_xx)) / off + (k_yy.sum() - np.trace(k_yy)) / off
            - 2.0 * k_xy.sum() / (m * m))


def mmd2_compact(x, y):
    """The same estimate in StyleGAN2-ADA's compact form:
    `[(sum(A) - tr(A)) / (m - 1) - 2 sum(B) / m] / m` with A = K_xx + K_yy,
    B = K_xy."""
    m = len(x)
    a = polynomial_kernel(x, x) + polynomial_kernel(y, y)
    b = polynomial_kernel(x, y)
    return ((a.sum() - np.trace(a)) / (m - 1) - b.sum() * 2.0 / m) / m


def kernel_inception_distance(generated, real, subsets=100, subset_size=1000, seed=0):
    """KID: mean and standard deviation of the unbiased MMD^2 over subsets.

    Args:
        generated, real: features `(n, d)`.
        subsets: number of random subsets (100, as torch-fidelity and
            StyleGAN2-ADA).
        subset_size: samples per subset (1000; fewer when a set is smaller).
        seed: seed of the subset draws.

    Returns:
        `(mean, std, subset_size)`.
    """
    generated, real = np.asarray(generated), np.asarray(real)
    m = min(int(subset_size), len(generated), len(real))
    if m < 2:
        raise GanzooError("KID needs at least 2 generated and 2 real samples")
    rng = np.random.default_rng(seed)
    values = np.empty(int(subsets))
    for i in range(int(subsets)):
        x = generated[rng.choice(len(generated), m, replace=False)]
        y = real[rng.choice(len(real), m, replace=False)]
        values[i] = mmd2_unbiased(x, y)
    return float(values.mean()), float(values.std()), m


def softmax(logits):
    """Row-wise softmax in float64."""
    z = np.asarray(logits, np.float64)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def inception_score(logits, splits=10):
    """IS: `exp(E_x KL(p(y|x) || p(y)))` on each of `splits` consecutive
    chunks; mean and standard deviation over chunks (Salimans et al.'s code).

    Args:
        logits: `(n, classes)` logits.
        splits: number of chunks (10).

    Returns:
        `(mean, std)`.
    """
    p = softmax(logits)
    n = len(p)
    if n < splits:
        raise GanzooError(f"the Inception Score needs at least {splits} samples, got {n}")
    scores = []
    for i in range(splits):
        part = p[i * n // splits:(i + 1) * n // splits]
        marginal = part.mean(axis=0, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            kl = np.where(part > 0, part * (np.log(part) - np.log(marginal)), 0.0)
        scores.append(np.exp(kl.sum(axis=1).mean()))
    return float(np.mean(scores)), float(np.std(scores))


def _squared_distances(a, b):
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    d = (a * a).sum(1)[:, None] - 2.0 * (a @ b.T) + (b * b).sum(1)[None, :]
    return np.maximum(d, 0.0)


def kth_neighbour_radii(features, k, batch=1024):
    """Squared distance of each sample to its k-th nearest other sample."""
    features = np.asarray(features, np.float32)
    if len(features) <= k:
        raise GanzooError(f"k-NN radii with k={k} need more than {k} samples, got {len(features)}")
    radii = np.empty(len(features), np.float32)
    for start in range(0, len(features), batch):
        d = _squared_distances(features[start:start + batch], features)
        radii[start:start + batch] = np.partition(d, k, axis=1)[:, k]  # index 0 is the sample itself
    return radii


def _within(queries, centres, radii, batch=1024):
    """For each query, how many balls (centre, squared radius) contain it
    (`<=`) and whether any does with `<`."""
    counts = np.zeros(len(queries), np.int64)
    for start in range(0, len(queries), batch):
        d = _squared_distances(queries[start:start + batch], centres)
        counts[start:start + batch] = (d <= radii[None, :]).sum(axis=1)
    return counts


def precision_recall(generated, real, k=3):
    """Improved precision and recall (Kynkäänniemi et al. 2019).

    Precision: share of generated samples inside at least one real sample's
    k-NN ball; recall: share of real samples inside at least one generated
    sample's k-NN ball (balls closed, radii to the k-th other sample).

    Returns:
        `(precision, recall)`.
    """
    generated, real = np.asarray(generated, np.float32), np.asarray(real, np.float32)
    precision = float((_within(generated, real, kth_neighbour_radii(real, k)) > 0).mean())
    recall = float((_within(real, generated, kth_neighbour_radii(generated, k)) > 0).mean())
    return precision, recall


def density_coverage(generated, real, k=5, batch=1024):
    """Density and coverage (Naeem et al. 2020), balls around real samples
    only (radius: distance to the k-th nearest other real sample, open ball).

    density = (1 / kM) sum_j sum_i 1[Y_j in B(X_i)]; coverage = share of real
    samples whose ball holds at least one generated sample.

    Returns:
        `(density, coverage)`.
    """
    generated, real = np.asarray(generated, np.float32), np.asarray(real, np.float32)
    radii = kth_neighbour_radii(real, k)
    inside = 0
    covered = np.zeros(len(real), bool)
    for start in range(0, len(generated), batch):
        hit = _squared_distances(generated[start:start + batch], real) < radii[None, :]
        inside += int(hit.sum())
        covered |= hit.any(axis=0)
    return float(inside / (k * len(generated))), float(covered.mean())
