"""Entry-point discovery with a fake third-party plugin, a broken one and a name clash; the same
loader for tasks, samplers and metrics."""

import sys
import textwrap

import pytest

import ganzoo
from ganzoo import registry
from ganzoo.errors import GanzooError


def install_fake_distribution(root, dist, entry_points, modules, group="ganzoo.plugins"):
    """Writes a minimal installed distribution (dist-info + modules) under `root`."""
    info = root / f"{dist}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    lines = "\n".join(f"{name} = {target}" for name, target in entry_points.items())
    (info / "entry_points.txt").write_text(f"[{group}]\n{lines}\n")
    for name, source in modules.items():
        (root / f"{name}.py").write_text(textwrap.dedent(source))


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    registry.clear_cache()
    yield tmp_path
    registry.clear_cache()
    for name in [m for m in sys.modules if m.startswith("fake_")]:
        del sys.modules[name]


THIRD_PARTY = """
    from ganzoo.plugin import Plugin

    def _model_class():
        from ganzoo_plugins.dcgan.model import DCGAN  # reuse a real model for the fake
        return DCGAN

    plugin = Plugin(name="fancygan", summary="a third-party GAN", task="unconditional",
                    load_model_class=_model_class)
"""


def test_builtins_register_through_entry_points():
    from importlib import metadata

    names = {ep.name for ep in metadata.entry_points(group="ganzoo.plugins")}
    assert {"vanilla", "dcgan"} <= names
    assert {"vanilla", "dcgan"} <= set(ganzoo.list_models())


def test_third_party_plugin_is_discovered_and_created(site):
    install_fake_distribution(site, "fake-gan", {"fancygan": "fake_gan:plugin"}, {"fake_gan": THIRD_PARTY})
    assert "fancygan" in ganzoo.list_models()
    assert ganzoo.list_models("fancy*") == ["fancygan"]
    model = ganzoo.create("fancygan", image_shape=(28, 28, 1), generator_filters=4, discriminator_filters=4)
    assert model.generate(2, seed=0).shape == (2, 28, 28, 1)


def test_broken_plugin_is_reported_and_the_rest_keep_working(site):
    install_fake_distribution(site, "fake-broken", {"brokengan": "fake_broken:plugin"},
                              {"fake_broken": "import this_module_does_not_exist\n"})
    everything = {p.name: p for p in registry.load_all()}
    broken = everything["brokengan"]
    assert isinstance(broken, registry.BrokenPlugin)
    assert "ModuleNotFoundError" in broken.error and "this_module_does_not_exist" in broken.error
    assert "brokengan" not in ganzoo.list_models() and "dcgan" in ganzoo.list_models()
    with pytest.raises(GanzooError, match="brokengan.*failed to load.*this_module_does_not_exist"):
        ganzoo.get_plugin("brokengan")


def test_entry_point_to_something_that_is_not_a_plugin_is_broken(site):
    install_fake_distribution(site, "fake-wrong", {"wronggan": "fake_wrong:plugin"}, {"fake_wrong": "plugin = 42\n"})
    broken = {p.name: p for p in registry.load_all()}["wronggan"]
    assert isinstance(broken, registry.BrokenPlugin) and "not a ganzoo.Plugin" in broken.error


def test_two_plugins_with_one_name_is_an_error_naming_both_packages(site):
    install_fake_distribution(site, "fake-clash", {"dcgan": "fake_clash:plugin"}, {"fake_clash": THIRD_PARTY})
    with pytest.raises(GanzooError, match=r"two plugins are named 'dcgan'.*ganzoo.*fake-clash|fake-clash.*ganzoo"):
        ganzoo.list_models()


def test_unknown_plugin_lists_the_installed_ones():
    with pytest.raises(GanzooError, match="no plugin named 'nope'; installed plugins: .*dcgan"):
        ganzoo.get_plugin("nope")


def test_plugin_rejects_an_unknown_task():
    with pytest.raises(ValueError, match="task 'sideways'"):
        ganzoo.Plugin(name="x", summary="", task="sideways", load_model_class=lambda: None)


