"""The one-line error for a training step that XLA (`--jit`) cannot compile."""

from __future__ import annotations

from ganzoo.errors import GanzooError


def raise_for_xla(exc, plugin_name, out):
    """Raises a one-line `GanzooError` when `exc` is XLA refusing the step;
    returns otherwise, and the caller re-raises `exc`.

    Args:
        exc: the exception `fit()` raised.
        plugin_name: the plugin trained, named in the message.
        out: the run directory, kept for `--resume`.
    """
    from ganzoo.backend import unsupported_by_xla

    unsupported = unsupported_by_xla(exc)
    if unsupported is not None:
        raise GanzooError(f"XLA (--jit) cannot compile {plugin_name}'s training step on this device ("
                          f"{xla_reason(unsupported)}); run the same command with --no-jit and --resume "
                          f"(the run directory {out} is kept)") from None


def xla_reason(unsupported):
    """The reason in words: a shape XLA cannot fix, or the operations it has no kernel for."""
    if unsupported and unsupported[0].startswith("a shape"):
        return unsupported[0]
    return f"no XLA kernel for {', '.join(unsupported)}"
