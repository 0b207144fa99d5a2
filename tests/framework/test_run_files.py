"""Reading a run directory: `ganzoo.runs.read_run` is public, and no other
module reaches into `ganzoo.runs`'s private names."""

import ast
import json
import pathlib

import ganzoo
from ganzoo.runs import RUN_FILE, read_run


def test_read_run(tmp_path):
    assert read_run(str(tmp_path)) is None
    data = {"plugin": "dcgan", "settings": {"source": "digits", "data_dir": None, "batch_size": 64}}
    (tmp_path / RUN_FILE).write_text(json.dumps(data))
    assert read_run(str(tmp_path)) == data


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
