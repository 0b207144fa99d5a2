"""The shared test harness for ganzoo plugins, built-in or third-party.

Subclass `PluginTestCase` in a pytest module, name the plugin and a tiny
configuration, and every contract a ganzoo model must keep is tested:
registration, config round trip, documented options, a few `fit()` steps
that move every network, the `generate()` contract of the task, and a
`.keras` save/load that generates identical images and keeps training.

Example:

```python
from ganzoo.testing import PluginTestCase

class TestDCGAN(PluginTestCase):
    plugin_name = "dcgan"
    init_kwargs = {"image_shape": (28, 28, 1), "generator_filters": 8, "discriminator_filters": 8}
```
"""

from __future__ import annotations

import numpy as np

BATCH = 4


class PluginTestCase:
    """Base class of plugin tests (pytest collects the `test_*` methods of
    subclasses named `Test*`).

    Attributes to set:
        plugin_name: the registered plugin name.
        init_kwargs: a tiny configuration, fast on a CPU.
        fit_steps: training steps in the fit tests.

    Methods to override when the task needs it:
        make_batch(model, n): one training batch for `fit()`.
        generate_kwargs(model, n): arguments of `generate()` for n images.
        expected_output_shape(model, n): shape of `generate()`'s result.
    """

    plugin_name: str = ""
    init_kwargs: dict = {}
    fit_steps: int = 2

    # ------------------------------------------------------------ hooks
    def rng(self):
        return np.random.default_rng(0)

    def random_images(self, n, shape):
        return self.rng().random((n, *shape), dtype=np.float32)

    def make_batch(self, model, n=BATCH):
        images = self.random_images(n, model.image_shape)
        if model.task == "unconditional":
            return images
        if model.task == "conditional":
            return images, (np.arange(n) % model.num_classes).astype("int32")
        if model.task == "unpaired":
            return images, self.random_images(n, model.image_shape)
        raise NotImplementedError(f"override make_batch() for task {model.task!r}")

    def generate_kwargs(self, model, n):
        if model.task == "unconditional":
            return {"n": n}
        if model.task == "conditional":
            return {"labels": np.arange(n) % model.num_classes}
        if model.task in ("unpaired", "paired"):
            return {"images": self.random_images(n, model.image_shape)}
        raise NotImplementedError(f"override generate_kwargs() for task {model.task!r}")

    def expected_output_shape(self, model, n):
        return (n, *model.image_shape)

    # ------------------------------------------------------------ helpers
    def plugin(self):
        import ganzoo

        return ganzoo.get_plugin(self.plugin_name)

    def create(self, **overrides):
        import ganzoo

        return ganzoo.create(self.plugin_name, **{**self.init_kwargs, **overrides})

    def fit_once(self, model):
        """`fit_steps` steps on one repeated batch; returns the History."""
        import tensorflow as tf

        data = tf.data.Dataset.from_tensors(self.make_batch(model)).repeat()
        return model.fit(data, steps_per_epoch=self.fit_steps, epochs=1, verbose=0, shuffle=False)

    # ------------------------------------------------------------ the contract
    def test_registered_through_entry_point(self):
        import keras

        import ganzoo
        from ganzoo.plugin import TASKS

        plugin = self.plugin()
        assert self.plugin_name in ganzoo.list_models()
        assert plugin.task in TASKS
        cls = plugin.model_class
        assert issubclass(cls, ganzoo.GAN)
        assert cls.task == plugin.task, "the plugin and its model must declare the same task"
        # Saved files name the plugin, so a plain keras.models.load_model finds it.
        assert keras.saving.get_registered_name(cls) == f"ganzoo>{self.plugin_name}"

    def test_options_documented(self):
        from ganzoo.options import options

        undocumented = [o.name for o in options(self.plugin().model_class) if not o.help]
        assert not undocumented, f"options without an Args: entry in the class docstring: {undocumented}"

    def test_config_round_trip(self):
        model = self.create()
        config = model.get_config()
        for key, value in self.init_kwargs.items():
            expected = list(value) if isinstance(value, tuple) else value
            got = list(config[key]) if isinstance(config[key], tuple) else config[key]
            assert got == expected, f"get_config()[{key!r}] is {config[key]!r}, not the {value!r} passed"
        clone = type(model).from_config(config)
        assert clone.get_config() == config
        assert [w.shape for w in clone.weights] == [w.shape for w in model.weights]

    def test_unknown_option_is_an_error(self):
        import pytest

        from ganzoo.errors import GanzooError

        with pytest.raises(GanzooError, match="no_such_option"):
            self.create(no_such_option=1)

    def test_fit_updates_every_network_and_reports_losses(self):
        model = self.create()
        model.compile()
        targets = model.optimizer_targets()
        before = {name: [v.numpy().copy() for v in model.variables_of(nets)] for name, nets in targets.items()}
        history = self.fit_once(model)
        for name in model.tracked:
            values = history.history[name]
            assert len(values) == 1 and np.isfinite(values[0]), f"{name} = {values}"
        for name, nets in targets.items():
            after = [v.numpy() for v in model.variables_of(nets)]
            assert any(not np.array_equal(a, b) for a, b in zip(before[name], after)), \
                f"optimizer {name!r} did not change its networks"
        assert int(model.step) == self.fit_steps

    def test_generate_contract(self):
        model = self.create()
        n = 3
        kwargs = self.generate_kwargs(model, n)
        first = model.generate(seed=7, **kwargs)
        assert first.dtype == np.float32
        assert first.shape == self.expected_output_shape(model, n)
        assert 0.0 <= first.min() and first.max() <= 1.0
        np.testing.assert_array_equal(first, model.generate(seed=7, **kwargs))
        picture = model.preview(self.make_batch(model), seed=0)
        assert picture.ndim == 3 and picture.shape[-1] == model.image_shape[-1]
        assert 0.0 <= picture.min() and picture.max() <= 1.0

    def test_save_load_generates_identically_and_keeps_training(self, tmp_path):
        import keras

        model = self.create()
        model.compile()
        self.fit_once(model)
        kwargs = self.generate_kwargs(model, 2)
        expected = model.generate(seed=3, **kwargs)
        path = str(tmp_path / "model.keras")
        model.save(path)
        loaded = keras.models.load_model(path)
        assert type(loaded) is type(model) and loaded.compiled
        np.testing.assert_array_equal(loaded.generate(seed=3, **kwargs), expected)
        assert int(loaded.step) == self.fit_steps
        for a, b in zip(model.optimizer.variables, loaded.optimizer.variables):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
        self.fit_once(loaded)
        assert int(loaded.step) == 2 * self.fit_steps

