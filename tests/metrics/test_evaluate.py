"""`ganzoo evaluate` with the Inception metrics, end to end on weights
converted from the synthetic graph (the real weights cannot be had offline)."""

import json
import re
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from ganzoo.testing import run_cli

TINY = {"dcgan": ["--set", "generator_filters=4", "--set", "discriminator_filters=4", "--set", "latent_dim=8"],
        "cgan": ["--set", "hidden_units=16", "--set", "latent_dim=8"]}




def _fit(plugin, out, capsys):
    code, _, err = run_cli(["fit", plugin, "--steps", "2", "--batch-size", "32", "--out", str(out), "--seed", "1",
                             "--quiet", "--precision", "float32", *TINY[plugin]], capsys)
    assert code == 0, err
    return out


def test_evaluate_fid_kid_is_pr_dc_records_the_protocol(tmp_path, capsys, synthetic_pb):
    run = _fit("dcgan", tmp_path / "run", capsys)
    args = ["evaluate", str(run), "--metrics", "fid,kid,is,pr,dc", "--n", "20", "--real-n", "24",
            "--inception-weights", synthetic_pb]
    code, out, err = run_cli(args, capsys)
    assert code == 0, err
    values = dict(line.split("  ", 1) for line in out.splitlines() if re.match(r"^[a-z_]+\.[a-z_0-9]+  ", line))
    assert float(values["fid.fid"]) > 0 and float(values["kid.kid_std"]) >= 0
    assert 1.0 <= float(values["is.is"]) <= 1008
    assert 0 <= float(values["pr.precision"]) <= 1 and 0 <= float(values["dc.coverage"]) <= 1
    assert "protocol.resize" in values and "no half-pixel centres" in values["protocol.resize"]
    assert "2,048" in err and "NOT the reference" in err  # small N and synthetic weights are both flagged
    saved = json.loads((run / "evaluation.json").read_text())
    protocol = saved["results"]["fid"]["protocol"]
    assert protocol["generated"] == 20 and protocol["real"] == 24
    assert protocol["split"] == "train" and protocol["seed"] == 0 and protocol["dataset"] == "digits"
    assert protocol["reference_weights"] is False and len(protocol["weights_sha256"]) == 64
    assert "N - 1" in protocol["covariance"] and protocol["precision"] == "float32"
    assert saved["results"]["kid"]["protocol"]["kid"]["subset_size"] == 20
    cache = protocol["real_statistics_cache"]
    assert os.path.exists(cache)
    stamp = os.path.getmtime(cache)

    # The real statistics are reused; another resize mode is another cache entry and another score.
    code, out2, err = run_cli(args[:-4] + ["--real-n", "24", "--inception-weights", synthetic_pb, "--metrics", "fid"],
                               capsys)
    assert code == 0, err
    assert os.path.getmtime(cache) == stamp
    code, out3, err = run_cli(args + ["--resize", "clean", "--metrics", "fid"], capsys)
    assert code == 0, err
    clean = json.loads((run / "evaluation.json").read_text())["results"]["fid"]
    assert clean["protocol"]["real_statistics_cache"] != cache and clean["protocol"]["resize"].startswith("clean")
    assert clean["fid"] != pytest.approx(float(values["fid.fid"]), rel=1e-6)


def test_intra_fid_of_a_conditional_model(tmp_path, capsys, synthetic_pb):
    run = _fit("cgan", tmp_path / "cgan", capsys)
    code, out, err = run_cli(["evaluate", str(run), "--metrics", "fid,intra_fid", "--n", "30", "--real-n", "40",
                               "--inception-weights", synthetic_pb], capsys)
    assert code == 0, err
    results = json.loads((run / "evaluation.json").read_text())["results"]
    per_class = [results["intra_fid"][f"fid_class_{k}"] for k in range(10)]
    assert results["intra_fid"]["intra_fid"] == pytest.approx(np.mean(per_class))
    assert results["intra_fid"]["protocol"]["intra_fid"]["generated_per_class"] == 3
    assert results["fid"]["protocol"]["real"] == 40


def test_generated_images_far_from_the_data_score_worse_than_held_out_real_images(synthetic_weights):
    from ganzoo.metrics import protocol
    from ganzoo.metrics.features import InceptionExtractor
    from ganzoo.metrics.statistics import fid_of

    extractor = InceptionExtractor(synthetic_weights, batch_size=32)
    a, *_ = protocol.real_statistics(extractor, "digits", "train[:40]", image_shape=(28, 28, 1), verbose=False)
    b, *_ = protocol.real_statistics(extractor, "digits", "train[40:80]", image_shape=(28, 28, 1), verbose=False)
    noise = np.random.default_rng(0).uniform(0, 1, (40, 28, 28, 1)).astype(np.float32)
    c, _, _ = extractor.statistics(noise, verbose=False)
    floor = fid_of(a, b)
    assert 0 < floor < 0.5 * fid_of(c, b)


def test_offline_without_weights_fails_in_seconds_with_one_line(tmp_path, capsys):
    run = _fit("dcgan", tmp_path / "run", capsys)
    env = dict(os.environ, KERAS_HOME=str(tmp_path / "empty_keras"), GANZOO_OFFLINE="1")
    exe = os.path.join(os.path.dirname(sys.executable), "ganzoo")
    start = time.perf_counter()
    result = subprocess.run([exe, "evaluate", str(run), "--metrics", "fid"], capture_output=True, text=True,
                            timeout=60, env=env)
    elapsed = time.perf_counter() - start
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "classify_image_graph_def.pb" in lines[0] and "--inception-weights" in lines[0]
    assert str(tmp_path / "empty_keras" / "models") in lines[0]
    assert elapsed < 10, elapsed
