"""Each loss against values computed by hand from its paper's formula."""

import math

import numpy as np
import pytest

from ganzoo import losses


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


REAL = [2.0, -1.0, 0.3]
FAKE = [0.5, -2.0, 1.7]


def value(x):
    return float(np.asarray(x))


def test_minimax_is_goodfellows_value_function():
    # V(D, G) = E[log D(x)] + E[log(1 - D(G(z)))]; D maximises V, G minimises its second term.
    v = np.mean([math.log(sigmoid(r)) for r in REAL]) + np.mean([math.log(1 - sigmoid(f)) for f in FAKE])
    loss = losses.MinimaxLoss()
    assert value(loss.discriminator(np.array(REAL), np.array(FAKE))) == pytest.approx(-v, rel=1e-5)
    expected_g = np.mean([math.log(1 - sigmoid(f)) for f in FAKE])
    assert value(loss.generator(np.array(FAKE))) == pytest.approx(expected_g, rel=1e-5)


def test_non_saturating_generator_maximises_log_d():
    expected = -np.mean([math.log(sigmoid(f)) for f in FAKE])
    assert value(losses.NonSaturatingLoss().generator(np.array(FAKE))) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("name,d_value,g_value", [
    # At logits 0, D = 1/2 everywhere.
    ("minimax", 2 * math.log(2), -math.log(2)),
    ("non_saturating", 2 * math.log(2), math.log(2)),
    ("least_squares", 0.5, 0.5),        # 0.5 (0 - 1)^2 + 0.5 * 0^2 ; 0.5 (0 - 1)^2
    ("hinge", 2.0, 0.0),                # relu(1 - 0) + relu(1 + 0) ; -0
    ("wasserstein", 0.0, 0.0),
])
def test_losses_at_zero_logits(name, d_value, g_value):
    loss = losses.get(name)
    zeros = np.zeros((4, 1), "float32")
    assert value(loss.discriminator(zeros, zeros)) == pytest.approx(d_value, rel=1e-6)
    assert value(loss.generator(zeros)) == pytest.approx(g_value, abs=1e-7)


def test_least_squares_hinge_wasserstein_by_hand():
    r, f = np.array(REAL), np.array(FAKE)
    ls = losses.LeastSquaresLoss()
    assert value(ls.discriminator(r, f)) == pytest.approx(0.5 * np.mean((r - 1) ** 2) + 0.5 * np.mean(f ** 2), rel=1e-5)
    hinge = losses.HingeLoss()
    assert value(hinge.discriminator(r, f)) == pytest.approx(
        np.mean(np.maximum(0, 1 - r)) + np.mean(np.maximum(0, 1 + f)), rel=1e-5)
    w = losses.WassersteinLoss()
    assert value(w.discriminator(r, f)) == pytest.approx(f.mean() - r.mean(), rel=1e-5)
    assert value(w.generator(f)) == pytest.approx(-f.mean(), rel=1e-5)


def test_losses_stay_finite_where_d_saturates():
    huge = np.array([80.0, -80.0], "float32")
    for name in losses.LOSSES:
        loss = losses.get(name)
        assert np.isfinite(value(loss.discriminator(huge, -huge)))
        assert np.isfinite(value(loss.generator(-huge)))


def test_gradient_penalty_and_r1_by_hand():
    grads = np.array([[3.0, 4.0], [0.0, 1.0]], "float32")  # norms 5 and 1
    assert value(losses.gradient_penalty(grads)) == pytest.approx(((5 - 1) ** 2 + 0) / 2, rel=1e-5)
    assert value(losses.r1_penalty(grads)) == pytest.approx((25 + 1) / 2, rel=1e-6)


def test_bfloat16_logits_are_reduced_in_float32():
    import keras

    logits = keras.ops.cast(np.array([0.1, 0.2, 0.3]), "bfloat16")
    out = losses.NonSaturatingLoss().generator(logits)
    assert keras.backend.standardize_dtype(out.dtype) == "float32"


def test_get_rejects_unknown_names_and_round_trips_configs():
    import keras

    with pytest.raises(ValueError, match="hinge"):
        losses.get("hnige")
    config = keras.saving.serialize_keras_object(losses.HingeLoss())
    assert isinstance(losses.get(config), losses.HingeLoss)
