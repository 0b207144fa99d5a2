"""cgan on every kind of labelled source: the embedded digits, TFDS sets (mocked,
offline) and a folder of class subfolders, through the same path as `ganzoo fit`."""

import json
import os

import numpy as np
import pytest
from PIL import Image

from ganzoo.errors import GanzooError
from ganzoo.training.run_files import load_run_model

SMALL = {"generator_filters": 4, "discriminator_filters": 4, "latent_dim": 8, "embedding_dim": 4}


def quiet(*_):
    pass


def test_digits_batches_fit_the_model():
    import ganzoo

    model = ganzoo.create("cgan", image_shape=(28, 28, 1), **SMALL)
    images, labels = next(iter(ganzoo.data.load("digits", model, batch_size=8, seed=0)))
    assert images.shape == (8, 28, 28, 1) and images.dtype == "float32"
    assert labels.shape == (8,) and labels.dtype == "int32"
    assert set(np.asarray(labels)) <= set(range(model.num_classes))
    model.compile()
    logs = model.train_on_batch(images, labels, return_dict=True)
    assert np.isfinite(logs["d_loss"]) and np.isfinite(logs["g_loss"])


def write_class_folder(root, classes, per_class=4, size=12):
    rng = np.random.default_rng(0)
    for c in classes:
        for i in range(per_class):
            path = root / c / f"{i}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(rng.integers(0, 256, (size, size, 3), dtype=np.uint8)).save(path)
    return root


def test_fit_on_class_folder_takes_num_classes_from_the_data(tmp_path):
    from ganzoo import runs, sampling

    folder = write_class_folder(tmp_path / "shapes", ["circle", "square", "star"])
    out = tmp_path / "run"
    model = runs.fit("cgan", data=str(folder), image_size=16, batch_size=4, steps=2, out=str(out),
                     overrides={**SMALL, "architecture": "conv"}, precision="float32", verbose=0, echo=quiet)
    assert model.num_classes == 3 and model.image_shape == (16, 16, 3)
    assert json.loads((out / "run.json").read_text())["settings"]["config"]["num_classes"] == 3
    grid = np.asarray(Image.open(out / "samples" / "epoch_0001.png"))
    # One row per class, ten columns (the PNG is enlarged by a whole factor).
    assert grid.shape[0] * (10 * (16 + 2) + 2) == grid.shape[1] * (3 * (16 + 2) + 2)
    [written] = sampling.sample(load_run_model(str(out)), count=4, labels=(2,), out=str(tmp_path / "stars.png"))
    assert os.path.exists(written)
    with pytest.raises(GanzooError, match=r"valid labels are 0 \.\. 2"):
        sampling.sample(load_run_model(str(out)), count=4, labels=(3,), out=str(tmp_path / "bad.png"))


@pytest.mark.parametrize("name,shape,architecture", [("mnist", (28, 28, 1), "conv"),
                                                     ("fashion_mnist", (28, 28, 1), "conv"),
                                                     ("cifar10", (32, 32, 3), "conv")])
def test_fit_on_tfds_datasets(name, shape, architecture, tmp_path, monkeypatch):
    import tensorflow_datasets as tfds

    from ganzoo import runs
    from ganzoo.data import tfds_source

    monkeypatch.setattr(tfds_source, "network_available", lambda timeout=3.0: True)
    with tfds.testing.mock_data(num_examples=8):
        model = runs.fit("cgan", dataset=name, data_dir=str(tmp_path / "tfds"), batch_size=4, steps=2,
                         out=str(tmp_path / "run"), overrides=SMALL, precision="float32", verbose=0, echo=quiet)
    assert model.num_classes == 10
    assert model.image_shape == shape and model.architecture == architecture
    assert int(model.step) == 2


def test_fewer_classes_than_the_data_is_a_clear_error(tmp_path):
    from ganzoo import runs

    with pytest.raises(GanzooError, match="num_classes=5 is fewer than the 10 classes of digits"):
        runs.fit("cgan", out=str(tmp_path / "run"), steps=1, overrides={"num_classes": "5"}, echo=quiet)
    assert not (tmp_path / "run").exists()


def test_training_labels_out_of_range_fail_instead_of_training_on_zero_vectors():
    import ganzoo

    model = ganzoo.create("cgan", image_shape=(16, 16, 1), num_classes=3, architecture="conv", **SMALL)
    model.compile()
    images = np.zeros((2, 16, 16, 1), "float32")
    # Checked before the step on every backend (JAX's gather would clamp 7 to 2).
    with pytest.raises(GanzooError, match=r"^label 7 is out of range: this model has 3 classes, valid labels "
                                          r"are 0 \.\. 2$"):
        model.train_on_batch(images, np.array([1, 7], "int32"))
    with pytest.raises(GanzooError, match="label -1 is out of range"):
        model.fit(images, np.array([-1, 0], "int32"), epochs=1, verbose=0)
    assert model.steps_done == 0


def test_a_dataset_with_more_classes_than_the_model_is_refused_where_it_is_loaded():
    import ganzoo

    model = ganzoo.create("cgan", image_shape=(8, 8, 1), num_classes=3, architecture="mlp", hidden_units=8)
    with pytest.raises(GanzooError, match="^dataset 'digits' has 10 classes but the model only 3 "):
        ganzoo.data.load("digits", model, batch_size=8)


def test_a_label_beyond_its_sources_classes_fails_when_read():
    import tensorflow as tf

    from ganzoo.data import elements
    from ganzoo.data.common import SourceInfo

    info = SourceInfo(name="odd", kind="folder", num_examples=2, image_shape=(8, 8, 1), num_classes=3,
                      class_names=("a", "b", "c"))
    examples = tf.data.Dataset.from_tensor_slices({"image": np.zeros((2, 8, 8, 1), "uint8"),
                                                   "label": np.array([2, 5], "int64")})
    ds = iter(elements.conditional(examples, info, (8, 8, 1), num_classes=3))
    assert int(next(ds)[1]) == 2
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of range: the model has 3 classes"):
        next(ds)
