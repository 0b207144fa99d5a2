"""Run folders to serve (session-scoped: made once) and a server over them."""

import pathlib
import shutil

import pytest
from serve_helpers import serving

FIXTURE_RUN = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "run_dcgan_v0"


@pytest.fixture(scope="session")
def served_tree(tmp_path_factory):
    """runs/dcgan (a copy of the old fixture run, with a second grid), and
    next to runs/ what must never be served: outside/secret.txt, a run
    folder outside/run, runs/linked -> outside/run, and a grid linked out."""
    base = tmp_path_factory.mktemp("served")
    runs = base / "runs"
    runs.mkdir()
    shutil.copytree(FIXTURE_RUN, runs / "dcgan")
    first = runs / "dcgan" / "samples" / "epoch_0001.png"
    from PIL import Image, ImageOps

    with Image.open(first) as image:   # a second, different grid, so the grid slider has two
        ImageOps.invert(image.convert("L")).save(runs / "dcgan" / "samples" / "epoch_0002.png")
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not for the web\n")
    shutil.copytree(FIXTURE_RUN, outside / "run")
    (runs / "linked").symlink_to(outside / "run", target_is_directory=True)
    (runs / "dcgan" / "samples" / "epoch_0009.png").symlink_to(outside / "run" / "samples" / "epoch_0001.png")
    (runs / "dcgan" / "evaluation.json").write_text(
        '{"source": "digits", "split": "train", "n": 20, "seed": 0, "results": {"classifier": '
        '{"accuracy": 0.25, "protocol": {"model": "x"}}}}')
    return base


@pytest.fixture(scope="session")
def server(served_tree):
    with serving([served_tree / "runs"]) as started:
        yield started
