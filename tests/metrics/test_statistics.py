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
