"""Each plugin page's options tables name every constructor option of the
plugin's model (`ganzoo.options.options(cls)`), and nothing else."""

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "docs" / "plugins").glob("*.md"))


def documented_options(text):
    """Names in the first column of every table whose header starts with `| option |`."""
    names, in_table = [], False
    for line in text.splitlines():
        if re.match(r"^\|\s*option\s*\|", line):
            in_table = True
            continue
        if in_table and not line.startswith("|"):
            in_table = False
        if in_table and not re.match(r"^\|[-\s|]+$", line):
            names += re.findall(r"`(\w+)`", line.split("|")[1])
    return names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_the_options_table_lists_every_constructor_option(page):
    from ganzoo.options import options
    from ganzoo.registry import get_plugin

    options_of_model = [option.name for option in options(get_plugin(page.stem).model_class)]
    documented = documented_options(page.read_text(encoding="utf-8"))
    assert documented, f"{page.name} has no table headed | option |"
    missing = [name for name in options_of_model if name not in documented]
    unknown = [name for name in documented if name not in options_of_model]
    assert not missing, f"{page.name}: the options table lacks {missing}"
    assert not unknown, f"{page.name}: the options table names {unknown}, which are not options"
