"""The shared test harness for ganzoo plugins, built-in or third-party.

Subclass `PluginTestCase` in a pytest module, name the plugin and a tiny
configuration, and every contract a ganzoo model must keep is tested:
registration, config round trip, documented options, presets, a few `fit()`
steps that move every network and count the steps, the `generate()` contract
of the task, and a `.keras` save/load that generates identical images and
keeps training. The fit and save/load tests run in float32 and under
`mixed_bfloat16`, the CLI's default precision, so a plugin that breaks
there fails its own tests.

The task (`ganzoo.tasks`) builds the test batch and the `generate()`
arguments, so a plugin of any registered task needs no overrides.

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
import pytest

BATCH = 4
PRECISIONS = ("float32", "mixed_bfloat16")


class PluginTestCase:
    """Base class of plugin tests (pytest collects the `test_*` methods of
    subclasses named `Test*`).

    Attributes to set:
        plugin_name: the registered plugin name.
        init_kwargs: a tiny configuration, fast on a CPU.
        fit_steps: training steps in the fit tests.


    Methods to override only when the task's defaults do not fit the model:
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
        return model.task.test_batch(model, n, self.rng())

    def generate_kwargs(self, model, n):
        return model.task.test_generate_kwargs(model, n, self.rng())

    def expected_output_shape(self, model, n):
        return model.task.test_output_shape(model, n)

    # ------------------------------------------------------------ helpers
    def plugin(self):
        import ganzoo

        return ganzoo.get_plugin(self.plugin_name)

    def create(self, precision=None, **overrides):
        import ganzoo

        if precision is None:
            return ganzoo.create(self.plugin_name, **{**self.init_kwargs, **overrides})
        from ganzoo.precision import precision_policy

        with precision_policy(precision):
            return ganzoo.create(self.plugin_name, **{**self.init_kwargs, **overrides})

    def fit_once(self, model):
        """`fit_steps` steps on one repeated batch; returns the History."""
        import tensorflow as tf

        data = tf.data.Dataset.from_tensors(self.make_batch(model)).repeat()
        return model.fit(data, steps_per_epoch=self.fit_steps, epochs=1, verbose=0, shuffle=False)

    @pytest.fixture(params=PRECISIONS)
    def precision(self, request):
        """Each fit and save/load test runs once per precision: float32 and
        mixed_bfloat16, the CLI's default."""
        return request.param

    # ------------------------------------------------------------ the contract
    def test_registered_through_entry_point(self):
        import keras

        import ganzoo
        from ganzoo import tasks

        plugin = self.plugin()
        assert self.plugin_name in ganzoo.list_models()
        assert str(plugin.task) in tasks.available()
        cls = plugin.model_class
        assert issubclass(cls, ganzoo.GAN)
        assert cls.task == plugin.task, "the plugin and its model must declare the same task"
        assert isinstance(cls.task, tasks.Task)
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

    def test_presets_build(self):
        """Every preset names real options; the first builds (presets may be
        paper-sized, so only their options are checked for the rest)."""
        from ganzoo.options import check_config

        plugin = self.plugin()
        for preset in plugin.presets:
            check_config(plugin.model_class, preset.config, plugin=self.plugin_name)
        if plugin.default_preset is not None:
            assert plugin.default_preset in [p.name for p in plugin.presets]

    @pytest.mark.slow
    def test_fit_updates_every_network_and_reports_losses(self, precision):
        model = self.create(precision)
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
        assert model.steps_done == self.fit_steps

    def test_generate_contract(self):
        model = self.create()
        n = 3
        kwargs = self.generate_kwargs(model, n)
        first = model.generate(seed=7, **kwargs)
        assert first.dtype == np.float32
        assert first.shape == self.expected_output_shape(model, n)
        assert 0.0 <= first.min() and first.max() <= 1.0
        np.testing.assert_array_equal(first, model.generate(seed=7, **kwargs))
        from ganzoo import sampling

        picture = sampling.preview(model, self.make_batch(model), seed=0)
        assert picture.ndim == 3 and picture.shape[-1] == model.image_shape[-1]
        assert 0.0 <= picture.min() and picture.max() <= 1.0

    @pytest.mark.slow
    def test_save_load_generates_identically_and_keeps_training(self, tmp_path, precision):
        import keras

        model = self.create(precision)
        model.compile()
        self.fit_once(model)
        kwargs = self.generate_kwargs(model, 2)
        expected = model.generate(seed=3, **kwargs)
        path = str(tmp_path / "model.keras")
        model.save(path)
        loaded = keras.models.load_model(path)
        assert type(loaded) is type(model) and loaded.compiled
        assert loaded.dtype_policy.name == model.dtype_policy.name
        for a, b in zip(model.weights, loaded.weights):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=f"weight {a.path} changed")
        if precision == "float32":
            np.testing.assert_array_equal(loaded.generate(seed=3, **kwargs), expected)
        else:
            # Equal weights; bfloat16 kernels may sum in another order (seen: 2e-5).
            np.testing.assert_allclose(loaded.generate(seed=3, **kwargs), expected, atol=2e-3)
        assert loaded.steps_done == self.fit_steps
        for a, b in zip(model.optimizer.variables, loaded.optimizer.variables):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
        self.fit_once(loaded)
        assert loaded.steps_done == 2 * self.fit_steps


def run_cli(args, capsys):
    """Runs the `ganzoo` console script's `main(args)` in this process, as a
    user's shell would (one-line errors, exit codes); returns
    `(exit code, stdout, stderr)`.

    Args:
        args: the command line after `ganzoo`, as a list.
        capsys: pytest's `capsys` fixture.

    Example:

    ```python
    code, out, err = run_cli(["fit", "mygan", "--steps", "2"], capsys)
    assert code == 0, err
    ```
    """
    from ganzoo.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(args)
        raise SystemExit(0)
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err
