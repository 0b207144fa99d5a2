"""TFDS sources through `tfds.testing.mock_data`, and the offline fast failure.

Nothing here reaches the network: `network_available` is replaced wherever a
download could be attempted.
"""

import socket
import time

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

import ganzoo.data as gd
from ganzoo.data import tfds_source
from ganzoo.errors import GanzooError


@pytest.fixture
def online(monkeypatch):
    """Pretend the network is reachable (mock_data makes the download a no-op)."""
    monkeypatch.setattr(tfds_source, "network_available", lambda timeout=3.0: True)


@pytest.fixture
def offline(monkeypatch):
    monkeypatch.setattr(tfds_source, "network_available", lambda timeout=3.0: False)


@pytest.mark.usefixtures("online")
def test_mnist_conditional(tmp_path):
    with tfds.testing.mock_data(num_examples=20):
        ds = gd.load("mnist", task="conditional", batch_size=8, data_dir=tmp_path, seed=0)
        batches = list(ds)
    assert len(batches) == 2
    images, labels = batches[0]
    assert images.shape == (8, 28, 28, 1) and images.dtype == tf.float32
    assert labels.shape == (8,) and labels.dtype == tf.int32
    assert 0.0 <= float(tf.reduce_min(images)) and float(tf.reduce_max(images)) <= 1.0
    assert set(np.concatenate([b[1].numpy() for b in batches])) <= set(range(10))


@pytest.mark.usefixtures("online")
def test_cifar10_resized_gray_and_split_slice(tmp_path):
    with tfds.testing.mock_data(num_examples=12):
        ds = gd.load("cifar10", image_shape=(16, 16, 1), batch_size=4, split="train[:50%]",
                     data_dir=tmp_path)
        images = list(ds)
    assert ds.element_spec == tf.TensorSpec((4, 16, 16, 1), tf.float32)
    assert len(images) == 3


@pytest.mark.usefixtures("online")
def test_cifar10_native_shape_unconditional(tmp_path):
    with tfds.testing.mock_data(num_examples=4):
        ds = gd.load("cifar10", batch_size=4, data_dir=tmp_path)
        batch = next(iter(ds))
    assert batch.shape == (4, 32, 32, 3)


def test_prepared_dataset_loads_without_download(tmp_path, monkeypatch):
    def no_probe(timeout=3.0):
        raise AssertionError("a prepared dataset must not probe the network")

    monkeypatch.setattr(tfds_source, "network_available", no_probe)
    monkeypatch.setattr(tfds.core.DatasetBuilder, "is_prepared", lambda self: True)
    with tfds.testing.mock_data(num_examples=8):
        ds = gd.load("mnist", batch_size=8, data_dir=tmp_path)
        assert next(iter(ds)).shape == (8, 28, 28, 1)


@pytest.mark.usefixtures("online")
def test_celeb_a_is_unlabelled(tmp_path):
    with tfds.testing.mock_data(num_examples=2):
        ds = gd.load("celeb_a", image_shape=(32, 32, 3), batch_size=2, data_dir=tmp_path)
        assert next(iter(ds)).shape == (2, 32, 32, 3)


def test_conditional_on_unlabelled_tfds_fails_before_download(tmp_path, offline):
    # The label check comes first: no point fetching celeb_a for a task it cannot serve.
    with pytest.raises(GanzooError, match="has no class labels.*subfolder"):
        gd.load("celeb_a", task="conditional", data_dir=tmp_path)


def test_offline_fails_fast_with_instructions(tmp_path, offline):
    start = time.monotonic()
    with pytest.raises(GanzooError) as caught:
        gd.load("mnist", data_dir=tmp_path)
    assert time.monotonic() - start < 10
    message = str(caught.value)
    assert "cannot download TFDS dataset 'mnist': no network" in message
    assert '"tfds build mnist --data_dir DIR"' in message
    assert "pass data_dir=DIR" in message and "dataset='digits'" in message   # Python's names, not the CLI's
    assert "\n" not in message


def test_unknown_dataset_name():
    with pytest.raises(GanzooError) as caught:
        gd.load("no_such_dataset_xyz")
    message = str(caught.value)
    assert "'no_such_dataset_xyz'" in message and "digits" in message
    assert "neither an embedded dataset" in message and "TFDS" in message and "folder" in message


def test_non_image_tfds_dataset():
    with pytest.raises(GanzooError, match="no 'image' feature"):
        gd.inspect("imdb_reviews")


def test_inspect_tfds_without_download(tmp_path, monkeypatch):
    monkeypatch.setattr(tfds_source, "network_available", lambda timeout=3.0: pytest.fail("probed"))
    info = gd.inspect("mnist", data_dir=tmp_path)
    assert (info.kind, info.image_shape, info.num_classes) == ("tfds", (28, 28, 1), 10)
    assert info.num_examples is None  # not prepared
    celeb = gd.inspect("celeb_a", data_dir=tmp_path)
    assert celeb.image_shape == (218, 178, 3) and celeb.num_classes is None
    assert celeb.class_names is None


class _Conn:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_network_available_true_false_and_bounded(monkeypatch):
    monkeypatch.setattr(socket, "create_connection", lambda addr, timeout: _Conn())
    assert tfds_source.network_available() is True

    def refuse(addr, timeout):
        raise socket.gaierror("no DNS")

    monkeypatch.setattr(socket, "create_connection", refuse)
    assert tfds_source.network_available() is False

    def hang(addr, timeout):
        time.sleep(5)
        return _Conn()

    monkeypatch.setattr(socket, "create_connection", hang)
    start = time.monotonic()
    assert tfds_source.network_available(timeout=0.2) is False
    assert time.monotonic() - start < 2
