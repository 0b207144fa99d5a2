"""Image folders: loose images, class subfolders, bad files, bad paths."""

import warnings

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import ganzoo.data as gd
from ganzoo.errors import GanzooError


def _collect(ds):
    items = list(ds.as_numpy_iterator())
    if isinstance(items[0], tuple):
        return tuple(np.concatenate(parts) for parts in zip(*items))
    return np.concatenate(items)


def test_plain_folder(plain_folder):
    images = _collect(gd.load(plain_folder, batch_size=4, drop_remainder=False))
    assert images.shape == (6, 20, 30, 3) and images.dtype == np.float32
    assert images.min() >= 0.0 and images.max() <= 1.0 and images.std() > 0.1


def test_plain_folder_as_string_path_and_resize(plain_folder):
    ds = gd.load(str(plain_folder), image_shape=(8, 8, 1), batch_size=3)
    assert ds.element_spec == tf.TensorSpec((3, 8, 8, 1), tf.float32)
    assert sum(1 for _ in ds) == 2


def test_pixels_decode_exactly(tmp_path, write_image):
    write_image(tmp_path / "red.png", size=(4, 4), color=(255, 0, 0))
    write_image(tmp_path / "blue.BMP", size=(4, 4), color=(0, 0, 255))
    images = _collect(gd.load(tmp_path, batch_size=2, shuffle=False))
    np.testing.assert_array_equal(images[1, 0, 0], [1.0, 0.0, 0.0])  # sorted: blue.BMP, red.png
    np.testing.assert_array_equal(images[0, 0, 0], [0.0, 0.0, 1.0])


def test_all_extensions_and_case(tmp_path, write_image):
    for i, ext in enumerate(["png", "JPG", "jpeg", "bmp", "gif", "webp"]):
        write_image(tmp_path / f"f{i}.{ext}", size=(10, 10), seed=i)
    write_image(tmp_path / "deeper" / "nested" / "ignored.png", size=(10, 10))
    assert gd.inspect(tmp_path).num_examples == 6
    assert sum(int(b.shape[0]) for b in gd.load(tmp_path, batch_size=1)) == 6


def test_class_subfolders(class_folder):
    info = gd.inspect(class_folder)
    assert info.kind == "folder" and info.num_examples == 5
    assert info.num_classes == 2 and info.class_names == ("cat", "dog")
    assert info.image_shape == (16, 16, 3)
    images, labels = _collect(gd.load(class_folder, task="conditional", batch_size=5, seed=1))
    assert labels.dtype == np.int32 and sorted(labels.tolist()) == [0, 0, 0, 1, 1]
    # Labels follow the sorted subfolder names: cats are black, dogs white.
    np.testing.assert_allclose(images.mean(axis=(1, 2, 3)), labels.astype(np.float32), atol=0.02)


def test_loose_images_and_subfolders_uses_subfolders(class_folder, write_image):
    write_image(class_folder / "stray.png", size=(16, 16))
    with pytest.warns(UserWarning, match="using the subfolders as classes"):
        info = gd.inspect(class_folder)
    assert info.num_examples == 5 and info.class_names == ("cat", "dog")


def test_empty_subfolder_is_not_a_class(class_folder):
    (class_folder / "empty").mkdir()
    assert gd.inspect(class_folder).class_names == ("cat", "dog")


def test_grayscale_folder_native_channels(tmp_path, write_image):
    for i in range(3):
        write_image(tmp_path / f"g{i}.png", size=(12, 9), mode="L", seed=i)
    assert gd.inspect(tmp_path).image_shape == (12, 9, 1)
    assert gd.load(tmp_path, batch_size=3).element_spec.shape == (3, 12, 9, 1)


def test_native_shape_is_most_common_size(plain_folder, write_image):
    write_image(plain_folder / "zz_odd.png", size=(50, 50))
    assert gd.inspect(plain_folder).image_shape == (20, 30, 3)
    # Mixed sizes still batch: every image is resized to the common shape.
    images = _collect(gd.load(plain_folder, batch_size=7))
    assert images.shape == (7, 20, 30, 3)


def test_corrupt_file_skipped_with_one_warning(plain_folder):
    (plain_folder / "x.jpg").write_bytes(np.random.default_rng(0).bytes(512))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = gd.load(plain_folder, batch_size=1)
    about_x = [w for w in caught if "x.jpg" in str(w.message)]
    assert len(about_x) == 1 and "skipping unreadable image" in str(about_x[0].message)
    assert about_x[0].filename == __file__  # points at the caller, not ganzoo internals
    assert sum(1 for _ in ds) == 6


def test_file_pil_accepts_but_tensorflow_cannot_is_ignored(plain_folder):
    # A TIFF named .png passes PIL's verify() but tf.io.decode_image rejects it;
    # ignore_errors must drop it instead of ending the epoch.
    Image.fromarray(np.zeros((20, 30, 3), np.uint8)).save(plain_folder / "tiff.png", format="TIFF")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = gd.load(plain_folder, batch_size=1, drop_remainder=False)
    assert not [w for w in caught if "tiff.png" in str(w.message)]
    assert sum(1 for _ in ds) == 6


