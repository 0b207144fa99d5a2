"""Resolutions and widths of the StyleGAN networks for an image shape."""

from __future__ import annotations

import dataclasses

from ganzoo.errors import GanzooError


def _power_of_two(n):
    return n >= 1 and (n & (n - 1)) == 0


@dataclasses.dataclass(frozen=True)
class Plan:
    """The synthesis network's resolutions: a base of (base_height,
    base_width), the shorter side 4, doubled `stages` times to the image
    size; `num_ws` styles (two per resolution)."""

    height: int
    width: int
    channels: int
    stages: int
    max_filters: int

    @property
    def base(self):
        return self.height >> self.stages, self.width >> self.stages

    def size(self, stage):
        """(height, width) at `stage` (0 = the base)."""
        base_h, base_w = self.base
        return base_h << stage, base_w << stage

    def filters(self, stage):
        """Channels at `stage`: the paper's min(512, 16384 / resolution) for
        `max_filters` 512 (512 up to 32 px, then halved per doubling)."""
        return max(1, min(self.max_filters, (self.max_filters << 3) >> stage))

    @property
    def num_ws(self):
        return 2 * self.stages + 2


def plan(image_shape, max_filters):
    height, width, channels = (int(v) for v in image_shape)
    if not (_power_of_two(height) and _power_of_two(width)) or min(height, width) < 8:
        raise GanzooError(
            f"StyleGAN needs a height and width that are powers of two, at least 8 (e.g. 32x32, 256x256, "
            f"256x128); got {height}x{width}"
        )
    if channels not in (1, 3):
        raise GanzooError(f"StyleGAN generates 1 or 3 channels; got {channels}")
    stages = (min(height, width) // 4).bit_length() - 1
    return Plan(height, width, channels, stages, int(max_filters))
