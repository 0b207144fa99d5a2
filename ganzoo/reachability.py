"""Whether a server can be reached, answered within seconds.

Offline, TFDS and Keras' file cache retry for minutes before they fail; ganzoo
asks first, so that a download that cannot happen fails in one line at once.
"""

from __future__ import annotations

import os
import socket
import threading


def reachable(host, port, timeout=3.0):
    """Whether a TCP connection to `host:port` succeeds within about `timeout` s.

    The DNS lookup counts too (the socket's own timeout does not bound it, hence
    the thread). Always False when the environment variable `GANZOO_OFFLINE`
    is set.

    Example:

    >>> reachable("storage.googleapis.com", 443, timeout=1.0)
    False
    """
    if os.environ.get("GANZOO_OFFLINE"):
        return False
    result = []

    def probe():
        try:
            with socket.create_connection((host, port), timeout=timeout):
                result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout + 0.5)
    return bool(result and result[0])
