"""`ganzoo serve`: a local web explorer of run folders (the Runs page, a
run's curves, grids and configuration, and Play: the model's `ganzoo sample`
controls live), over a small HTTP API scripts can use (docs/explorer.md).

Everything is read-only: runs are found and read by `ganzoo.serve.runs`,
models loaded by `ganzoo.training.run_files.load_run_model` (Keras' safe
mode) and drawn by `ganzoo.sampling.sample`, into the server's own
temporary folder.
"""

from __future__ import annotations

from ganzoo.errors import GanzooError
from ganzoo.serve.server import make_server

__all__ = ["LOOPBACK", "make_server", "serve"]

LOOPBACK = "127.0.0.1"


def serve(roots=("runs",), host=LOOPBACK, port=8000, models=2, echo=print, prepare=None):
    """Serves the runs under `roots` until Ctrl-C.

    Args:
        roots: folders to find run folders in (each must exist).
        host: the address to bind; the default lets only this machine in.
        port: the port; 0 takes a free one.
        models: how many loaded models to keep in memory.
        echo: prints the address (and the warning of a non-loopback host).
        prepare: called once before the first model loads.

    Example:

    ```python
    ganzoo.serve.serve(["runs"], port=0)   # prints http://127.0.0.1:PORT/
    ```
    """
    import os

    missing = [r for r in roots if not os.path.isdir(r)]
    if missing:
        raise GanzooError(f"{missing[0]} is not a folder; pass the folder your runs are in (ganzoo fit writes "
                          "them to runs/ by default)")
    server = make_server(roots, host=host, port=port, models=models, prepare=prepare)
    if host not in (LOOPBACK, "localhost", "::1"):
        echo(f"warning: listening on {host}: anyone who can reach this machine can see these runs and use "
             "the models; there is no password")
    bound_host, bound_port = server.server_address[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    echo(f"serving {len(server.explorer.runs())} run(s) from {', '.join(server.explorer.roots)} at "
         f"http://{shown}:{bound_port}/  (Ctrl-C stops)")
    try:
        server.serve_forever()
    finally:
        server.server_close()
        server.explorer.close()
