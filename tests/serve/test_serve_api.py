"""`ganzoo serve`'s HTTP API over a copy of the old dcgan run: the runs it
finds, what it says of each, `sample.png` byte for byte as `ganzoo sample`,
what it refuses (paths out of the run folders, bad uploads, other hosts),
and that it writes nothing into a run."""

import concurrent.futures
import hashlib
import io
import json
import os

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from ganzoo.cli import cli
from ganzoo.serve import uploads

from serve_helpers import FIXTURE_RUN, quoted, request


def get_json(server, path):
    status, headers, body = request(server, path)
    assert headers["Content-Type"] == "application/json", body
    return status, json.loads(body)


def png_bytes(array):
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def test_runs_lists_each_run_inside_with_its_state_steps_grid_and_scores(server):
    status, runs = get_json(server, "/api/runs")
    assert status == 200
    assert [r["name"] for r in runs] == ["dcgan"]          # runs/linked points outside: not a run here
    run = runs[0]
    assert run["plugin"] == "dcgan" and run["task"] == "unconditional" and run["data"] == "digits"
    assert run["steps_done"] == 4 and run["total_steps"] == 4
    assert run["epochs_done"] == 1 and run["epochs"] is None          # asked for steps, not epochs
    assert run["state"] == "finished"
    assert run["latest_grid"] == 2                          # epoch_0009.png links out: not a grid here
    assert run["evaluation"] == {"classifier": {"accuracy": 0.25}}


def test_a_run_gives_its_config_grids_metrics_scores_and_controls(server):
    status, run = get_json(server, "/api/runs/dcgan")
    assert status == 200
    assert run["run"]["settings"]["config"]["latent_dim"] == 8
    assert run["grids"] == [1, 2]
    assert run["metrics"]["columns"] == ["epoch", "d_loss", "g_loss"]
    assert run["metrics"]["rows"][0][1] == pytest.approx(1.4065, abs=1e-4)
    assert run["evaluation_file"]["n"] == 20
    assert run["sample_options"] == []                      # an unconditional model: seed and n only


def test_grids_are_served_by_epoch(server, served_tree):
    status, headers, body = request(server, "/api/runs/dcgan/grids/1.png")
    assert status == 200 and headers["Content-Type"] == "image/png"
    assert body == (served_tree / "runs" / "dcgan" / "samples" / "epoch_0001.png").read_bytes()