def test_conditional_needs_subfolders(plain_folder):
    with pytest.raises(GanzooError, match="has no class labels.*subfolder"):
        gd.load(plain_folder, task="conditional")


def test_empty_folder(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "readme.txt").write_text("no images")
    with pytest.raises(GanzooError, match="folder '.*empty' has no images"):
        gd.load(empty)
    with pytest.raises(GanzooError, match="has no images"):
        gd.inspect(empty)


def test_only_corrupt_files(tmp_path):
    (tmp_path / "a.png").write_bytes(b"not a png")
    with pytest.warns(UserWarning, match="a.png"):
        with pytest.raises(GanzooError, match="no readable images"):
            gd.load(tmp_path)


def test_missing_path(tmp_path):
    with pytest.raises(GanzooError, match="does not exist"):
        gd.load(tmp_path / "nowhere")
    with pytest.raises(GanzooError, match="does not exist"):
        gd.inspect(str(tmp_path / "nowhere"))


def test_file_instead_of_folder(tmp_path, write_image):
    path = write_image(tmp_path / "one.png", size=(4, 4))
    with pytest.raises(GanzooError, match="is not a folder"):
        gd.load(path)


def test_folder_split_slice(plain_folder):
    assert gd.inspect(plain_folder, split="train[:50%]").num_examples == 3
    ds = gd.load(plain_folder, split="train[2:]", batch_size=1)
    assert sum(1 for _ in ds) == 4


def _truncate(path, keep=0.5):
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


@pytest.mark.parametrize("name", ["cut.jpg", "cut.png"])
def test_truncated_image_is_skipped_with_a_warning(plain_folder, write_image, name):
    # A truncated JPEG passes PIL's verify() and TensorFlow decodes it with a
    # grey bottom half; it must not reach training.
    _truncate(write_image(plain_folder / name, seed=3))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = gd.load(plain_folder, batch_size=1, drop_remainder=False)
    about = [str(w.message) for w in caught if name in str(w.message)]
    assert len(about) == 1 and "skipping unreadable image" in about[0] and "truncated" in about[0]
    assert sum(1 for _ in ds) == 6


def test_truncated_check_ignores_load_truncated_images_setting(plain_folder, write_image, monkeypatch):
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    _truncate(write_image(plain_folder / "cut.jpg", seed=3))
    with pytest.warns(UserWarning, match="cut.jpg"):
        gd.load(plain_folder, batch_size=1)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # restored for the user's own code


def test_symlink_loop_is_not_a_class(class_folder):
    (class_folder / "loop").symlink_to(class_folder, target_is_directory=True)
    (class_folder / "cat" / "up").symlink_to(class_folder, target_is_directory=True)
    with pytest.warns(UserWarning, match="ignoring 'loop', a symlink loop"):
        info = gd.inspect(class_folder)
    assert info.class_names == ("cat", "dog") and info.num_examples == 5


def test_symlink_loop_in_a_plain_folder(plain_folder):
    (plain_folder / "self").symlink_to(plain_folder, target_is_directory=True)
    with pytest.warns(UserWarning, match="symlink loop"):
        info = gd.inspect(plain_folder)
    assert info.num_classes is None and info.num_examples == 6


def test_symlink_to_another_folder_is_still_a_class(tmp_path, class_folder, write_image):
    elsewhere = tmp_path / "elsewhere" / "bird"
    write_image(elsewhere / "0.png", size=(16, 16))
    (class_folder / "bird").symlink_to(elsewhere, target_is_directory=True)
    assert gd.inspect(class_folder).class_names == ("bird", "cat", "dog")


def test_truncated_image_in_a_captioned_folder_is_skipped(tmp_path, write_image):
    import json

    write_image(tmp_path / "good.png", size=(12, 12))
    _truncate(write_image(tmp_path / "cut.jpg", size=(64, 64), seed=2))
    (tmp_path / "metadata.jsonl").write_text(
        json.dumps({"file_name": "good.png", "text": "a good caption"}) + "\n"
        + json.dumps({"file_name": "cut.jpg", "text": "half an image"}) + "\n")
    with pytest.warns(UserWarning, match="skipping unreadable image '.*cut.jpg': image file is truncated"):
        ds = gd.load(str(tmp_path), task="captioned", image_shape=(8, 8, 3), batch_size=1, drop_remainder=False)
    assert [t.decode() for _, batch in ds for t in batch.numpy()] == ["a good caption"]


def test_truncated_domain_image_of_an_unpaired_folder_is_skipped(tmp_path, write_image):
    for domain in "AB":
        for i in range(2):
            write_image(tmp_path / f"train{domain}" / f"{i}.png", size=(16, 16), seed=i)
    _truncate(write_image(tmp_path / "trainB" / "cut.jpg", size=(64, 64), seed=5))
    with pytest.warns(UserWarning, match="cut.jpg"):
        ds = gd.load(str(tmp_path), task="unpaired", image_shape=(8, 8, 3), batch_size=1, drop_remainder=False)
    assert sum(1 for _ in ds) == 2
