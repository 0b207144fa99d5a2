"""Reading a run directory: `ganzoo.training.run_files.read_run` is public
(also `ganzoo.runs.read_run`), and no other module reaches into `ganzoo.runs`'s
private names (tests/framework/test_private_imports.py checks every module)."""

import ast
import json
import pathlib

import pytest

import ganzoo
from ganzoo.runs import read_run as read_run_by_its_old_name
from ganzoo.training.run_files import RUN_FILE, read_run


def test_read_run(tmp_path):
    assert read_run(str(tmp_path)) is None
    data = {"plugin": "dcgan", "settings": {"source": "digits", "data_dir": None, "batch_size": 64}}
    (tmp_path / RUN_FILE).write_text(json.dumps(data))
    assert read_run(str(tmp_path)) == data
    assert read_run_by_its_old_name is read_run


def test_no_module_imports_private_names_of_runs():
    root = pathlib.Path(ganzoo.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if path.name == "runs.py" and path.parent == root:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "ganzoo.runs":
                offenders += [f"{path.relative_to(root)}: {a.name}" for a in node.names if a.name.startswith("_")]
    assert not offenders, offenders


def test_old_module_names_are_faces_that_only_re_export():
    import ganzoo.callbacks
    import ganzoo.distribute
    import ganzoo.runs
    from ganzoo.training import callbacks, distribution, loop, plan, request, run_files

    assert ganzoo.runs.fit is loop.fit and ganzoo.runs.RunPlan is plan.RunPlan
    assert ganzoo.runs.FitRequest is request.FitRequest
    assert (ganzoo.runs.load_run_model, ganzoo.runs.save_model) == (run_files.load_run_model, run_files.save_model)
    assert ganzoo.callbacks.SampleGrid is callbacks.SampleGrid is ganzoo.callbacks.SampleGrid
    assert ganzoo.distribute.strategy is distribution.strategy
    for module in (ganzoo.runs, ganzoo.callbacks, ganzoo.distribute):
        body = ast.parse(pathlib.Path(module.__file__).read_text()).body
        logic = [node for node in body[1:] if not isinstance(node, (ast.ImportFrom, ast.Assign))]
        assigned = [t.id for node in body if isinstance(node, ast.Assign) for t in node.targets]
        assert not logic and assigned == ["__all__"], module.__name__


@pytest.mark.parametrize("size,text", [(0, "0 bytes"), (999, "999 bytes"), (4_200, "4 KB"), (25_300_000, "25 MB"),
                                       (489_000_000, "489 MB"), (1_340_000_000, "1.3 GB"), (12_600_000_000, "13 GB")])
def test_size_text(size, text):
    from ganzoo.training.run_files import size_text

    assert size_text(size) == text

