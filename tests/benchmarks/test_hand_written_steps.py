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
    # A pool of 2 for a batch of 4: the first step fills it and already exchanges images 3 and 4.
    "cyclegan": {"image_shape": (24, 24, 3), "generator_filters": 4, "discriminator_filters": 4,
                 "residual_blocks": 1, "pool_size": 2, "training_steps": 4},
    # The cpu preset's GAN stage: a frozen encoder (its pre-training is not a GAN step); trained below.
    "text2image": {"image_shape": (16, 16, 3), "vocabulary": ["red", "blue", "circle", "square", "a"],
                   "max_tokens": 12, "max_length": 8, "word_dim": 8, "encoder_filters": 8, "text_dim": 16,
                   "condition_dim": 8, "latent_dim": 8, "generator_filters": 8, "discriminator_filters": 8,
                   "pretrain_steps": 0, "train_text_encoder": False, "training_steps": 4},
}
#: The losses each hand-written step returns (the plugin's names).
LOGS = {"srgan": {"d_loss", "content_loss"},
        "cyclegan": {"g_loss", "adversarial_loss", "cycle_loss", "identity_loss", "d_a_loss", "d_b_loss"}}


@pytest.fixture
def same_draws(monkeypatch):
    """`fixed_random_draws`, undone after the test (it patches Keras' random functions)."""
    from keras.src import backend

    from ganzoo.testing.same_step import fixed_random_draws

    for name in ("normal", "truncated_normal", "uniform", "randint", "dropout"):
        monkeypatch.setattr(backend.random, name, getattr(backend.random, name))
    return fixed_random_draws


CASES = [(plugin, {}) for plugin in sorted(steps.RECIPES)] + [("srgan", {"pretrain_steps": 10}),
                                                               ("text2image", {"train_text_encoder": True})]
IDS = {"srgan": "-stage1", "text2image": "-trained_encoder"}


@pytest.mark.parametrize("plugin, overrides", CASES, ids=[p + (IDS[p] if o else "") for p, o in CASES])
def test_first_step_losses_match_the_plugins(plugin, overrides, same_draws):
    import ganzoo
    from ganzoo.testing import fixtures

    keras.utils.set_random_seed(0)
    model = ganzoo.create(plugin, **{**TINY[plugin], **overrides})
    model.compile()
    batch = fixtures.for_task(model.task).batch(model, 4, np.random.default_rng(0))
    if plugin == "text2image":
        # Token ids, as the plugin's fit() feeds its step; a repeated caption is no mismatched negative.
        texts = batch[1].copy()
        texts[2] = texts[1]
        batch = (batch[0], keras.ops.convert_to_numpy(model.tokenize(texts)))
    plugin_logs, hand_logs = steps.first_step_losses(plugin, model, batch, same_draws)
    expected = LOGS.get(plugin, {"d_loss", "g_loss"})
    assert set(hand_logs) == ({"mse_loss"} if plugin == "srgan" and overrides else expected)
    assert hand_logs == pytest.approx({key: plugin_logs[key] for key in hand_logs}, rel=1e-4, abs=1e-5)
