"""Progressive growing's schedule (Karras et al., 2018, section 3), as a
function of the number of training images shown.

The base resolution trains alone for `stable_images`; then each further
resolution fades in over `fade_images` (its weight alpha rising linearly
from 0 to 1) and is stabilised for `stable_images`. The state is one
number, the continuous *level*:

    level = 0                 base resolution only
    level = s - 1 + alpha     stage s fading in with weight alpha
    level = s                 stage s stable

The model keeps the count of images shown as a saved variable, so the
schedule resumes where it stopped, also in the middle of a fade.
"""

from __future__ import annotations

import keras
from keras import ops


def level_at(images, stages, fade_images, stable_images):
    """The growth level after `images` training images (keras.ops or numbers)."""
    period = float(fade_images + stable_images)
    shown = ops.maximum(ops.cast(images, "float32") - float(stable_images), 0.0)
    completed = ops.floor(shown / period)
    alpha = ops.minimum((shown - completed * period) / float(fade_images), 1.0)
    return ops.minimum(completed + alpha, float(stages))


def level_at_numpy(images, stages, fade_images, stable_images):
    """`level_at` in plain Python (for plans, tests and documentation)."""
    period = fade_images + stable_images
    shown = max(images - stable_images, 0)
    completed = shown // period
    return min(completed + min((shown - completed * period) / fade_images, 1.0), float(stages))


def images_to_finish(stages, fade_images, stable_images):
    """Images until the last resolution has faded in and been stabilised."""
    return stable_images + stages * (fade_images + stable_images)


def stage_and_alpha(level):
    """(stage, alpha) of a level: the highest resolution in use (0 = base)
    and its blending weight (1 when stable)."""
    stage = ops.ceil(level)
    fraction = level - ops.floor(level)
    return stage, ops.where(fraction > 0.0, fraction, 1.0)


def _upsample(images):
    return ops.repeat(ops.repeat(images, 2, axis=1), 2, axis=2)


def _downsample(images):
    return ops.average_pool(images, 2, strides=2, padding="valid")


def show_at_level(images, level, stages):
    """Real images as the generator shows them at `level`, at full size.

    The image pyramid (2x2 average pooling) is recombined exactly as the
    generator combines its per-resolution outputs: upsampled (nearest) from
    the base and blended with each finer level by its weight. At an integer
    level s this is the real image at resolution s, upsampled; during a fade
    it interpolates between two resolutions, as ProGAN does for the real
    images (appendix A.1), so that real and generated images agree in
    resolution and the discriminator cannot tell them apart by sharpness.
    """
    pyramid = [ops.convert_to_tensor(images)]
    for _ in range(stages):
        pyramid.append(_downsample(pyramid[-1]))
    pyramid.reverse()                                       # base first
    result = pyramid[0]
    level = ops.cast(level, "float32")
    for stage in range(1, stages + 1):
        result = _upsample(result)
        weight = ops.cast(ops.clip(level - (stage - 1), 0.0, 1.0), result.dtype)
        result = result + (pyramid[stage] - result) * weight
    return result


class LastValue(keras.metrics.Metric):
    """A tracker that reports the last value it was given (the resolution and
    alpha of progressive growing, which an epoch mean would blur)."""

    def __init__(self, name, **kwargs):
        super().__init__(name=name, **kwargs)
        self.value = self.add_variable(shape=(), initializer="zeros", name="value")

    def update_state(self, value, sample_weight=None):
        self.value.assign(ops.cast(value, "float32"))

    def result(self):
        return ops.convert_to_tensor(self.value)

    def reset_state(self):
        # Kept between epochs: the value still holds.
        pass


def describe(stages, base_height, fade_images, stable_images):
    """Human-readable schedule, one line per stage (for docs and `info`)."""
    lines = [f"{base_height}px: images 0 .. {stable_images} (stable)"]
    start = stable_images
    for stage in range(1, stages + 1):
        size = base_height * 2 ** stage
        lines.append(f"{size}px: fade-in {start} .. {start + fade_images}, stable .. {start + fade_images + stable_images}")
        start += fade_images + stable_images
    return lines
