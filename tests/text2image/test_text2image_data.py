"""Captioned data: the embedded shapes and their checker, metadata.jsonl
folders (with bad lines), and TFDS captions (mocked, offline)."""

import json
import warnings

import numpy as np
import pytest
from PIL import Image

from ganzoo.errors import GanzooError


# ------------------------------------------------------------------ shapes
def test_shapes_held_out_pairs_never_appear_in_training():
    from ganzoo.data import shapes

    train, test = shapes.split_arrays("train"), shapes.split_arrays("test")
    held = {(shapes.COLOURS.index(c), shapes.KINDS.index(k)) for c, k in shapes.HELD_OUT}
    train_pairs = {tuple(a[:2]) for a in train["attributes"]}
    assert not train_pairs & held
    assert {tuple(a[:2]) for a in test["attributes"]} == held
    assert len(train_pairs) == 6 * 3 - len(held)
    # Captions name their image's attributes.
    for text, attributes in zip(train["text"][:50], train["attributes"][:50]):
        for caption in text:
            found = shapes.parse_caption(caption)
            assert [found[a] for a in shapes.ATTRIBUTES] == list(attributes), caption


def test_checker_reads_real_shapes_almost_perfectly():
    from ganzoo.metrics.captions import checker_accuracy

    report = checker_accuracy("test")
    assert report["colour"] >= 0.99 and report["position"] >= 0.99 and report["size"] >= 0.99
    assert report["kind"] >= 0.97
    assert report["empty"] == 0.0


def test_checker_scores_a_blank_or_wrong_image_as_no_match():
    from ganzoo.data import shapes
    from ganzoo.metrics.captions import attribute_match

    blank = np.zeros((2, 32, 32, 3), np.float32)
    report = attribute_match(blank, ["a small red circle at the top left", "a big blue box in the middle"])
    assert report["colour"] == 0.0 and report["empty"] == 1.0
    real = shapes.split_arrays("train")
    image = real["image"][:1].astype(np.float32) / 255.0
    right = shapes.canonical_caption(*[shapes.VALUES[a][i] for a, i in zip(shapes.ATTRIBUTES, real["attributes"][0])])
    assert attribute_match(image, [right])["all"] == 1.0
    # A grey 64x64 version still reads position and size.
    grey = np.asarray(Image.fromarray((image[0] * 255).astype(np.uint8)).resize((64, 64)).convert("L"),
                      np.float32)[None, ..., None] / 255.0
    report = attribute_match(grey, [right])
    assert report["position"] == 1.0 and report["size"] == 1.0


def test_shapes_through_load_with_splits():
    import ganzoo

    info = ganzoo.data.inspect("shapes", task="captioned")
    assert info.num_examples == 4800 * 3 and info.image_shape == (32, 32, 3)
    assert ganzoo.data.inspect("shapes", task="captioned", split="test").num_examples == 480 * 3
    images, texts = next(iter(ganzoo.data.load("shapes", task="captioned", image_shape=(16, 16, 1),
                                               batch_size=8, split="test", seed=0)))
    assert images.shape == (8, 16, 16, 1) and images.dtype == "float32"
    assert texts.shape == (8,) and texts.dtype == "string"
    from ganzoo.data import shapes

    for text in texts.numpy():
        found = shapes.parse_caption(text.decode())
        assert (shapes.COLOURS[found["colour"]], shapes.KINDS[found["kind"]]) in shapes.HELD_OUT
    # Unconditional models can train on the shapes' images too.
    assert next(iter(ganzoo.data.load("shapes", batch_size=4))).shape == (4, 32, 32, 3)


def test_shapes_script_is_deterministic(tmp_path):
    import importlib.util
    import pathlib

    script = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "make_shapes.py"
    spec = importlib.util.spec_from_file_location("make_shapes", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    arrays = module.make_arrays(per_combination=5)
    again = module.make_arrays(per_combination=5)
    for key in arrays:
        np.testing.assert_array_equal(arrays[key], again[key])
    from ganzoo.data import shapes

    stored = shapes.load_arrays()
    full = module.make_arrays()
    np.testing.assert_array_equal(full["images"], stored["image"])
    np.testing.assert_array_equal(full["texts"], stored["text"])


# ------------------------------------------------------------------ folders
def write_image(path, colour=(200, 30, 30), size=12):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((size, size, 3), colour, np.uint8)).save(path)


def write_metadata(path, lines):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n",
                    encoding="utf-8")


def test_metadata_with_several_captions_per_image(tmp_path):
    from ganzoo.data import captioned

    for name in ("a.png", "b.png"):
        write_image(tmp_path / name)
    write_metadata(tmp_path / "metadata.jsonl", [
        {"file_name": "a.png", "text": "a red square"},
        {"file_name": "b.png", "text": ["two", "captions"]},
        {"file_name": "a.png", "text": "another caption of a"},
    ])
    entries = captioned.read_metadata(tmp_path / "metadata.jsonl")
    assert [(e.path.name, e.captions) for e in entries] == [
        ("a.png", ("a red square", "another caption of a")), ("b.png", ("two", "captions"))]
    info = captioned.describe(str(tmp_path))
    assert info.kind == "folder" and info.num_examples == 4 and info.image_shape == (12, 12, 3)
    assert captioned.captions(str(tmp_path)) == ["a red square", "another caption of a", "two", "captions"]


