"""The generator and the matching-aware discriminator of GAN-INT-CLS
(Reed et al. 2016, section 4.1), on the DCGAN stacks.

Both networks take the text embedding phi(t) and compress it with their own
fully connected layer and LeakyReLU(0.2) to `condition_dim` (the paper: 128):

- generator: [z, compress(phi(t))] -> DCGAN upsampling stack -> tanh image;
- discriminator: image -> DCGAN downsampling stack to a 4x4 map (7x7 for
  sizes 7 x 2^k) -> compress(phi(t)) replicated at every position of that
  map and concatenated to its channels -> 1x1 convolution, BatchNorm,
  LeakyReLU -> a convolution over the whole map -> one logit (float32).
"""

import keras
from keras import layers

from ganzoo.errors import GanzooError
from ganzoo.layers.dcgan_blocks import downsampling_stack, gamma_init, normal_init, resolution_plan, upsampling_stack
from ganzoo.layers import batch_normalization


def check_image_shape(image_shape):
    height, width, channels = image_shape
    plan = resolution_plan(height) if height == width else None
    if plan is None or channels not in (1, 3):
        raise GanzooError(
            "text2image needs square RGB or grey images whose side is 4 or 7 times a power of two "
            f"(16, 28, 32, 64, 128, ...); got {height}x{width}x{channels}"
        )
    return plan


def compress(embedding, condition_dim, name):
    """phi(t) -> LeakyReLU(0.2)(Dense(condition_dim)): the paper's compressed embedding."""
    x = layers.Dense(condition_dim, kernel_initializer=normal_init(), name=name)(embedding)
    return layers.LeakyReLU(0.2, name=f"{name}_leaky_relu")(x)


def build_generator(image_shape, latent_dim, text_dim, condition_dim, filters, name="generator"):
    """[z, phi(t)] -> image in [-1, 1]."""
    start, stages = check_image_shape(image_shape)
    z = keras.Input((latent_dim,), name="z")
    embedding = keras.Input((text_dim,), name="text_embedding")
    x = layers.Concatenate(name="z_and_text")([z, compress(embedding, condition_dim, "compress_text")])
    images = upsampling_stack(x, start, stages, filters, image_shape[-1])
    return keras.Model([z, embedding], images, name=name)


def build_discriminator(image_shape, text_dim, condition_dim, filters, name="discriminator"):
    """[x, phi(t)] -> one logit: does x look real AND match the text?"""
    _, stages = check_image_shape(image_shape)
    images = keras.Input(image_shape, name="image")
    embedding = keras.Input((text_dim,), name="text_embedding")
    features = downsampling_stack(images, stages, filters)
    side = features.shape[1]
    code = compress(embedding, condition_dim, "compress_text")
    code = layers.Reshape((1, 1, condition_dim))(code)
    code = layers.UpSampling2D((side, side), name="replicate_text")(code)
    x = layers.Concatenate(axis=-1, name="image_and_text")([features, code])
    x = layers.Conv2D(features.shape[-1], 1, use_bias=False, kernel_initializer=normal_init(), name="joint")(x)
    x = batch_normalization(gamma_initializer=gamma_init())(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Conv2D(1, side, padding="valid", kernel_initializer=normal_init(), name="score")(x)
    logit = layers.Flatten(dtype="float32", name="logit")(x)
    return keras.Model([images, embedding], logit, name=name)