def test_sample_png_is_the_file_ganzoo_sample_writes(server, served_tree, tmp_path):
    status, headers, body = request(server, "/api/runs/dcgan/sample.png?seed=5&n=9")
    assert status == 200 and headers["Content-Type"] == "image/png"
    out = tmp_path / "x.png"
    result = CliRunner().invoke(cli, ["sample", str(served_tree / "runs" / "dcgan"), "--seed", "5", "--n", "9",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert body == out.read_bytes()
    other = request(server, "/api/runs/dcgan/sample.png?seed=6&n=9")[2]
    assert other != body                                    # the seed reaches the model


@pytest.mark.parametrize("query, message", [
    ("n=0", "n=0: ask for 1 to 256"),
    ("n=9999", "n=9999: ask for 1 to 256"),
    ("seed=abc", "seed=abc is not a whole number"),
    ("label=3", "unknown parameter(s) label for this model; it takes: n, seed"),
])
def test_bad_sample_parameters_get_one_line(server, query, message):
    status, answer = get_json(server, f"/api/runs/dcgan/sample.png?{query}")
    assert status == 400
    assert answer["error"].startswith(message)
    assert "\n" not in answer["error"] and "Traceback" not in answer["error"]


@pytest.mark.parametrize("path", [
    "/static/../../../../etc/passwd",
    "/static/..%2F..%2F..%2Fetc%2Fpasswd",
    "/static/%2Fetc%2Fpasswd",
    "/static/app.js/../../../outside/secret.txt",
    "/api/runs/..%2Foutside%2Frun",
    "/api/runs/..%2Foutside%2Frun/grids/1.png",
    "/api/runs/%2Fetc/grids/1.png",
    "/api/runs/" + quoted("/etc/passwd"),
    "/api/runs/linked",                                    # a link to a run outside runs/
    "/api/runs/linked/grids/1.png",
    "/api/runs/dcgan/grids/9.png",                         # a grid linked out of the run
    "/api/runs/dcgan/grids/..%2F..%2F..%2Foutside%2Fsecret.txt",
    "/api/runs/dcgan/grids/..%2Frun.json",
    "/api/runs/dcgan/../../outside/secret.txt",
    "/api/runs/dcgan/run.json",
    "/api/runs/dcgan/model.keras",
    "/runs/../../outside/secret.txt",
    "/%2E%2E/outside/secret.txt",
])
def test_nothing_outside_the_run_folders_is_served(server, path):
    status, _, body = request(server, path)
    assert status == 404, (path, status)
    assert b"not for the web" not in body and b"root:" not in body and b"PK" not in body[:2]


def test_other_host_names_are_refused_on_the_loopback(server):
    """A page of another site whose name is made to resolve to 127.0.0.1 (DNS
    rebinding) sends its own name: refused."""
    status, _, body = request(server, "/api/runs", headers={"Host": "evil.example:80"})
    assert status == 404 and b"evil.example" in body
    assert request(server, "/api/runs", headers={"Host": "localhost"})[0] == 200


def test_pages_and_their_assets_are_served_from_the_package(server):
    for path in ("/", "/runs/dcgan", "/play/dcgan"):
        status, headers, body = request(server, path)
        assert status == 200 and headers["Content-Type"].startswith("text/html") and b"/static/app.js" in body
    for name in ("app.js", "plot.js", "style.css"):
        status, _, body = request(server, f"/static/{name}")
        assert status == 200 and body
    assert b"http" not in request(server, "/")[2].replace(b"http-equiv", b"")   # nothing from the network


def _upload(server, path, body, content_type="image/png", **headers):
    return request(server, path, method="POST", body=body, headers={"Content-Type": content_type, **headers})


@pytest.mark.parametrize("case", ["type", "empty", "too many bytes", "not an image", "truncated", "too many pixels",
                                  "no length"])
def test_bad_uploads_are_answered_with_one_line(server, case, monkeypatch):
    good = png_bytes(np.random.default_rng(0).integers(0, 256, (16, 16, 3), dtype=np.uint8))
    cases = {
        "type": (good, "text/plain", {}, 415, "an upload is a PNG or JPEG image"),
        "empty": (b"", "image/png", {}, 400, "the upload is empty"),
        "too many bytes": (good, "image/png", {"Content-Length": str(uploads.MAX_BYTES + 1)}, 413,
                           f"the upload is {uploads.MAX_BYTES + 1} bytes"),
        "not an image": (b"MZ\x90\x00" * 100, "image/png", {}, 400, "the upload is not a readable image"),
        "truncated": (good[: len(good) // 2], "image/png", {}, 400, "the upload is not a readable image"),
        "too many pixels": (png_bytes(np.zeros((1100, 1000), np.uint8)), "image/png", {}, 413, "the image is 1000x1100"),
        "no length": (good, "image/png", {"Content-Length": "x"}, 411, "an upload needs a Content-Length"),
    }
    body, kind, headers, status, message = cases[case]
    if case in ("too many bytes", "no length"):
        body = b""   # the headers alone are refused; nothing is read
    got, _, answer = _upload(server, "/api/runs/dcgan/sample.png", body, kind, **headers)
    assert got == status, answer
    error = json.loads(answer)["error"]
    assert error.startswith(message) and "Traceback" not in error
    # The bicubic endpoint refuses the same way.
    assert _upload(server, "/api/bicubic.png?scale=4", body, kind, **headers)[0] == status


def test_an_image_sent_to_a_model_that_takes_none_is_refused(server):
    image = png_bytes(np.zeros((8, 8, 3), np.uint8))
    status, _, body = _upload(server, "/api/runs/dcgan/sample.png", image)
    assert status == 400 and json.loads(body)["error"].startswith("this model takes no image")


def test_bicubic_enlarges_the_upload(server):
    image = png_bytes(np.random.default_rng(1).integers(0, 256, (10, 12, 3), dtype=np.uint8))
    status, headers, body = _upload(server, "/api/bicubic.png?scale=3", image)
    assert status == 200 and headers["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(body)).size == (36, 30)
    assert _upload(server, "/api/bicubic.png?scale=99", image)[0] == 400


def test_concurrent_requests_each_get_their_own_seed(server):
    """Eight clients at once on one model: each picture is the one its seed
    draws alone (the model's lock keeps generations apart)."""
    expected = {seed: request(server, f"/api/runs/dcgan/sample.png?seed={seed}&n=4")[2] for seed in range(4)}
    assert len(set(expected.values())) == 4
    seeds = [i % 4 for i in range(16)]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda s: request(server, f"/api/runs/dcgan/sample.png?seed={s}&n=4"), seeds))
    assert [a[0] for a in answers] == [200] * 16
    assert [a[2] for a in answers] == [expected[s] for s in seeds]


def _snapshot(folder):
    seen = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = os.path.join(root, name)
            stat = os.lstat(path)
            digest = None
            if os.path.isfile(path) and not os.path.islink(path):
                digest = hashlib.sha256(open(path, "rb").read()).hexdigest()
            seen[os.path.relpath(path, folder)] = (digest, stat.st_mtime_ns)
    return seen


def test_serving_writes_nothing_into_the_run_folders(server, served_tree):
    before = _snapshot(served_tree)
    for path in ("/api/runs", "/api/runs/dcgan", "/api/runs/dcgan/grids/2.png", "/api/runs/dcgan/sample.png?n=2",
                 "/", "/play/dcgan"):
        assert request(server, path)[0] == 200
    _upload(server, "/api/runs/dcgan/sample.png", png_bytes(np.zeros((8, 8, 3), np.uint8)))
    assert _snapshot(served_tree) == before


def test_a_run_is_training_while_a_live_process_holds_its_lock(tmp_path):
    """The lock `ganzoo fit` holds: this process's pid (alive) reads as
    training; a pid that is gone as a stopped run (finished: it has its model)."""
    import shutil
    import socket

    from ganzoo.serve import runs as runs_lib

    run = tmp_path / "run"
    shutil.copytree(FIXTURE_RUN, run)
    assert runs_lib.state_of(run) == "finished"
    (run / ".lock").write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname()}))
    assert runs_lib.state_of(run) == "training"
    (run / ".lock").write_text(json.dumps({"pid": 2 ** 22 + 7, "host": socket.gethostname()}))
    assert runs_lib.state_of(run) == "finished"
    (run / "model.keras").unlink()
    assert runs_lib.state_of(run) == "interrupted"


