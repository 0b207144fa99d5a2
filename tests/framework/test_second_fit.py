"""A second `fit()` in one process starts from what the first left: nothing
of the first fit may keep running or be rebuilt (issue 18 item 9).

A warm-up fit then a timed fit (or a notebook's fit, look, fit again) was seen
running at 0.6 of a single fit's speed on TensorFlow. The mechanisms a second
fit could inherit are checked here on every backend, without timing: the
first fit's data iterator must be gone when `fit()` returns (it would keep its
prefetch and parallel-map threads and buffers), no thread may be left over per
fit, and the step must not be traced again (a retrace, or an XLA recompilation
on JAX, would redo seconds of work in the second fit). The speed itself is
measured by benchmarks/second_fit.py (docs/benchmarks.md).
"""

import gc
import os

import keras
import pytest

import ganzoo
from ganzoo import data as data_lib

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads in Linux's /proc")


def live_threads():
    return len(os.listdir("/proc/self/task"))


def live_data_iterators():
    """tf.data iterators not yet freed (TensorFlow's `OwnedIterator`, which feeds every backend),
    garbage in reference cycles that Python's collector has not reached included."""
    return sum(type(o).__name__ == "OwnedIterator" for o in gc.get_objects())


class StopAtSecondBatch(keras.callbacks.Callback):
    """Stops fit() as EarlyStopping, Ctrl-C or `ganzoo fit`'s step stop do: `stop_training`."""

    def on_train_batch_begin(self, batch, logs=None):
        if batch == 1:
            self.model.stop_training = True


_COMPILED = []


def xla_compilations():
    """XLA compilations in this process since the first call (JAX), from `jax.monitoring`."""
    if keras.backend.backend() != "jax":
        return 0  # nothing is compiled by XLA on the other backends (and jax may not be installed)
    if not _COMPILED:
        import jax

        _COMPILED.append(0)

        def heard(event, seconds, **kwargs):
            if event == "/jax/core/compile/backend_compile_duration":
                _COMPILED[0] += 1

        jax.monitoring.register_event_duration_secs_listener(heard)
    return _COMPILED[0]


def counting_traces(model):
    """Wraps the model's `train_step` so that each run of its Python body is
    counted: once per trace on TensorFlow and JAX, once per step on PyTorch."""
    calls = []
    step = model.train_step

    def train_step(data):
        calls.append(1)
        return step(data)

    model.train_step = train_step
    return calls


def test_a_second_fit_inherits_no_iterator_thread_or_trace():
    model = ganzoo.create("dcgan", image_shape=(28, 28, 1), latent_dim=8, generator_filters=4,
                          discriminator_filters=4, seed=0)
    model.compile()
    calls = counting_traces(model)
    # The real pipeline (parallel decoding and batching, prefetch): the
    # threads a leaked iterator would keep.
    stream = data_lib.load("digits", model, batch_size=8, seed=1, repeat=True)
    gc.collect()
    iterators_before = live_data_iterators()

    model.fit(stream, epochs=1, steps_per_epoch=2, verbose=0)
    assert live_data_iterators() == iterators_before, "the first fit's data iterator outlived fit()"
    threads, traces, compiled = live_threads(), len(calls), xla_compilations()

    model.fit(stream, epochs=1, steps_per_epoch=2, verbose=0)
    assert live_data_iterators() == iterators_before, "the second fit's data iterator outlived fit()"
    # Stopped early, Keras' loop leaves its epoch iterator suspended in a
    # reference cycle, the data iterator (threads, buffers) with it.
    model.fit(stream, epochs=1, steps_per_epoch=100, verbose=0, callbacks=[StopAtSecondBatch()])
    assert live_data_iterators() == iterators_before, "a stopped fit's data iterator outlived fit()"
    assert live_threads() <= threads, "each fit() left threads running"
    if keras.backend.backend() == "torch":
        assert len(calls) == traces + 4  # eager: the body runs once per step, nothing is traced
    else:
        assert len(calls) == traces, "a later fit() traced the train step again"
    if keras.backend.backend() == "jax":
        assert xla_compilations() == compiled, "a later fit() compiled the train step again"


def datasets_given_to_keras(monkeypatch, model):
    """Records the `x` that `GAN.fit` hands to Keras' own `fit` (and trains nothing)."""
    keras_fit = next(cls for cls in type(model).__mro__[1:] if "fit" in cls.__dict__ and cls is not ganzoo.GAN)
    given = []

    def fit(self, x=None, *args, **kwargs):
        given.append(x)
        return keras.callbacks.History()

    monkeypatch.setattr(keras_fit, "fit", fit)
    return given


def test_fit_turns_off_the_autotuner_unless_the_pipeline_chose(monkeypatch):
    # Deleting an iterator whose pipeline runs tf.data's autotuner can wait
    # for the autotuner's next wake-up, at the end of every fit() (measured
    # by benchmarks/fit_end_wait.py; not timed here): fit() turns it off
    # where the dataset's options leave it unset, and keeps an author's choice.
    import tensorflow as tf

    model = ganzoo.create("dcgan", image_shape=(28, 28, 1), latent_dim=8, generator_filters=4,
                          discriminator_filters=4, seed=0)
    model.compile()
    given = datasets_given_to_keras(monkeypatch, model)
    images = tf.zeros((16, 28, 28, 1))
    unset = tf.data.Dataset.from_tensor_slices(images).batch(8).prefetch(tf.data.AUTOTUNE)
    assert unset.options().autotune.enabled is None
    chosen = tf.data.Options()
    chosen.autotune.enabled = True
    model.fit(unset, epochs=1, verbose=0)
    model.fit(unset.with_options(chosen), epochs=1, verbose=0)
    assert [x.options().autotune.enabled for x in given] == [False, True]
