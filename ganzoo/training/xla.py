"""What XLA (`--jit`) reports when it cannot compile a training step."""

from __future__ import annotations

import re


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
