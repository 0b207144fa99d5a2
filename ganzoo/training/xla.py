"""The one-line error for a training step that XLA (`--jit`) cannot compile."""

from __future__ import annotations

import re

from ganzoo.errors import GanzooError


def raise_for_xla(exc, plugin_name, out):
    """Raises a one-line `GanzooError` when `exc` is XLA refusing the step;
    returns otherwise, and the caller re-raises `exc`.

    Args:
        exc: the exception `fit()` raised.
        plugin_name: the plugin trained, named in the message.
        out: the run directory, kept for `--resume`.
    """
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


def unsupported_by_xla(exc):
    """The operations XLA reported it has no kernel for in `exc`.

    `jit_compile` fails at the first step, inside TensorFlow's graph
    execution, for a model that uses one of them (SRGAN's bicubic skip on CPU:
    ResizeBicubic), or for a step whose shapes are computed while it runs.

    Args:
        exc: the exception the first step raised.

    Returns:
        Sorted operation names (or one phrase saying what XLA refused), or
        None when `exc` is not that error.
    """
    text = str(exc)
    if "XLA compilation requires that operator arguments that represent shapes" in text:
        return ["a shape computed while the step runs"]
    if "Detected unsupported operations" not in text:
        return None
    return sorted(set(re.findall(r"No registered '(\w+)' OpKernel for XLA", text))) or ["an operation"]
