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

# Fixtures are data: the plugin packages under fixtures/ carry test files of
# their own, run inside their installed package by tests/framework/test_new_plugin.py.
collect_ignore_glob = ["fixtures/*"]