def test_a_connection_the_browser_drops_prints_no_traceback(server, capsys):
    """Browsers reset kept-alive connections when a page is left."""
    import socket
    import struct
    import time

    connection = socket.create_connection(("127.0.0.1", server.server_address[1]))
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.sendall(b"GET /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    time.sleep(0.5)
    connection.close()                        # linger 0: a reset, as a browser's
    time.sleep(0.5)
    assert request(server, "/api/runs")[0] == 200
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.slow   # four model loads
def test_loaded_models_are_kept_reloaded_when_the_run_saves_and_evicted_oldest_first(tmp_path):
    import shutil

    from ganzoo.serve.play import Models

    for name in ("a", "b"):
        shutil.copytree(FIXTURE_RUN, tmp_path / name)
    started = []
    models = Models(size=1, prepare=lambda: started.append(1))
    first = models.get("a", tmp_path / "a")
    assert models.get("a", tmp_path / "a") is first                    # kept
    stat = os.stat(tmp_path / "a" / "model.keras")
    os.utime(tmp_path / "a" / "model.keras", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    second = models.get("a", tmp_path / "a")                           # a newer model.keras: loaded again
    assert second is not first and second.lock is not first.lock
    models.get("b", tmp_path / "b")                                    # size 1: "a" goes
    assert models.get("a", tmp_path / "a") is not second
    assert started == [1]                                              # prepared once, before the first load
