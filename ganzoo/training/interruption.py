"""Ctrl-C (and a scheduler's SIGTERM) during `ganzoo fit`: save, then stop.

The first signal asks the checkpoint callback to save after the step that is
running and to stop; a second Ctrl-C stops at once (the last checkpoint is
kept either way, since checkpoints are committed atomically).
"""

from __future__ import annotations

import contextlib
import signal
import threading

from ganzoo.errors import GanzooError


class Interrupted(GanzooError):
    """Training stopped on request after saving a checkpoint."""


class Interruption:
    """`requested` turns True at the first SIGINT/SIGTERM while installed."""

    def __init__(self, echo=print):
        self.requested = False
        self.echo = echo

    def _handle(self, signum, frame):
        if self.requested and signum == signal.SIGINT:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            raise KeyboardInterrupt
        self.requested = True
        self.echo("\nstopping after this step to save a checkpoint (press Ctrl-C again to quit at once)")

    @contextlib.contextmanager
    def installed(self):
        """Handles the signals inside the block (main thread only; elsewhere
        signals keep their handlers)."""
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
        for s in saved:
            signal.signal(s, self._handle)
        try:
            yield self
        finally:
            for s, handler in saved.items():
                signal.signal(s, handler)
