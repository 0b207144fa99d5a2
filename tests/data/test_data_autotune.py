"""ganzoo's pipelines run without tf.data's autotuner (ganzoo.data.autotune):
deleting an iterator could otherwise wait for the autotuner thread."""

import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from ganzoo.data.autotune import without_autotuner


@pytest.mark.parametrize("source, task, shape", [
    ("digits", "unconditional", (28, 28, 1)),
    ("digits", "conditional", (28, 28, 1)),
    ("photos", "paired", (24, 24, 3)),
])
def test_load_turns_the_autotuner_off(source, task, shape):
    ds = ganzoo.data.load(source, task=task, image_shape=shape, batch_size=4, seed=1, repeat=True)
    assert ds.options().autotune.enabled is False


def test_the_batches_do_not_change():
    # Autotuning changes parallelism and buffer sizes only, never the order
    # or the values (a resumed run depends on the order).
    ds = ganzoo.data.load("digits", task="conditional", image_shape=(28, 28, 1), batch_size=8, seed=3,
                          repeat=True)
    on = tf.data.Options()
    on.autotune.enabled = True
    ours = list(ds.take(5).as_numpy_iterator())
    tuned = list(ds.with_options(on).take(5).as_numpy_iterator())
    for (images, labels), (tuned_images, tuned_labels) in zip(ours, tuned):
        np.testing.assert_array_equal(images, tuned_images)
        np.testing.assert_array_equal(labels, tuned_labels)


def test_an_authors_choice_is_kept():
    for enabled in (True, False):
        options = tf.data.Options()
        options.autotune.enabled = enabled
        ds = tf.data.Dataset.range(4).with_options(options)
        assert without_autotuner(ds).options().autotune.enabled is enabled
    assert without_autotuner(tf.data.Dataset.range(4)).options().autotune.enabled is False
    assert list(without_autotuner(tf.data.Dataset.range(4)).as_numpy_iterator()) == [0, 1, 2, 3]
    arrays = np.zeros((2, 3))
    assert without_autotuner(arrays) is arrays
