"""Closed forms and published formulas of the scores, without any network."""

import numpy as np
import pytest

from ganzoo.errors import GanzooError
from ganzoo.metrics import statistics as st


def _random_covariance(rng, d, rank=None):
    a = rng.normal(size=(d, rank or 2 * d))
    return a @ a.T / a.shape[1]


def test_identical_statistics_give_zero():
    rng = np.random.default_rng(0)
    mu, sigma = rng.normal(size=64), _random_covariance(rng, 64)
    assert abs(st.frechet_distance(mu, sigma, mu, sigma)) < 1e-9


def test_equal_covariances_give_squared_mean_difference():
    rng = np.random.default_rng(1)
    sigma = _random_covariance(rng, 50)
    mu1, mu2 = rng.normal(size=50), rng.normal(size=50)
    assert st.frechet_distance(mu1, sigma, mu2, sigma) == pytest.approx(((mu1 - mu2) ** 2).sum(), rel=1e-9, abs=1e-9)


def test_diagonal_covariances():
    rng = np.random.default_rng(2)
    a, b = rng.uniform(0.1, 3, 40), rng.uniform(0.1, 3, 40)
    mu1, mu2 = rng.normal(size=40), rng.normal(size=40)
    expected = ((mu1 - mu2) ** 2).sum() + ((np.sqrt(a) - np.sqrt(b)) ** 2).sum()
    assert st.frechet_distance(mu1, np.diag(a), mu2, np.diag(b)) == pytest.approx(expected, rel=1e-10)


def test_scaled_covariances():
    rng = np.random.default_rng(3)
    sigma = _random_covariance(rng, 30)
    c = 2.5
    expected = np.trace(sigma) * (1 - np.sqrt(c)) ** 2
    assert st.frechet_distance(np.zeros(30), sigma, np.zeros(30), c * sigma) == pytest.approx(expected, rel=1e-9)


def test_unit_mean_shift_in_2048_dimensions_is_exactly_2048():
    eye = np.eye(2048)
    assert st.frechet_distance(np.zeros(2048), eye, np.ones(2048), eye) == 2048.0


def test_singular_covariances_stay_finite_and_symmetric():
    rng = np.random.default_rng(4)
    s1, s2 = _random_covariance(rng, 100, rank=20), _random_covariance(rng, 100, rank=30)
    mu = np.zeros(100)
    d12, d21 = st.frechet_distance(mu, s1, mu, s2), st.frechet_distance(mu, s2, mu, s1)
    assert np.isfinite(d12) and d12 > 0
    assert d12 == pytest.approx(d21, rel=1e-6)


def test_streaming_statistics_match_numpy_with_n_minus_1():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(1000, 16)) * 3 + 1e4  # a large mean: the shifted sums keep the precision
    stats = st.FeatureStatistics(16, keep_features=True)
    for part in np.array_split(x, 7):
        stats.update(part)
    assert stats.count == 1000
    np.testing.assert_allclose(stats.mean, x.mean(0), rtol=1e-12)
    np.testing.assert_allclose(stats.covariance, np.cov(x, rowvar=False), rtol=1e-9, atol=1e-9)
    assert stats.features.shape == (1000, 16) and stats.features.dtype == np.float32


def test_the_two_published_kid_formulas_agree():
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(200, 32)), rng.normal(0.3, 1.0, size=(200, 32))
    a, b = st.mmd2_unbiased(x, y), st.mmd2_compact(x, y)
    assert a > 0
    assert a == pytest.approx(b, rel=1e-12)


def test_kid_is_unbiased_near_zero_for_the_same_distribution():
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(2000, 16)), rng.normal(size=(2000, 16))
    mean, std, size = st.kernel_inception_distance(x, y, subsets=20, subset_size=500)
    assert size == 500
    assert abs(mean) < 3 * std / np.sqrt(20) + 1e-3
    shifted, _, _ = st.kernel_inception_distance(x + 0.5, y, subsets=20, subset_size=500)
    assert shifted > 10 * max(abs(mean), 1e-4)


def test_inception_score_bounds():
    n, k = 1000, 10
    confident = np.full((n, k), -50.0)
    confident[np.arange(n), np.arange(n) % k] = 50.0  # sure of one class, all classes equally used
    mean, std = st.inception_score(confident, splits=10)
    assert mean == pytest.approx(k, rel=1e-6) and std < 1e-6
    uniform, _ = st.inception_score(np.zeros((n, k)), splits=10)
    assert uniform == pytest.approx(1.0)
    with pytest.raises(GanzooError):
        st.inception_score(np.zeros((5, k)), splits=10)


def test_precision_recall_of_a_collapsed_generator():
    rng = np.random.default_rng(8)
    real = rng.normal(size=(500, 8))
    same = rng.normal(size=(500, 8))
    p, r = st.precision_recall(same, real, k=3)
    assert p > 0.7 and r > 0.7
    collapsed = real[:5] + rng.normal(0, 0.01, size=(5, 8))
    collapsed = np.repeat(collapsed, 100, axis=0)
    p, r = st.precision_recall(collapsed, real, k=3)
    assert p > 0.95 and r < 0.1  # every sample realistic, little of the data covered
    far = rng.normal(size=(500, 8)) + 20.0
    p, r = st.precision_recall(far, real, k=3)
    assert p == 0.0 and r == 0.0


def test_density_coverage():
    rng = np.random.default_rng(9)
    real = rng.normal(size=(600, 8))
    density, coverage = st.density_coverage(rng.normal(size=(600, 8)), real, k=5)
    assert 0.7 < density < 1.3 and coverage > 0.85
    density, coverage = st.density_coverage(real[:3].repeat(200, axis=0), real, k=5)
    assert coverage < 0.05 and density > 0.1