def test_importing_ganzoo_does_not_import_tensorflow():
    import subprocess

    code = "import sys, ganzoo; ganzoo.list_models(); print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_a_mistyped_name_is_answered_before_tensorflow_with_the_closest_names():
    import subprocess
    import sys

    code = ("import sys\nfrom ganzoo.cli import main\n"
            "try:\n    main(['fit', 'dcgn'])\nexcept SystemExit as e:\n"
            "    print('tf loaded' if 'tensorflow' in sys.modules else 'tf not loaded', e.code)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "tf not loaded 1" in result.stdout, result.stdout + result.stderr
    assert "no plugin named 'dcgn'; did you mean dcgan" in result.stderr


def test_a_plugin_declares_its_model_class_by_name_imported_on_first_use(site):
    install_fake_distribution(site, "fake-named", {"namedgan": "fake_named:plugin"}, {"fake_named": """
        from ganzoo.plugin import Plugin

        plugin = Plugin(name="namedgan", summary="a GAN named by path", task="unconditional",
                        model="ganzoo_plugins.dcgan.model:DCGAN")
    """})
    plugin = ganzoo.get_plugin("namedgan")
    assert plugin.model_class.__name__ == "DCGAN"
    with pytest.raises(ValueError, match="one of them"):
        ganzoo.Plugin(name="x", summary="", task="unconditional")
    with pytest.raises(ValueError, match="not \"package.module:Class\""):
        ganzoo.Plugin(name="x", summary="", task="unconditional", model="just_a_module")


THIRD_PARTY_METRIC = """
    from ganzoo.metrics import Metric

    def _mean_brightness(model, real, options):
        return {"brightness": float(model.generate(4, seed=0).mean())}

    brightness = Metric(name="brightness", summary="mean pixel value", tasks=("unconditional",),
                        compute=_mean_brightness, needs_arrays=False)
"""


@pytest.fixture
def fresh_metrics(monkeypatch):
    from ganzoo import metrics

    monkeypatch.setattr(metrics, "METRICS", metrics._Table())
    return metrics


def test_a_third_party_metric_is_an_entry_point_like_a_plugin(site, fresh_metrics):
    install_fake_distribution(site, "fake-metric", {"brightness": "fake_metric:brightness"},
                              {"fake_metric": THIRD_PARTY_METRIC}, group="ganzoo.metrics")
    metric = fresh_metrics.get("brightness", "unconditional")
    assert metric.summary == "mean pixel value"
    assert "brightness" in fresh_metrics.for_task("unconditional") and "fid" in fresh_metrics.for_task("unconditional")
    with pytest.raises(GanzooError, match="applies to unconditional models, not to a paired model"):
        fresh_metrics.get("brightness", "paired")


def test_a_broken_metric_is_reported_and_the_rest_keep_working(site, fresh_metrics):
    install_fake_distribution(site, "fake-badmetric", {"shaky": "fake_badmetric:shaky", "wrong": "fake_badmetric:wrong"},
                              {"fake_badmetric": "import this_module_does_not_exist\n"}, group="ganzoo.metrics")
    assert "psnr" in fresh_metrics.METRICS and "shaky" not in fresh_metrics.METRICS
    with pytest.raises(GanzooError, match="metric 'shaky' .*failed to load: ModuleNotFoundError"):
        fresh_metrics.get("shaky")
    assert isinstance(registry.METRICS.lookup("wrong"), registry.Broken)


def test_a_metric_name_claimed_by_two_packages_is_refused(site):
    install_fake_distribution(site, "fake-fid", {"fid": "fake_metric:brightness"},
                              {"fake_metric": THIRD_PARTY_METRIC}, group="ganzoo.metrics")
    with pytest.raises(GanzooError, match=r"two metrics are named 'fid'"):
        registry.METRICS.names()


def test_a_broken_task_is_reported_and_the_rest_keep_working(site):
    from ganzoo import tasks

    install_fake_distribution(site, "fake-task", {"sketch": "fake_task:sketch", "scribble": "fake_task2:scribble"},
                              {"fake_task": "import this_module_does_not_exist\n", "fake_task2": "scribble = 1\n"},
                              group="ganzoo.tasks")
    assert {"sketch", "scribble", "unconditional"} <= set(tasks.available())
    with pytest.raises(GanzooError, match="task 'sketch' .*failed to load: ModuleNotFoundError"):
        tasks.get("sketch")
    with pytest.raises(GanzooError, match="task 'scribble' .*not a ganzoo.tasks.Task"):
        tasks.get("scribble")
    assert tasks.get("conditional").name == "conditional"


THIRD_PARTY_TASK = """
    import numpy as np

    from ganzoo.sampling import Sampler
    from ganzoo.tasks import SampleOption, Task

    class Sketch(Task):
        name = "sketch"

    class SketchSampler(Sampler):
        task = "sketch"

        def preview(self, model, examples=None, seed=0):
            return np.full((4, 4, 1), 0.5, "float32")

    class OldStyle(Task):   # written before samplers: it draws its own pictures and test batches
        name = "oldstyle"
        sample_options = (SampleOption("shade", "--shade", "how dark"),)

        def preview(self, model, examples=None, seed=0):
            return np.zeros((2, 2, 1), "float32")

        def sample(self, model, *, out, count=64, seed=0, shade=None):
            return [f"{out}:{count}:{shade}"]

        def test_batch(self, model, n, rng):
            return np.ones((n, 2, 2, 1), "float32")

    sketch = Sketch()
    sketch_sampler = SketchSampler()
    oldstyle = OldStyle()
"""


def test_a_third_party_task_adds_its_sampler_and_an_old_task_draws_its_own(site):
    from ganzoo import sampling, tasks

    install_fake_distribution(site, "fake-sketch", {"sketch": "fake_sketch:sketch", "oldstyle": "fake_sketch:oldstyle"},
                              {"fake_sketch": THIRD_PARTY_TASK}, group="ganzoo.tasks")
    (site / "fake-sketch-1.0.dist-info" / "entry_points.txt").write_text(
        "[ganzoo.tasks]\nsketch = fake_sketch:sketch\noldstyle = fake_sketch:oldstyle\n"
        "[ganzoo.samplers]\nsketch = fake_sketch:sketch_sampler\n")

    class Model:
        task = tasks.get("sketch")

    assert sampling.preview(Model()).shape == (4, 4, 1)
    Model.task = tasks.get("oldstyle")
    assert sampling.preview(Model()).shape == (2, 2, 1)
    assert [o.flag for o in sampling.sample_options(Model())] == ["--shade"]
    assert sampling.sample(Model(), out="x.png", count=3, shade="dark") == ["x.png:3:dark"]
    from ganzoo.testing import fixtures

    assert fixtures.for_task("oldstyle").batch(Model(), 3, None).shape == (3, 2, 2, 1)
    assert fixtures.for_task("oldstyle").generate_kwargs(Model(), 3, None) == {"n": 3}
