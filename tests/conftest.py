import os

import pytest

# Quiet TensorFlow's C++ start-up logging in test output.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# On JAX every test model's step is compiled by XLA, and for the tiny models of
# the tests compiling costs far more than running: XLA's machine-code
# optimisation level 0 made tests/dcgan's fast tests on JAX 3.8x quicker
# (69 s to 18 s). It changes how fast the compiled code runs, not what it
# computes (the HLO passes are the same). Set here, in the environment, so that
# the JAX subprocesses of the slow tests inherit it; a caller's own setting wins.
QUICK_COMPILE_FLAGS = "--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true"
if "xla_backend_optimization_level" not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {QUICK_COMPILE_FLAGS}".strip()


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
