"""On JAX's CPU, `GAN.branch` is decided on the host (one compiled step per
decision) instead of by `jax.lax.cond` inside the step: XLA:CPU runs the
convolutions of a conditional's branch without its fast path (SRGAN's
generator gradient 9.2 s inside `lax.cond`, 0.22 s outside). The choice
must not change what a step computes."""

import keras
import numpy as np
import pytest

pytestmark = pytest.mark.skipif(keras.backend.backend() != "jax", reason="the JAX adapter's step dispatch")

TINY_SRGAN = {"image_shape": (32, 32, 3), "generator_filters": 8, "residual_blocks": 2, "discriminator_filters": 4,
              "discriminator_dense": 16, "pretrain_steps": 2, "content_loss": "mse", "seed": 0}


def _train(monkeypatch, on_host, start=None):
    import tensorflow as tf

    import ganzoo
    from ganzoo.backends import jax as jax_adapter
    from ganzoo.testing import fixtures

    dispatchers = []

    class Recorded(jax_adapter._HostDecisions):
        def __init__(self, *args):
            super().__init__(*args)
            dispatchers.append(self)

    monkeypatch.setattr(jax_adapter, "host_decisions", lambda: on_host)
    monkeypatch.setattr(jax_adapter, "_HostDecisions", Recorded)
    keras.utils.set_random_seed(0)
    model = ganzoo.create("srgan", **TINY_SRGAN)
    model.compile(optimizers={name: keras.optimizers.SGD(0.05) for name in ("generator", "discriminator")})
    if start is not None:
        model.set_weights(start)
    initial = model.get_weights()
    batch = fixtures.for_task(model.task).batch(model, 4, np.random.default_rng(0))
    history = model.fit(tf.data.Dataset.from_tensors(batch).repeat(), steps_per_epoch=1, epochs=4, verbose=0,
                        shuffle=False)
    return initial, model, history.history, dispatchers


def test_branches_decided_on_the_host_take_the_lax_cond_steps(monkeypatch):
    start, on_host, host_logs, dispatchers = _train(monkeypatch, True)
    _, in_graph, graph_logs, no_dispatchers = _train(monkeypatch, False, start)
    # Two SRResNet steps, then two SRGAN steps: one compilation per stage.
    assert host_logs["stage"] == graph_logs["stage"] == [1.0, 1.0, 2.0, 2.0]
    assert len(dispatchers) == 1 and len(dispatchers[0].compiled) == 2 and not no_dispatchers
    assert [taken for decisions, _ in dispatchers[0].compiled for taken, _ in decisions.values()] == [False, True]
    for key in ("mse_loss", "d_loss", "content_loss"):
        np.testing.assert_allclose(host_logs[key], graph_logs[key], rtol=1e-4, atol=1e-6)
    for a, b in zip(on_host.get_weights(), in_graph.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    assert on_host.steps_done == 4


def test_the_counter_is_read_once_per_epoch_not_per_step(monkeypatch):
    # A read waits for the step before it; within an epoch the host knows the counter.
    import tensorflow as tf

    import ganzoo
    from ganzoo.testing import fixtures

    keras.utils.set_random_seed(0)
    model = ganzoo.create("srgan", **TINY_SRGAN)
    model.compile(optimizers={name: keras.optimizers.SGD(0.05) for name in ("generator", "discriminator")})
    batch = fixtures.for_task(model.task).batch(model, 4, np.random.default_rng(0))
    data = tf.data.Dataset.from_tensors(batch).repeat()
    history = []
    stages = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: history.append(logs))
    model.fit(data, steps_per_epoch=3, epochs=1, verbose=0, callbacks=[stages])
    dispatcher = _find_dispatcher(model.make_train_function())
    assert dispatcher.reads == 1 and model.steps_done == 3
    # A second fit() starts from the variables, which hold the arrays the last step returned: no read.
    model.fit(data, steps_per_epoch=2, epochs=1, verbose=0, callbacks=[stages])
    assert dispatcher.reads == 1 and model.steps_done == 5 and len(dispatcher.compiled) == 2
    # A counter set from outside (a resume, set_weights) is a new array: read again, so stage 1 is back.
    model.optimizer.iterations.assign(0)
    model.fit(data, steps_per_epoch=1, epochs=1, verbose=0, callbacks=[stages])
    assert dispatcher.reads == 2 and model.steps_done == 1
    # The running mean of `stage` over each fit's steps: 1, 1, 4/3; 2, 2; then 1.
    assert [round(float(entry["stage"]), 4) for entry in history] == [1.0, 1.0, 1.3333, 2.0, 2.0, 1.0]


def test_a_step_without_branches_compiles_once_and_never_reads_the_counter(monkeypatch):
    import ganzoo
    from ganzoo.backends import jax as jax_adapter

    model = ganzoo.create("dcgan", image_shape=(28, 28, 1), latent_dim=8, generator_filters=4, discriminator_filters=4)
    model.compile()
    images = np.random.default_rng(0).random((8, 28, 28, 1), dtype=np.float32)
    model.fit(images, batch_size=4, epochs=2, verbose=0, shuffle=False)
    step = model.make_train_function()
    dispatcher = _find_dispatcher(step)
    assert isinstance(dispatcher, jax_adapter._HostDecisions)
    assert len(dispatcher.compiled) == 1 and dispatcher.compiled[0][0] == {}
    dispatcher.counter = 10**6   # an index that fails if the counter were read
    model.fit(images, batch_size=4, epochs=1, verbose=0, shuffle=False)   # a second fit() reuses the step
    assert model.steps_done == 6 and len(dispatcher.compiled) == 1


def _find_dispatcher(function):
    """The `_HostDecisions` inside Keras' `iterator_step` closure."""
    from ganzoo.backends import jax as jax_adapter

    for cell in function.__closure__ or ():
        if isinstance(cell.cell_contents, jax_adapter._HostDecisions):
            return cell.cell_contents
    raise AssertionError("no _HostDecisions in the train function")
