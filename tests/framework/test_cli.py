"""The CLI: through click's CliRunner for the commands, and `main()` (the
console script) for the one-line error contract; one real subprocess."""

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from ganzoo.cli import cli
from ganzoo.testing import run_cli

TINY = ["--set", "generator_filters=4", "--set", "discriminator_filters=4", "--set", "latent_dim=8"]




def test_list_shows_builtins_as_table_and_json():
    runner = CliRunner()
    table = runner.invoke(cli, ["list"])
    assert table.exit_code == 0
    assert any(line.startswith("dcgan") and "unconditional" in line for line in table.output.splitlines())
    rows = json.loads(runner.invoke(cli, ["list", "--json"]).output)
    assert {"vanilla", "dcgan"} <= {r["name"] for r in rows if r["status"] == "ok"}


def test_info_lists_options_with_defaults_and_meaning():
    result = CliRunner().invoke(cli, ["info", "vanilla"])
    assert result.exit_code == 0
    assert "task:            unconditional" in result.output
    line = next(l for l in result.output.splitlines() if l.strip().startswith("discriminator_steps"))
    assert " 1 " in line and "k, discriminator steps per generator step" in line


@pytest.mark.parametrize("args,message", [
    (["info", "nope"], "error: no plugin named 'nope'"),
    (["fit", "dcgan", "--set", "colour=blue"], "error: unknown option(s) colour"),
    (["fit", "dcgan", "--data", "/no/such/folder"], "error: --data /no/such/folder: no such file or folder"),
    (["fit", "dcgan", "--epochs", "2", "--steps", "2"], "error: pass either --epochs or --steps"),
    (["sample", "/no/such/run"], "error: no model file at /no/such/run"),
])
def test_errors_are_one_line_without_traceback(args, message, capsys):
    code, out, err = run_cli(args, capsys)
    assert code == 1
    lines = [l for l in err.splitlines() if l.startswith("error:")]
    assert lines and lines[0].startswith(message), err
    assert "Traceback" not in err


@pytest.mark.slow
def test_fit_sample_resume_and_evaluate(tmp_path, capsys):
    out = tmp_path / "run"
    code, stdout, err = run_cli(["fit", "dcgan", "--steps", "3", "--batch-size", "32", "--out", str(out),
                                  "--seed", "1", "--quiet", *TINY], capsys)
    assert code == 0, err
    # A finished run keeps each weight once: model.keras is its checkpoint too (issue 20 item 2).
    assert sorted(os.listdir(out)) == ["checkpoint.json", "metrics.csv", "model.keras", "run.json", "samples",
                                       "tensorboard"]
    assert os.listdir(out / "samples") == ["epoch_0001.png"]
    run = json.loads((out / "run.json").read_text())
    assert run["settings"]["config"]["generator_filters"] == 4 and run["settings"]["source"] == "digits"
    assert json.loads((out / "checkpoint.json").read_text())["step"] == 3

    # The run directory is not overwritten by accident...
    code, _, err = run_cli(["fit", "dcgan", "--steps", "3", "--out", str(out)], capsys)
    assert code == 1 and "already holds a run; pass --resume" in err
    # ...and resumes from its step.
    code, stdout, err = run_cli(["fit", "dcgan", "--steps", "5", "--out", str(out), "--resume", "--quiet"], capsys)
    assert code == 0, err
    assert "resuming dcgan from step 3" in stdout
    assert json.loads((out / "checkpoint.json").read_text())["step"] == 5
    assert len((out / "metrics.csv").read_text().strip().splitlines()) == 3  # header + 2 epochs

    grid = tmp_path / "grid.png"
    code, stdout, err = run_cli(["sample", str(out), "--n", "4", "--out", str(grid)], capsys)
    assert code == 0 and grid.exists(), err
    code, stdout, err = run_cli(["sample", str(out), "--label", "3"], capsys)
    assert code == 1 and "No such option '--label'" in err and "unconditional model" in err

    code, stdout, err = run_cli(["evaluate", str(out), "--n", "100"], capsys)
    assert code == 0, err
    values = dict(line.split() for line in stdout.splitlines() if line.startswith("classifier."))
    assert 0.0 <= float(values["classifier.confidence"]) <= 1.0
    assert json.loads((out / "evaluation.json").read_text())["results"]["classifier"]["frechet"] >= 0


