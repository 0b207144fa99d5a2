"""The embedded UCI digits, and pipeline options exercised through them."""

import numpy as np
import pytest
import tensorflow as tf

import ganzoo.data as gd
from ganzoo.errors import GanzooError


def _all(ds):
    batches = list(ds.as_numpy_iterator())
    if isinstance(batches[0], tuple):
        return tuple(np.concatenate(parts) for parts in zip(*batches))
    return np.concatenate(batches)


def test_embedded_names():
    assert "digits" in gd.EMBEDDED
    assert isinstance(gd.EMBEDDED, tuple)


def test_inspect_digits():
    info = gd.inspect("digits")
    assert info == gd.SourceInfo(
        name="digits", kind="embedded", num_examples=1797, image_shape=(28, 28, 1),
        num_classes=10, class_names=tuple("0123456789"),
    )
    assert gd.inspect("digits", split="train[:10%]").num_examples == 180


def test_digits_match_scikit_learn_exactly():
    from sklearn.datasets import load_digits

    images, labels = _all(gd.load("digits", task="conditional", image_shape=(8, 8, 1),
                                  batch_size=1797, shuffle=False))
    expected = np.round(load_digits().images * 255 / 16) / 255
    assert images.shape == (1797, 8, 8, 1)
    np.testing.assert_allclose(images[..., 0], expected, atol=1e-6)
    np.testing.assert_array_equal(labels, load_digits().target)
    assert np.bincount(labels).tolist() == np.bincount(load_digits().target).tolist()
    assert images.dtype == np.float32 and images.min() == 0.0 and images.max() == 1.0


def test_digits_ink_is_bright_on_dark():
    images = _all(gd.load("digits", image_shape=(8, 8, 1), batch_size=1797, shuffle=False))
    ring = np.ones((8, 8), bool)
    ring[1:-1, 1:-1] = False
    border = images[:, ring, 0].mean()
    centre = images[:, 2:6, 2:6, 0].mean()
    assert border < centre / 2


@pytest.mark.parametrize("task", ["unconditional", "conditional"])
@pytest.mark.parametrize("image_shape", [(28, 28, 1), (32, 32, 3)])
def test_digits_shapes(task, image_shape):
    ds = gd.load("digits", task=task, image_shape=image_shape, batch_size=16, seed=0)
    batch = next(iter(ds))
    images = batch[0] if task == "conditional" else batch
    assert images.shape == (16, *image_shape)
    assert images.dtype == tf.float32
    values = images.numpy()
    assert 0.0 <= values.min() and values.max() <= 1.0 and values.max() > 0.5
    if image_shape[2] == 3:
        # Gray to RGB repeats the channel.
        np.testing.assert_array_equal(values[..., 0], values[..., 2])
    if task == "conditional":
        labels = batch[1]
        assert labels.dtype == tf.int32 and labels.shape == (16,)
        assert set(labels.numpy()) <= set(range(10))
    else:
        assert isinstance(ds.element_spec, tf.TensorSpec)


def test_default_shape_is_preferred_28():
    ds = gd.load("digits")
    assert ds.element_spec.shape == (64, 28, 28, 1)


def test_upscale_keeps_the_digit():
    small = _all(gd.load("digits", image_shape=(8, 8, 1), batch_size=10, shuffle=False).take(1))
    big = _all(gd.load("digits", image_shape=(32, 32, 1), batch_size=10, shuffle=False).take(1))
    # Averaging 4x4 blocks of the upscaled digit roughly gives the original back.
    pooled = big.reshape(10, 8, 4, 8, 4).mean(axis=(2, 4))
    assert np.abs(pooled - small[..., 0]).mean() < 0.08


@pytest.mark.parametrize("drop, batches, last", [(True, 17, 100), (False, 18, 97)])
def test_drop_remainder(drop, batches, last):
    ds = gd.load("digits", batch_size=100, drop_remainder=drop, image_shape=(8, 8, 1))
    sizes = [int(b.shape[0]) for b in ds]
    assert len(sizes) == batches and sizes[-1] == last


