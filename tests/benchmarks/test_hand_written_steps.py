"""The hand-written JAX and PyTorch steps of the speed benchmarks (benchmarks/hand_written/recipes/)
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
    # Lazy R1 every 4 steps (step 0 included); the path-length regulariser off, as the cpu preset.
    "stylegan2": {"image_shape": (8, 8, 1), "latent_dim": 8, "style_dim": 8, "mapping_layers": 2,
                  "generator_filters": 8, "discriminator_filters": 8, "r1_interval": 4},
    # Two growth stages (4 -> 8 -> 16 px); short phases, so that a case can start inside a fade.
    "stylegan": {"image_shape": (16, 16, 1), "latent_dim": 8, "style_dim": 8, "mapping_layers": 2,
                 "generator_filters": 8, "discriminator_filters": 8, "fade_images": 8, "stable_images": 4},
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
LOGS = {"srgan": {"d_loss", "content_loss"}, "stylegan2": {"d_loss", "g_loss", "r1", "path_length"},
        "stylegan": {"d_loss", "g_loss", "r1", "resolution", "alpha"},
        "cyclegan": {"g_loss", "adversarial_loss", "cycle_loss", "identity_loss", "d_a_loss", "d_b_loss"}}


@pytest.fixture
def same_draws(monkeypatch):
    """`fixed_random_draws`, undone after the test (it patches Keras' random functions)."""
    from keras.src import backend

    from ganzoo.testing.same_step import fixed_random_draws

    for name in ("normal", "truncated_normal", "uniform", "randint", "dropout"):
        monkeypatch.setattr(backend.random, name, getattr(backend.random, name))
    return fixed_random_draws


#: (id, plugin, options over TINY's, where the model starts: {"step": the schedules' step counter,
#: "images_seen": StyleGAN's growth}, expected logs or None).
CASES = [(plugin, plugin, {}, {}, None) for plugin in sorted(steps.RECIPES)] + [
    ("srgan-stage1", "srgan", {"pretrain_steps": 10}, {}, {"mse_loss"}),
    # A step with lazy R1 off (step 1 of every 4; the optimizers fresh all the same): r1 is 0 and
    # g_loss follows a discriminator step without it.
    ("stylegan2-r1-off", "stylegan2", {}, {"step": 1}, None),
    # Lazy path length every 2 steps: with R1 at step 0, without it at step 2.
    ("stylegan2-path-length", "stylegan2", {"path_length_weight": 2.0, "path_length_interval": 2}, {}, None),
    ("stylegan2-path-length-r1-off", "stylegan2", {"path_length_weight": 2.0, "path_length_interval": 2},
     {"step": 2}, None),
    # Inside the second fade (level 1.25: 16 px at alpha 0.25), and without growing.
    ("stylegan-fade", "stylegan", {}, {"images_seen": 18}, None),
    ("stylegan-not-progressive", "stylegan", {"progressive": False}, {}, None),
    ("text2image-trained_encoder", "text2image", {"train_text_encoder": True}, {}, None),
]


@pytest.mark.parametrize("plugin, overrides, start, expected", [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_first_step_losses_match_the_plugins(plugin, overrides, start, expected, same_draws):
    import ganzoo
    from ganzoo.testing import fixtures

    keras.utils.set_random_seed(0)
    model = ganzoo.create(plugin, **{**TINY[plugin], **overrides})
    model.compile()
    if "step" in start:   # the schedules' step counter only: the players' optimizers stay fresh
        model.optimizer.iterations.assign(start["step"])
    if "images_seen" in start:
        model.images_seen.assign(start["images_seen"])
    batch = fixtures.for_task(model.task).batch(model, 4, np.random.default_rng(0))
    if plugin == "text2image":
        # Token ids, as the plugin's fit() feeds its step; a repeated caption is no mismatched negative.
        texts = batch[1].copy()
        texts[2] = texts[1]
        batch = (batch[0], keras.ops.convert_to_numpy(model.tokenize(texts)))
    plugin_logs, hand_logs = steps.first_step_losses(plugin, model, batch, same_draws)
    assert set(hand_logs) == (expected or LOGS.get(plugin, {"d_loss", "g_loss"}))
    assert hand_logs == pytest.approx({key: plugin_logs[key] for key in hand_logs}, rel=1e-4, abs=1e-5)


#: (plugin, options over TINY's, images seen at the start, the recipe's own state that the model keeps too).
AFTER_A_STEP = [
    # The path length weighted up so that it decides the update's signs (Adam's first step is
    # lr * sign(gradient)), through synthesis and, by ws, through mapping.
    ("stylegan2", {"path_length_weight": 1e4, "path_length_interval": 2}, 0, ("w_avg", "path_length_mean")),
    ("stylegan", {}, 18, ("w_avg", "images_seen")),
]


@pytest.mark.parametrize("plugin, overrides, images_seen, own", AFTER_A_STEP, ids=[c[0] for c in AFTER_A_STEP])
def test_weights_after_a_step_match_the_plugins(plugin, overrides, images_seen, own, same_draws):
    """A first step's losses come before the generator's update; the weights after it also check
    the gradients of the regularisers (R1, path length), the moving averages and the recipe's state."""
    import ganzoo
    from ganzoo.testing import fixtures

    keras.utils.set_random_seed(0)
    model = ganzoo.create(plugin, **{**TINY[plugin], **overrides})
    model.compile()
    model.images_seen.assign(images_seen)
    batch = fixtures.for_task(model.task).batch(model, 4, np.random.default_rng(0))
    recipe = steps.recipe(plugin, model)
    start = {name: network.get_weights() for name, network in recipe.networks.items()}
    same_draws()
    model.fit(batch, batch_size=len(batch), epochs=1, verbose=0, shuffle=False)
    expected = {name: network.get_weights() for name, network in recipe.networks.items()}
    expected.update({name: [keras.ops.convert_to_numpy(getattr(model, name))] for name in own})
    for name, network in recipe.networks.items():
        network.set_weights(start[name])
    same_draws()
    step = steps.loop(recipe)
    step(batch)
    step.sync()
    found = {name: network.get_weights() for name, network in recipe.networks.items()}
    found.update({name: [keras.ops.convert_to_numpy(step.own[name])] for name in own})
    for name, values in expected.items():
        for mine, theirs in zip(found[name], values):
            np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=1e-6, err_msg=name)


def test_input_gradient_moves_batchnorm_statistics_as_a_forward_pass():
    """`t.input_gradient` inside a player's loss: the BatchNorm statistics its pass moves are those
    of a plain forward pass, in order (on JAX they leave the inner gradient as its output), and the
    step runs twice (no inner trace's value left in the state)."""
    from keras import ops

    keras.utils.set_random_seed(0)
    critic = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.BatchNormalization(momentum=0.5),
                               keras.layers.Dense(1)])
    x = np.random.default_rng(0).standard_normal((5, 3)).astype("float32")

    def step(t, batch):
        def loss(call):
            gradients = t.input_gradient(lambda v: call("critic", v), batch * 2.0)
            return ops.mean(call("critic", batch)) + ops.mean(ops.sum(ops.square(gradients), axis=1))
        return {"loss": t.update("critic", loss)}

    kernel, bias = (ops.convert_to_numpy(v) for v in critic.layers[0].weights)
    mean = np.zeros(4)
    for _ in range(2):   # per step: the gradient's pass on 2x, then the direct pass on x (lr 0: the same weights)
        mean = 0.5 * mean + 0.5 * (2.0 * x @ kernel + bias).mean(axis=0)
        mean = 0.5 * mean + 0.5 * (x @ kernel + bias).mean(axis=0)
    loop = steps.loop(steps.Recipe({"critic": critic}, {"critic": keras.optimizers.SGD(0.0)}, step))
    loop(x)
    loop(x)
    loop.sync()
    np.testing.assert_allclose(ops.convert_to_numpy(critic.layers[1].moving_mean), mean, rtol=1e-5, atol=1e-6)
