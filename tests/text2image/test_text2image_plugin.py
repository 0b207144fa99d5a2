"""The plugin contract for text2image, its text encoder and vocabulary, and
the CLS / INT batches of its training step."""

import numpy as np
import pytest

from ganzoo.errors import GanzooError
from ganzoo.testing import PluginTestCase

VOCABULARY = ["a", "red", "blue", "circle", "square", "small", "large", "the", "top", "left"]
TINY = {"image_shape": (16, 16, 3), "vocabulary": VOCABULARY, "max_tokens": 20, "max_length": 8, "word_dim": 4,
        "encoder_filters": 4, "text_dim": 8, "condition_dim": 4, "latent_dim": 8, "generator_filters": 4,
        "discriminator_filters": 4, "pretrain_steps": 2}
CAPTIONS = ["a red circle", "a blue square", "a small red square at the top left", "large blue circle"]


class CaptionedCase(PluginTestCase):
    plugin_name = "text2image"

    def make_batch(self, model, n=4):
        return self.random_images(n, model.image_shape), np.array([CAPTIONS[i % 4] for i in range(n)])

    def generate_kwargs(self, model, n):
        return {"texts": [CAPTIONS[i % 4] for i in range(n)]}


class TestText2Image(CaptionedCase):
    init_kwargs = TINY


class TestText2ImageGreyNoTricks(CaptionedCase):
    init_kwargs = {**TINY, "image_shape": (28, 28, 1), "matching_aware": False, "interpolation": False}


def numpy(value):
    import keras

    return keras.ops.convert_to_numpy(value)


def tiny(**overrides):
    import ganzoo

    return ganzoo.create("text2image", **{**TINY, **overrides})


# ------------------------------------------------------------------ encoder and vocabulary
ODD_CAPTIONS = ["a red circle", "zebra xylophone", "", "   ", "!!!", "a " * 500 + "red",
                "un cercle rougé 🐦 ünïcode", "A RED CIRCLE."]


def test_vocabulary_is_deterministic_and_standardised_like_the_layer():
    from ganzoo_plugins.text2image.encoder import build_vocabulary, standardize

    captions = ["A red circle.", "a blue circle", "red, red!", "Ünïcode 🐦"]
    vocabulary = build_vocabulary(captions, max_tokens=100)
    assert vocabulary[:3] == ["red", "a", "circle"]        # by count, ties alphabetical
    assert "ünïcode" in vocabulary and "" not in vocabulary and "[UNK]" not in vocabulary
    assert build_vocabulary(captions, max_tokens=4) == ["red", "a"]
    assert standardize("A Big, RED box!") == ["a", "big", "red", "box"]


