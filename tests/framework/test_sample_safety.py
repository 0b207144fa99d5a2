"""`ganzoo sample` with many images (streamed to a folder, never all in
memory) and with an `--input` folder holding bad files (skipped, counted)."""

import os
import re

import numpy as np
import pytest
from PIL import Image

import ganzoo
from ganzoo import sampling
from ganzoo.errors import GanzooError
from ganzoo.testing import run_cli




@pytest.fixture(scope="module")
def tiny_dcgan():
    return ganzoo.create("dcgan", image_shape=(16, 16, 1), generator_filters=4, discriminator_filters=4,
                         latent_dim=8)


@pytest.fixture(scope="module")
def cyclegan_file(tmp_path_factory):
    model = ganzoo.create("cyclegan", image_shape=(24, 24, 3), generator_filters=4, discriminator_filters=4,
                          residual_blocks=1)
    path = tmp_path_factory.mktemp("cyclegan") / "model.keras"
    model.save(path)
    return path


def _count_batches(model, monkeypatch):
    sizes = []
    original = type(model).generate_batch

    def counting(self, n, seed, **conditions):
        sizes.append(int(n))
        return original(self, n, seed, **conditions)

    monkeypatch.setattr(type(model), "generate_batch", counting)
    return sizes


# ------------------------------------------------------------------ streaming
def test_generate_batches_concatenate_to_generate(tiny_dcgan):
    parts = list(tiny_dcgan.generate_batches(10, seed=3, batch_size=4))
    assert [len(p) for p in parts] == [4, 4, 2]
    np.testing.assert_allclose(np.concatenate(parts), tiny_dcgan.generate(10, seed=3, batch_size=4), atol=1e-6)


def test_sample_to_a_folder_generates_batch_by_batch(tiny_dcgan, tmp_path, monkeypatch):
    monkeypatch.setattr(sampling.files, "STREAM_BATCH", 4)
    sizes = _count_batches(tiny_dcgan, monkeypatch)
    # Holding all images at once is what took 2 GB for --n 100000.
    monkeypatch.setattr(type(tiny_dcgan), "generate", lambda *a, **k: pytest.fail("generate() holds every image"))
    paths = sampling.sample(tiny_dcgan, out=str(tmp_path / "many"), count=10, seed=0)
    assert sizes == [4, 4, 2]
    assert sorted(os.listdir(tmp_path / "many")) == [f"{i:06d}.png" for i in range(10)]
    assert len(paths) == 10 and Image.open(paths[0]).size == (16, 16)


def test_streamed_files_are_the_grid_images(tiny_dcgan, tmp_path):
    paths = sampling.sample(tiny_dcgan, out=str(tmp_path / "files"), count=3, seed=1)
    expected = ganzoo.images.to_uint8(tiny_dcgan.generate(3, seed=1))[..., 0]
    for path, image in zip(paths, expected):
        np.testing.assert_array_equal(np.asarray(Image.open(path)), image)


def test_a_grid_beyond_the_limit_is_refused_before_generating(tiny_dcgan, tmp_path, monkeypatch):
    sizes = _count_batches(tiny_dcgan, monkeypatch)
    with pytest.raises(GanzooError, match=r"grid holds at most 1024 images, not 100000; pass --out FOLDER"):
        sampling.sample(tiny_dcgan, out=str(tmp_path / "grid.png"), count=100000)
    assert sizes == [] and not (tmp_path / "grid.png").exists()


def test_streaming_never_overwrites_files(tiny_dcgan, tmp_path):
    folder = tmp_path / "kept"
    folder.mkdir()
    (folder / "000001.png").write_bytes(b"mine")
    with pytest.raises(GanzooError, match="already holds 000001.png; pass force=True to overwrite its files"):
        sampling.sample(tiny_dcgan, out=str(folder), count=3)
    assert (folder / "000001.png").read_bytes() == b"mine"
    paths = sampling.sample(tiny_dcgan, out=str(folder), count=3, force=True)
    assert len(paths) == 3 and Image.open(folder / "000001.png").size == (16, 16)


