"""The layering of `ganzoo.data`: nothing imports a module of a higher layer, and
the package's modules import each other without cycles.

Imports are read with `ast`, module-level and inside functions alike (a
function-local import is a dependency too, only a later one). Run this file
with Python to print the graph: `python tests/data/test_data_layers.py`.
"""

import ast
import pathlib

import ganzoo.data

PACKAGE = "ganzoo.data"
ROOT = pathlib.Path(ganzoo.data.__file__).parent

# Bottom to top. A module may import modules of its own layer (without
# cycles) and of the layers below it, never one above. A new module must be
# placed here.
LAYERS = (
    # No imports from ganzoo.data at all.
    ("base", ("common", "decode", "degrade", "package_files")),
    # Where examples come from: each source gives example dicts {"image": uint8 HxWxC, ...}
    # and a SourceInfo. `embedded` is the catalogue of the embedded sets, `source`
    # decides which kind of source a `source` argument names (resolve), `sources`
    # opens any single-stream source, and `unpaired` and `captioned` open a
    # resolved source their own way (two domains; images with captions, those
    # of a folder read by `caption_folders`).
    ("sources", ("digits", "chalk2ink", "photos", "shapes", "folders", "embedded", "source", "tfds_source",
                 "sources", "unpaired", "caption_folders", "captioned")),
    # Tasks' batch mapping: example dicts -> the elements a model trains on.
    ("mapping", ("paired", "elements")),
    # Open + map + cache/shuffle/batch/prefetch, and the public load/inspect.
    ("pipeline", ("pipeline", "autotune", "__init__")),
)


def module_names():
    return sorted(p.stem for p in ROOT.glob("*.py"))


def _resolve(node, importer):
    """The ganzoo.data modules an import statement names (`__init__` for the package)."""
    if isinstance(node, ast.Import):
        targets = []
        for alias in node.names:
            if alias.name == PACKAGE:
                targets.append("__init__")
            elif alias.name.startswith(PACKAGE + "."):
                targets.append(alias.name[len(PACKAGE) + 1:].split(".")[0])
        return targets
    if node.level:  # relative: from . import x / from .x import y
        if node.level > 1:
            return []
        base = PACKAGE if not node.module else f"{PACKAGE}.{node.module}"
    else:
        base = node.module or ""
    if base == PACKAGE:
        names = set(module_names())
        return [alias.name if alias.name in names else "__init__" for alias in node.names]
    if base.startswith(PACKAGE + "."):
        return [base[len(PACKAGE) + 1:].split(".")[0]]
    return []


def import_graph():
    """`{module: {imported module: [line numbers]}}` over ganzoo/data/*.py."""
    graph = {}
    for name in module_names():
        tree = ast.parse((ROOT / f"{name}.py").read_text(), filename=f"{name}.py")
        edges = {}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _resolve(node, name):
                    if target != name:
                        edges.setdefault(target, []).append(node.lineno)
        graph[name] = edges
    return graph


def cycles(graph):
    """Every elementary cycle, each as a list of modules starting at its smallest name."""
    found = []
    nodes = sorted(graph)
    for start in nodes:
        # Cycles through `start` whose other members all sort after it: each cycle once.
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for target in sorted(graph[node]):
                if target == start:
                    found.append(path)
                elif target > start and target not in path and target in graph:
                    stack.append((target, path + [target]))
    return found


def strongly_connected(graph):
    """The groups of modules that reach each other (Tarjan), larger than one module."""
    index, low, on_stack, stack, groups, counter = {}, {}, set(), [], [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in graph:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def layer_of():
    return {module: (rank, layer) for rank, (layer, modules) in enumerate(LAYERS) for module in modules}


def report(graph):
    """The graph as text: modules per layer with what each imports, then the cycles."""
    layers = layer_of()
    lines = []
    placed = [m for _, modules in LAYERS for m in modules if m in graph]
    unplaced = [m for m in sorted(graph) if m not in layers]
    for rank in reversed(range(len(LAYERS))):
        layer, modules = LAYERS[rank]
        present = [m for m in modules if m in graph]
        if not present:
            continue
        lines.append(f"{layer}:")
        for module in present:
            lines.append(f"  {module} -> {', '.join(sorted(graph[module])) or '(nothing)'}")
    if unplaced:
        lines.append("not in any layer:")
        for module in unplaced:
            lines.append(f"  {module} -> {', '.join(sorted(graph[module])) or '(nothing)'}")
    found = cycles(graph)
    groups = strongly_connected(graph)
    lines.append(f"modules: {len(placed) + len(unplaced)}; elementary cycles: {len(found)}; "
                 f"strongly connected groups: {len(groups)} {groups if groups else ''}".rstrip())
    for cycle in found[:20]:
        lines.append("  cycle: " + " -> ".join(cycle + [cycle[0]]))
    if len(found) > 20:
        lines.append(f"  ... and {len(found) - 20} more")
    return "\n".join(lines)


def test_every_module_has_a_layer():
    layers = layer_of()
    missing = [m for m in module_names() if m not in layers]
    assert not missing, (
        f"place {missing} in a layer of LAYERS in {__file__} "
        f"(sources at the bottom, the tasks' mapping above them, the pipeline on top)"
    )


def test_no_module_imports_a_higher_layer():
    layers = layer_of()
    graph = import_graph()
    upward = [
        f"{module} ({layers[module][1]}) imports {target} ({layers[target][1]}) at line(s) {lines}"
        for module, edges in graph.items() if module in layers
        for target, lines in edges.items() if target in layers and layers[target][0] > layers[module][0]
    ]
    assert not upward, "imports upward:\n" + "\n".join(upward)


def test_base_imports_nothing_from_ganzoo_data():
    graph = import_graph()
    for module in LAYERS[0][1]:
        if module in graph:
            assert not graph[module], f"{module} is a base module but imports {sorted(graph[module])}"


def test_no_import_cycles():
    graph = import_graph()
    found = cycles(graph)
    assert not found, "import cycles in ganzoo.data:\n" + "\n".join(
        " -> ".join(cycle + [cycle[0]]) for cycle in found)


def test_the_checker_sees_local_imports_and_cycles():
    """The scan counts function-local imports and finds a cycle made of them."""
    source = ("def f():\n    from ganzoo.data import pipeline, load\n    import ganzoo.data.source\n"
              "    from . import common\n    from ganzoo.errors import GanzooError\n")
    tree = ast.parse(source)
    targets = [t for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
               for t in _resolve(node, "a")]
    assert sorted(targets) == ["__init__", "common", "pipeline", "source"]
    assert cycles({"a": {"b": [1]}, "b": {"c": [1]}, "c": {"a": [1]}}) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"b": [1]}, "b": {"a": [1]}, "c": {}}) == [["a", "b"]]
    assert cycles({"a": {"b": [1]}, "b": {}}) == []


if __name__ == "__main__":
    print(report(import_graph()))
