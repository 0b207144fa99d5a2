"""One process per run directory: a lock file holding the owner's pid and host.

`RUN/.lock` is created exclusively (`O_EXCL`), so two `ganzoo fit` on one
run cannot both start. A lock left by a process that is gone (killed, power
cut) is taken over with a message; a lock held by a live process, or by a
process on another host that cannot be checked from here, is a one-line
refusal.
"""

from __future__ import annotations

import json
import os
import socket
import time

from ganzoo.errors import GanzooError
from ganzoo.files import read_json

LOCK_FILE = ".lock"


class RunLock:
    """Holds `directory/.lock` from `acquire()` to `release()` (or the end of
    a `with` block).

    Args:
        directory: the run directory (created if missing).
        echo: prints the message when a stale lock is taken over.
    """

    def __init__(self, directory, echo=print):
        self.directory = directory
        self.path = os.path.join(directory, LOCK_FILE)
        self.echo = echo
        self.held = False
        self.created = False

    def acquire(self):
        self.created = not os.path.exists(self.directory)
        try:
            os.makedirs(self.directory, exist_ok=True)
        except OSError as exc:
            raise GanzooError(f"cannot create the run directory {self.directory}: {exc.strerror}; "
                              "choose another --out") from None
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                self._take_over_if_stale()
                continue
            except OSError as exc:
                raise GanzooError(f"cannot write in the run directory {self.directory}: {exc.strerror}; "
                                  "check its permissions or choose another --out") from None
            with os.fdopen(fd, "w") as f:
                json.dump(_me(), f)
            self.held = True
            return self
        raise GanzooError(f"{self.path} could not be taken; another process is starting on this run")

    def _take_over_if_stale(self):
        holder = read_json(self.path)
        if holder is None:  # empty or half-written: its writer died before finishing
            age = time.time() - _mtime(self.path)
            if age < 10:
                raise GanzooError(f"{self.directory} is being opened by another process; try again in a moment")
        elif holder.get("host") != socket.gethostname():
            raise GanzooError(
                f"{self.directory} is locked by pid {holder.get('pid')} on host {holder.get('host')}; if no "
                f"ganzoo runs there on it any more, delete {self.path} and try again"
            )
        elif _alive(holder.get("pid")):
            raise GanzooError(
                f"{self.directory} is in use by another ganzoo process (pid {holder['pid']}); wait for it to "
                "finish or stop it, or choose another --out"
            )
        else:
            self.echo(f"taking over the lock of {self.directory} from pid {holder.get('pid')}, "
                      "which is no longer running")
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass

    def release(self):
        if self.held:
            try:
                if (read_json(self.path) or {}).get("pid") == os.getpid():
                    os.unlink(self.path)
                if self.created and not os.listdir(self.directory):
                    os.rmdir(self.directory)  # a run that failed before writing anything leaves no trace
            except OSError:
                pass
            self.held = False

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()


def live_holder(directory):
    """The `{"pid", "host", "since"}` of the process training in `directory`
    now, or None: no lock, a half-written one, or one left by a process that
    is gone. A lock of another host counts as live (it cannot be checked from
    here). Reads only."""
    holder = read_json(os.path.join(directory, LOCK_FILE))
    if not isinstance(holder, dict):
        return None
    if holder.get("host") != socket.gethostname():
        return holder
    return holder if _alive(holder.get("pid")) else None


def _me():
    return {"pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%Y-%m-%dT%H:%M:%S")}



def _mtime(path):
    try:
        return os.path.getmtime(path)
    except OSError:
        return 0.0


def _alive(pid):
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # somebody else's live process
        return True
    return _not_zombie(pid)


def _not_zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True
