"""A run trained on TensorFlow loads, draws the same images and resumes on JAX.

Each backend runs in a subprocess of its own (Keras picks its backend once per
process). TensorFlow trains a tiny run and writes what its generator draws for
fixed latents; JAX loads the same `model.keras`, draws for the same latents,
and resumes the run with `ganzoo fit --resume --backend jax`.

Tolerance: 1e-5 on images in [0, 1]. The weights are the same float32 numbers
on both sides; what differs is the order of the float32 sums in XLA:CPU's and
TensorFlow's matrix products (about 1e-7 relative per sum, a few layers deep).

`generate(n, seed=s)` itself draws different latents on each backend: Keras'
random functions use each backend's own generator (TensorFlow's stateless
Philox, JAX's threefry), so a seed names a different draw on each. The images
of one seed are the same on one backend across save, load and resume.
"""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(importlib.util.find_spec("jax") is None,
                                 reason="needs the jax extra: pip install \"ganzoo[jax]\"")]

TOLERANCE = 1e-5

DRAW = """
import sys, numpy as np, ganzoo
model = ganzoo.load_model(sys.argv[1])
z = np.random.default_rng(0).standard_normal((8, model.latent_dim)).astype("float32")
images = np.asarray(model.from_network_range(model.generator(z, training=False)))
np.save(sys.argv[2], images)
np.save(sys.argv[3], model.generate(4, seed=7))
print("STEP", model.steps_done)
"""


def _run(args, backend, cwd):
    environ = {**os.environ, "KERAS_BACKEND": backend}
    result = subprocess.run(args, capture_output=True, text=True, cwd=cwd, env=environ, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _ganzoo(*args):
    return [sys.executable, "-m", "ganzoo", *args]


def test_a_tensorflow_run_loads_draws_and_resumes_on_jax(tmp_path):
    _run(_ganzoo("fit", "vanilla", "--steps", "3", "--out", "run", "--precision", "float32", "--seed", "0"),
         "tensorflow", tmp_path)
    (tmp_path / "draw.py").write_text(DRAW)
    on_tf = _run([sys.executable, "draw.py", "run/model.keras", "tf.npy", "tf_seed.npy"], "tensorflow", tmp_path)
    on_jax = _run([sys.executable, "draw.py", "run/model.keras", "jax.npy", "jax_seed.npy"], "jax", tmp_path)
    assert "STEP 3" in on_tf and "STEP 3" in on_jax

    tf_images, jax_images = np.load(tmp_path / "tf.npy"), np.load(tmp_path / "jax.npy")
    assert tf_images.shape == jax_images.shape == (8, 28, 28, 1)
    assert np.abs(tf_images - jax_images).max() < TOLERANCE
    assert np.load(tmp_path / "jax_seed.npy").shape == (4, 28, 28, 1)

    _run(_ganzoo("fit", "vanilla", "--steps", "5", "--out", "run", "--resume", "--backend", "jax"), "tensorflow",
         tmp_path)
    rows = (tmp_path / "run" / "metrics.csv").read_text().strip().splitlines()
    assert len(rows) >= 2 and all(np.isfinite(float(v)) for v in rows[-1].split(",")[1:])
    resumed = _run([sys.executable, "draw.py", "run/model.keras", "after.npy", "after_seed.npy"], "jax", tmp_path)
    assert "STEP 5" in resumed
    # Two more steps moved the generator.
    assert np.abs(np.load(tmp_path / "after.npy") - jax_images).max() > 1e-4
    state = json.loads((tmp_path / "run" / "checkpoint.json").read_text())
    assert state["step"] == 5
