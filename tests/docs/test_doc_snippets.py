"""Every ```python block of README.md, docs/*.md and docs/plugins/*.md is run
or checked, so that the documentation cannot drift from the code.

A block is run unless an HTML comment on the line just before it says otherwise:

- `<!-- no-test: REASON -->`: not run (it needs the network, a download, hours);
  the reason is required, and at most `MAX_NOT_TESTED` blocks may carry it.
- `<!-- excerpt: PATH -->`: an excerpt of the file PATH (a `train_step`
  shown in a page): it must parse, every function it defines must be defined
  in PATH, and every `self.NAME` it uses must be a name of PATH, of its
  package or of the framework (`ganzoo/`).
- `<!-- file: PATH -->`: the block is written (appended, for a file shown in
  several blocks) to PATH in the page's folder; after the page's blocks have
  run, every Python file so written compiles and its module imports, and
  `PAGE_CHECK` may use them (the tutorial's `mygan` package trains two steps).

The blocks of one page run in page order, in one namespace, in a subprocess
of their own, in a fresh folder. What a page takes as given (a trained run
folder it loads, an input photo) is made there first by `PAGE_SETUP`: tiny
models saved where the page loads them.

Training is shortened, never the snippets' text: `ganzoo.GAN.fit` is wrapped
so that each call runs one epoch of at most `GANZOO_DOCS_STEPS` steps
(default 2). `GANZOO_DOCS_STEPS=0` runs the snippets as written (hours).
"""

from __future__ import annotations

import ast
import os
import pathlib
import re
import subprocess
import sys
import textwrap
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "docs" / "plugins").glob("*.md")])
#: The most blocks that may stay untested (each with its reason).
MAX_NOT_TESTED = 4
MARKER = re.compile(r"^<!--\s*(no-test|excerpt|file)\s*(?::\s*(.*?))?\s*-->\s*$")

_TINY_SRGAN = ('image_shape=(32, 32, 3), generator_filters=8, residual_blocks=2, discriminator_filters=4, '
               'discriminator_dense=16, pretrain_steps=1')
_SAVE = '''
import os
def save(model, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    model.compile()
    model.save(path)
'''
#: What a page's snippets take as given, made in its folder before they run.
PAGE_SETUP = {
    "docs/plugins/srgan.md": _SAVE + f'''
import ganzoo, numpy as np
from PIL import Image
save(ganzoo.create("srgan", {_TINY_SRGAN}), "runs/srgan/model.keras")
Image.fromarray(np.random.default_rng(0).integers(0, 256, (20, 30, 3), dtype=np.uint8)).save("photo.png")
''',
    "docs/plugins/cgan.md": _SAVE + '''
import ganzoo
save(ganzoo.create("cgan", image_shape=(8, 8, 1), num_classes=10, latent_dim=8, architecture="mlp",
                   hidden_units=16, hidden_layers=1), "runs/cgan/model.keras")
''',
    "docs/plugins/cyclegan.md": _SAVE + '''
import ganzoo, numpy as np
from PIL import Image
save(ganzoo.create("cyclegan", image_shape=(32, 32, 3), generator_filters=4, discriminator_filters=4,
                   residual_blocks=1, pool_size=3), "runs/cyclegan/model.keras")
for i in (1, 2):
    Image.fromarray(np.random.default_rng(i).integers(0, 256, (32, 32, 3), dtype=np.uint8)).save(f"horse{i}.png")
''',
    "docs/plugins/stylegan.md": _SAVE + '''
import ganzoo
save(ganzoo.create("stylegan", image_shape=(16, 16, 1), latent_dim=16, style_dim=16, mapping_layers=1,
                   generator_filters=8, discriminator_filters=8), "runs/stylegan/model.keras")
''',
    "docs/plugins/text2image.md": _SAVE + '''
import ganzoo
save(ganzoo.create("text2image", image_shape=(16, 16, 3), max_tokens=20, max_length=8, word_dim=4,
                   vocabulary=["a", "small", "green", "square", "at", "the", "top", "right", "large", "red"],
                   encoder_filters=4, text_dim=8, condition_dim=4, latent_dim=8, generator_filters=4,
                   discriminator_filters=4, pretrain_steps=2), "runs/text2image/model.keras")
''',
    "docs/export.md": _SAVE + '''
import json
import ganzoo
from ganzoo.training import run_files
config = dict(image_shape=(28, 28, 1), latent_dim=16, generator_filters=8, discriminator_filters=8)
save(ganzoo.create("dcgan", **config), "runs/dcgan/model.keras")
settings = run_files.RunSettings(plugin="dcgan", source="digits", config=config, precision="float32")
with open("runs/dcgan/run.json", "w") as f:
    json.dump(run_files.run_record("dcgan", settings), f)
''',
}

