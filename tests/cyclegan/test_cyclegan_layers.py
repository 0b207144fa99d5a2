"""The layers CycleGAN adds to ganzoo.layers: reflection padding and the image history."""

import numpy as np
import pytest

import keras

from ganzoo.layers import ImageHistory, ReflectionPadding2D

SHAPE = (2, 2, 1)


def batch(values):
    """Images whose pixels all equal one value each, so they can be told apart."""
    return np.stack([np.full(SHAPE, v, np.float32) for v in values])


def ids(images):
    return [float(x) for x in np.asarray(images)[:, 0, 0, 0]]


def test_reflection_padding_mirrors_without_repeating_the_edge():
    x = np.arange(9, dtype="float32").reshape(1, 3, 3, 1)
    y = np.asarray(ReflectionPadding2D(1)(x))[0, :, :, 0]
    np.testing.assert_array_equal(y, np.pad(x[0, :, :, 0], 1, mode="reflect"))
    layer = ReflectionPadding2D((2, 1))
    assert layer.compute_output_shape((None, 5, 6, 3)) == (None, 9, 8, 3)
    assert ReflectionPadding2D.from_config(layer.get_config()).padding == (2, 1)


def test_history_fills_then_returns_stored_images():
    history = ImageHistory(3, SHAPE, probability=1.0, seed=0)
    # Filling: shown unchanged and stored.
    assert ids(history(batch([1, 2]))) == [1, 2]
    assert int(history.count.numpy()) == 2
    # Crossing the capacity within a batch: 3 is stored, 4 is exchanged for one of 1, 2, 3.
    shown = ids(history(batch([3, 4])))
    assert shown[0] == 3 and shown[1] in (1, 2, 3)
    assert int(history.count.numpy()) == 3
    stored = sorted(ids(history.images.numpy()))
    assert 4 in stored and shown[1] not in stored and len(stored) == 3
    # Full, probability 1: every image comes back as a stored one, and takes its place.
    before = set(ids(history.images.numpy()))
    shown = ids(history(batch([10, 11])))
    assert set(shown) <= before and len(set(shown)) == 2        # distinct slots within a batch
    assert {10, 11} <= set(ids(history.images.numpy()))


def test_history_with_probability_zero_or_size_zero_passes_images_through():
    history = ImageHistory(2, SHAPE, probability=0.0, seed=0)
    history(batch([1, 2]))
    assert ids(history(batch([5, 6, 7]))) == [5, 6, 7]
    assert sorted(ids(history.images.numpy())) == [1, 2]
    assert ids(ImageHistory(0, SHAPE)(batch([8, 9]))) == [8, 9]


def test_history_exchanges_about_half_the_images():
    history = ImageHistory(50, SHAPE, seed=1)
    history(batch(range(50)))
    fresh = np.arange(100, 1100, dtype=np.float32)
    shown = np.concatenate([ids(history(batch(chunk))) for chunk in np.split(fresh, 25)])
    exchanged = np.mean(shown < 100) + np.mean((shown >= 100) & (shown != fresh))
    assert 0.42 < exchanged < 0.58, exchanged
    # Shown images are either the batch's own or earlier ones, never zeros or mixtures.
    assert set(shown) <= set(range(50)) | set(fresh.tolist())


def test_history_batch_larger_than_history():
    history = ImageHistory(2, SHAPE, probability=1.0, seed=0)
    history(batch([1, 2]))
    shown = ids(history(batch([3, 4, 5, 6, 7])))
    assert set(shown) <= {1, 2}                                 # all exchanged for stored images
    stored = ids(history.images.numpy())
    assert len(set(stored)) == 2 and set(stored) <= {3, 4}      # the first image per slot is kept


def test_history_is_state_saved_with_weights_and_works_in_a_traced_function(tmp_path):
    import tensorflow as tf

    history = ImageHistory(4, SHAPE, seed=3)
    # Traced where the backend traces (TensorFlow); eager elsewhere.
    query = tf.function(history.__call__) if keras.backend.backend() == "tensorflow" else history
    for start in range(0, 12, 3):
        query(batch(range(start, start + 3)))
    assert int(history.count.numpy()) == 4
    inputs = keras.Input(SHAPE)
    model = keras.Model(inputs, history(inputs))
    path = str(tmp_path / "h.weights.h5")
    model.save_weights(path)
    other_history = ImageHistory(4, SHAPE, seed=3)
    other = keras.Model(inputs, other_history(inputs))
    other.load_weights(path)
    np.testing.assert_array_equal(other_history.images.numpy(), history.images.numpy())
    assert int(other_history.count.numpy()) == 4


def test_history_keeps_float32_under_mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        history = ImageHistory(2, SHAPE, seed=0)
        value = np.full((1, *SHAPE), 0.123456789, np.float32)
        out = history(value)
        assert keras.backend.standardize_dtype(out.dtype) == "float32" and history.images.dtype == "float32"
        np.testing.assert_array_equal(history.images.numpy()[0], value[0])
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_history_rejects_bad_arguments():
    with pytest.raises(ValueError):
        ImageHistory(-1, SHAPE)
    with pytest.raises(ValueError):
        ImageHistory(3, SHAPE, probability=1.5)
