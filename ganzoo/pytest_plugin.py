"""ganzoo's pytest plugin, registered under the `pytest11` entry point: every
test suite run where ganzoo is installed (ganzoo's own and any plugin
package's) gets it, with nothing in its own configuration.

It adds warning filters for known, harmless warnings of ganzoo's dependencies
that would otherwise fail suites run with warnings as errors:

- numpy >= 2.4 warns while Keras saves weights that an `__array__`
  implementation does not accept a `copy` keyword (see KERAS_NOTES.md).

Every test starts with a fresh memory of ganzoo's data warnings (each is
shown once per process, see `ganzoo.data.common.warn`), so a test that
expects one sees it whatever ran before.

The filters are appended to the `filterwarnings` ini option, after the suite's
own entries, so they hold under `filterwarnings = ["error"]`; a `-W` option
on the command line still comes after them and wins. Disable the plugin with
`-p no:ganzoo`.

Kept free of imports of TensorFlow, Keras and the rest of ganzoo: pytest
loads it at start-up in every run in the environment.
"""

import sys

import pytest

WARNING_FILTERS = (
    # numpy 2.4 while Keras saves weights (KERAS_NOTES.md).
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning",
)


def pytest_configure(config):
    for line in WARNING_FILTERS:
        config.addinivalue_line("filterwarnings", line)
    # Registered for every suite, so that plugin packages (and ganzoo's harness)
    # can mark tests slow under --strict-markers.
    config.addinivalue_line("markers", "slow: a test that takes more than a few seconds; "
                                       "deselect with -m \"not slow\"")


@pytest.fixture(autouse=True)
def _ganzoo_fresh_data_warnings():
    common = sys.modules.get("ganzoo.data.common")   # never imported here: the suite may not use ganzoo.data
    if common is not None and hasattr(common, "forget_warnings"):
        common.forget_warnings()
    yield
