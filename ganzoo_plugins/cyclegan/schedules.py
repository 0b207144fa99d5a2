"""CycleGAN's learning-rate schedule, now shared: `ganzoo.schedules`."""

from ganzoo.schedules import LinearDecay

__all__ = ["LinearDecay"]
