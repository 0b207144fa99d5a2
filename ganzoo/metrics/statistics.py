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
    covariance keeps its precision for features with a large mean. Batches
    are buffered and folded into the sums 8,192 rows at a time:
    one large `x.T @ x` (a BLAS rank-k update) instead of one per batch of
    50, so the statistics cost what `np.cov` costs.

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

    #: Rows buffered before they are folded into the sums.
    FOLD_ROWS = 8192

    def __init__(self, dim, keep_features=False):
        self.dim = int(dim)
        self.count = 0
        self._shift = None
        self._sum = np.zeros(self.dim, np.float64)
        self._outer = None  # the first fold's product
        self._buffer = None
        self._pending_rows = 0
        self._kept = [] if keep_features else None

    def update(self, features):
        """Adds a batch `(n, dim)` of features (copied: the caller may reuse its array)."""
        x = np.asarray(features).reshape(-1, self.dim)
        if not len(x):
            return
        if self._shift is None:
            self._shift = x.mean(axis=0, dtype=np.float64)
            self._buffer = np.empty((self.FOLD_ROWS, self.dim), np.float64)
        start = 0
        while start < len(x):
            take = min(len(x) - start, self.FOLD_ROWS - self._pending_rows)
            rows = slice(self._pending_rows, self._pending_rows + take)
            np.subtract(x[start:start + take], self._shift, out=self._buffer[rows])
            self._pending_rows += take
            start += take
            if self._pending_rows == self.FOLD_ROWS:
                self._fold()
        self.count += len(x)
        if self._kept is not None:
            self._kept.append(np.array(x, np.float32))

    def _fold(self):
        if not self._pending_rows:
            return
        centred = self._buffer[:self._pending_rows]
        self._pending_rows = 0
        self._sum += centred.sum(axis=0)
        product = centred.T @ centred  # one operand, transposed: NumPy's symmetric rank-k update
        if self._outer is None:
            self._outer = product
        else:
            self._outer += product

    @property
    def mean(self):
        """The mean, float64 `(dim,)`."""
        if not self.count:
            raise GanzooError("no features were accumulated")
        self._fold()
        return self._shift + self._sum / self.count

    @property
    def covariance(self):
        """The sample covariance (divisor N - 1), float64 `(dim, dim)`."""
        if self.count < 2:
            raise GanzooError(f"a covariance needs at least 2 samples, got {self.count}")
        self._fold()
        centred_sum = self._sum / self.count
        return (self._outer - self.count * np.outer(centred_sum, centred_sum)) / (self.count - 1)

    @property
    def features(self):
        """The kept features, float32 `(count, dim)` (None unless kept)."""
        if self._kept is None:
            return None
        if len(self._kept) > 1:
            self._kept = [np.concatenate(self._kept)]
        return self._kept[0] if self._kept else np.zeros((0, self.dim), np.float32)


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
        count, dim = getattr(first, "count", None), getattr(first, "dim", None)
        if count is not None and dim is not None and not 1 < count < dim:
            continue  # the full formula: no need to gather the kept features
        features = getattr(first, "features", None)
        if features is not None and 1 < len(features) < features.shape[1]:
            return frechet_distance_low_rank(features, second.mean, second.covariance)
    return frechet_distance(a.mean, a.covariance, b.mean, b.covariance)


def polynomial_kernel(x, y=None):
    """`(x . y / d + 1)^3`, KID's kernel, float64 (`y` None: `x` with itself,
    by NumPy's symmetric product)."""
    x = np.asarray(x, np.float64)
    y = x if y is None else np.asarray(y, np.float64)
    k = x @ y.T
    k /= x.shape[1]
    k += 1.0
    cube = k * k
    cube *= k
    return cube


def _off_diagonal_sum(k):
    return k.sum() - np.trace(k)


def mmd2_unbiased(x, y):
    """Unbiased MMD^2 of two equal-size samples (Bińkowski et al.'s form:
    off-diagonal means of K_xx and K_yy minus twice the mean of K_xy)."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    m = len(x)
    off = m * (m - 1)
    return (_off_diagonal_sum(polynomial_kernel(x)) / off + _off_diagonal_sum(polynomial_kernel(y)) / off
            - 2.0 * polynomial_kernel(x, y).sum() / (m * m))


def mmd2_compact(x, y):
    """The same estimate in StyleGAN2-ADA's compact form:
    `[(sum(A) - tr(A)) / (m - 1) - 2 sum(B) / m] / m` with A = K_xx + K_yy,
    B = K_xy."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    m = len(x)
    a = polynomial_kernel(x) + polynomial_kernel(y)
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
        x = generated[rng.choice(len(generated), m, replace=False)].astype(np.float64)  # one conversion each
        y = real[rng.choice(len(real), m, replace=False)].astype(np.float64)
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


