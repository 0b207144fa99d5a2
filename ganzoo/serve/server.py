"""The HTTP server of `ganzoo serve`: the standard library's
`ThreadingHTTPServer`, one thread per request.

Routes (docs/explorer.md documents them for scripts):

    GET  /  /runs/NAME  /play/NAME          the pages (one HTML file; its script draws each)
    GET  /static/FILE                       the page's script and style, from the package
    GET  /api/runs                          every run found: a list of summaries
    GET  /api/runs/NAME                     one run: summary, run.json, grids, metrics, scores, controls
    GET  /api/runs/NAME/grids/EPOCH.png     the grid of an epoch
    GET  /api/runs/NAME/sample.png?...      what `ganzoo sample` writes for the same options
    POST /api/runs/NAME/sample.png?...      the same, the request body the image `--input` reads
    POST /api/bicubic.png?scale=K           the body enlarged K times, bicubic

A run's NAME is looked up among the runs found, never joined to a path, and
its files are read only when they lie inside it; static files come from a
fixed table. So nothing outside the given folders is served.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import socket
import tempfile
import urllib.parse
from importlib import resources

from ganzoo.errors import GanzooError
from ganzoo.serve import play, uploads
from ganzoo.serve import runs as runs_lib

#: The files under /static/ and their content types; nothing else is served from the package.
STATIC = {"app.js": "text/javascript", "plot.js": "text/javascript", "style.css": "text/css",
          "index.html": "text/html"}

#: Host names a server on the loopback answers to (a page of another site that rebinds
#: its name to 127.0.0.1 sends its own name, and is refused).
LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]", "::1")


class Explorer:
    """What the handler serves: the run folders, the loaded models and a
    scratch folder for the pictures being made.

    Args:
        roots: the folders to find runs in.
        models: how many loaded models to keep.
        local_only: answer only requests addressed to a loopback name.
        prepare: called once before the first model loads.
    """

    def __init__(self, roots, models=2, local_only=True, prepare=None):
        self.roots = [os.path.realpath(r) for r in roots]
        self.models = play.Models(models, prepare)
        self.local_only = local_only
        self.scratch = tempfile.mkdtemp(prefix="ganzoo-serve-")

    def runs(self):
        return runs_lib.find_runs(self.roots)

    def folder(self, name):
        found = self.runs().get(name)
        if found is None:
            raise NotFound(f"no run named {name!r} under {', '.join(self.roots)}")
        return found[0]

    def close(self):
        shutil.rmtree(self.scratch, ignore_errors=True)


def host_name(header):
    """The name in a Host header, without its port (`[::1]:8000` -> `[::1]`)."""
    header = header or ""
    return header.split("]")[0] + "]" if header.startswith("[") else header.rsplit(":", 1)[0]


class NotFound(GanzooError):
    """Answered with 404."""


class Handler(http.server.BaseHTTPRequestHandler):
    """One request: routes it, answers errors as one-line JSON messages."""

    server_version = "ganzoo-serve"
    protocol_version = "HTTP/1.1"
    explorer: Explorer = None       # set on the subclass `make_server` builds

    timeout = 120   # seconds an idle kept-alive connection holds its thread

    def handle(self):
        try:
            super().handle()
        except (ConnectionResetError, BrokenPipeError):
            pass   # the browser dropped a kept-alive connection (a page was left): not an error

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass   # the terminal shows the address and errors, not every image the page asks for

    def do_GET(self):  # noqa: N802 - http.server's name
        self._answer("GET")

    def do_POST(self):  # noqa: N802
        self.close_connection = True   # a body left unread by a refusal must not be read as the next request
        self._answer("POST")

    def _answer(self, method):
        try:
            self._check_host()
            parsed = urllib.parse.urlsplit(self.path)
            # Split before decoding, so an encoded "/" (%2F) stays inside its segment.
            parts = [urllib.parse.unquote(p) for p in parsed.path.split("/")[1:]]
            query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
            self._route(method, parts, query)
        except NotFound as exc:
            self._json({"error": str(exc)}, 404)
        except uploads.UploadError as exc:
            self._json({"error": str(exc)}, exc.status)
        except GanzooError as exc:
            self._json({"error": str(exc)}, 400)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as exc:  # noqa: BLE001 - the client gets one line, never a traceback
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            self._json({"error": f"{type(exc).__name__}: {first}"}, 500)

    def _check_host(self):
        if not self.explorer.local_only:
            return
        host = host_name(self.headers.get("Host"))
        if host not in LOCAL_NAMES:
            raise NotFound(f"this server answers requests to 127.0.0.1 or localhost, not {host!r}")

    def _route(self, method, parts, query):
        explorer = self.explorer
        if method == "GET" and (parts in ([""], ["runs", ""], ["play", ""])
                                or (len(parts) == 2 and parts[0] in ("runs", "play"))):
            return self._static("index.html")
        if method == "GET" and len(parts) == 2 and parts[0] == "static":
            return self._static(parts[1])
        if parts[:1] != ["api"]:
            raise NotFound(f"no page at {self.path}")
        if method == "POST" and parts == ["api", "bicubic.png"]:
            return self._bicubic(query)
        if parts == ["api", "runs"] and method == "GET":
            return self._json([runs_lib.summary(name, folder) for name, (folder, _) in explorer.runs().items()])
        if len(parts) < 3 or parts[1] != "runs":
            raise NotFound(f"no API route {self.path}")
        name, rest = parts[2], parts[3:]
        folder = explorer.folder(name)
        if method == "GET" and rest == []:
            return self._json(self._details(name, folder))
        if method == "GET" and len(rest) == 2 and rest[0] == "grids":
            return self._grid(folder, rest[1])
        if rest == ["sample.png"]:
            return self._sample(method, name, folder, query)
        raise NotFound(f"no API route {method} {self.path}")

    def _details(self, name, folder):
        from ganzoo.registry import get_plugin

        found = runs_lib.details(name, folder)
        try:
            found["sample_options"] = play.declared_options(get_plugin(found["plugin"]))
        except (GanzooError, TypeError):
            found["sample_options"] = []
        return found

    def _grid(self, folder, file_name):
        epoch = file_name[:-4] if file_name.endswith(".png") else ""
        for number, path in runs_lib.grids(folder):
            if epoch.isdigit() and number == int(epoch):
                with open(path, "rb") as f:
                    return self._bytes(f.read(), "image/png", cache=True)
        raise NotFound(f"no grid {file_name} in this run")

    def _sample(self, method, name, folder, query):
        with tempfile.TemporaryDirectory(dir=self.explorer.scratch) as scratch:
            upload = self._upload(scratch) if method == "POST" else None   # a bad file is refused before loading
            loaded = self.explorer.models.get(name, folder)
            png = play.sample_png(loaded, query, scratch, upload=upload)
        self._bytes(png, "image/png")

    def _bicubic(self, query):
        try:
            scale = int((query.get("scale") or ["4"])[-1])
        except ValueError:
            raise uploads.UploadError("scale is a whole number") from None
        with tempfile.TemporaryDirectory(dir=self.explorer.scratch) as scratch:
            png = uploads.bicubic_png(self._upload(scratch), scale, scratch)
        self._bytes(png, "image/png")

    def _upload(self, scratch):
        """The request body as a checked image file in `scratch`."""
        length = self.headers.get("Content-Length")
        try:
            length = None if length is None else int(length)
        except ValueError:
            length = None
        suffix = uploads.check_header(self.headers.get("Content-Type"), length)
        return uploads.save_upload(self.rfile.read(length), suffix, scratch)

    def _static(self, file_name):
        if file_name not in STATIC:
            raise NotFound(f"no file /static/{file_name}")
        data = resources.files("ganzoo.serve").joinpath("static", file_name).read_bytes()
        self._bytes(data, STATIC[file_name] + "; charset=utf-8")

    def _json(self, value, status=200):
        self._bytes(json.dumps(value).encode(), "application/json", status)

    def _bytes(self, data, content_type, status=200, cache=False):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "max-age=60" if cache else "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


def make_server(roots, host="127.0.0.1", port=8000, models=2, prepare=None):
    """A `ThreadingHTTPServer` serving the runs under `roots` (not started:
    call `serve_forever()`; `server.explorer.close()` after).

    Args:
        roots: folders to find runs in.
        host: the address to bind; anything but the loopback lets other
            machines in (the CLI warns).
        port: the port; 0 takes a free one (`server.server_address`).
        models: how many loaded models to keep.
        prepare: called once before the first model loads.
    """
    local = host in ("127.0.0.1", "localhost", "::1")
    explorer = Explorer(roots, models=models, local_only=local, prepare=prepare)
    handler = type("ExplorerHandler", (Handler,), {"explorer": explorer})
    server_class = http.server.ThreadingHTTPServer
    if ":" in host:
        server_class = type("ThreadingHTTPServer6", (server_class,), {"address_family": socket.AF_INET6})
    try:
        server = server_class((host, port), handler)
    except OSError as exc:
        explorer.close()
        raise GanzooError(f"cannot listen on {host}:{port} ({exc.strerror}); pass another --port (0 takes a "
                          "free one)") from None
    server.daemon_threads = True
    server.explorer = explorer
    return server
