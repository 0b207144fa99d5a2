"""Run folders to serve (session-scoped: made once) and a server over them."""

import shutil

import pytest
from serve_helpers import FIXTURE_RUN, serving


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


INSTALL = "apt-get install -y chromium chromium-driver"


@pytest.fixture(scope="session")
def browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chromium is None or driver is None:
        pytest.fail(f"the browser tests need Chromium and its driver: {INSTALL} (as root), then run them again")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail('the browser tests need selenium: pip install ".[test]"')
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,900", "--force-device-scale-factor=1"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # The driver is the one Debian installed: selenium must not look for (download) one.
    session = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    session.set_page_load_timeout(60)
    yield session
    session.quit()
