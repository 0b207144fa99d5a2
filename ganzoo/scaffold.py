"""`ganzoo new-plugin`: writes a new plugin package from a template.

A template is a folder under `ganzoo/templates/` holding the package exactly
as it will be written: `NAME` in a path becomes the plugin name, a `.tmpl`
suffix is dropped, and `${name}`-style placeholders in the files are filled
(`string.Template`; a literal dollar sign is `$$`).
"""

from __future__ import annotations

import importlib.util
import keyword
import os
import re
import string
from pathlib import Path

from ganzoo.errors import GanzooError

TEMPLATE_ROOT = Path(__file__).parent / "templates"

#: Template name -> one line shown by `ganzoo new-plugin --help`.
TEMPLATES = {
    "dcgan": "two-pass GAN on DCGAN networks (non-saturating loss, one D step per G step)",
    "wgan-gp": "WGAN-GP: n_critic critic updates on fresh real images per generator update, gradient penalty",
}
TASKS = ("unconditional",)
DEFAULT_GANZOO_REQUIREMENT = "ganzoo>=0.1"

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def class_name(name: str) -> str:
    """The model class of plugin `name`: `mygan` -> `MyGAN`, `wgan_gp` -> `WganGp`."""
    parts = [p for p in name.split("_") if p]
    words = [p.capitalize() for p in parts]
    if len(words) == 1 and words[0].endswith("gan") and len(words[0]) > 3:
        words[0] = words[0][:-3] + "GAN"
    return "".join(words)


def check_name(name: str) -> None:
    """Raises `GanzooError` unless `name` can be a plugin, a Python package
    and an entry-point name without clashing with anything installed."""
    if not _NAME.match(name):
        raise GanzooError(
            f"plugin name {name!r} must be a lower-case Python identifier: a-z, 0-9 and _, starting with a letter"
        )
    if keyword.iskeyword(name):
        raise GanzooError(f"plugin name {name!r} is a Python keyword; choose another")
    from ganzoo.registry import registered_names

    if name in registered_names():
        raise GanzooError(f"a plugin named {name!r} is already installed (see ganzoo list); choose another name")
    if name == "ganzoo" or name == "tests" or importlib.util.find_spec(name) is not None:
        raise GanzooError(f"a module named {name!r} is already importable here; choose another name")


def create_plugin(name: str, directory: str | os.PathLike = ".", *, template: str = "dcgan",
                  task: str = "unconditional", ganzoo_requirement: str = DEFAULT_GANZOO_REQUIREMENT) -> Path:
    """Writes the project of a new plugin `name` into `directory/ganzoo-name`
    (`ganzoo-name/name/` is the package, `ganzoo-name/tests/` its tests).

    Args:
        name: plugin name: a lower-case Python identifier; also the import
            package and the entry-point name.
        directory: where the package folder is created.
        template: one of `TEMPLATES`.
        task: the plugin's task; the templates are unconditional.
        ganzoo_requirement: the requirement on ganzoo in the generated
            `pyproject.toml`.

    Returns:
        The project folder.

    Raises:
        GanzooError: for a bad name, an unknown template or task, or an
            existing folder (nothing is overwritten).

    Example:

    ```python
    from ganzoo.scaffold import create_plugin
    create_plugin("mygan", "plugins", template="wgan-gp")   # writes plugins/ganzoo-mygan/
    ```
    """
    if template not in TEMPLATES:
        raise GanzooError(f"unknown template {template!r}; choose one of {', '.join(TEMPLATES)}")
    if task not in TASKS:
        raise GanzooError(f"no template for task {task!r} yet; templates exist for {', '.join(TASKS)}")
    distribution = "ganzoo-" + name.replace("_", "-")
    # The project folder is named after the distribution, not the package: a
    # folder `mygan/` in the working directory would be imported as an empty
    # namespace package `mygan` by `python -m ...` or a notebook started there,
    # hiding the installed plugin ("module 'mygan' has no attribute 'plugin'").
    target = Path(directory) / distribution
    if target.exists():
        raise GanzooError(f"{target} already exists; remove it or choose another --dir")
    check_name(name)
    values = {
        "name": name,
        "class_name": class_name(name),
        "distribution": distribution,
        "ganzoo_requirement": ganzoo_requirement,
        "task": task,
    }
    files = render(template, values)
    for relative, text in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return target


def render(template: str, values: dict) -> dict[str, str]:
    """The files of `template` with `values` filled in: relative path -> text."""
    root = TEMPLATE_ROOT / template
    files = {}
    for source in sorted(root.rglob("*.tmpl")):
        relative = source.relative_to(root).as_posix()[: -len(".tmpl")]
        relative = relative.replace("NAME", values["name"])
        try:
            files[relative] = string.Template(source.read_text(encoding="utf-8")).substitute(values)
        except (KeyError, ValueError) as exc:  # a template bug, not a user error
            raise RuntimeError(f"template {source}: bad placeholder {exc}") from exc
    return files
