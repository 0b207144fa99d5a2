"""ganzoo's pytest plugin (entry point `pytest11`): any suite, not only ganzoo's
own, runs with the numpy/Keras warning filtered, even with warnings as errors."""

import subprocess
import sys
import textwrap
from importlib.metadata import entry_points

from ganzoo import pytest_plugin

NUMPY_MESSAGE = ("__array__ implementation doesn't accept a copy keyword, so passing copy=False failed. "
                 "__array__ must implement 'dtype' and 'copy' keyword arguments.")


def test_registered_as_a_pytest_plugin():
    (entry,) = [e for e in entry_points(group="pytest11") if e.name == "ganzoo"]
    assert entry.value == "ganzoo.pytest_plugin"


def _run_suite(folder, *args):
    """A plugin package's suite, in its own folder, with warnings as errors in its own ini."""
    (folder / "pytest.ini").write_text("[pytest]\nfilterwarnings =\n    error\n")
    (folder / "test_numpy_warning.py").write_text(textwrap.dedent(f"""
        import warnings

        def test_keras_saving_warning():
            warnings.warn({NUMPY_MESSAGE!r}, DeprecationWarning)

        def test_other_warnings_still_fail():
            try:
                warnings.warn("something else", DeprecationWarning)
            except DeprecationWarning:
                return
            raise AssertionError("other warnings should still be errors")
    """))
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                          cwd=folder, capture_output=True, text=True, timeout=120)


def test_filter_applies_to_any_suite(tmp_path):
    result = _run_suite(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_without_the_plugin_the_warning_fails_such_a_suite(tmp_path):
    result = _run_suite(tmp_path, "-p", "no:ganzoo")
    assert result.returncode == 1 and "1 failed, 1 passed" in result.stdout, result.stdout + result.stderr


def test_plugin_imports_nothing_heavy():
    code = ("import sys, ganzoo.pytest_plugin; "
            "print(sorted(m for m in ('tensorflow', 'keras', 'numpy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr
    assert pytest_plugin.WARNING_FILTERS
