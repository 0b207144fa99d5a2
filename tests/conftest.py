import os

import pytest

# Quiet TensorFlow's C++ start-up logging in test output.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(autouse=True)
def _run_in_a_temporary_directory(tmp_path_factory, monkeypatch):
    """Every test runs in an empty directory of its own, so that nothing in the
    directory pytest was started from (such as the `runs/dcgan` that the
    README's first command leaves) changes a result, and no test leaves files
    there. A directory of its own, not `tmp_path`, so that tests that list or
    load `tmp_path` see only what they put there."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


# The training tests of the plugin harness (`ganzoo.testing.PluginTestCase`):
# several seconds each on 2 CPU cores, for every plugin.
_SLOW_HARNESS_TESTS = frozenset({
    "test_fit_updates_every_network_and_reports_losses",
    "test_save_load_generates_identically_and_keeps_training",
})


def pytest_collection_modifyitems(config, items):
    """Marks the harness's training tests slow (plugin test classes inherit them
    from `PluginTestCase`, so they cannot carry the mark in this repository's files)."""
    for item in items:
        if item.cls is not None and item.originalname in _SLOW_HARNESS_TESTS:
            item.add_marker(pytest.mark.slow)
