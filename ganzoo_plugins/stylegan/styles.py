"""Styles: broadcasting w to every layer, style mixing, truncation.
Shared by StyleGAN and StyleGAN2."""

from __future__ import annotations

from keras import ops


def broadcast(w, num_ws):
    """w (batch, style_dim) -> ws (batch, num_ws, style_dim): one copy per layer."""
    return ops.repeat(ops.expand_dims(w, 1), num_ws, axis=1)


def mix(ws_a, ws_b, crossover):
    """Layers `[0, crossover)` from `ws_a` (coarse styles), the rest from `ws_b`.

    `crossover` is an int, or an int tensor of shape (batch,) (one crossover
    per sample; `num_ws` keeps `ws_a` whole)."""
    num_ws = ops.shape(ws_a)[1]
    layer = ops.arange(num_ws)[None, :]
    crossover = ops.reshape(ops.cast(crossover, "int32"), (-1, 1))
    take_a = ops.expand_dims(layer < crossover, -1)
    return ops.where(take_a, ws_a, ws_b)


def truncate(ws, w_avg, psi, cutoff=None):
    """The truncation trick in W (Karras et al., 2019, section 3.1):
    `w' = w_avg + psi * (w - w_avg)` on layers `[0, cutoff)` (all if None).
    psi = 1 leaves w unchanged; psi = 0 gives the average w everywhere."""
    if psi == 1.0:
        return ws
    ws = ops.convert_to_tensor(ws)
    w_avg = ops.cast(w_avg, ws.dtype)[None, None, :]
    truncated = w_avg + psi * (ws - w_avg)
    if cutoff is None:
        return truncated
    layer = ops.arange(ops.shape(ws)[1])[None, :, None]
    return ops.where(layer < cutoff, truncated, ws)
