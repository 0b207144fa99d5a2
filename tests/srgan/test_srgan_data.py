"""The "paired" task: embedded photos, folders of HR images and TFDS div2k (mocked)."""

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from PIL import Image

import ganzoo.data as gd
from ganzoo.data import paired, photos, pipeline, tfds_source
from ganzoo.errors import GanzooError


def pool4(images):
    """4x4 mean pooling: a stand-in downscaling that commutes with flips and 90-degree turns."""
    n, h, w, c = images.shape
    return images.reshape(n, h // 4, 4, w // 4, 4, c).mean(axis=(2, 4))


def test_embedded_photos_are_credited_and_hold_back_a_test_split():
    import importlib.resources

    folder = importlib.resources.files("ganzoo.data").joinpath("embedded").joinpath("photos")
    credits = folder.joinpath("CREDITS.txt").read_text(encoding="utf-8")
    for split in photos.SPLITS:
        for name in photos.names(split):
            assert f"{split}/{name}" in credits
    assert photos.names("test") and not set(photos.names("test")) & set(photos.names("train"))
    held = photos.held_back()
    assert all(p.dtype == np.float32 and p.ndim == 3 and min(p.shape[:2]) >= 256 for p in held)
    # The training tiles come from the training photos only.
    arrays, info = photos.load_embedded()
    assert arrays["image"].shape[1:] == (photos.TILE, photos.TILE, 3) and arrays["image"].dtype == np.uint8
    assert info.num_examples == len(arrays["image"]) > 1000
    assert gd.inspect("photos").num_examples == info.num_examples


def test_photos_give_aligned_bicubic_pairs_with_fresh_crops_every_epoch():
    ds = gd.load("photos", task="paired", image_shape=(48, 48, 3), batch_size=8, split="train[:32]",
                 shuffle=False, seed=0)
    assert ds.element_spec == (tf.TensorSpec((8, 6 * 2, 6 * 2, 3), tf.float32), tf.TensorSpec((8, 48, 48, 3), tf.float32))
    first = [(lr.numpy(), hr.numpy()) for lr, hr in ds]
    second = [(lr.numpy(), hr.numpy()) for lr, hr in ds]
    lr, hr = first[0]
    # LR is the antialiased bicubic downscaling of the HR crop, rounded to 8 bits. A value that lands
    # on a rounding boundary can round the other way when the pipeline's threads sum in another order
    # (seen once in a loaded machine): one 8-bit step, on a rare pixel.
    difference = np.abs(lr - paired.quantize(paired.downscale(hr)).numpy())
    assert difference.max() <= 1 / 255 + 1e-6 and (difference > 1e-6).mean() < 1e-3
    assert np.allclose(lr * 255, np.round(lr * 255), atol=1e-4)
    assert 0.0 <= hr.min() and hr.max() <= 1.0
    # Random crops are drawn anew each epoch: the task's elements are never cached. (One image can
    # repeat by chance, 1 in 8 flips/rotations times the offsets; a whole epoch of 32 cannot.)
    assert not np.array_equal(np.stack([h for _, h in first]), np.stack([h for _, h in second]))


def test_folder_of_high_resolution_images(tmp_path):
    rng = np.random.default_rng(0)
    for i, size in enumerate([(70, 90), (64, 64), (40, 100)]):   # any sizes; one smaller than the crop
        Image.fromarray(rng.integers(0, 256, (*size, 3), dtype=np.uint8)).save(tmp_path / f"{i}.png")
    ds = gd.load(tmp_path, task="paired", image_shape=(48, 48, 3), batch_size=3, seed=0)
    lr, hr = next(iter(ds))
    assert lr.shape == (3, 12, 12, 3) and hr.shape == (3, 48, 48, 3)


def test_crop_size_must_be_a_multiple_of_the_scale():
    with pytest.raises(GanzooError, match="multiples of the scale 4"):
        gd.load("photos", task="paired", image_shape=(50, 50, 3), batch_size=4)


def _div2k_like(lr_factor):
    """An `as_dataset_fn` for mock_data: 6 pairs whose LR is the HR pooled by `lr_factor`."""
    def as_dataset(self, *args, **kwargs):
        rng = np.random.default_rng(0)
        hr = rng.integers(0, 256, (6, 96, 128, 3)).astype(np.float32)
        n, h, w, c = hr.shape
        lr = hr.reshape(n, h // lr_factor, lr_factor, w // lr_factor, lr_factor, c).mean(axis=(2, 4))
        return tf.data.Dataset.from_tensor_slices({"hr": hr.astype(np.uint8), "lr": lr.round().astype(np.uint8)})
    return as_dataset


@pytest.fixture
def online(monkeypatch):
    monkeypatch.setattr(tfds_source, "network_available", lambda timeout=3.0: True)


@pytest.mark.usefixtures("online")
def test_div2k_bicubic_x4_uses_its_own_aligned_low_resolution_images(tmp_path):
    info = gd.inspect("div2k/bicubic_x4", data_dir=tmp_path)
    assert info.image_shape == (None, None, 3)
    with tfds.testing.mock_data(num_examples=6, as_dataset_fn=_div2k_like(4)):
        ds = gd.load("div2k/bicubic_x4", task="paired", image_shape=(32, 32, 3), batch_size=6,
                     data_dir=tmp_path, seed=0)
        lr, hr = (t.numpy() for t in next(iter(ds)))
    assert lr.shape == (6, 8, 8, 3) and hr.shape == (6, 32, 32, 3)
    # The given LR (HR pooled 4x4, rounded), cropped in register with the HR crop,
    # flipped and turned with it; not a bicubic downscaling made here.
    np.testing.assert_allclose(lr * 255, pool4(hr * 255), atol=0.51)
    assert np.abs(lr - paired.quantize(paired.downscale(hr)).numpy()).max() > 0.02


@pytest.mark.usefixtures("online")
def test_div2k_of_another_scale_falls_back_to_bicubic_low_resolution(tmp_path):
    """div2k/bicubic_x2's LR is not an x4 input: the task makes the LR from the HR."""
    with tfds.testing.mock_data(num_examples=6, as_dataset_fn=_div2k_like(2)):
        ds = gd.load("div2k/bicubic_x2", task="paired", image_shape=(32, 32, 3), batch_size=6,
                     data_dir=tmp_path, seed=0)
        lr, hr = (t.numpy() for t in next(iter(ds)))
    made_here = paired.quantize(paired.downscale(hr)).numpy()
    # Equal to the bicubic downscaling made from the HR crop, up to a rounding tie: the
    # pipeline's resize and this eager one may sum in another order (the CPU kernels split
    # the work by the threads free), and a value on a half level then rounds the other
    # way (1 of 1,152 values, once under load). The dataset's own x2 LR is far from it.
    np.testing.assert_allclose(lr, made_here, atol=1 / 255 + 1e-6)
    assert np.mean(np.abs(lr - made_here) > 1e-6) < 0.01


def test_full_images_for_evaluation(tmp_path):
    held = pipeline.full_images("photos")
    assert [h.shape for h in held] == [p.shape for p in photos.held_back()]
    Image.fromarray(np.zeros((30, 40, 3), np.uint8)).save(tmp_path / "a.png")
    (image,) = pipeline.full_images(str(tmp_path))
    assert image.shape == (30, 40, 3) and image.dtype == np.float32
