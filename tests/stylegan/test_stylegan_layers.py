"""StyleGAN's layers (ganzoo.layers) against hand computations."""

import math

import numpy as np
import pytest

import keras

from ganzoo.layers import (AdaIN, Blur, EqualizedConv2D, EqualizedDense, MinibatchStdDev, ModulatedConv2D,
                           NoiseInjection, PixelNorm)


def rng():
    return np.random.default_rng(0)


def test_adain_matches_its_formula():
    x = rng().normal(3.0, 2.0, (2, 5, 4, 3)).astype("float32")
    scale = np.array([[1.0, 2.0, -0.5], [0.3, 1.0, 4.0]], "float32")
    bias = np.array([[0.0, 1.0, 2.0], [-1.0, 0.5, 0.0]], "float32")
    got = np.asarray(AdaIN()([x, scale, bias]))
    mean = x.mean(axis=(1, 2), keepdims=True)
    std = np.sqrt(x.var(axis=(1, 2), keepdims=True) + 1e-8)
    expected = scale[:, None, None, :] * (x - mean) / std + bias[:, None, None, :]
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    # The style alone sets each output channel's statistics.
    np.testing.assert_allclose(got.mean(axis=(1, 2)), bias, atol=1e-4)
    np.testing.assert_allclose(got.std(axis=(1, 2)), np.abs(scale), rtol=1e-3)


@pytest.mark.parametrize("lr_multiplier", [1.0, 0.01])
def test_equalized_dense_scales_at_run_time(lr_multiplier):
    layer = EqualizedDense(7, lr_multiplier=lr_multiplier, bias_initializer=1.0)
    x = rng().normal(size=(4, 50)).astype("float32")
    y = keras.ops.convert_to_numpy(layer(x))
    kernel, bias = layer.kernel.numpy(), layer.bias.numpy()
    # Stored weights: N(0, 1 / lr_multiplier^2); effective: He's N(0, 2 / fan_in).
    assert abs(kernel.std() * lr_multiplier - 1.0) < 0.1
    np.testing.assert_allclose(bias * lr_multiplier, 1.0, rtol=1e-6)
    expected = x @ (kernel * math.sqrt(2.0) / math.sqrt(50) * lr_multiplier) + bias * lr_multiplier
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-4)


def test_equalized_lr_multiplier_slows_learning_by_its_factor():
    # One SGD step on the stored weight changes the effective weight by
    # lr * (scale * lr_multiplier)^2 * gradient: the multiplier enters squared
    # for SGD, once for Adam (whose step size ignores the gradient's scale).
    x = np.ones((1, 4), "float32")
    moves = {}
    for m in (1.0, 0.1):
        layer = EqualizedDense(1, gain=1.0, lr_multiplier=m, use_bias=False)
        layer.build((1, 4))
        before = layer.kernel.numpy() * layer.scale
        optimizer = keras.optimizers.Adam(learning_rate=0.01)
        from ganzoo import backends   # the gradient step of whichever backend runs

        backends.get().minimize(lambda: keras.ops.sum(layer(x)), layer.trainable_variables, optimizer)
        moves[m] = np.abs(layer.kernel.numpy() * layer.scale - before).mean()
    np.testing.assert_allclose(moves[0.1] / moves[1.0], 0.1, rtol=1e-3)


def test_equalized_conv_matches_a_plain_convolution():
    layer = EqualizedConv2D(5, 3, gain=1.0)
    x = rng().normal(size=(2, 6, 6, 4)).astype("float32")
    y = keras.ops.convert_to_numpy(layer(x))
    reference = keras.layers.Conv2D(5, 3, padding="same")
    reference.build(x.shape)
    reference.set_weights([layer.kernel.numpy() / math.sqrt(9 * 4), layer.bias.numpy()])
    np.testing.assert_allclose(y, keras.ops.convert_to_numpy(reference(x)), rtol=1e-4, atol=1e-5)
    # Unit-variance input, unit gain: unit-variance output.
    big = keras.ops.convert_to_numpy(EqualizedConv2D(64, 3, gain=1.0)(rng().normal(size=(8, 16, 16, 64)).astype("float32")))
    assert 0.85 < big[:, 1:-1, 1:-1].std() < 1.15


