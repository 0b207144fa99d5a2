"""The Play page's controls of every kind of model, through the API: for the
same options, `sample.png` is the file `ganzoo sample` writes, pixel for
pixel (label, caption, truncation, two seeds mixed at a layer, a walk, an
uploaded image with a direction); the controls are the model's sample flags."""

import io
import json

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image
from serve_helpers import loaded_image, no_script_errors, request, serving, wait_for

from ganzoo.cli import cli

pytestmark = pytest.mark.slow   # five tiny `ganzoo fit` runs first (about a minute on 2 cores)

RUNS = {
    "cgan": ["--steps", "2", "--batch-size", "8", "--set", "generator_filters=4", "--set", "discriminator_filters=4",
             "--set", "latent_dim=8"],
    "stylegan2": ["--steps", "2", "--batch-size", "4", "--set", "latent_dim=8", "--set", "style_dim=8",
                  "--set", "mapping_layers=1", "--set", "generator_filters=4", "--set", "discriminator_filters=4"],
    "text2image": ["--steps", "2", "--batch-size", "8", "--set", "generator_filters=4",
                   "--set", "discriminator_filters=4", "--set", "latent_dim=8"],
    "srgan": ["--steps", "2", "--batch-size", "2", "--set", "generator_filters=4", "--set", "residual_blocks=1",
              "--set", "discriminator_filters=4", "--set", "discriminator_dense=8", "--set", "pretrain_steps=1",
              "--set", "content_loss=mse"],
    "cyclegan": ["--steps", "2", "--batch-size", "2", "--set", "generator_filters=4",
                 "--set", "discriminator_filters=4", "--set", "residual_blocks=1", "--set", "pool_size=3"],
}


@pytest.fixture(scope="module")
def plugin_runs(tmp_path_factory):
    import keras

    root = tmp_path_factory.mktemp("plugin-runs") / "runs"
    for plugin, flags in RUNS.items():
        result = CliRunner().invoke(cli, ["fit", plugin, "--out", str(root / plugin), "--seed", "0", "--quiet", *flags])
        assert result.exit_code == 0, result.output
    keras.mixed_precision.set_global_policy("float32")
    return root


@pytest.fixture(scope="module")
def plugin_server(plugin_runs):
    with serving([plugin_runs], models=2) as server:
        yield server


def photo(tmp_path, size=(12, 10)):
    path = tmp_path / "photo.png"
    Image.fromarray(np.random.default_rng(3).integers(0, 256, (*size[::-1], 3), dtype=np.uint8)).save(path)
    return path


def cli_png(run, args, tmp_path):
    out = tmp_path / "cli.png"
    out.unlink(missing_ok=True)
    result = CliRunner().invoke(cli, ["sample", str(run), *args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)))


@pytest.mark.parametrize("plugin, query, args", [
    ("cgan", "seed=2&n=3&label=7&label=1", ["--seed", "2", "--n", "3", "--label", "7", "--label", "1"]),
    ("cgan", "seed=1&n=2", ["--seed", "1", "--n", "2"]),        # no label: a row per class
    ("text2image", "seed=4&n=3&text=a+small+red+circle", ["--seed", "4", "--n", "3", "--text", "a small red circle"]),
    ("stylegan2", "seed=5&n=4&truncation_psi=0.5", ["--seed", "5", "--n", "4", "--truncation-psi", "0.5"]),
    ("stylegan2", "seed=3&mix_with=8&crossover=2", ["--seed", "3", "--mix-with", "8", "--crossover", "2"]),
    ("stylegan2", "seed=3&walk_to=8&interpolate=5", ["--seed", "3", "--walk-to", "8", "--interpolate", "5"]),
    ("stylegan2", "mix=1", ["--mix"]),
])
def test_sample_png_is_what_ganzoo_sample_writes(plugin_server, plugin_runs, tmp_path, plugin, query, args):
    status, _, body = request(plugin_server, f"/api/runs/{plugin}/sample.png?{query}")
    assert status == 200, body
    expected = cli_png(plugin_runs / plugin, args, tmp_path)
    np.testing.assert_array_equal(pixels(body), pixels(expected))
    assert body == expected


