"""On JAX, Keras' `jit_compile="auto"` turns jit off for the whole model when
any layer cannot be traced, and the step then runs op by op. text2image holds
a TextVectorization that it applies in the data pipeline, never in its step
(`GAN.layers_outside_the_step`): its step must still be compiled."""

import keras
import numpy as np
import pytest

pytestmark = pytest.mark.skipif(keras.backend.backend() != "jax", reason="the JAX adapter's step compilation")

TINY = {"image_shape": (16, 16, 3), "vocabulary": ["red", "blue", "circle", "square", "a"], "max_tokens": 12,
        "max_length": 8, "word_dim": 8, "encoder_filters": 8, "text_dim": 16, "condition_dim": 8, "latent_dim": 8,
        "generator_filters": 8, "discriminator_filters": 8, "pretrain_steps": 0}


def _compiled(model):
    """Whether the train function Keras runs holds a jitted step (`_HostDecisions` on CPU)."""
    from ganzoo.backends import jax as jax_adapter

    function = model.make_train_function()
    return any(isinstance(cell.cell_contents, jax_adapter._HostDecisions) for cell in function.__closure__ or ())


def _fit(**compile_kwargs):
    import tensorflow as tf

    import ganzoo

    model = ganzoo.create("text2image", **TINY)
    model.compile(**compile_kwargs)
    images = np.random.default_rng(0).random((8, 16, 16, 3)).astype("float32")
    captions = np.array(["a red circle", "a blue square"] * 4)
    history = model.fit(model.tokenized(tf.data.Dataset.from_tensor_slices((images, captions)).batch(4)),
                        epochs=1, verbose=0)
    return model, history.history


def test_a_layer_outside_the_step_does_not_keep_it_from_being_compiled():
    model, history = _fit()
    assert not model.jit_compile            # Keras' own answer: the model holds a TextVectorization
    assert model.layers_outside_the_step()  # which the step never runs
    assert _compiled(model) and np.isfinite(history["d_loss"][-1])


def test_an_explicit_jit_compile_false_stays_eager():
    model, history = _fit(jit_compile=False)
    assert not _compiled(model) and np.isfinite(history["d_loss"][-1])
