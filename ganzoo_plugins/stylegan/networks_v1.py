"""StyleGAN (Karras, Laine & Aila, 2019): the style-based synthesis network
and the progressive discriminator of ProGAN (Karras et al., 2018).

Both networks hold every resolution at once (a toRGB / fromRGB layer per
resolution) and take the continuous growth `level` as an input: the output
of the resolutions above the level is blended out, so training never
rebuilds or retraces a graph when a resolution is added.
"""

from __future__ import annotations

import keras
from keras import layers

from ganzoo.layers import AdaIN, Blur, EqualizedConv2D, EqualizedDense, NoiseInjection
from ganzoo_plugins.stylegan.blocks import ConstantInput, ProgressiveBlend, SelectStyle, discriminator_head


def noise_shapes(plan):
    """Shapes (H, W, 1) of the noise images, two per resolution, in layer order."""
    return [(*plan.size(stage), 1) for stage in range(plan.stages + 1) for _ in range(2)]


def _style_block(x, ws, noise, index, name):
    """The epilogue of each synthesis layer: noise, bias + LeakyReLU, AdaIN
    with a style that a learned affine map makes from w (eq. 1)."""
    channels = x.shape[-1]
    x = NoiseInjection(name=f"{name}_noise")([x, noise])
    x = layers.LeakyReLU(0.2, name=f"{name}_lrelu")(x)
    w = SelectStyle(index, name=f"{name}_w")(ws)
    scale = EqualizedDense(channels, gain=1.0, bias_initializer=1.0, name=f"{name}_style_scale")(w)
    bias = EqualizedDense(channels, gain=1.0, name=f"{name}_style_bias")(w)
    return AdaIN(name=f"{name}_adain")([x, scale, bias])


def build_synthesis(plan, style_dim, progressive=True, name="synthesis"):
    """Per-layer styles ws (batch, num_ws, style_dim) [+ level] + noise
    images -> image in [-1, 1] (linear output, as the paper's).

    4x4 (the base): learned constant -> epilogue -> 3x3 conv -> epilogue.
    Each further resolution: upsample (nearest) -> blur -> 3x3 conv ->
    epilogue -> 3x3 conv -> epilogue. Each resolution has a 1x1 toRGB; with
    `progressive`, lower resolutions' images are upsampled and blended with
    the next by `level` (figure 2 of ProGAN), else only the last is used.
    """
    ws = keras.Input((plan.num_ws, style_dim), name="ws")
    inputs = [ws]
    if progressive:
        level = keras.Input((1,), name="level")
        inputs.append(level)
    noises = [keras.Input(shape, name=f"noise_{i}") for i, shape in enumerate(noise_shapes(plan))]
    inputs.extend(noises)
    height, width = plan.base
    x = ConstantInput(plan.filters(0), height, width, name="const")(ws)
    x = _style_block(x, ws, noises[0], 0, "b0_const")
    x = EqualizedConv2D(plan.filters(0), 3, name="b0_conv")(x)
    x = _style_block(x, ws, noises[1], 1, "b0_conv")
    image = EqualizedConv2D(plan.channels, 1, gain=1.0, name="b0_to_rgb")(x) if progressive else None
    for stage in range(1, plan.stages + 1):
        prefix = f"b{stage}"
        x = layers.UpSampling2D(2, name=f"{prefix}_up")(x)
        x = Blur(name=f"{prefix}_blur")(x)
        x = EqualizedConv2D(plan.filters(stage), 3, name=f"{prefix}_conv0")(x)
        x = _style_block(x, ws, noises[2 * stage], 2 * stage, f"{prefix}_conv0")
        x = EqualizedConv2D(plan.filters(stage), 3, name=f"{prefix}_conv1")(x)
        x = _style_block(x, ws, noises[2 * stage + 1], 2 * stage + 1, f"{prefix}_conv1")
        if progressive or stage == plan.stages:
            rgb = EqualizedConv2D(plan.channels, 1, gain=1.0, name=f"{prefix}_to_rgb")(x)
            if progressive:
                image = layers.UpSampling2D(2, name=f"{prefix}_rgb_up")(image)
                image = ProgressiveBlend(stage, name=f"{prefix}_fade")([image, rgb, level])
            else:
                image = rgb
    return keras.Model(inputs, image, name=name)


def build_discriminator(plan, progressive=True, name="discriminator"):
    """Image [+ level] -> one logit.

    fromRGB (1x1) at the image size; per resolution 3x3 conv -> 3x3 conv ->
    blur -> 2x2 average pooling; with `progressive`, a fromRGB of the
    average-pooled input at each lower resolution, blended in by `level`
    (the mirror image of the generator's fade). At the base: minibatch
    standard deviation, 3x3 conv, dense, dense to the logit (float32).
    """
    image = keras.Input((plan.height, plan.width, plan.channels), name="image")
    inputs = [image]
    if progressive:
        level = keras.Input((1,), name="level")
        inputs.append(level)
    top = plan.stages
    x = layers.LeakyReLU(0.2)(EqualizedConv2D(plan.filters(top), 1, name=f"b{top}_from_rgb")(image))
    low_res = image
    for stage in range(top, 0, -1):
        prefix = f"b{stage}"
        x = layers.LeakyReLU(0.2)(EqualizedConv2D(plan.filters(stage), 3, name=f"{prefix}_conv0")(x))
        x = layers.LeakyReLU(0.2)(EqualizedConv2D(plan.filters(stage - 1), 3, name=f"{prefix}_conv1")(x))
        x = Blur(name=f"{prefix}_blur")(x)
        x = layers.AveragePooling2D(2, name=f"{prefix}_down")(x)
        if progressive:
            low_res = layers.AveragePooling2D(2, name=f"{prefix}_image_down")(low_res)
            y = EqualizedConv2D(plan.filters(stage - 1), 1, name=f"b{stage - 1}_from_rgb")(low_res)
            y = layers.LeakyReLU(0.2)(y)
            x = ProgressiveBlend(stage, name=f"{prefix}_fade")([y, x, level])
    logit = discriminator_head(x, plan)
    return keras.Model(inputs, logit, name=name)
