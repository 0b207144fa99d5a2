"""The flags a run's model adds to `ganzoo sample` are listed where a user
looks (issue 20, item 5): `ganzoo sample RUN --help` and `ganzoo info NAME`;
and `--set name value` is answered in one line (item 10)."""

import json

import pytest

from ganzoo.testing import run_cli


def _run_folder(tmp_path, plugin):
    folder = tmp_path / plugin
    folder.mkdir()
    (folder / "run.json").write_text(json.dumps({"plugin": plugin, "settings": {}}))
    return folder


@pytest.mark.parametrize("plugin,flags", [
    ("stylegan2", ["--mix", "--interpolate INTEGER", "--truncation-psi FLOAT", "--mix-with INTEGER",
                   "--crossover INTEGER", "--walk-to INTEGER"]),
    ("stylegan", ["--mix", "--interpolate INTEGER", "--truncation-psi FLOAT"]),
    ("cgan", ["--label INTEGER"]),
    ("cyclegan", ["--input PATH", "--direction TEXT"]),
    ("text2image", ["--text TEXT"]),
])
def test_sample_help_after_a_run_lists_its_models_flags(plugin, flags, tmp_path, capsys):
    # run.json alone: the help reads the plugin's name, it loads no model.
    run = _run_folder(tmp_path, plugin)
    code, out, err = run_cli(["sample", str(run), "--help"], capsys)
    assert code == 0, err
    section = out[out.index("Options of this run's model"):]
    assert f"({plugin}," in section.splitlines()[0]
    for flag in flags:
        assert any(line.strip().startswith(flag) for line in section.splitlines()), (flag, section)
    assert "--force" in out


def test_sample_help_flags_come_after_options_too(tmp_path, capsys):
    run = _run_folder(tmp_path, "stylegan2")
    code, out, _ = run_cli(["sample", "--n", "4", "--out", "x.png", str(run), "-h"], capsys)
    assert code == 0 and "--truncation-psi FLOAT" in out and "[default: 1.0]" in out


def test_sample_help_without_a_run_says_how_to_see_them(capsys):
    code, out, _ = run_cli(["sample", "--help"], capsys)
    assert code == 0 and "ganzoo sample RUN --help lists the flags of RUN's model" in out
    assert "--mix" in out   # the docstring names stylegan's


def test_sample_help_of_something_else_still_shows_the_help(tmp_path, capsys):
    code, out, _ = run_cli(["sample", str(tmp_path / "nothing"), "--help"], capsys)
    words = " ".join(out.split())   # click wraps the note where the temporary path's length puts it
    assert code == 0 and "Usage:" in out and "the flags of" in words and "are unknown" in words


def test_info_lists_sample_flags(capsys):
    code, out, err = run_cli(["info", "stylegan2"], capsys)
    assert code == 0, err
    lines = out[out.index("sample flags (ganzoo sample RUN ...;"):].splitlines()
    assert [line.split()[0] for line in lines[1:4]] == ["--mix", "--interpolate", "--truncation-psi"]
    code, out, _ = run_cli(["info", "cgan"], capsys)
    assert "--label INTEGER" in out and "(repeatable)" in out
    code, out, _ = run_cli(["info", "dcgan"], capsys)
    assert "sample flags: --n, --seed, --out, --force only" in out


def test_set_with_a_space_is_one_line(capsys):
    code, out, err = run_cli(["fit", "dcgan", "--set", "ema", "0.9", "--steps", "1"], capsys)
    assert code == 1
    assert err.strip() == "error: --set takes NAME=VALUE, got 'ema' (write --set ema=VALUE)"
