"""The model layer after issue 17: a thin `GAN`, the collectives as
`ganzoo.replicas` (old method names still work and warn), `GAN.branch`,
the `prepare_training` hook, the backend adapter, and no import upwards."""

import ast
import inspect
import pathlib
import warnings

import numpy as np
import pytest

import ganzoo
from ganzoo import backends, replicas

GANZOO = pathlib.Path(ganzoo.__file__).parent


def tiny_dcgan(**kw):
    return ganzoo.create("dcgan", image_shape=(28, 28, 1), latent_dim=8, generator_filters=4,
                         discriminator_filters=4, **kw)


def _batches(n=4, steps=3):
    import tensorflow as tf

    real = np.random.default_rng(0).random((n, 28, 28, 1), dtype=np.float32)
    return tf.data.Dataset.from_tensors(real).repeat(steps)


def test_the_base_class_body_has_at_most_35_methods():
    tree = ast.parse((GANZOO / "model.py").read_text())
    [gan] = [node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "GAN"]
    methods = [node.name for node in gan.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    assert len(methods) <= 35, methods


def test_old_module_paths_are_faces_of_the_new_ones():
    from ganzoo import engine, model, random, random_streams

    assert engine.GAN is model.GAN is ganzoo.GAN
    assert engine.adam is model.adam
    assert random.RandomStream is random_streams.RandomStream


def test_old_collective_methods_warn_and_call_ganzoo_replicas():
    model = tiny_dcgan()
    x = np.arange(6, dtype="float32").reshape(3, 2)
    for old, new in replicas.DEPRECATED_METHODS.items():
        assert hasattr(model, old) and hasattr(replicas, new)
    with pytest.warns(DeprecationWarning, match="ganzoo.replicas.roll"):
        rolled = model.roll_batch(x)
    np.testing.assert_array_equal(np.asarray(rolled), np.roll(x, 1, axis=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        np.testing.assert_array_equal(np.asarray(model.replica_mean(x)), x)
        assert model.global_batch_size(5) == 5
        np.testing.assert_array_equal(np.asarray(model.global_batch(x)), x)
        np.testing.assert_array_equal(np.asarray(model.local_rows(x, 3)), x)
    assert replicas.global_batch_size(4) == 4
    np.testing.assert_array_equal(np.asarray(replicas.roll(x, 2)), np.roll(x, 2, axis=0))


def test_branch_is_a_cond_on_the_step_counter_on_one_device():
    from keras import ops

    model = tiny_dcgan()
    model.compile()
    pick = lambda: model.branch(lambda step: step >= 2, lambda: ops.ones(()), lambda: ops.zeros(()))  # noqa: E731
    assert float(pick()) == 0.0
    model.optimizer.iterations.assign(2)
    assert float(pick()) == 1.0


def test_prepare_training_runs_once_at_the_start_of_every_fit():
    from ganzoo_plugins.dcgan.model import DCGAN

    class Prepared(DCGAN):
        seen = []

        def prepare_training(self, data):
            self.seen.append((data, self.steps_done))

    model = Prepared(image_shape=(28, 28, 1), latent_dim=8, generator_filters=4, discriminator_filters=4)
    model.compile()
    data = _batches()
    model.fit(data, epochs=1, verbose=0)
    model.fit(data, epochs=1, verbose=0)
    assert [(d is data, steps) for d, steps in Prepared.seen] == [(True, 0), (True, 3)]


def test_text2image_prepares_in_the_hook_not_in_fit():
    from ganzoo_plugins.text2image.model import TextToImageGAN

    assert "fit" not in TextToImageGAN.__dict__ and "prepare_training" in TextToImageGAN.__dict__


def test_the_adapter_implements_the_whole_interface():
    from ganzoo.backends.base import Adapter

    adapter = backends.get()
    import keras

    assert isinstance(adapter, Adapter) and adapter.name == keras.backend.backend()
    assert not getattr(type(adapter), "__abstractmethods__", None)
    assert adapter is backends.get()
    assert issubclass(ganzoo.GAN, adapter.ModelHooks)


LOWER_MODEL_LAYER = ["model.py", "model_state.py", "replicas.py", "generation.py", "random_streams.py",
                     "backends/__init__.py", "backends/base.py", "backends/tensorflow.py", "backends/torch.py"]
HIGHER = ("ganzoo.training", "ganzoo.runs", "ganzoo.sampling", "ganzoo.registry", "ganzoo.metrics",
          "ganzoo.factory", "ganzoo.plugin", "ganzoo.cli", "ganzoo.evaluation", "ganzoo.callbacks")


@pytest.mark.parametrize("name", LOWER_MODEL_LAYER)
def test_the_model_layer_imports_nothing_above_it(name):
    tree = ast.parse((GANZOO / name).read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    assert not [module for module in found if module.startswith(HIGHER)], found


def test_to_network_range_keeps_float32_when_asked():
    model = tiny_dcgan(dtype="mixed_bfloat16")
    images = np.full((1, 2, 2, 1), 0.25, "float32")
    assert "bfloat16" in str(model.to_network_range(images).dtype)
    kept = model.to_network_range(images, "float32")
    assert "float32" in str(kept.dtype) and np.allclose(np.asarray(kept), -0.5)


def test_branch_documents_its_arguments():
    doc = inspect.getdoc(ganzoo.GAN.branch)
    assert "condition" in doc and "true_fn" in doc and "false_fn" in doc
