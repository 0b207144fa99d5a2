"""The "unpaired" task: two-domain sources (embedded, folder, TFDS) drawn independently."""

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from PIL import Image

import ganzoo.data as gd
from ganzoo.data import tfds_source, unpaired
from ganzoo.errors import GanzooError


def write(path, value, size):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((*size, 3), value, np.uint8)).save(path)


@pytest.fixture
def two_domain_folder(tmp_path):
    """trainA: 5 black 20x24 images; trainB: 3 white 10x10; testA/testB: 2 + 2 grey."""
    root = tmp_path / "horse2zebra"
    for i in range(5):
        write(root / "trainA" / f"a{i}.jpg", 0, (20, 24))
    for i in range(3):
        write(root / "trainB" / f"b{i}.png", 255, (10, 10))
    for i in range(2):
        write(root / "testA" / f"a{i}.png", 64, (16, 16))
        write(root / "testB" / f"b{i}.png", 192, (16, 16))
    return root


# ------------------------------------------------------------------ embedded
def test_chalk2ink_domains_are_disjoint_digits_under_the_known_mapping():
    arrays, info = unpaired.load_chalk2ink("train")
    test, _ = unpaired.load_chalk2ink("test")
    assert info.num_examples == 1600 and info.class_names == ("A", "B") and info.image_shape == (32, 32, 3)
    assert np.bincount(arrays["label"]).tolist() == [800, 800] and np.bincount(test["label"]).tolist() == [99, 98]
    chalk = arrays["image"][arrays["label"] == 0].astype(np.float32) / 255
    ink = arrays["image"][arrays["label"] == 1].astype(np.float32) / 255
    assert np.ptp(chalk, axis=-1).max() == 0                     # A: grey digits
    # B is T(x) of digits x that are not in A: recover x from the channel T changes most, and compare.
    recovered = (ink - unpaired.CHALK2INK_PAPER) / (unpaired.CHALK2INK_INK - unpaired.CHALK2INK_PAPER)
    recovered = recovered[..., 1:2]
    assert np.abs(unpaired.chalk2ink_mapping(recovered) - ink).max() < 1 / 255
    as_bytes = lambda images: {x.tobytes() for x in (images * 255).round().clip(0, 255).astype(np.uint8)}
    digits, others = as_bytes(chalk[..., :1]), as_bytes(recovered)
    held_out = as_bytes(test["image"][test["label"] == 0][..., :1].astype(np.float32) / 255)
    assert len(digits) == len(others) == 800 and len(held_out) == 99
    assert not digits & others and not digits & held_out and not others & held_out


def test_embedded_unpaired_batches_and_epoch_length():
    ds = gd.load("chalk2ink", task="unpaired", batch_size=32, seed=0)
    assert ds.element_spec == (tf.TensorSpec((32, 32, 32, 3), tf.float32),) * 2
    batches = list(ds)
    assert len(batches) == 800 // 32
    a = np.concatenate([x for x, _ in batches])
    b = np.concatenate([y for _, y in batches])
    assert a.min() >= 0 and b.max() <= 1
    assert np.ptp(a, axis=-1).max() < 1e-6 and np.ptp(b, axis=-1).max() > 0.3    # grey A, coloured B
    assert len({x.tobytes() for x in a}) == len(a)               # every A image once per epoch


def test_domains_are_shuffled_independently():
    # With one seed for both domains, equal sizes would pair image i of A with image i of B.
    arrays, _ = unpaired.load_chalk2ink("train")
    ds = gd.load("chalk2ink", task="unpaired", image_shape=(8, 8, 3), batch_size=800, seed=3)
    a, b = (np.asarray(t) for t in next(iter(ds)))
    to_u8 = lambda x: (x * 255).round().astype(np.uint8)
    index_a = {x.tobytes(): i for i, x in enumerate(arrays["image"][:800])}
    index_b = {x.tobytes(): i for i, x in enumerate(arrays["image"][800:])}
    order_a = np.array([index_a[x.tobytes()] for x in to_u8(a)])
    order_b = np.array([index_b[x.tobytes()] for x in to_u8(b)])
    assert abs(np.corrcoef(order_a, order_b)[0, 1]) < 0.15


def test_inspect_as_the_task_sees_it():
    assert gd.inspect("chalk2ink").num_examples == 1600           # as a labelled set
    pairs = gd.inspect("chalk2ink", task="unpaired")
    assert pairs.num_examples == 800 and pairs.image_shape == (32, 32, 3)
    assert gd.inspect("chalk2ink", task="unpaired", split="test").num_examples == 99
    assert gd.inspect("chalk2ink", task="unpaired", split="train[:10%]").num_examples == 80