def test_pixel_norm():
    x = rng().normal(size=(3, 10)).astype("float32") * 5
    y = np.asarray(PixelNorm()(x))
    np.testing.assert_allclose(np.mean(y ** 2, axis=-1), 1.0, rtol=1e-4)
    np.testing.assert_allclose(y, x / np.sqrt(np.mean(x ** 2, axis=-1, keepdims=True)), rtol=1e-4)


def test_noise_injection_adds_scaled_noise_per_channel():
    layer = NoiseInjection()
    x = np.zeros((2, 4, 4, 3), "float32")
    noise = rng().normal(size=(2, 4, 4, 1)).astype("float32")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer([x, noise])), x)  # scales start at 0
    layer.scale.assign([1.0, -2.0, 0.5])
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer([x, noise])), noise * np.array([1.0, -2.0, 0.5]), rtol=1e-6)


def test_blur_is_the_binomial_filter():
    x = np.zeros((1, 5, 5, 2), "float32")
    x[0, 2, 2, 0] = 16.0
    y = np.asarray(Blur()(x))
    np.testing.assert_allclose(y[0, 1:4, 1:4, 0], [[1, 2, 1], [2, 4, 2], [1, 2, 1]], atol=1e-6)
    assert y[..., 1].max() == 0.0 and y.sum() == pytest.approx(16.0)


def test_minibatch_stddev_appends_the_group_statistic():
    x = rng().normal(size=(8, 3, 3, 2)).astype("float32")
    y = np.asarray(MinibatchStdDev(group_size=4)(x))
    assert y.shape == (8, 3, 3, 3)
    np.testing.assert_array_equal(y[..., :2], x)
    # Groups are strided: samples {0, 2, 4, 6} and {1, 3, 5, 7}.
    for members in ([0, 2, 4, 6], [1, 3, 5, 7]):
        expected = np.sqrt(x[members].var(axis=0) + 1e-8).mean()
        np.testing.assert_allclose(y[members, :, :, 2], expected, rtol=1e-5)


def test_modulated_conv_matches_the_per_sample_kernel():
    layer = ModulatedConv2D(3, 3, gain=1.0)
    x = rng().normal(size=(2, 5, 5, 4)).astype("float32")
    style = rng().normal(1.0, 0.5, (2, 4)).astype("float32")
    y = keras.ops.convert_to_numpy(layer([x, style]))
    kernel = layer.kernel.numpy() / math.sqrt(9 * 4)
    for b in range(2):
        modulated = kernel * style[b][None, None, :, None]                                   # eq. 1
        demodulated = modulated / np.sqrt((modulated ** 2).sum(axis=(0, 1, 2), keepdims=True) + 1e-8)  # eq. 3
        reference = keras.ops.conv(x[b:b + 1], demodulated, padding="same")
        np.testing.assert_allclose(y[b:b + 1], keras.ops.convert_to_numpy(reference), rtol=1e-4, atol=1e-5)


def test_demodulation_gives_unit_output_std():
    x = rng().normal(size=(4, 16, 16, 64)).astype("float32")
    style = rng().normal(0.0, 3.0, (4, 64)).astype("float32")  # wildly scaled styles
    y = keras.ops.convert_to_numpy(ModulatedConv2D(32, 3)([x, style]))[:, 1:-1, 1:-1]
    per_channel = y.std(axis=(0, 1, 2))
    assert np.all(np.abs(per_channel - 1.0) < 0.15), per_channel
    raw = keras.ops.convert_to_numpy(ModulatedConv2D(32, 3, demodulate=False)([x, style]))[:, 1:-1, 1:-1]
    assert raw.std() > 2.0  # without demodulation the style's scale goes through


@pytest.mark.parametrize("layer", [EqualizedDense(3, lr_multiplier=0.01), EqualizedConv2D(3, 1), AdaIN(), Blur(),
                                   MinibatchStdDev(2), ModulatedConv2D(4, demodulate=False), NoiseInjection(),
                                   PixelNorm()])
def test_layers_round_trip_their_config(layer):
    config = keras.saving.serialize_keras_object(layer)
    assert config["registered_name"].startswith("ganzoo>")
    clone = keras.saving.deserialize_keras_object(config)
    assert clone.get_config() == layer.get_config()