def _centred(*sets):
    """The sets in float64, centred on the first one's mean: distances do not
    change, and the Gram formula below loses nothing to a large common
    offset (|a|^2 and a.b of features far from the origin cancel)."""
    arrays = [np.asarray(x, np.float64) for x in sets]
    centre = arrays[0].mean(axis=0) if len(arrays[0]) else 0.0
    return [x - centre for x in arrays]


def _norms(x):
    return np.einsum("ij,ij->i", x, x)


def _squared_distances(centres, queries, centre_norms, query_norms):
    """`|c|^2 + |q|^2 - 2 c.q` (float64) with ball centres as rows.

    Radii and memberships are always computed in this orientation (centres
    as rows, the norms summed first, a commutative single addition), so
    when a query is one of the centres its distances are the very numbers
    its radius came from: identical sets give density 1 and recall 1
    exactly, and no pair is rounded two ways.
    """
    d = centres @ queries.T
    d *= -2.0
    d += centre_norms[:, None] + query_norms[None, :]
    return np.maximum(d, 0.0, out=d)


def _rows_per_block(columns):
    """Rows of a float64 distance block of about 128 MB (64 to 1,024)."""
    return int(max(64, min(1024, (1 << 24) // max(1, columns))))


def _radii(centres, norms, k):
    """Squared distance of each (centred, float64) sample to its k-th nearest other sample."""
    if len(centres) <= k:
        raise GanzooError(f"k-NN radii with k={k} need more than {k} samples, got {len(centres)}")
    radii = np.empty(len(centres), np.float64)
    step = _rows_per_block(len(centres))
    for start in range(0, len(centres), step):
        d = _squared_distances(centres[start:start + step], centres, norms[start:start + step], norms)
        radii[start:start + step] = np.partition(d, k, axis=1)[:, k]  # index 0 is the sample itself
    return radii


def kth_neighbour_radii(features, k, batch=None):
    """Squared distance of each sample to its k-th nearest other sample
    (float64; the features are centred first, see `_squared_distances`)."""
    (centres,) = _centred(features)
    return _radii(centres, _norms(centres), k)


def _inside_any(centres, radii, queries, strict=False):
    """For each query, whether any ball (centre, squared radius) holds it
    (closed balls, or open with `strict`)."""
    centre_norms, query_norms = _norms(centres), _norms(queries)
    inside = np.zeros(len(queries), bool)
    step = _rows_per_block(len(queries))
    for start in range(0, len(centres), step):
        d = _squared_distances(centres[start:start + step], queries, centre_norms[start:start + step], query_norms)
        hit = d < radii[start:start + step, None] if strict else d <= radii[start:start + step, None]
        inside |= hit.any(axis=0)
    return inside


def precision_recall(generated, real, k=3):
    """Improved precision and recall (Kynkäänniemi et al. 2019).

    Precision: share of generated samples inside at least one real sample's
    k-NN ball; recall: share of real samples inside at least one generated
    sample's k-NN ball (balls closed, radii to the k-th other sample).
    Distances in float64 on features centred on the real mean.

    Returns:
        `(precision, recall)`.
    """
    real, generated = _centred(real, generated)
    real_radii = _radii(real, _norms(real), k)
    generated_radii = _radii(generated, _norms(generated), k)
    precision = float(_inside_any(real, real_radii, generated).mean())
    recall = float(_inside_any(generated, generated_radii, real).mean())
    return precision, recall


def density_coverage(generated, real, k=5, batch=None):
    """Density and coverage (Naeem et al. 2020), balls around real samples
    only (radius: distance to the k-th nearest other real sample, open ball).

    density = (1 / kM) sum_j sum_i 1[Y_j in B(X_i)]; coverage = share of real
    samples whose ball holds at least one generated sample. Distances in
    float64 on features centred on the real mean.

    Returns:
        `(density, coverage)`.
    """
    real, generated = _centred(real, generated)
    real_norms, generated_norms = _norms(real), _norms(generated)
    radii = _radii(real, real_norms, k)
    inside = 0
    covered = np.zeros(len(real), bool)
    step = batch or _rows_per_block(len(generated))
    for start in range(0, len(real), step):
        d = _squared_distances(real[start:start + step], generated, real_norms[start:start + step], generated_norms)
        hit = d < radii[start:start + step, None]
        inside += int(np.count_nonzero(hit))
        covered[start:start + step] = hit.any(axis=1)
    return float(inside / (k * len(generated))), float(covered.mean())
