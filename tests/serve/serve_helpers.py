"""A `ganzoo serve` in a thread of the test process, over copies of run
folders, and a raw HTTP client (raw: `http.client` sends `..` and `%2F` as
written, where a browser or urllib would tidy them away)."""

import contextlib
import time
import http.client
import pathlib
import threading
import urllib.parse

from ganzoo.serve import make_server

#: An old dcgan run folder (4 steps, its final model): the run the fast tests serve.
FIXTURE_RUN = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "run_dcgan_v0"



@contextlib.contextmanager
def serving(roots, **kwargs):
    """A started server over `roots`; yields it (its port: `server.server_address[1]`)."""
    server = make_server([str(r) for r in roots], port=0, **kwargs)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        server.explorer.close()
        thread.join(10)


def request(server, path, method="GET", body=None, headers=None):
    """(status, headers dict, body bytes) of one request sent exactly as `path` is written."""
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=120)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        headers = {"Host": f"127.0.0.1:{server.server_address[1]}", **(headers or {})}
        if body is not None:
            headers.setdefault("Content-Length", str(len(body)))
        for key, value in headers.items():
            connection.putheader(key, value)
        connection.endheaders()
        if body:
            connection.send(body)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def quoted(name):
    return urllib.parse.quote(name, safe="")


def wait_for(condition, timeout=60, what="the page"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"{what} did not appear within {timeout} s")


def loaded_image(browser, css):
    """The element `css` once it is an image the browser has decoded."""
    from selenium.webdriver.common.by import By

    def ready():
        found = browser.find_elements(By.CSS_SELECTOR, css)
        if found and browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0",
                                            found[0]):
            return found[0]
        return None

    return wait_for(ready, what=css)


def no_script_errors(browser):
    errors = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