@pytest.mark.parametrize("plugin, query, args", [
    ("srgan", "", []),
    ("cyclegan", "direction=b2a", ["--direction", "b2a"]),
    ("cyclegan", "", []),
])
def test_an_uploaded_image_gives_what_ganzoo_sample_input_writes(plugin_server, plugin_runs, tmp_path, plugin,
                                                                 query, args):
    path = photo(tmp_path)
    status, _, body = request(plugin_server, f"/api/runs/{plugin}/sample.png?{query}", method="POST",
                              body=path.read_bytes(), headers={"Content-Type": "image/png"})
    assert status == 200, body
    expected = cli_png(plugin_runs / plugin, ["--input", str(path), *args], tmp_path)
    assert body == expected
    if plugin == "srgan":
        assert pixels(body).shape[:2] == (40, 48)                # x4


def test_the_controls_are_the_models_sample_flags(plugin_server):
    keys = {}
    for plugin in RUNS:
        run = json.loads(request(plugin_server, f"/api/runs/{plugin}")[2])
        keys[plugin] = [o["key"] for o in run["sample_options"]]
    assert keys == {"cgan": ["label"], "text2image": ["text"],
                    "stylegan2": ["mix", "interpolate", "truncation_psi", "mix_with", "crossover", "walk_to"],
                    "srgan": ["input"], "cyclegan": ["input", "direction"]}


def test_a_wrong_option_gets_the_commands_message(plugin_server):
    status, _, body = request(plugin_server, "/api/runs/cgan/sample.png?label=seven")
    assert status == 400
    assert "'seven' is not a valid integer" in json.loads(body)["error"]
    status, _, body = request(plugin_server, "/api/runs/srgan/sample.png?input=/etc/passwd")
    assert status == 400 and json.loads(body)["error"].startswith("input is a file: POST the image")
    status, _, body = request(plugin_server, "/api/runs/srgan/sample.png")
    assert status == 400 and "input" in json.loads(body)["error"]   # --input under the ganzoo command


def test_play_page_shows_input_bicubic_and_the_models_output_side_by_side(browser, plugin_server, tmp_path):
    """An enlarging model (x4): input, bicubic x4 and the model's x4 appear, one size."""
    from selenium.webdriver.common.by import By

    browser.get(f"http://127.0.0.1:{plugin_server.server_address[1]}/play/srgan")
    wait_for(lambda: browser.find_elements(By.ID, "opt-input"), what="the upload control")
    browser.find_element(By.ID, "opt-input").send_keys(str(photo(tmp_path)))
    shown = [loaded_image(browser, f"#{name}") for name in ("input", "bicubic", "sample")]
    assert [image.size["width"] for image in shown] == [shown[2].size["width"]] * 3
    captions = [c.text for c in browser.find_elements(By.CSS_SELECTOR, "#result figcaption")]
    assert captions == ["input", "bicubic x4", "model x4"]
    assert "ganzoo sample srgan --input photo.png" in browser.find_element(By.ID, "command").text
    no_script_errors(browser)


def test_play_page_truncation_control_changes_the_picture(browser, plugin_server):
    from selenium.webdriver.common.by import By

    browser.get(f"http://127.0.0.1:{plugin_server.server_address[1]}/play/stylegan2")
    before = loaded_image(browser, "#sample").screenshot_as_png
    psi = browser.find_element(By.ID, "opt-truncation_psi")
    psi.clear()
    psi.send_keys("0")
    browser.execute_script("arguments[0].dispatchEvent(new Event('change'))", psi)
    wait_for(lambda: "--truncation-psi 0" in browser.find_element(By.ID, "command").text, what="the psi-0 command")
    wait_for(lambda: browser.find_element(By.ID, "status").text == "", what="the psi-0 picture")
    assert loaded_image(browser, "#sample").screenshot_as_png != before
    no_script_errors(browser)