#: What runs after a page's blocks: the tutorial's plugin package trains.
PAGE_CHECK = {
    "docs/writing-a-plugin.md": '''
import ganzoo
from mygan import plugin
from mygan.model import MyGAN
model = MyGAN(image_shape=(28, 28, 1), latent_dim=8, generator_filters=4, discriminator_filters=4)
model.compile()
model.fit(ganzoo.data.load("digits", model, batch_size=8), epochs=1, steps_per_epoch=2, verbose=0)
assert model.generate(3, seed=0).shape == (3, 28, 28, 1) and plugin.name == "mygan"
''',
}

#: Wraps `GAN.fit` in the page's subprocess (see the module's docstring).
SHORTEN = '''
import os
import ganzoo.model

_steps = int(os.environ.get("GANZOO_DOCS_STEPS", "2"))
_fit = ganzoo.model.GAN.fit

def _short_fit(self, x=None, *args, epochs=1, steps_per_epoch=None, **kwargs):
    if _steps:
        epochs, steps_per_epoch = 1, min(steps_per_epoch or _steps, _steps)
    return _fit(self, x, *args, epochs=epochs, steps_per_epoch=steps_per_epoch, **kwargs)

ganzoo.model.GAN.fit = _short_fit
'''


class Block:
    def __init__(self, page, line, code, kind="run", argument=""):
        self.page, self.line, self.code, self.kind, self.argument = page, line, code, kind, argument

    def __repr__(self):
        return f"{self.page}:{self.line} ({self.kind}{': ' + self.argument if self.argument else ''})"


def blocks(page: pathlib.Path) -> list[Block]:
    """The ```python blocks of a page with their markers."""
    lines = page.read_text(encoding="utf-8").split("\n")
    name = str(page.relative_to(ROOT))
    found, i = [], 0
    while i < len(lines):
        if lines[i].strip() == "```python":
            start, j = i + 1, i + 1
            while lines[j].strip() != "```":
                j += 1
            fence_indent = lines[i][:len(lines[i]) - len(lines[i].lstrip())]    # a block inside a list item
            raw = "\n".join(line[len(fence_indent):] if line.startswith(fence_indent) else line
                            for line in lines[start:j])
            marker = MARKER.match(lines[i - 1].strip()) if i else None
            # A file's block keeps its indentation (a class's methods shown apart); the others lose it.
            code = raw if marker and marker.group(1) == "file" else textwrap.dedent(raw)
            if marker:
                found.append(Block(name, start, code, marker.group(1), marker.group(2) or ""))
            else:
                if i and lines[i - 1].strip().startswith("<!--"):
                    raise AssertionError(f"{name}:{start}: unknown marker {lines[i - 1].strip()!r}")
                found.append(Block(name, start, code))
            i = j
        i += 1
    return found


ALL = [block for page in PAGES for block in blocks(page)]


# ------------------------------------------------------------------ fast checks
def test_markers_have_reasons_and_few_blocks_are_not_tested():
    not_tested = [b for b in ALL if b.kind == "no-test"]
    without_reason = [b for b in not_tested if len(b.argument) < 10]
    assert not without_reason, f"give each no-test block its reason: {without_reason}"
    assert len(not_tested) <= MAX_NOT_TESTED, f"{len(not_tested)} blocks are not tested: {not_tested}"
    assert sum(b.kind == "run" for b in ALL) >= 8


