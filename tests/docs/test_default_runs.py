"""Every built-in plugin states what its default run (`ganzoo fit NAME`) costs:
measured time and run folder size, as data on the plugin, shown by `ganzoo
info` and by the plugin's docs page, for the run that `ganzoo fit NAME` makes."""

import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "docs" / "plugins").glob("*.md"))


def test_every_built_in_plugin_has_a_page():
    from ganzoo.registry import get_plugin, registered_names

    built_in = sorted(name for name in registered_names()
                      if get_plugin(name).model_class.__module__.startswith("ganzoo_plugins."))
    assert [page.stem for page in PAGES] == built_in


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_the_default_run_is_stated_for_the_run_that_fit_makes(page):
    from ganzoo import data
    from ganzoo.plugin import DefaultRun
    from ganzoo.registry import get_plugin

    plugin = get_plugin(page.stem)
    run = plugin.default_run
    assert isinstance(run, DefaultRun), f"{plugin.name} states no default_run"
    assert run.minutes > 0 and run.megabytes > 0 and run.how, run
    # The steps are those of `ganzoo fit NAME`: the default preset's length on the default data.
    preset = plugin.preset(plugin.default_preset) if plugin.default_preset else None
    batch = (preset and preset.batch_size) or plugin.default_batch_size
    epochs = (preset and preset.epochs) or plugin.default_epochs
    per_epoch = data.inspect(plugin.default_dataset, task=plugin.task).num_examples // batch
    assert run.steps == ((preset and preset.steps) or epochs * per_epoch), plugin.name
    assert str(run) in page.read_text(encoding="utf-8"), f"{page.name} does not state '{run}'"


def test_the_figures_read_as_a_user_wants_them():
    from ganzoo.plugin import DefaultRun

    assert str(DefaultRun(700, 1.2, 11.4, "timed")) == "about 1 min on 2 CPU cores, 11 MB run folder (700 steps)"
    assert str(DefaultRun(700, 1.45, 17.3, "timed")) == "about 1.5 min on 2 CPU cores, 17 MB run folder (700 steps)"
    assert str(DefaultRun(5600, 0.83, 8, "timed")) == "about 50 s on 2 CPU cores, 8 MB run folder (5,600 steps)"
    assert str(DefaultRun(1640, 134, 1234, "timed")).startswith("about 2 h 14 min on 2 CPU cores, 1.2 GB")


def test_info_shows_the_default_run():
    from click.testing import CliRunner

    from ganzoo.cli import cli
    from ganzoo.registry import get_plugin

    result = CliRunner().invoke(cli, ["info", "dcgan"])
    assert result.exit_code == 0, result.output
    assert f"default run:     {get_plugin('dcgan').default_run}" in result.output
