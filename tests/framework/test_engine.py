"""The engine's contract: freezing by differentiation, input gradients,
the optimizer group, seeds, and saving after a plain `import ganzoo`."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import ganzoo


def tiny_dcgan(**kw):
    return ganzoo.create("dcgan", image_shape=(28, 28, 1), latent_dim=8, generator_filters=4,
                         discriminator_filters=4, **kw)


def test_update_changes_only_the_named_network():
    model = tiny_dcgan(seed=0)
    model.compile()
    real = np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)
    g_before = [w.numpy().copy() for w in model.generator.trainable_weights]
    d_before = [w.numpy().copy() for w in model.discriminator.trainable_weights]
    z = model.sample_latent(4)
    model.update(model.discriminator, model.optimizer["discriminator"],
                 lambda: model.discriminator_loss(model.to_network_range(real), z))
    assert all(np.array_equal(a, b.numpy()) for a, b in zip(g_before, model.generator.trainable_weights))
    assert any(not np.array_equal(a, b.numpy()) for a, b in zip(d_before, model.discriminator.trainable_weights))
    assert int(model.optimizer["generator"].iterations) == 0
    assert int(model.optimizer["discriminator"].iterations) == 1


def test_input_gradients_are_exact():
    model = tiny_dcgan()
    x = np.array([[1.0, -2.0, 3.0]], "float32")
    from keras import ops

    value, grads = model.input_gradients(lambda t: ops.sum(t * t), ops.convert_to_tensor(x))
    assert float(ops.convert_to_numpy(value)) == pytest.approx(14.0)
    np.testing.assert_allclose(ops.convert_to_numpy(grads), 2 * x)


def test_optimizer_group_holds_every_optimizers_state():
    model = tiny_dcgan()
    model.compile()
    group = model.optimizer
    assert set(group.keys()) == {"generator", "discriminator"}
    member_vars = sum(len(group[k].variables) for k in group.keys())
    assert len(group.variables) == member_vars + len(group._variables)
    with pytest.raises(RuntimeError, match="holds state only"):
        group.apply([], [])


def test_compile_overrides_are_checked():
    model = tiny_dcgan()
    with pytest.raises(ValueError, match="no optimizer named 'critic'"):
        model.compile(optimizers={"critic": "adam"})
    model.compile(optimizers={"generator": "sgd"}, loss="hinge")
    assert type(model.optimizer["generator"]).__name__ == "SGD"
    assert model.loss.name == "hinge"


@pytest.mark.slow
def test_mixed_float16_wraps_each_optimizer_in_loss_scaling():
    import keras

    model = tiny_dcgan(dtype="mixed_float16")
    model.compile()
    assert all(isinstance(opt, keras.optimizers.LossScaleOptimizer) for opt in model.optimizer.optimizers)
    real = np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)
    history = model.fit(real, batch_size=4, epochs=1, verbose=0)
    assert np.isfinite(history.history["g_loss"][0])


def test_generate_is_reproducible_and_seeds_differ():
    model = tiny_dcgan()
    a, b, c = model.generate(4, seed=1), model.generate(4, seed=1), model.generate(4, seed=2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    with pytest.raises(TypeError, match="labels"):
        model.generate(4, labels=[1, 2])
    with pytest.raises(ValueError, match="n >= 1"):
        model.generate()


def test_random_state_is_saved_with_the_weights(tmp_path):
    model = tiny_dcgan(seed=5)
    model.compile()
    model.sample_latent(3)  # advance the stream
    path = str(tmp_path / "w.weights.h5")
    model.save_weights(path)
    expected = np.asarray(model.sample_latent(3))
    other = tiny_dcgan(seed=99)
    other.compile()
    other.load_weights(path)
    np.testing.assert_array_equal(np.asarray(other.sample_latent(3)), expected)


@pytest.mark.slow
def test_keras_load_model_works_after_plain_import_ganzoo(tmp_path):
    model = tiny_dcgan()
    model.compile()
    path = tmp_path / "m.keras"
    model.save(path)
    np.save(tmp_path / "expected.npy", model.generate(3, seed=4))
    script = textwrap.dedent(f"""
        import sys, numpy as np
        import ganzoo, keras
        assert "ganzoo_plugins.dcgan.model" not in sys.modules  # nothing loaded eagerly
        m = keras.models.load_model({str(path)!r})
        assert type(m).__name__ == "DCGAN" and m.compiled
        np.testing.assert_array_equal(m.generate(3, seed=4), np.load({str(tmp_path / 'expected.npy')!r}))
        print("OK")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "OK" in result.stdout


def test_ganzoo_load_model_names_bad_files(tmp_path):
    from ganzoo.errors import GanzooError

    with pytest.raises(GanzooError, match="no model file"):
        ganzoo.load_model(tmp_path / "missing.keras")
    bogus = tmp_path / "bogus.keras"
    bogus.write_bytes(b"not a zip")
    with pytest.raises(GanzooError, match="not a ganzoo .keras model"):
        ganzoo.load_model(bogus)
