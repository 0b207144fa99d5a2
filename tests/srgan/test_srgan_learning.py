"""Learning happens: a small SRResNet (the default no-BN, bicubic-skip
configuration at a tiny size) beats bicubic interpolation on the held-back
photos, which it never saw, after a short pre-training on the embedded photos."""

import numpy as np
import pytest

import ganzoo
from ganzoo.data.photos import held_back
from ganzoo.metrics.super_resolution import evaluate_super_resolution

pytestmark = pytest.mark.slow  # a learning/training test: deselect with -m "not slow"

STEPS = 150  # ~20 s on 2 CPU cores; measured +0.3 dB over bicubic after 100 steps


def test_small_srresnet_beats_bicubic_on_held_back_photos():
    import keras

    keras.utils.set_random_seed(0)
    model = ganzoo.create("srgan", image_shape=(64, 64, 3), generator_filters=32, residual_blocks=4, discriminator_filters=4,
                          discriminator_dense=16, pretrain_steps=10**6, content_loss="mse", seed=0)
    model.compile()
    photos = held_back()
    before = evaluate_super_resolution(model, photos)
    # Untrained, the generator is bicubic interpolation (zero-initialised residual).
    assert abs(before["psnr"] - before["bicubic_psnr"]) < 0.01

    data = ganzoo.data.load("photos", model, batch_size=16, seed=0, repeat=True)
    history = model.fit(data, steps_per_epoch=STEPS, epochs=1, verbose=0, shuffle=False)
    assert history.history["stage"] == [1.0] and np.isfinite(history.history["mse_loss"][0])

    after = evaluate_super_resolution(model, photos)
    assert after["images"] == 2
    assert after["psnr"] > after["bicubic_psnr"] + 0.2, after
    assert after["ssim"] > after["bicubic_ssim"], after
