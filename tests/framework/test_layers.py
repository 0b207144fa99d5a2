"""The layers of docs/architecture.md, held against the code: every import in
ganzoo/ (imports inside functions too) goes to the same layer or one below.

A new module must be placed in `LAYERS`; the test names any that is not."""

import ast
import pathlib

import ganzoo

GANZOO = pathlib.Path(ganzoo.__file__).parent

#: Module (or package prefix) -> layer, from the ground up; the longest prefix wins.
LAYERS = {
    # 1. Plain helpers: no ganzoo import above this line.
    "ganzoo.errors": 1, "ganzoo.files": 1, "ganzoo.version": 1, "ganzoo.images": 1, "ganzoo.precision": 1,
    "ganzoo.schedules": 1, "ganzoo.random_streams": 1, "ganzoo.reachability": 1, "ganzoo.options": 1,
    "ganzoo.losses": 1, "ganzoo.optimizers": 1, "ganzoo.averaging": 1,
    "ganzoo.registry": 1, "ganzoo.pytest_plugin": 1,
    # 2. Data sources and pipelines.
    "ganzoo.data": 2,
    # 3. Tasks: batch structure and generate()'s contract.
    "ganzoo.tasks": 3,
    # 4. The model base class and the backend adapters beneath it.
    "ganzoo.backends": 4, "ganzoo.replicas": 4, "ganzoo.generation": 4, "ganzoo.model_state": 4,
    "ganzoo.model": 4, "ganzoo.layers": 4,
    # 5. Plugins, loading and creating models.
    "ganzoo.plugin": 5, "ganzoo.saving": 5, "ganzoo.factory": 5,
    # 6. Metrics and sampling.
    "ganzoo.metrics": 6, "ganzoo.sampling": 6,
    # 7. Training and evaluation of runs.
    "ganzoo.training": 7, "ganzoo.evaluation": 7,
    # 8. Front ends, the test kit, and the faces that keep older module paths working.
    "ganzoo.cli": 8, "ganzoo.serve": 8, "ganzoo.export": 8, "ganzoo.scaffold": 8, "ganzoo.testing": 8,
    "ganzoo.__main__": 8, "ganzoo": 8,
    "ganzoo.engine": 8, "ganzoo.runs": 8, "ganzoo.callbacks": 8, "ganzoo.distribute": 8, "ganzoo.random": 8,
}


def layer_of(module):
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in LAYERS:
            return LAYERS[prefix]
    return None


def module_name(path):
    relative = path.relative_to(GANZOO.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path, module=None):
    """Every ganzoo module `path` (the module `module`) imports, at any depth of the file."""
    module = module or module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + ([base] if base else []))
            found.append((node.lineno, base))
            # `from ganzoo import sampling` imports the module ganzoo.sampling.
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names
                      if f"{base}.{alias.name}" in LAYERS or any(k.startswith(f"{base}.{alias.name}.") for k in LAYERS)]
    # The package itself is imported before any of its modules, whoever asks: not an arrow.
    return [(line, name) for line, name in found if name.startswith("ganzoo.")]


def sources():
    return sorted(p for p in GANZOO.rglob("*.py") if "templates" not in p.parts)


def test_every_module_has_a_layer():
    assert [module_name(p) for p in sources() if layer_of(module_name(p)) is None] == []


def test_no_import_climbs_to_a_higher_layer():
    climbs = []
    for path in sources():
        own = layer_of(module_name(path))
        for line, name in imports_of(path):
            target = layer_of(name)
            if target is not None and target > own:
                climbs.append(f"{path.relative_to(GANZOO.parent)}:{line} (layer {own}) imports {name} (layer {target})")
    assert climbs == []


def test_the_check_sees_imports_inside_functions_and_relative_ones(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from ganzoo.training import loop\n    from ..sampling import files\n")
    found = imports_of(probe, "ganzoo.data.probe")
    assert (2, "ganzoo.training") in found and (3, "ganzoo.sampling") in found
    assert layer_of("ganzoo.data.probe") == 2 < layer_of("ganzoo.training.loop")