def test_split_slice():
    ds = gd.load("digits", split="train[:10%]", batch_size=1, image_shape=(8, 8, 1))
    assert sum(1 for _ in ds) == 180
    with pytest.raises(GanzooError, match="only a 'train' split"):
        gd.load("digits", split="test")


def test_seed_makes_order_reproducible():
    def first(seed):
        ds = gd.load("digits", task="conditional", batch_size=32, seed=seed, image_shape=(8, 8, 1))
        return next(iter(ds))[1].numpy()

    np.testing.assert_array_equal(first(3), first(3))
    assert not np.array_equal(first(3), first(4))
    unshuffled = gd.load("digits", task="conditional", batch_size=10, shuffle=False)
    assert next(iter(unshuffled))[1].numpy().tolist() == list(range(10))


def test_repeat_goes_past_one_epoch():
    ds = gd.load("digits", batch_size=500, repeat=True, image_shape=(8, 8, 1))
    assert sum(1 for _ in ds.take(10)) == 10
    assert ds.cardinality() == tf.data.INFINITE_CARDINALITY


def test_model_supplies_task_and_shape():
    class Model:
        task = "conditional"
        image_shape = (16, 16, 3)

    images, labels = gd.load("digits", Model(), batch_size=8).element_spec
    assert images.shape == (8, 16, 16, 3) and labels.dtype == tf.int32
    # Explicit arguments win over the model's.
    spec = gd.load("digits", Model(), task="unconditional", image_shape=(8, 8, 1)).element_spec
    assert spec.shape == (64, 8, 8, 1)


def test_unsupported_tasks():
    with pytest.raises(GanzooError, match="unknown task 'no_such_task'; registered tasks: .*conditional"):
        gd.load("digits", task="no_such_task")


def test_captioned_needs_captions():
    """The digits have labels but no captions: task "captioned" refuses them in one line."""
    with pytest.raises(GanzooError, match="caption"):
        gd.load("digits", task="captioned")


@pytest.mark.parametrize("bad", [(8, 8), (8, 8, 2), (0, 8, 1), "big"])
def test_bad_image_shape(bad):
    with pytest.raises(GanzooError, match="image_shape"):
        gd.load("digits", image_shape=bad)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_bad_batch_size(bad):
    with pytest.raises(GanzooError, match="batch_size"):
        gd.load("digits", batch_size=bad)


def test_fewer_examples_than_a_batch():
    with pytest.raises(GanzooError, match="fewer than one batch"):
        gd.load("digits", split="train[:10]", batch_size=64)
    ds = gd.load("digits", split="train[:10]", batch_size=64, drop_remainder=False)
    assert [int(b.shape[0]) for b in ds] == [10]


def test_digits_file_is_package_data():
    import importlib.resources

    folder = importlib.resources.files("ganzoo.data").joinpath("embedded")
    assert folder.joinpath("digits.npz").is_file()
    license_text = folder.joinpath("LICENSE-digits.txt").read_text()
    assert "10.24432/C50P49" in license_text and "CC BY 4.0" in license_text


def test_digits_load_from_a_zipped_install(tmp_path):
    # importlib.resources must find the npz where no file path exists (zip/wheel).
    import pathlib
    import subprocess
    import sys
    import zipfile

    import ganzoo

    root = pathlib.Path(ganzoo.__file__).parent
    archive = tmp_path / "ganzoo.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in root.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.write(path, pathlib.Path("ganzoo") / path.relative_to(root))
    code = (
        "import ganzoo.data, ganzoo.data.embedded as e; "
        "assert '.zip' in ganzoo.data.__file__, ganzoo.data.__file__; "
        "a, i = e.arrays('digits'); print(a['image'].shape, i.num_examples)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                            text=True, env={"PYTHONPATH": str(archive)}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(1797, 8, 8, 1) 1797"
