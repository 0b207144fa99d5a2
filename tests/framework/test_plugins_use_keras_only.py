"""Plugins import `keras` / `keras.ops`, never `tensorflow` (issue 7, item 9): every
module under `ganzoo_plugins/`, module-level and function-local imports alike."""

import ast
import pathlib

import ganzoo_plugins

ROOT = pathlib.Path(ganzoo_plugins.__file__).parent
FORBIDDEN = "tensorflow"


def tensorflow_imports(source, filename="<string>"):
    """`(line, statement)` of every import of tensorflow (or a submodule) in `source`."""
    found = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        else:
            continue
        if any(name == FORBIDDEN or name.startswith(FORBIDDEN + ".") for name in names):
            found.append((node.lineno, ast.unparse(node)))
    return found


def test_no_plugin_module_imports_tensorflow():
    files = sorted(ROOT.rglob("*.py"))
    assert len(files) > 5, files
    offenders = [f"{path.relative_to(ROOT.parent)}:{line}: {statement}"
                 for path in files for line, statement in tensorflow_imports(path.read_text(), str(path))]
    assert not offenders, "plugins must use keras / keras.ops, not tensorflow:\n" + "\n".join(offenders)


def test_the_scan_finds_local_and_aliased_imports():
    source = ("import keras\nimport tensorflow as tf\n"
              "def f():\n    from tensorflow.python import ops\n    import numpy, tensorflow.math\n"
              "from tensorflow_datasets import load\n")
    assert [line for line, _ in tensorflow_imports(source)] == [2, 4, 5]