def test_bad_metadata_lines_are_skipped_with_a_warning_naming_file_and_line(tmp_path):
    import ganzoo

    write_image(tmp_path / "good.png")
    (tmp_path / "broken.png").write_bytes(b"not an image")
    write_metadata(tmp_path / "metadata.jsonl", [
        {"file_name": "good.png", "text": "a good caption"},     # line 1
        '{"file_name": "good.png", "text": ',                     # line 2: invalid JSON
        {"file_name": "missing.png", "text": "no such file"},    # line 3
        {"file_name": "good.png", "text": ""},                   # line 4: empty text
        {"text": "no file name"},                                # line 5
        "",                                                      # line 6: blank, ignored silently
        {"file_name": "good.png", "text": ["", "a second caption", 7]},   # line 7: partly bad
        {"file_name": "broken.png", "text": "unreadable"},       # line 8
        '["not", "an", "object"]',                               # line 9
    ])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = ganzoo.data.load(str(tmp_path), task="captioned", image_shape=(8, 8, 3), batch_size=2,
                              shuffle=False, drop_remainder=False)
        batches = list(ds)
    messages = [str(w.message) for w in caught]
    metadata = str(tmp_path / "metadata.jsonl")
    for line in (2, 3, 4, 5, 7, 9):
        assert any(f"{metadata}, line {line}:" in m for m in messages), (line, messages)
    assert any("broken.png" in m for m in messages)
    texts = sorted(t.decode() for _, batch in batches for t in batch.numpy())
    assert texts == ["a good caption", "a second caption"]


def test_folder_without_usable_lines_or_metadata_is_a_clear_error(tmp_path):
    import ganzoo

    write_image(tmp_path / "a.png")
    with pytest.raises(GanzooError, match="has no metadata.jsonl"):
        ganzoo.data.load(str(tmp_path), task="captioned")
    write_metadata(tmp_path / "metadata.jsonl", ["{oops", {"file_name": "a.png", "text": "   "}])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(GanzooError, match="lists no usable image"):
            ganzoo.data.load(str(tmp_path), task="captioned")


def test_split_subfolders_and_non_ascii_captions(tmp_path):
    import ganzoo

    write_image(tmp_path / "train" / "x.png", size=16)
    write_image(tmp_path / "test" / "y.png", size=16)
    write_metadata(tmp_path / "train" / "metadata.jsonl", [{"file_name": "x.png", "text": "un oiseau rougé 🐦"}])
    write_metadata(tmp_path / "test" / "metadata.jsonl", [{"file_name": "y.png", "text": "test caption"}])
    _, texts = next(iter(ganzoo.data.load(str(tmp_path), task="captioned", batch_size=1)))
    assert texts.numpy()[0].decode("utf-8") == "un oiseau rougé 🐦"
    _, texts = next(iter(ganzoo.data.load(str(tmp_path), task="captioned", batch_size=1, split="test")))
    assert texts.numpy()[0] == b"test caption"


# ------------------------------------------------------------------ TFDS
def test_coco_captions_through_the_same_load(tmp_path, monkeypatch):
    import tensorflow as tf
    import tensorflow_datasets as tfds

    import ganzoo
    from ganzoo.data import tfds_source

    monkeypatch.setattr(tfds_source, "network_available", lambda timeout=3.0: True)

    def fake(self, split, **kwargs):
        images = tf.constant(np.random.default_rng(0).integers(0, 255, (3, 20, 24, 3), np.uint8))
        captions = tf.ragged.constant([["first a", "first b"], ["second"], ["third a", "", "third c"]])
        return tf.data.Dataset.from_tensor_slices({"image": images, "captions": {"text": captions}}).map(
            lambda e: {"image": e["image"], "captions": {"text": e["captions"]["text"]}})

    with tfds.testing.mock_data(num_examples=3, as_dataset_fn=fake):
        ds = ganzoo.data.load("coco_captions", task="captioned", image_shape=(16, 16, 3), batch_size=2,
                              data_dir=str(tmp_path), shuffle=False, drop_remainder=False)
        texts = [t.decode() for _, batch in ds for t in batch.numpy()]
        images, _ = next(iter(ds))
    # One example per (image, caption) pair; empty captions dropped.
    assert texts == ["first a", "first b", "second", "third a", "third c"]
    assert images.shape == (2, 16, 16, 3)


def test_a_tfds_dataset_without_captions_is_refused(tmp_path):
    import tensorflow_datasets as tfds

    import ganzoo

    with tfds.testing.mock_data(num_examples=2):
        with pytest.raises(GanzooError, match="has no captions"):
            ganzoo.data.load("mnist", task="captioned", data_dir=str(tmp_path))