# ------------------------------------------------------------------ one rule: never overwrite without --force
def test_an_existing_grid_is_refused_before_generating_and_replaced_with_force(tiny_dcgan, tmp_path, monkeypatch):
    grid = tmp_path / "samples.png"
    grid.write_bytes(b"another model's grid")
    sizes = _count_batches(tiny_dcgan, monkeypatch)
    with pytest.raises(GanzooError, match=rf"^{re.escape(str(grid))} already exists; pass force=True to overwrite it, "
                                          "or another out path$"):
        sampling.sample(tiny_dcgan, out=str(grid), count=4)
    assert grid.read_bytes() == b"another model's grid" and sizes == []
    assert sampling.sample(tiny_dcgan, out=str(grid), count=4, force=True) == [str(grid)]
    assert Image.open(grid).size[0] > 0


def test_a_plugins_own_figure_obeys_the_rule(tmp_path):
    from ganzoo_plugins.stylegan.figures import StyleFigures

    class Figure:
        task = "unconditional"
        extra_sample_options = StyleFigures.extra_sample_options

        def sample(self, *, out, count=64, seed=0, **options):
            return sampling.files.save_picture(np.zeros((4, 4, 3), "float32"), out)

    grid = tmp_path / "mix.png"
    grid.write_bytes(b"kept")
    with pytest.raises(GanzooError, match="already exists; pass force=True"):
        sampling.sample(Figure(), out=str(grid))
    assert grid.read_bytes() == b"kept"
    with sampling.files.overwriting(False), pytest.raises(GanzooError, match="already exists; pass force=True"):
        sampling.files.save_picture(np.zeros((4, 4, 3), "float32"), grid)   # checked where it is written, too


def test_cli_default_grid_is_not_replaced_without_force(tiny_dcgan, tmp_path, capsys, monkeypatch):
    path = tmp_path / "dcgan.keras"
    tiny_dcgan.save(path)
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["sample", str(path), "--n", "4"], capsys)
    assert code == 0 and out.strip() == "wrote samples.png", err
    before = (tmp_path / "samples.png").read_bytes()
    code, out, err = run_cli(["sample", str(path), "--n", "4", "--seed", "1"], capsys)
    assert code == 1 and err.strip() == "error: samples.png already exists; pass --force to overwrite it, or another --out"
    assert (tmp_path / "samples.png").read_bytes() == before
    code, out, err = run_cli(["sample", str(path), "--n", "4", "--seed", "1", "--force"], capsys)
    assert code == 0 and (tmp_path / "samples.png").read_bytes() != before, err


def test_conditional_labels_stream_to_named_files(tmp_path, monkeypatch):
    model = ganzoo.create("cgan", image_shape=(8, 8, 1), num_classes=3, hidden_units=16, latent_dim=8)
    monkeypatch.setattr(sampling.files, "STREAM_BATCH", 2)
    sizes = _count_batches(model, monkeypatch)
    sampling.sample(model, out=str(tmp_path / "labels"), count=2, labels=(2, 0))
    assert sizes == [2, 2]
    assert sorted(os.listdir(tmp_path / "labels")) == ["0_000002.png", "0_000003.png", "2_000000.png", "2_000001.png"]


def test_cli_sample_many_prints_one_summary_line(tiny_dcgan, tmp_path, capsys):
    path = tmp_path / "dcgan.keras"
    tiny_dcgan.save(path)
    code, out, err = run_cli(["sample", str(path), "--n", "12", "--out", str(tmp_path / "s")], capsys)
    assert code == 0, err
    assert out.strip().splitlines() == [f"wrote 12 image file(s) to {tmp_path / 's'}"]
    code, out, err = run_cli(["sample", str(path), "--n", "2000"], capsys)
    assert code == 1 and err.startswith("error: --out samples.png: a grid holds at most 1024 images"), err


