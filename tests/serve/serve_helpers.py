"""A `ganzoo serve` in a thread of the test process, over copies of run
folders, and a raw HTTP client (raw: `http.client` sends `..` and `%2F` as
written, where a browser or urllib would tidy them away)."""

import contextlib
import http.client
import threading
import urllib.parse

from ganzoo.serve import make_server



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


