"""`ganzoo evaluate` refuses real data of another kind than the model's (the
scores looked perfect or were NaN) and never writes NaN into evaluation.json."""

import json
import math

import numpy as np
import pytest
from PIL import Image

from ganzoo import metrics
from ganzoo.testing import run_cli

TINY = {"dcgan": {"generator_filters": 4, "discriminator_filters": 4, "latent_dim": 8},
        "cgan": {"hidden_units": 16, "latent_dim": 8}}




def _fit(plugin, out):
    from ganzoo import runs

    runs.fit(plugin, steps=2, batch_size=32, out=str(out), seed=1, overrides=dict(TINY[plugin]),
             precision="float32", verbose=0, echo=lambda *_: None)
    return out


@pytest.fixture(scope="module")
def dcgan_run(tmp_path_factory):
    return _fit("dcgan", tmp_path_factory.mktemp("runs") / "dcgan")


@pytest.fixture(scope="module")
def cgan_run(tmp_path_factory):
    return _fit("cgan", tmp_path_factory.mktemp("runs") / "cgan")


def _class_folder(root, classes, channels=1, size=28):
    for name in classes:
        for i in range(3):
            path = root / name / f"{i}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            array = np.random.default_rng(i).integers(0, 256, (size, size, channels), np.uint8)
            Image.fromarray(array[..., 0] if channels == 1 else array).save(path)
    return root


def _one_error_line(code, err):
    assert code == 1
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_conditional_model_against_data_with_other_classes(cgan_run, tmp_path, capsys):
    folder = _class_folder(tmp_path / "three", ["a", "b", "c"])
    code, _, err = run_cli(["evaluate", str(cgan_run), "--data", str(folder), "--n", "10"], capsys)
    line = _one_error_line(code, err)
    assert line.startswith(f"error: --data {folder} has 3 classes but the model draws 10")
    assert not (cgan_run / "evaluation.json").exists()


def test_conditional_model_against_ten_other_classes(cgan_run, tmp_path, capsys):
    folder = _class_folder(tmp_path / "letters", list("abcdefghij"))
    code, _, err = run_cli(["evaluate", str(cgan_run), "--data", str(folder), "--n", "10"], capsys)
    assert "but the model learnt digits's (0, 1, 2, 3, 4, ...)" in _one_error_line(code, err)


def test_grey_model_against_a_translation_dataset(dcgan_run, capsys):
    code, _, err = run_cli(["evaluate", str(dcgan_run), "--dataset", "chalk2ink", "--n", "10"], capsys)
    line = _one_error_line(code, err)
    assert line.startswith("error: --dataset chalk2ink is two-domain translation data")


def test_grey_model_against_colour_images(dcgan_run, tmp_path, capsys):
    folder = _class_folder(tmp_path / "colour", ["x", "y"], channels=3)
    code, _, err = run_cli(["evaluate", str(dcgan_run), "--data", str(folder), "--n", "10"], capsys)
    assert "has colour images (3 channel(s)) but the model makes grey ones (1)" in _one_error_line(code, err)


def test_a_nan_score_is_an_error_and_never_written(dcgan_run, capsys, monkeypatch):
    original = metrics.METRICS["classifier"]
    nan_metric = metrics.Metric(name="classifier", summary=original.summary, tasks=original.tasks,
                                compute=lambda model, real, options: {"confidence": 1.0, "frechet": math.nan},
                                needs_arrays=False)
    monkeypatch.setitem(metrics.METRICS, "classifier", nan_metric)
    before = {"results": {"classifier": {"frechet": 1.5}}}
    (dcgan_run / "evaluation.json").write_text(json.dumps(before))
    code, out, err = run_cli(["evaluate", str(dcgan_run), "--n", "10"], capsys)
    assert _one_error_line(code, err).startswith("error: metric classifier: frechet is nan, not a number")
    assert json.loads((dcgan_run / "evaluation.json").read_text()) == before  # the last good result is kept
    assert "classifier.confidence" not in out


def test_check_finite_looks_inside_nested_values():
    from ganzoo.errors import GanzooError
    from ganzoo.evaluation import check_finite

    check_finite({"fid": {"fid": 3.0, "protocol": {"x": math.nan}}})  # the protocol is not a score
    with pytest.raises(GanzooError, match=r"metric intra_fid: per_class\[1\] is inf"):
        check_finite({"intra_fid": {"per_class": [1.0, math.inf]}})


def test_matching_data_is_still_evaluated(dcgan_run, capsys):
    code, out, err = run_cli(["evaluate", str(dcgan_run), "--dataset", "digits", "--n", "10"], capsys)
    assert code == 0, err
    assert any(line.startswith("classifier.confidence") for line in out.splitlines())


def test_a_metric_of_another_task_names_the_ones_that_work(dcgan_run, capsys):
    code, _, err = run_cli(["evaluate", str(dcgan_run), "--metrics", "psnr"], capsys)
    line = _one_error_line(code, err)
    assert "'psnr' (paired models) does not apply to an unconditional model" in line
    assert "the metrics for unconditional models: classifier, dc, fid, is, kid, pr" in line


def test_tasks_without_metrics_say_so_and_where_to_look():
    from ganzoo.errors import GanzooError
    from ganzoo.evaluation import check_applicable

    check_applicable("conditional", ["fid", "intra_fid", "classifier"])  # all apply: no error
    from ganzoo.errors import command_line

    with command_line(), pytest.raises(GanzooError, match=r"the metrics for paired models: psnr, ssim \(e.g. "
                                                          r"--metrics psnr,ssim\)"):
        check_applicable("paired", ["classifier"])  # the default of ganzoo evaluate on an srgan run
    with pytest.raises(GanzooError, match=r"\(e.g. metric_names=\['psnr', 'ssim'\]\)"):
        check_applicable("paired", ["classifier"])  # from Python
    with pytest.raises(GanzooError) as info:
        check_applicable("captioned", ["classifier"])  # ganzoo evaluate runs/text2image
    message = str(info.value)
    assert "no installed metric does yet" in message and "attribute_match" in message
    with pytest.raises(GanzooError, match="entry points"):
        check_applicable("unpaired", ["fid"])
