"""The pages of `ganzoo serve` in a real browser: headless Chromium (Debian's
`chromium` and `chromium-driver` packages) opens each page, moves a control,
and the picture on the screen changes.

Without Chromium these tests fail (they never skip): install it with
`apt-get install -y chromium chromium-driver` (`.ci/run` does).
"""

import pytest
from serve_helpers import loaded_image, no_script_errors, wait_for

pytestmark = pytest.mark.slow


def url(server, path):
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def test_runs_page_lists_the_run_with_its_grid_and_state(browser, server):
    from selenium.webdriver.common.by import By

    browser.get(url(server, "/"))
    row = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "tr[data-run='dcgan']"), what="the run's row")[0]
    assert "finished" in row.text and "4 / 4" in row.text and "classifier.accuracy 0.2500" in row.text
    loaded_image(browser, "tr[data-run='dcgan'] img")
    assert browser.find_elements(By.CSS_SELECTOR, "tr[data-run='linked']") == []
    no_script_errors(browser)


def test_run_page_draws_curves_and_its_slider_changes_the_grid(browser, server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(url(server, "/runs/dcgan"))
    image = loaded_image(browser, "#grid-image")
    assert image.get_attribute("src").endswith("/grids/2.png")     # the latest grid first
    before = image.screenshot_as_png
    plot = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "canvas[data-metric='d_loss']"))[0]
    # The plot is drawn: its canvas holds pixels other than the background.
    drawn = browser.execute_script(
        "const c = arguments[0], d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        "let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n;", plot)
    assert drawn > 500
    browser.find_element(By.ID, "grid-slider").send_keys(Keys.ARROW_LEFT)      # move the slider
    wait_for(lambda: image.get_attribute("src").endswith("/grids/1.png"), what="epoch 1's grid")
    loaded_image(browser, "#grid-image")
    assert image.screenshot_as_png != before
    assert '"plugin": "dcgan"' in browser.find_element(By.ID, "config").text
    no_script_errors(browser)


def test_play_page_draws_and_a_new_seed_changes_the_picture(browser, server):
    from selenium.webdriver.common.by import By

    browser.get(url(server, "/play/dcgan"))
    first = loaded_image(browser, "#sample")
    before = first.screenshot_as_png
    assert "ganzoo sample dcgan --seed 0 --n 16 --out sample.png" in browser.find_element(By.ID, "command").text
    seed = browser.find_element(By.ID, "opt-seed")
    seed.clear()
    seed.send_keys("7\n")
    browser.execute_script("arguments[0].dispatchEvent(new Event('change'))", seed)
    wait_for(lambda: "--seed 7" in browser.find_element(By.ID, "command").text, what="the seed-7 command")
    wait_for(lambda: browser.find_element(By.ID, "status").text == "", what="the seed-7 picture")
    after = loaded_image(browser, "#sample").screenshot_as_png
    assert after != before
    no_script_errors(browser)
