"""Building models in a chosen compute precision."""

from __future__ import annotations

import contextlib

from ganzoo.errors import GanzooError

PRECISIONS = ("float32", "mixed_bfloat16", "mixed_float16")


@contextlib.contextmanager
def precision_policy(precision):
    """Builds layers under `precision` without changing the caller's global
    policy afterwards (layers keep the policy they were built with, and it is
    saved with them).

    Args:
        precision: "float32", "mixed_bfloat16" or "mixed_float16".
    """
    import keras

    if precision not in PRECISIONS:
        raise GanzooError(f"unknown precision {precision!r}; choose one of {', '.join(PRECISIONS)}")
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(precision)
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(previous)