def test_encoder_and_vocabulary_round_trip_through_keras_file(tmp_path):
    import keras

    model = tiny()
    model.compile()
    before = numpy(model.embed(np.array(ODD_CAPTIONS)))
    assert np.all(np.isfinite(before))
    path = str(tmp_path / "t2i.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.get_config()["vocabulary"] == VOCABULARY
    from ganzoo_plugins.text2image.encoder import vectorizer_of

    assert vectorizer_of(loaded.text_encoder).get_vocabulary() == ["", "[UNK]", *VOCABULARY]
    np.testing.assert_array_equal(numpy(loaded.embed(np.array(ODD_CAPTIONS))), before)


def test_odd_captions_never_crash_and_are_handled_as_documented():
    model = tiny()
    ids = numpy(model.tokenize(np.array(ODD_CAPTIONS)))
    assert ids.shape == (len(ODD_CAPTIONS), 8)                       # long captions cut to max_length
    assert list(ids[1][:2]) == [1, 1] and ids[1][2] == 0            # unknown words -> [UNK]
    assert not ids[2].any() and not ids[3].any() and not ids[4].any()   # nothing to read -> all padding
    np.testing.assert_array_equal(ids[0], ids[7])                    # case and punctuation ignored
    embedded = numpy(model.embed(np.array(ODD_CAPTIONS)))
    np.testing.assert_array_equal(embedded[2], embedded[3])
    images = model.generate(texts=ODD_CAPTIONS + [b"bytes \xff caption"], seed=0)
    assert images.shape == (len(ODD_CAPTIONS) + 1, 16, 16, 3) and np.all(np.isfinite(images))


def test_fit_builds_the_vocabulary_when_none_is_given(tmp_path):
    import keras
    import tensorflow as tf

    model = tiny(vocabulary=None)
    assert model.needs_vocabulary
    with pytest.raises(GanzooError, match="no vocabulary yet"):
        model.generate(texts=["a red circle"], seed=0)
    model.compile()
    images = np.random.default_rng(0).random((4, 16, 16, 3), dtype=np.float32)
    texts = np.array(["the green box", "a green disk", "the green box", "a tiny disk"])
    model.fit(tf.data.Dataset.from_tensors((images, texts)).repeat(), steps_per_epoch=1, verbose=0, shuffle=False)
    assert model.get_config()["vocabulary"] == ["green", "a", "box", "disk", "the", "tiny"]
    path = str(tmp_path / "adapted.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.generate(texts=["a green box"], seed=1),
                                  model.generate(texts=["a green box"], seed=1))


def test_pretraining_trains_the_encoder_first_then_keeps_it_fixed():
    import tensorflow as tf

    model = tiny(pretrain_steps=3)
    assert not model.train_text_encoder
    assert model.text_encoder not in model.optimizer_targets()["discriminator"]
    model.compile()
    batch = (np.random.default_rng(0).random((4, 16, 16, 3), dtype=np.float32), np.array(CAPTIONS))
    data = tf.data.Dataset.from_tensors(batch)
    words = lambda: numpy(next(w for w in model.text_encoder.weights if "words" in w.path)).copy()  # noqa: E731
    start = words()
    model.fit(data.repeat(), steps_per_epoch=2, verbose=0, shuffle=False)
    assert set(model.pretrain_report) == {"loss", "accuracy"}
    assert not model.text_encoder.trainable_weights          # fixed during the GAN
    pretrained = words()
    assert not np.array_equal(pretrained, start)            # pre-training moved the word embeddings
    model.fit(data.repeat(), steps_per_epoch=2, verbose=0, shuffle=False)   # no second pre-training
    np.testing.assert_array_equal(words(), pretrained)
    assert int(model.step) == 4
    trained = tiny(pretrain_steps=0)
    assert trained.train_text_encoder and trained.text_encoder in trained.optimizer_targets()["discriminator"]


def test_fit_on_arrays_needs_a_dataset_to_pretrain_and_trains_on_token_ids():
    images = np.random.default_rng(0).random((4, 16, 16, 3), dtype=np.float32)
    for options in ({"pretrain_steps": 3}, {"vocabulary": None, "pretrain_steps": 0}):
        model = tiny(**options)
        model.compile()
        with pytest.raises(GanzooError, match=r"pass a dataset, e\.g\. fit\(tf\.data\.Dataset"):
            model.fit(images, np.array(CAPTIONS), batch_size=4, verbose=0)
        assert int(model.step) == 0
    model = tiny(pretrain_steps=0)
    model.compile()
    history = model.fit(images, numpy(model.tokenize(np.array(CAPTIONS))), batch_size=4, verbose=0)
    assert int(model.step) == 1 and np.isfinite(history.history["d_loss"][0])


def test_pretraining_says_what_it_does_with_a_progress_bar(capsys):
    """The pre-training before the GAN's first step (about a minute on CPU by
    default) is announced and counted, as `fit()`'s `verbose` asks (issue 20 item 4)."""
    import tensorflow as tf

    batch = (np.random.default_rng(0).random((4, 16, 16, 3), dtype=np.float32), np.array(CAPTIONS))
    data = tf.data.Dataset.from_tensors(batch).repeat()
    model = tiny(pretrain_steps=3)
    model.compile()
    model.fit(data, steps_per_epoch=1, verbose=2, shuffle=False)
    said = capsys.readouterr().out
    assert "pre-training the text encoder: 3 steps before the GAN's first" in said
    assert "3/3 - " in said and said.index("3/3 - ") < said.index("1/1 - ")
    quiet = tiny(pretrain_steps=3)
    quiet.compile()
    quiet.fit(data, steps_per_epoch=1, verbose=0, shuffle=False)
    assert capsys.readouterr().out == ""


def test_a_keras_model_can_be_the_text_encoder(tmp_path):
    import keras

    strings = keras.Input((), dtype="string")
    vectorizer = keras.layers.TextVectorization(output_mode="multi_hot", vocabulary=["red", "blue", "circle"])
    external = keras.Model(strings, keras.layers.Dense(6)(vectorizer(strings)), name="bag_of_words")
    model = tiny(text_encoder=external)
    assert model.text_dim == 6 and not model.train_text_encoder
    assert model.text_encoder not in model.optimizer_targets()["discriminator"]
    model.compile()
    frozen = [numpy(w).copy() for w in external.weights]
    import tensorflow as tf

    batch = (np.random.default_rng(0).random((4, 16, 16, 3), dtype=np.float32), np.array(CAPTIONS))
    model.fit(tf.data.Dataset.from_tensors(batch).repeat(), steps_per_epoch=2, verbose=0, shuffle=False)
    for a, b in zip(frozen, external.weights):
        np.testing.assert_array_equal(a, numpy(b))
    path = str(tmp_path / "external.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.generate(texts=CAPTIONS, seed=2), model.generate(texts=CAPTIONS, seed=2))


# ------------------------------------------------------------------ CLS and INT
def test_mismatched_captions_are_the_rolled_batch_and_equal_captions_are_not_negatives():
    import keras

    from ganzoo_plugins.text2image.model import mismatched

    h = np.arange(12, dtype=np.float32).reshape(4, 3)
    strings = np.array(["a red circle", "a blue box", "A blue box.", "a red circle"])
    tokens = tiny().tokenize(strings)      # captions compared by their ids: what the encoder reads
    wrong, valid = (numpy(t) for t in mismatched(keras.ops.convert_to_tensor(h), tokens))
    np.testing.assert_array_equal(wrong, h[[3, 0, 1, 2]])
    # Sample 0 gets sample 3's caption, identical: not a negative. Sample 2 gets 1's: the same words too.
    np.testing.assert_array_equal(valid, [False, True, False, True])
    ids = numpy(tokens)
    for i in np.nonzero(valid)[0]:
        assert strings[i] != strings[i - 1] and not np.array_equal(ids[i], ids[i - 1])
    # One number per caption (an encoder's own keys) works the same way.
    _, by_number = mismatched(keras.ops.convert_to_tensor(h), keras.ops.convert_to_tensor([7, 5, 5, 7]))
    np.testing.assert_array_equal(numpy(by_number), [False, True, False, True])


def test_interpolation_weights_are_beta_and_one_minus_beta():
    import keras

    from ganzoo_plugins.text2image.model import interpolated

    h = np.array([[0.0, 2.0], [4.0, 6.0], [8.0, 10.0]], np.float32)
    np.testing.assert_allclose(numpy(interpolated(keras.ops.convert_to_tensor(h), 0.5)),
                               0.5 * h + 0.5 * h[[2, 0, 1]])
    np.testing.assert_allclose(numpy(interpolated(keras.ops.convert_to_tensor(h), 0.25)),
                               0.25 * h + 0.75 * h[[2, 0, 1]])
    np.testing.assert_allclose(numpy(interpolated(keras.ops.convert_to_tensor(h), 1.0)), h)


def softplus(x):
    return np.logaddexp(0.0, x)


def test_discriminator_loss_is_the_papers_three_terms():
    """L_D = -log D(x, h) - [log(1 - D(x, h')) + log(1 - D(G(z, h), h))] / 2."""
    import keras

    model = tiny()
    model.compile()
    rng = np.random.default_rng(0)
    real = keras.ops.convert_to_tensor(rng.uniform(-1, 1, (4, 16, 16, 3)).astype("float32"))
    texts = model.tokenize(np.array(["a red circle", "a blue square", "a blue square", "large blue circle"]))
    z = keras.ops.convert_to_tensor(rng.normal(size=(4, 8)).astype("float32"))
    loss = float(numpy(model.matching_aware_discriminator_loss(real, texts, z)))
    h = model.encode(texts)
    fake = model.generator([z, h], training=True)
    d = lambda x, c: numpy(model.discriminator([x, c], training=True))[:, 0]   # noqa: E731
    right, forged = d(real, h), d(fake, h)
    wrong = d(real, keras.ops.roll(h, 1, axis=0))
    wrong[2] = forged[2]      # sample 2's "mismatched" caption is its own text: its fake term stands in
    expected = softplus(-right).mean() + 0.5 * (softplus(wrong).mean() + softplus(forged).mean())
    np.testing.assert_allclose(loss, expected, rtol=1e-5)
    plain = tiny(matching_aware=False)
    plain.compile()
    assert np.isfinite(float(plain.matching_aware_discriminator_loss(real, texts, z)))


def test_generator_loss_adds_the_interpolated_term():
    import keras

    rng = np.random.default_rng(1)
    z1, z2 = (keras.ops.convert_to_tensor(rng.normal(size=(4, 8)).astype("float32")) for _ in range(2))
    model = tiny(diversity_weight=0.0)
    model.compile()
    texts = model.tokenize(np.array(CAPTIONS))
    h = model.encode(texts)
    d_of_g = lambda z, c: numpy(model.discriminator([model.generator([z, c], training=True), c],  # noqa: E731
                                                    training=True))[:, 0]
    h_int = 0.5 * h + 0.5 * keras.ops.roll(h, 1, axis=0)
    expected = softplus(-d_of_g(z1, h)).mean() + softplus(-d_of_g(z2, h_int)).mean()
    np.testing.assert_allclose(float(model.text_generator_loss(texts, z1, z2)), expected, rtol=1e-5)
    model.interpolation = False
    np.testing.assert_allclose(float(model.text_generator_loss(texts, z1, z2)), softplus(-d_of_g(z1, h)).mean(),
                               rtol=1e-5)


def test_diversity_term_is_the_inverse_mode_seeking_ratio():
    """diversity_weight * 1 / (mean |G(z1, h) - G(z2, h)| / mean |z1 - z2|), the
    second image drawn for the same captions with the INT latent."""
    import keras

    rng = np.random.default_rng(2)
    z1, z2 = (keras.ops.convert_to_tensor(rng.normal(size=(4, 8)).astype("float32")) for _ in range(2))
    model = tiny(interpolation=False, diversity_weight=0.5)
    model.compile()
    texts = model.tokenize(np.array(CAPTIONS))
    h = model.encode(texts)
    first, second = (model.generator([z, h], training=True) for z in (z1, z2))
    adversarial = softplus(-numpy(model.discriminator([first, h], training=True))[:, 0]).mean()
    ratio = np.abs(numpy(first) - numpy(second)).mean() / np.abs(numpy(z1) - numpy(z2)).mean()
    np.testing.assert_allclose(float(model.text_generator_loss(texts, z1, z2)),
                               adversarial + 0.5 / (ratio + 1e-5), rtol=1e-4)


def test_learning_rate_is_constant_then_decays_over_the_second_half_of_training_steps():
    assert tiny().learning_rate_schedule() == tiny().learning_rate
    schedule = tiny(learning_rate=1e-3, training_steps=100).learning_rate_schedule()
    rates = [float(schedule(step)) for step in (0, 50, 75, 100, 150)]
    np.testing.assert_allclose(rates, [1e-3, 1e-3, 5e-4, 0.0, 0.0], atol=1e-9)


def test_text_enters_both_networks_as_in_the_paper():
    model = tiny(image_shape=(32, 32, 3), condition_dim=128)
    assert model.generator.get_layer("z_and_text").output.shape == (None, 8 + 128)
    # D: the compressed embedding replicated over the 4x4 map, joined to the image features.
    joined = model.discriminator.get_layer("image_and_text").output.shape
    assert joined[1:3] == (4, 4) and joined[-1] == 4 * 4 + 128
    assert model.discriminator.get_layer("replicate_text").output.shape == (None, 4, 4, 128)
    for size in (32, 64, 128):
        assert tiny(image_shape=(size, size, 3)).generator.output_shape == (None, size, size, 3)


# ------------------------------------------------------------------ generation and grids
def test_generate_takes_texts():
    model = tiny()
    with pytest.raises(GanzooError, match="needs captions"):
        model.generate(3, seed=0)
    with pytest.raises(GanzooError, match="one caption per image"):
        model.generate(3, texts=["a", "b"], seed=0)
    with pytest.raises(GanzooError, match="must be strings"):
        model.generate(texts=[1, 2], seed=0)
    five = model.generate(5, texts="a red circle", seed=0)
    assert five.shape == (5, 16, 16, 3)
    np.testing.assert_array_equal(five, model.generate(texts=["a red circle"] * 5, seed=0))
    assert not np.array_equal(model.generate(texts=["a red circle"], seed=0), model.generate(texts=["blue"], seed=0))


def test_preview_has_one_row_per_caption_with_the_caption_beside_it():
    from ganzoo_plugins.text2image.model import PREVIEW_COLUMNS

    texts = ["a red circle", "a blue square at the top left", ""]
    model = tiny(preview_texts=texts, image_shape=(16, 16, 1))
    picture = model.preview(seed=0)
    tile = 16 * 4 + 2       # 16 px images enlarged to 64 px, 2 px padding
    assert picture.shape[0] == 3 * tile + 2 and picture.shape[-1] == 1
    grid_width = PREVIEW_COLUMNS * tile + 2
    text_part = picture[:, grid_width:, 0]
    for row in range(3):
        assert text_part[2 + row * tile: (row + 1) * tile].max() > 0.5, f"no caption beside row {row}"
    np.testing.assert_array_equal(picture, model.preview(seed=0))
    # Without preview_texts: distinct captions of the fixed batch.
    assert tiny().preview_captions((None, np.array([b"x y", b"x y", b"z"]))) == ["x y", "z"]


def test_bad_options_are_clear_errors():
    with pytest.raises(GanzooError, match="4 or 7 times a power of two"):
        tiny(image_shape=(30, 30, 3))
    with pytest.raises(GanzooError, match="interpolation_beta"):
        tiny(interpolation_beta=1.5)
    with pytest.raises(GanzooError, match="diversity_weight"):
        tiny(diversity_weight=-1)
    with pytest.raises(GanzooError, match="training_steps"):
        tiny(training_steps=-1)
    with pytest.raises(GanzooError, match="list of words"):
        tiny(vocabulary="red blue")


def test_trains_under_mixed_bfloat16():
    import keras
    import tensorflow as tf

    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = tiny()
        model.compile()
        batch = (np.random.default_rng(0).random((4, 16, 16, 3), dtype=np.float32), np.array(CAPTIONS))
        history = model.fit(tf.data.Dataset.from_tensors(batch).repeat(), steps_per_epoch=2, verbose=0, shuffle=False)
        assert np.isfinite(history.history["d_loss"][0]) and np.isfinite(history.history["g_loss"][0])
        images = model.generate(texts=CAPTIONS, seed=0)
        assert images.dtype == np.float32 and images.shape == (4, 16, 16, 3)
    finally:
        keras.mixed_precision.set_global_policy(previous)


@pytest.mark.slow
def test_fit_and_sample_from_the_command_line(tmp_path):
    import json

    from PIL import Image

    from ganzoo import runs, sampling

    out = tmp_path / "run"
    small = {k: v for k, v in TINY.items() if k not in ("image_shape", "vocabulary")}
    runs.fit("text2image", image_size=16, batch_size=8, steps=2, out=str(out), overrides=small,
             precision="float32", verbose=0, echo=lambda *_: None)
    config = json.loads((out / "run.json").read_text())["settings"]["config"]
    assert "circle" in config["vocabulary"] and len(config["preview_texts"]) == 8
    assert (out / "samples" / "epoch_0001.png").exists()
    [written] = sampling.sample(runs.load_run_model(str(out)), count=3, texts=("a small red circle", "a big blue box"),
                                out=str(tmp_path / "t.png"))
    grid = np.asarray(Image.open(written))
    assert grid.shape[0] > 0
    runs.fit("dcgan", image_size=16, batch_size=8, steps=1, out=str(tmp_path / "d"),
             overrides={"generator_filters": 4, "discriminator_filters": 4}, precision="float32", verbose=0,
             echo=lambda *_: None)
    with pytest.raises(GanzooError, match=r"do\(es\) not apply"):
        sampling.sample(runs.load_run_model(str(tmp_path / "d")), texts=("x",), out=str(tmp_path / "x.png"))
