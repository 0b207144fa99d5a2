"""Old home of `RandomStream`; the module is `ganzoo.random_streams` now
(this name shadowed the standard library's `random` in tracebacks and tools)."""

from ganzoo.random_streams import RandomStream

__all__ = ["RandomStream"]