@pytest.mark.parametrize("block", [b for b in ALL if b.kind == "excerpt"], ids=repr)
def test_excerpts_match_their_source(block):
    source_path = ROOT / block.argument
    assert source_path.is_file(), f"{block}: no such file"
    try:
        tree = ast.parse(block.code)   # `...` stands for elided lines: still Python
    except SyntaxError:                # lines of a function's body (a `return`)
        tree = ast.parse("def excerpt():\n" + textwrap.indent(block.code, "    "))
    source = source_path.read_text(encoding="utf-8")
    defined = [node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.ClassDef))]
    for name in defined:
        if name in {"MyWGAN", "excerpt"}:    # the page's own example class; the wrapper above
            continue
        assert re.search(rf"\b(def|class) {name}\b", source), f"{block}: {name} is not defined in {block.argument}"
    known = source + "".join(p.read_text(encoding="utf-8") for p in source_path.parent.glob("*.py"))
    known += "".join(p.read_text(encoding="utf-8") for p in (ROOT / "ganzoo").rglob("*.py"))
    used = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name) and node.value.id == "self"}
    missing = sorted(name for name in used if not re.search(rf"\b{name}\b", known))
    assert not missing, f"{block}: self.{', self.'.join(missing)} exist nowhere in {block.argument} or ganzoo/"


def page_script(page_blocks) -> str | None:
    """The Python program that runs one page's blocks, or None if it has none to run."""
    page = page_blocks[0].page
    runs = [b for b in page_blocks if b.kind == "run"]
    files = [b for b in page_blocks if b.kind == "file"]
    if not runs and not files:
        return None
    parts = ["import sys, os, importlib, pathlib", "sys.path.insert(0, os.getcwd())", SHORTEN]
    if page in PAGE_SETUP:
        parts.append(f"exec(compile({PAGE_SETUP[page]!r}, 'setup of {page}', 'exec'), {{}})")
    for block in files:
        parts.append(f"pathlib.Path({block.argument!r}).parent.mkdir(parents=True, exist_ok=True)\n"
                     f"with open({block.argument!r}, 'a') as f:\n    f.write({block.code!r} + '\\n')")
    parts.append("namespace = {'__name__': '__main__'}")
    for block in runs:
        parts.append(f"print('--- {block.page}:{block.line}', flush=True)\n"
                     f"exec(compile({block.code!r}, '{block.page}:{block.line}', 'exec'), namespace)")
    for block in files:
        if block.argument.endswith(".py"):
            module = block.argument[:-3].replace("/", ".").removesuffix(".__init__")
            parts.append(f"compile(open({block.argument!r}).read(), {block.argument!r}, 'exec')")
            if not block.argument.startswith("tests/"):
                parts.append(f"importlib.import_module({module!r})")
    if page in PAGE_CHECK:
        parts.append(f"exec(compile({PAGE_CHECK[page]!r}, 'check of {page}', 'exec'), {{}})")
    return "\n".join(parts)


RUNNABLE = {page: script for page in sorted({b.page for b in ALL})
            if (script := page_script([b for b in ALL if b.page == page]))}


# ------------------------------------------------------------------ running them
@pytest.mark.slow
@pytest.mark.parametrize("page", sorted(RUNNABLE))
def test_page_snippets_run(page, tmp_path):
    env = {**os.environ, "KERAS_HOME": str(tmp_path / "keras_home"), "TF_CPP_MIN_LOG_LEVEL": "2",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env.setdefault("GANZOO_DOCS_STEPS", "2")
    folder = tmp_path / "page"
    folder.mkdir()
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", RUNNABLE[page]], cwd=folder, env=env, capture_output=True,
                            text=True, timeout=600)
    seconds = time.perf_counter() - started
    blocks_run = sum(b.kind in ("run", "file") for b in ALL if b.page == page)
    print(f"{page}: {blocks_run} blocks in {seconds:.1f} s")
    assert result.returncode == 0, f"{page}: a snippet failed\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
