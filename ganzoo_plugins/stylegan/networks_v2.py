"""StyleGAN2 (Karras et al., 2020): the skip-connection generator with
modulated, demodulated convolutions and the residual discriminator
(figure 7 of the paper, configuration E/F)."""

from __future__ import annotations

import math

import keras
from keras import layers

from ganzoo.layers import Blur, EqualizedConv2D, EqualizedDense, ModulatedConv2D, NoiseInjection
from ganzoo_plugins.stylegan.blocks import BiasActivation, ConstantInput, SelectStyle, discriminator_head


def noise_shapes(plan):
    """Noise images in layer order: one at the base, two at each further resolution."""
    shapes = [(*plan.size(0), 1)]
    for stage in range(1, plan.stages + 1):
        shapes += [(*plan.size(stage), 1)] * 2
    return shapes


def _modulated(x, ws, index, filters, kernel_size, name, demodulate=True):
    w = SelectStyle(index, name=f"{name}_w")(ws)
    style = EqualizedDense(x.shape[-1], gain=1.0, bias_initializer=1.0, name=f"{name}_affine")(w)
    return ModulatedConv2D(filters, kernel_size, demodulate=demodulate, name=f"{name}_modconv")([x, style])


def _layer(x, ws, noise, index, filters, name):
    x = _modulated(x, ws, index, filters, 3, name)
    x = NoiseInjection(name=f"{name}_noise")([x, noise])
    return BiasActivation(name=f"{name}_act")(x)


def _to_rgb(x, ws, index, channels, name):
    rgb = _modulated(x, ws, index, channels, 1, name, demodulate=False)
    return BiasActivation(negative_slope=1.0, gain=1.0, name=f"{name}_bias")(rgb)


def build_synthesis(plan, style_dim, name="synthesis"):
    """ws (batch, num_ws, style_dim) + noise images -> image in [-1, 1].

    Base: learned constant -> modulated 3x3 conv (style 0) -> noise ->
    bias + LeakyReLU; toRGB (style 1). Each further resolution s: upsample
    (nearest) + blur -> modulated conv (style 2s - 1) -> modulated conv
    (style 2s), each with noise; its toRGB (style 2s + 1) is added to the
    upsampled (+ blurred) image so far: the skip architecture.
    """
    ws = keras.Input((plan.num_ws, style_dim), name="ws")
    noises = [keras.Input(shape, name=f"noise_{i}") for i, shape in enumerate(noise_shapes(plan))]
    height, width = plan.base
    x = ConstantInput(plan.filters(0), height, width, name="const")(ws)
    x = _layer(x, ws, noises[0], 0, plan.filters(0), "b0_conv")
    image = _to_rgb(x, ws, 1, plan.channels, "b0_to_rgb")
    for stage in range(1, plan.stages + 1):
        prefix = f"b{stage}"
        x = Blur(name=f"{prefix}_blur")(layers.UpSampling2D(2, name=f"{prefix}_up")(x))
        x = _layer(x, ws, noises[2 * stage - 1], 2 * stage - 1, plan.filters(stage), f"{prefix}_conv0")
        x = _layer(x, ws, noises[2 * stage], 2 * stage, plan.filters(stage), f"{prefix}_conv1")
        image = Blur(name=f"{prefix}_rgb_blur")(layers.UpSampling2D(2, name=f"{prefix}_rgb_up")(image))
        image = layers.Add(name=f"{prefix}_skip")([image, _to_rgb(x, ws, 2 * stage + 1, plan.channels,
                                                                  f"{prefix}_to_rgb")])
    return keras.Model([ws, *noises], image, name=name)


def build_discriminator(plan, name="discriminator"):
    """Image -> one logit: fromRGB, then per resolution a residual block
    (3x3 conv -> blur + pool -> 3x3 conv, plus a blur + pool -> 1x1 conv
    skip, summed and scaled by 1/sqrt(2)); at the base minibatch standard
    deviation, 3x3 conv, dense, dense to the logit (float32)."""
    image = keras.Input((plan.height, plan.width, plan.channels), name="image")
    top = plan.stages
    x = layers.LeakyReLU(0.2)(EqualizedConv2D(plan.filters(top), 1, name="from_rgb")(image))
    for stage in range(top, 0, -1):
        prefix = f"b{stage}"
        skip = layers.AveragePooling2D(2)(Blur(name=f"{prefix}_skip_blur")(x))
        skip = EqualizedConv2D(plan.filters(stage - 1), 1, gain=1.0, use_bias=False, name=f"{prefix}_skip")(skip)
        x = layers.LeakyReLU(0.2)(EqualizedConv2D(plan.filters(stage), 3, name=f"{prefix}_conv0")(x))
        x = layers.AveragePooling2D(2)(Blur(name=f"{prefix}_blur")(x))
        x = layers.LeakyReLU(0.2)(EqualizedConv2D(plan.filters(stage - 1), 3, name=f"{prefix}_conv1")(x))
        x = layers.Add()([x, skip])
        x = layers.Rescaling(1.0 / math.sqrt(2.0))(x)
    logit = discriminator_head(x, plan)
    return keras.Model(image, logit, name=name)
