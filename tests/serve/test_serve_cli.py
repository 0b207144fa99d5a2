"""`ganzoo serve` as a user starts it: it prints its address and answers
there; another host than the loopback is a warning; a missing folder one line."""

import json
import shutil
import subprocess
import sys
import urllib.request

import pytest
from serve_helpers import FIXTURE_RUN


def start(args, cwd):
    return subprocess.Popen([sys.executable, "-m", "ganzoo.cli", "serve", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.slow   # the first /api/runs imports the plugin, and TensorFlow with it, in a new process
def test_serve_prints_its_address_and_answers_there(tmp_path):
    shutil.copytree(FIXTURE_RUN, tmp_path / "runs" / "dcgan")
    process = start(["--port", "0"], tmp_path)          # ./runs by default
    try:
        line = process.stdout.readline()
        assert line.startswith(f"serving 1 run(s) from {tmp_path / 'runs'} at http://127.0.0.1:"), line
        address = line.split(" at ")[1].split()[0]
        with urllib.request.urlopen(address + "api/runs", timeout=60) as response:
            assert [run["name"] for run in json.load(response)] == ["dcgan"]
    finally:
        process.terminate()
        process.wait(30)


def test_another_host_is_a_warning(tmp_path):
    process = start([str(tmp_path), "--host", "0.0.0.0", "--port", "0"], tmp_path)
    try:
        assert "http://0.0.0.0:" in process.stdout.readline()
        assert process.stderr.readline().startswith("warning: listening on 0.0.0.0: anyone who can reach this "
                                                    "machine can see these runs")
    finally:
        process.terminate()
        process.wait(30)


def test_a_missing_folder_is_one_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "ganzoo.cli", "serve", str(tmp_path / "nothing")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1].startswith("error:")
    assert "Traceback" not in result.stderr