def test_knn_radii_exclude_the_sample_itself():
    points = np.array([[0.0], [1.0], [3.0], [7.0]])
    np.testing.assert_allclose(st.kth_neighbour_radii(points, 1), [1.0, 1.0, 4.0, 16.0])


def test_low_rank_route_equals_the_full_formula():
    rng = np.random.default_rng(10)
    x = rng.normal(size=(40, 120)) @ rng.normal(size=(120, 120)) * 0.1
    y = rng.normal(0.2, 1.0, size=(300, 120))
    full = st.frechet_distance(x.mean(0), np.cov(x, rowvar=False), y.mean(0), np.cov(y, rowvar=False))
    low = st.frechet_distance_low_rank(x, y.mean(0), np.cov(y, rowvar=False))
    assert low == pytest.approx(full, rel=1e-7)
    a, b = st.FeatureStatistics(120, keep_features=True), st.FeatureStatistics(120, keep_features=True)
    a.update(x)
    b.update(y)
    assert st.fid_of(a, b) == pytest.approx(full, rel=1e-5)  # float32 kept features
    assert st.fid_of(b, a) == pytest.approx(full, rel=1e-5)


# Against exact float64 references (issue 20, item 12): distances by differences, not the Gram formula.

def _exact_squared_distances(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)


def _exact_radii(x, k):
    return np.sort(_exact_squared_distances(x, x), axis=1)[:, k]


def _exact_prdc(generated, real, k_pr=3, k_dc=5):
    d_gr = _exact_squared_distances(generated, real)
    real_pr, gen_pr, real_dc = _exact_radii(real, k_pr), _exact_radii(generated, k_pr), _exact_radii(real, k_dc)
    precision = (d_gr <= real_pr[None, :]).any(axis=1).mean()
    recall = (d_gr.T <= gen_pr[None, :]).any(axis=1).mean()
    hit = d_gr < real_dc[None, :]
    return precision, recall, hit.sum() / (k_dc * len(generated)), hit.any(axis=0).mean()


def _features(rng, n, d, offset):
    return (rng.normal(size=(n, d)) + offset).astype(np.float32)  # float32, as the Inception features are


@pytest.mark.parametrize("offset", [0.0, 1e3])
def test_identical_sets_give_density_recall_precision_and_coverage_exactly_1(offset):
    rng = np.random.default_rng(11)
    real = _features(rng, 1500, 32, offset)  # more rows than one distance block holds
    assert st.density_coverage(real, real, k=5) == (1.0, 1.0)
    assert st.precision_recall(real, real, k=3) == (1.0, 1.0)
    assert st.density_coverage(real.copy(), real, k=5)[0] == 1.0


@pytest.mark.parametrize("offset", [0.0, 1e2, 3e3])
def test_knn_metrics_match_an_exact_float64_reference(offset):
    rng = np.random.default_rng(12)
    real = _features(rng, 400, 24, offset)
    for generated in (_features(rng, 300, 24, offset), real[:250] + np.float32(0.3),
                      np.concatenate([real[:100], _features(rng, 200, 24, offset + 0.5)])):
        precision, recall, density, coverage = _exact_prdc(generated, real)
        assert st.precision_recall(generated, real, k=3) == pytest.approx((precision, recall), abs=1e-6)
        assert st.density_coverage(generated, real, k=5) == pytest.approx((density, coverage), abs=1e-6)
    np.testing.assert_allclose(st.kth_neighbour_radii(real, 3), _exact_radii(real, 3), rtol=1e-9)


def test_streaming_statistics_in_batches_of_50_match_np_cov():
    rng = np.random.default_rng(13)
    x = (rng.normal(size=(9000, 24)) * 2 + 500).astype(np.float32)
    stats = st.FeatureStatistics(24, keep_features=True)
    buffer = np.empty((50, 24), np.float32)
    for start in range(0, len(x), 50):  # crosses several folds; the caller reuses its array
        part = x[start:start + 50]
        buffer[:len(part)] = part
        stats.update(buffer[:len(part)])
        buffer[:] = np.nan
    assert stats.count == 9000
    np.testing.assert_allclose(stats.mean, x.astype(np.float64).mean(0), rtol=1e-12)
    np.testing.assert_allclose(stats.covariance, np.cov(x, rowvar=False), rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(stats.features, x)
    stats.update(x[:10])  # updates after a read still count
    both = np.concatenate([x, x[:10]])
    np.testing.assert_allclose(stats.covariance, np.cov(both, rowvar=False), rtol=1e-9, atol=1e-9)


def _reference_kid(generated, real, subsets, subset_size, seed):
    """StyleGAN2-ADA's compact estimator, float64, the same subset draws."""
    generated, real = np.asarray(generated, np.float64), np.asarray(real, np.float64)
    m, d = min(subset_size, len(generated), len(real)), generated.shape[1]
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(subsets):
        x = generated[rng.choice(len(generated), m, replace=False)]
        y = real[rng.choice(len(real), m, replace=False)]
        a = (x @ x.T / d + 1) ** 3 + (y @ y.T / d + 1) ** 3
        b = (x @ y.T / d + 1) ** 3
        values.append(((a.sum() - np.diag(a).sum()) / (m - 1) - b.sum() * 2 / m) / m)
    return np.mean(values), np.std(values)


def test_kid_matches_a_float64_reference():
    rng = np.random.default_rng(14)
    generated, real = _features(rng, 700, 64, 0.2), _features(rng, 900, 64, 0.0)
    mean, std, size = st.kernel_inception_distance(generated, real, subsets=7, subset_size=500, seed=3)
    ref_mean, ref_std = _reference_kid(generated, real, 7, 500, 3)
    assert size == 500
    assert mean == pytest.approx(ref_mean, rel=1e-9) and std == pytest.approx(ref_std, rel=1e-9)
