"""text2image learns colour words: after a short training on a slice of the
embedded shapes (large shapes of three colours), the attribute checker finds
the requested colour in far more generated images than chance (1/3 among
the three colours) and than the untrained generator.

Kept short for a shared CPU: 16x16 images, small networks, batch 32, Adam 1e-3, no
encoder pre-training (the encoder trains with D). The full set and the
paper's configuration are measured by `benchmarks/text2image_attributes.py`.
"""

import numpy as np
import pytest

pytestmark = pytest.mark.slow  # a learning test: deselect with -m "not slow"

STEPS = 360
COLOURS = ("red", "green", "blue")


def slice_of_shapes():
    from ganzoo.data import shapes

    arrays = shapes.split_arrays("train")
    colour = arrays["attributes"][:, 0]
    keep = np.isin(colour, [shapes.COLOURS.index(c) for c in COLOURS]) & (arrays["attributes"][:, 3] == 1)
    return arrays["image"][keep], arrays["text"][keep]


def test_colour_match_rises_far_above_chance():
    import keras
    import tensorflow as tf

    import ganzoo
    from ganzoo.metrics.captions import attribute_match
    from ganzoo_plugins.text2image.encoder import build_vocabulary

    images, texts = slice_of_shapes()
    flat_images = np.repeat(images, texts.shape[1], axis=0).astype("float32") / 255.0
    flat_images = tf.image.resize(flat_images, (16, 16), antialias=True).numpy()
    flat_texts = texts.reshape(-1)
    data = (tf.data.Dataset.from_tensor_slices((flat_images, flat_texts)).shuffle(len(flat_texts), seed=0)
            .repeat().batch(32, drop_remainder=True))
    wanted = [f"a large {COLOURS[i % 3]} circle in the center" for i in range(150)]

    def colour_match(model):
        return attribute_match(model.generate(texts=wanted, seed=0), wanted)["colour"]

    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("mixed_bfloat16")   # as `ganzoo fit` runs
    try:
        keras.utils.set_random_seed(0)
        model = ganzoo.create("text2image", image_shape=(16, 16, 3), vocabulary=build_vocabulary(flat_texts),
                              max_length=12, generator_filters=16, discriminator_filters=16, encoder_filters=32,
                              text_dim=64, latent_dim=32, pretrain_steps=0, interpolation=False, learning_rate=1e-3,
                              seed=0)
        model.compile()
        before = colour_match(model)
        model.fit(data, steps_per_epoch=STEPS, epochs=1, verbose=0, shuffle=False)
        after = colour_match(model)
    finally:
        keras.mixed_precision.set_global_policy(previous)
    print(f"colour match {before:.2f} -> {after:.2f} after {STEPS} steps")
    assert before <= 0.4, f"an untrained generator already matches colour {before:.2f}"
    assert after >= 0.6, f"colour match {after:.2f} after {STEPS} steps (chance 0.33, before {before:.2f})"
