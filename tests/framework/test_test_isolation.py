"""Tests do not depend on the directory pytest is started from."""

import os
import pathlib

import ganzoo


def test_tests_run_in_an_empty_temporary_directory():
    cwd = pathlib.Path(os.getcwd())
    repo = pathlib.Path(ganzoo.__file__).resolve().parent.parent
    assert not list(cwd.iterdir())
    assert repo != cwd and repo not in cwd.parents
