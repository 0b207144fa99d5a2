"""The PyTorch adapter's promises (run when the suite runs with KERAS_BACKEND=torch),
and the one-line refusal of several devices on PyTorch (on every backend)."""

import keras
import numpy as np
import pytest

from ganzoo.errors import GanzooError

on_torch = pytest.mark.skipif(keras.backend.backend() != "torch", reason="the PyTorch adapter runs on PyTorch only")


def test_several_devices_on_torch_are_refused_in_one_line(monkeypatch):
    from ganzoo import backends
    from ganzoo.training import distribution

    monkeypatch.setattr(backends, "configured_backend", lambda: ("torch", "KERAS_BACKEND"))
    for name in ("mirrored", "multi-worker"):
        with pytest.raises(GanzooError, match=f"^--strategy {name} needs several devices, which ganzoo drives on "
                                              "TensorFlow \\(tf.distribute\\) and JAX \\(keras.distribution\\), "
                                              "not on torch: pass --backend tensorflow or --backend jax, or drop "
                                              "--strategy to train on one device$"):
            distribution.strategy(name)


def _players():
    generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
    critic = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    return generator, critic


@on_torch
def test_minimize_updates_only_its_variables_and_leaves_no_gradients_behind():
    from ganzoo import backends

    generator, critic = _players()
    optimizer = keras.optimizers.SGD(0.1)
    optimizer.build(critic.trainable_variables)
    frozen = [w.numpy().copy() for w in generator.weights]
    trained = [w.numpy().copy() for w in critic.weights]
    z = keras.ops.convert_to_tensor(np.ones((4, 2), "float32"))
    loss = backends.get().minimize(lambda: keras.ops.mean(critic(generator(z)) ** 2), critic.trainable_variables,
                                   optimizer)
    assert np.isfinite(float(loss)) and not loss.requires_grad
    for before, after in zip(frozen, generator.weights):
        np.testing.assert_array_equal(before, after.numpy())
    assert any(not np.array_equal(b, a.numpy()) for b, a in zip(trained, critic.weights))
    assert all(w.value.grad is None for w in generator.weights + critic.weights)


@on_torch
def test_input_gradients_can_be_differentiated_again():
    """R1 inside a minimize loss: the penalty's gradient reaches the critic's weights."""
    from ganzoo import backends

    adapter = backends.get()
    critic = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(1)])
    optimizer = keras.optimizers.SGD(1.0)
    optimizer.build(critic.trainable_variables)
    real = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
    value, gradient = adapter.input_gradients(critic, real)
    assert tuple(gradient.shape) == real.shape and tuple(value.shape) == (5, 1)
    before = [w.numpy().copy() for w in critic.weights]

    def r1():
        _, g = adapter.input_gradients(critic, real)
        return keras.ops.mean(keras.ops.sum(g ** 2, axis=1))

    adapter.minimize(r1, critic.trainable_variables, optimizer)
    assert not np.array_equal(before[0], critic.weights[0].numpy())


@on_torch
def test_branch_is_a_python_choice_on_the_step():
    import ganzoo

    model = ganzoo.create("vanilla", image_shape=(8, 8, 1), hidden_units=8)
    model.compile()
    taken = model.branch(lambda step: step >= 1, lambda: "later", lambda: "first")
    assert taken == "first"
    model.optimizer.iterations.assign(3)
    assert model.branch(lambda step: step >= 1, lambda: "later", lambda: "first") == "later"
