"""Exponential moving averages of network weights (the "EMA generator").

Karras et al. (2018, 2019) sample from a generator whose weights are an
exponential moving average of the trained ones; it gives visibly cleaner
images at no training cost. `GAN.average(network, decay)` makes the averaged
copy; the engine updates it after every training step, saves it with the
model and the checkpoints, and `generate()` uses it.
"""

from __future__ import annotations

import keras
from keras import ops


def copy_network(network, name):
    """A new network with `network`'s architecture and current weights."""
    try:
        copy = keras.models.clone_model(network)
    except ValueError:  # a subclassed model: rebuild it from its config
        copy = type(network).from_config(network.get_config())
        copy.build(network.input_shape if hasattr(network, "input_shape") else None)
    copy.name = name if not hasattr(copy, "_name") else copy.name
    copy._name = name
    copy.set_weights(network.get_weights())
    copy.trainable = False
    return copy


class Average:
    """One averaged network: `copy = decay * copy + (1 - decay) * source`
    for trainable weights; non-trainable ones (BatchNorm statistics) are
    copied as they are, as in Karras et al.'s reference training loops.

    Args:
        source: the trained network.
        copy: its averaged copy (same architecture).
        decay: the average's decay per step, in [0, 1).
        start: the first step that averages; before it the copy follows the
            source exactly (decay 0).
    """

    def __init__(self, source, copy, decay, start=0):
        if not 0.0 <= float(decay) < 1.0:
            raise ValueError(f"an EMA decay must be in [0, 1), got {decay}")
        self.source = source
        self.copy = copy
        self.decay = float(decay)
        self.start = int(start)
        if len(source.weights) != len(copy.weights):
            raise ValueError(f"{copy.name} does not mirror {source.name}: "
                             f"{len(copy.weights)} weights against {len(source.weights)}")

    def update(self, step):
        """One step of the average (called by the engine after each train_step,
        with that step's index, before the counter counts it)."""
        decay = self.decay
        if self.start > 0:
            decay = ops.where(ops.greater_equal(step, self.start), decay, 0.0)
        for mine, theirs in zip(self.copy.weights, self.source.weights):
            value = ops.cast(theirs, mine.dtype)
            if theirs.trainable:
                rate = ops.cast(decay, mine.dtype) if self.start > 0 else decay
                value = rate * mine + (1.0 - rate) * value
            mine.assign(value)


class Averages:
    """Mixin of `ganzoo.GAN`: the moving averages a plugin asks for."""

    def average(self, network, decay=0.999, start=0):
        """An exponential moving average of `network`'s weights.

        Returns a non-trainable copy of `network` that the engine updates
        after every training step, `copy = decay * copy + (1 - decay) *
        network` for trainable weights (non-trainable ones, such as BatchNorm
        statistics, are copied). It is saved with the model and resumed with
        the run; `averaged(network)` returns it, and the default
        `generate()` samples from the averaged generator. Call it in
        `__init__`, after building `network`.

        Args:
            network: the trained network (a functional or sequential model).
            decay: the decay per step, in [0, 1) (StyleGAN: about 0.999).
            start: the first step that averages; until then the copy follows
                `network` exactly (SRGAN averages its adversarial stage only,
                from the step after its first adversarial one).

        Returns:
            The averaged copy, also set as the attribute `NAME_ema` (NAME the
            network's name), so that Keras saves it.

        Example:

        ```python
        self.generator = build_generator(...)
        if ema > 0:
            self.average(self.generator, decay=ema)
        ```
        """
        copy = copy_network(network, f"{network.name}_ema")
        setattr(self, f"{network.name}_ema", copy)
        self._averages.append(Average(network, copy, decay, start))
        return copy

    def averaged(self, network):
        """The moving average of `network` made by `average()`, else `network`."""
        for entry in self._averages:
            if entry.source is network:
                return entry.copy
        return network
