"""The hand-written JAX and PyTorch steps of the speed benchmarks (benchmarks/hand_written/steps.py)
compute what the plugins' steps compute: from the same weights, batch and random draws, the first
step's losses match the plugin's `fit()` step. They run on the backend of the process (CI runs this
file on JAX and on PyTorch); TensorFlow's hand-written steps are keras.io's own
(benchmarks/hand_written/<plugin>.py). A few seconds per plugin."""

import os
import sys

import keras
import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                "benchmarks"))

from hand_written import steps  # noqa: E402

pytestmark = pytest.mark.skipif(keras.backend.backend() == "tensorflow",
                                reason="the backend-neutral hand-written steps are for JAX and PyTorch")

TINY = {
    "vanilla": {"image_shape": (8, 8, 1), "latent_dim": 16, "hidden_units": 32, "discriminator_steps": 2,
                "ema": 0.9},
    "dcgan": {"image_shape": (28, 28, 1), "latent_dim": 16, "generator_filters": 8, "discriminator_filters": 8},
    "cgan": {"image_shape": (16, 16, 3), "num_classes": 5, "latent_dim": 16, "architecture": "conv",
             "generator_filters": 8, "discriminator_filters": 8},
    # Stage 2 (pretrain_steps 0) with the cpu preset's blurred discriminator; stage 1 below.
    "srgan": {"image_shape": (32, 32, 3), "generator_filters": 8, "residual_blocks": 2, "discriminator_filters": 4,
              "discriminator_dense": 16, "pretrain_steps": 0, "content_loss": "mse", "discriminator_antialias": True},
}
#: The losses each hand-written step returns (the plugin's names).
LOGS = {"srgan": {"d_loss", "content_loss"}}


@pytest.fixture
def same_draws(monkeypatch):
    """`fixed_random_draws`, undone after the test (it patches Keras' random functions)."""
    from keras.src import backend

    from ganzoo.testing.same_step import fixed_random_draws

    for name in ("normal", "truncated_normal", "uniform", "randint", "dropout"):
        monkeypatch.setattr(backend.random, name, getattr(backend.random, name))
    return fixed_random_draws


CASES = [(plugin, {}) for plugin in sorted(steps.RECIPES)] + [("srgan", {"pretrain_steps": 10})]


@pytest.mark.parametrize("plugin, overrides", CASES, ids=[f"{p}{'-stage1' if o else ''}" for p, o in CASES])
def test_first_step_losses_match_the_plugins(plugin, overrides, same_draws):
    import ganzoo
    from ganzoo.testing import fixtures

    keras.utils.set_random_seed(0)
    model = ganzoo.create(plugin, **{**TINY[plugin], **overrides})
    model.compile()
    batch = fixtures.for_task(model.task).batch(model, 4, np.random.default_rng(0))
    plugin_logs, hand_logs = steps.first_step_losses(plugin, model, batch, same_draws)
    expected = LOGS.get(plugin, {"d_loss", "g_loss"})
    assert set(hand_logs) == ({"mse_loss"} if overrides else expected)
    assert hand_logs == pytest.approx({key: plugin_logs[key] for key in hand_logs}, rel=1e-4, abs=1e-5)
