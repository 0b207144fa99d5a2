"""Shared helpers for the ganzoo.data tests: small image folders written with PIL."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402


def write_image(path, size=(20, 30), color=None, mode="RGB", seed=0):
    """Writes an image of `size` (H, W): solid `color` if given, else noise."""
    height, width = size
    channels = {"RGB": 3, "L": 1}[mode]
    if color is None:
        rng = np.random.default_rng(seed)
        array = rng.integers(0, 256, (height, width, channels), dtype=np.uint8)
    else:
        array = np.broadcast_to(np.asarray(color, np.uint8), (height, width, channels)).copy()
    if channels == 1:
        array = array[..., 0]
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array, mode).save(path)
    return path


@pytest.fixture(name="write_image")
def write_image_fixture():
    """The `write_image` helper, as a fixture so tests need not import conftest."""
    return write_image


@pytest.fixture
def plain_folder(tmp_path):
    """Five PNGs and one JPEG, 20x30 RGB, plus a text file that must be ignored."""
    folder = tmp_path / "plain"
    for i in range(5):
        write_image(folder / f"img{i}.png", seed=i)
    write_image(folder / "photo.JPEG", seed=9)
    (folder / "notes.txt").write_text("not an image")
    return folder


@pytest.fixture
def class_folder(tmp_path):
    """`cat/` (3 black images) and `dog/` (2 white images), 16x16 RGB."""
    folder = tmp_path / "pets"
    for i in range(3):
        write_image(folder / "cat" / f"{i}.png", size=(16, 16), color=(0, 0, 0))
    for i in range(2):
        write_image(folder / "dog" / f"{i}.jpg", size=(16, 16), color=(255, 255, 255))
    return folder