def test_not_two_domain_sources_are_refused():
    with pytest.raises(GanzooError, match="not a two-domain set"):
        gd.load("digits", task="unpaired")
    with pytest.raises(GanzooError, match="splits 'train' and 'test'"):
        gd.load("chalk2ink", task="unpaired", split="validation")


# ------------------------------------------------------------------ folders
def test_folder_with_trainA_and_trainB_of_different_sizes(two_domain_folder):
    info = gd.inspect(two_domain_folder, task="unpaired")
    assert info.num_examples == 5 and info.image_shape == (20, 24, 3)
    ds = gd.load(two_domain_folder, task="unpaired", image_shape=(16, 16, 3), batch_size=5, seed=0)
    (a, b), = list(ds)                                           # one epoch: 5 pairs, B cycles
    assert a.shape == b.shape == (5, 16, 16, 3)
    np.testing.assert_allclose(a, 0.0)
    np.testing.assert_allclose(b, 1.0)


def test_folder_test_split_and_missing_domain(two_domain_folder):
    a, b = next(iter(gd.load(two_domain_folder, task="unpaired", split="test", batch_size=2, shuffle=False)))
    np.testing.assert_allclose(a, 64 / 255, atol=1e-6)
    np.testing.assert_allclose(b, 192 / 255, atol=1e-6)
    for i in range(3):
        (two_domain_folder / "trainB" / f"b{i}.png").unlink()
    (two_domain_folder / "trainB").rmdir()
    with pytest.raises(GanzooError, match="trainB/"):
        gd.load(two_domain_folder, task="unpaired")


# ------------------------------------------------------------------ TFDS
VALUES = {"trainA": 10, "trainB": 200, "testA": 60, "testB": 150}
COUNTS = {"trainA": 4, "trainB": 6, "testA": 2, "testB": 2}


def fake_cycle_gan(self, split, **kwargs):
    """Each split's images have one value and their own size, as trainA/B do."""
    name = str(split)
    key = next(k for k in VALUES if name.startswith(k))
    size = 12 if key.endswith("A") else 20
    examples = {"image": np.full((COUNTS[key], size, size, 3), VALUES[key], np.uint8),
                "label": np.full((COUNTS[key],), int(key.endswith("B")), np.int64)}
    return tf.data.Dataset.from_tensor_slices(examples)


def test_tfds_cycle_gan_reads_trainA_and_trainB(tmp_path, monkeypatch):
    monkeypatch.setattr(tfds_source, "network_available", lambda timeout=3.0: True)
    with tfds.testing.mock_data(as_dataset_fn=fake_cycle_gan):
        ds = gd.load("cycle_gan/horse2zebra", task="unpaired", image_shape=(8, 8, 3), batch_size=3,
                     data_dir=tmp_path, seed=0)
        batches = list(ds)
        test = next(iter(gd.load("cycle_gan/horse2zebra", task="unpaired", image_shape=(8, 8, 3), batch_size=2,
                                 split="test", data_dir=tmp_path)))
    assert len(batches) == 2                                     # 6 pairs: the larger domain, B
    a, b = batches[0]
    assert a.shape == b.shape == (3, 8, 8, 3)
    np.testing.assert_allclose(a, 10 / 255, atol=1e-6)
    np.testing.assert_allclose(b, 200 / 255, atol=1e-6)
    np.testing.assert_allclose(test[0], 60 / 255, atol=1e-6)
    np.testing.assert_allclose(test[1], 150 / 255, atol=1e-6)


def test_tfds_random_mock_data_and_offline_failure(tmp_path, monkeypatch):
    monkeypatch.setattr(tfds_source, "network_available", lambda timeout=3.0: True)
    with tfds.testing.mock_data(num_examples=4):                 # random sizes per image
        a, b = next(iter(gd.load("cycle_gan/monet2photo", task="unpaired", image_shape=(16, 16, 3),
                                 batch_size=4, data_dir=tmp_path)))
    assert a.shape == b.shape == (4, 16, 16, 3)
    monkeypatch.setattr(tfds_source, "network_available", lambda timeout=3.0: False)
    with pytest.raises(GanzooError, match="no network"):
        gd.load("cycle_gan/horse2zebra", task="unpaired", image_shape=(16, 16, 3), data_dir=tmp_path / "empty")