# ------------------------------------------------------------------ --input folders
def _inputs(folder, bad):
    folder.mkdir()
    Image.fromarray(np.full((24, 24, 3), 40, np.uint8)).save(folder / "good.png")
    if bad:
        (folder / "garbage.png").write_bytes(b"not an image at all")
        Image.fromarray(np.random.default_rng(0).integers(0, 256, (64, 64, 3), np.uint8)).save(folder / "cut.jpg")
        data = (folder / "cut.jpg").read_bytes()
        (folder / "cut.jpg").write_bytes(data[: len(data) // 2])
    return folder


def test_sample_input_folder_skips_unreadable_files(cyclegan_file, tmp_path, capsys):
    folder = _inputs(tmp_path / "in", bad=True)
    code, out, err = run_cli(["sample", str(cyclegan_file), "--input", str(folder), "--out", str(tmp_path / "out")],
                              capsys)
    assert code == 0, err
    assert os.listdir(tmp_path / "out") == ["good.png"]
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2 and all(len(w.splitlines()) == 1 for w in warnings)
    assert any("garbage.png" in w for w in warnings) and any("cut.jpg" in w and "truncated" in w for w in warnings)
    assert "Traceback" not in err
    assert out.strip().splitlines()[-1] == (f"wrote 1 image file(s) to {tmp_path / 'out'}; skipped 2 unreadable "
                                            "input file(s) (see the warnings above)")


def test_sample_input_folder_never_overwrites_an_output_without_force(cyclegan_file, tmp_path, capsys):
    folder = _inputs(tmp_path / "in", bad=False)
    Image.fromarray(np.full((24, 24, 3), 200, np.uint8)).save(folder / "a.png")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "good.png").write_bytes(b"mine")
    code, out, err = run_cli(["sample", str(cyclegan_file), "--input", str(folder), "--out", str(out_dir)], capsys)
    assert code == 1 and err.strip().startswith(f"error: {out_dir / 'good.png'} already exists; pass --force"), err
    assert os.listdir(out_dir) == ["good.png"] and (out_dir / "good.png").read_bytes() == b"mine"  # nothing written
    code, out, err = run_cli(["sample", str(cyclegan_file), "--input", str(folder), "--out", str(out_dir),
                              "--force"], capsys)
    assert code == 0, err
    assert sorted(os.listdir(out_dir)) == ["a.png", "good.png"] and Image.open(out_dir / "good.png").size == (24, 24)


def test_sample_input_file_never_overwrites_its_output_without_force(cyclegan_file, tmp_path, capsys):
    Image.fromarray(np.full((24, 24, 3), 90, np.uint8)).save(tmp_path / "a.png")
    code, out, err = run_cli(["sample", str(cyclegan_file), "--input", str(tmp_path / "a.png"),
                              "--out", str(tmp_path / "a.png")], capsys)
    assert code == 1 and f"{tmp_path / 'a.png'} already exists; pass --force" in err


def test_sample_input_folder_without_a_readable_image_is_an_error(cyclegan_file, tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.png").write_bytes(b"nope")
    (folder / "b.jpg").write_bytes(b"nope")
    code, out, err = run_cli(["sample", str(cyclegan_file), "--input", str(folder), "--out", str(tmp_path / "o")],
                              capsys)
    assert code == 1
    assert err.splitlines()[-1].startswith(f"error: --input {folder}: none of its 2 image files could be read")
    assert not (tmp_path / "o").exists()


def test_sample_input_unreadable_single_file_is_an_error(cyclegan_file, tmp_path, capsys):
    (tmp_path / "x.png").write_bytes(b"nope")
    code, _, err = run_cli(["sample", str(cyclegan_file), "--input", str(tmp_path / "x.png")], capsys)
    assert code == 1 and "not a readable image" in err and "Traceback" not in err