@pytest.mark.slow
def test_arguments_are_checked_before_the_run_directory(tmp_path, capsys):
    out = tmp_path / "run"
    code, _, err = run_cli(["fit", "dcgan", "--steps", "1", "--batch-size", "32", "--out", str(out), "--quiet",
                             *TINY], capsys)
    assert code == 0, err
    # An existing run: a bad flag is still reported as itself.
    for args, message in [(["--set", "colour=blue"], "unknown option(s) colour"),
                          (["--data", str(tmp_path / "nowhere")], "no such file or folder"),
                          (["--preset", "huge"], "no preset 'huge'")]:
        code, _, err = run_cli(["fit", "dcgan", "--out", str(out), *args], capsys)
        assert code == 1 and message in err, err


@pytest.mark.slow
def test_resume_never_starts_over_a_run_without_its_checkpoint(tmp_path, capsys):
    out = tmp_path / "run"
    code, _, err = run_cli(["fit", "dcgan", "--steps", "1", "--batch-size", "32", "--out", str(out), "--quiet",
                             *TINY], capsys)
    assert code == 0, err
    # A finished run keeps its weights once: model.keras is also its checkpoint (checkpoint.json says so).
    assert not (out / "checkpoint.weights.h5").exists()
    (out / "model.keras").unlink()  # the weights; checkpoint.json alone is only a copy of the position
    before = sorted(p.name for p in out.iterdir())
    code, _, err = run_cli(["fit", "dcgan", "--out", str(out), "--resume", "--steps", "2", "--quiet"], capsys)
    assert code == 1 and "weights are in model.keras, which is missing" in err and "\n" not in err.strip(), err
    assert sorted(p.name for p in out.iterdir()) == before   # nothing trained from scratch, nothing written


@pytest.mark.slow
def test_resume_refuses_every_flag_it_cannot_honour(tmp_path, capsys):
    out = tmp_path / "run"
    code, _, err = run_cli(["fit", "dcgan", "--steps", "1", "--batch-size", "32", "--out", str(out), "--quiet",
                             "--seed", "1", *TINY], capsys)
    assert code == 0, err
    saved = json.loads((out / "run.json").read_text())
    # run.json holds the whole configuration, defaults included.
    assert saved["settings"]["config"]["learning_rate"] == 0.0002 and saved["settings"]["config"]["ema"] == 0.0
    for args, flag in [(["--set", "generator_filters=8"], "--set"), (["--precision", "float32"], "--precision"),
                       (["--seed", "2"], "--seed"), (["--image-size", "32"], "--image-size"),
                       (["--dataset", "chalk2ink"], "--dataset"), (["--batch-size", "16"], "--batch-size"),
                       (["--preset", "paper"], "--preset")]:
        code, _, err = run_cli(["fit", "dcgan", "--out", str(out), "--resume", "--steps", "2", *args], capsys)
        assert code == 1 and f"{flag} cannot change it" in err, (args, err)
    # Flags equal to the run's are accepted, and --steps extends it.
    code, stdout, err = run_cli(["fit", "dcgan", "--out", str(out), "--resume", "--steps", "2", "--seed", "1",
                                  "--batch-size", "32", "--dataset", "digits", "--quiet"], capsys)
    assert code == 0 and "resuming dcgan from step 1" in stdout, err


def test_info_lists_presets(capsys):
    result = CliRunner().invoke(cli, ["info", "dcgan"])
    assert result.exit_code == 0
    assert "presets (ganzoo fit ... --preset NAME):" in result.output
    assert any(line.strip().startswith("paper") for line in result.output.splitlines())
    assert "cpu" in result.output and "(default)" in result.output


@pytest.mark.slow
def test_console_script_trains_two_steps(tmp_path):
    exe = os.path.join(os.path.dirname(sys.executable), "ganzoo")
    result = subprocess.run([exe, "fit", "dcgan", "--steps", "2", "--out", str(tmp_path / "r"), "--quiet", *TINY],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "saved" in result.stdout and (tmp_path / "r" / "model.keras").exists()
