"""A `.keras` file written on one backend loads on another, generates the same
images for the same seed and trains on (each side in a subprocess: the
backend is fixed per process).

Tolerance 1e-5 on images in [0, 1], float32: the same weights and the same
latents (explicit seeds draw through TensorFlow's kernels on every backend,
`ganzoo.random_streams`) through other convolution kernels; measured 6e-8
for dcgan at 28x28 (and 0 grey levels apart in `ganzoo sample`'s PNG).
"""

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

pytestmark = pytest.mark.slow  # two subprocesses that each build Keras and train

OTHERS = [name for name in ("torch", "jax") if importlib.util.find_spec(name) is not None]

WRITE = """
import sys, numpy as np, tensorflow as tf, ganzoo
model = ganzoo.create("dcgan", image_shape=(28, 28, 1), latent_dim=16, generator_filters=8,
                      discriminator_filters=8, seed=0)
model.compile()
batch = np.random.default_rng(0).random((8, 28, 28, 1), dtype=np.float32)
model.fit(tf.data.Dataset.from_tensors(batch).repeat(), steps_per_epoch=2, epochs=1, verbose=0)
model.save(sys.argv[1])
np.save(sys.argv[2], model.generate(4, seed=3))
"""

READ = """
import sys, numpy as np, tensorflow as tf, keras
import ganzoo  # registers the plugins, whose classes the file names
model = keras.models.load_model(sys.argv[1])
np.save(sys.argv[2], model.generate(4, seed=3))
batch = np.random.default_rng(1).random((8, 28, 28, 1), dtype=np.float32)
history = model.fit(tf.data.Dataset.from_tensors(batch), epochs=1, verbose=0)
assert model.steps_done == 3, model.steps_done
assert all(np.isfinite(values[-1]) for values in history.history.values()), history.history
"""

# text2image: the vocabulary is built from the captions by the first fit, the
# text encoder pre-trained (2 steps) then kept fixed; the captions reach the
# step as token ids on every backend.
CAPTIONS = "[f'a {c} {s}' for c in ('red', 'blue') for s in ('circle', 'square', 'box', 'disk')]"
WRITE_TEXT2IMAGE = f"""
import sys, numpy as np, tensorflow as tf, ganzoo
model = ganzoo.create("text2image", image_shape=(16, 16, 3), max_tokens=20, max_length=8, word_dim=4,
                      encoder_filters=4, text_dim=8, condition_dim=4, latent_dim=8, generator_filters=4,
                      discriminator_filters=4, pretrain_steps=2, seed=0)
model.compile()
batch = (np.random.default_rng(0).random((8, 16, 16, 3), dtype=np.float32), np.array({CAPTIONS}))
model.fit(tf.data.Dataset.from_tensors(batch).repeat(), steps_per_epoch=2, epochs=1, verbose=0)
model.save(sys.argv[1])
np.save(sys.argv[2], model.generate(texts=["a red circle", "a blue box", "zebra", ""], seed=3))
"""

READ_TEXT2IMAGE = f"""
import sys, numpy as np, tensorflow as tf, keras
import ganzoo  # registers the plugins, whose classes the file names
model = keras.models.load_model(sys.argv[1])
np.save(sys.argv[2], model.generate(texts=["a red circle", "a blue box", "zebra", ""], seed=3))
batch = (np.random.default_rng(1).random((8, 16, 16, 3), dtype=np.float32), np.array({CAPTIONS}))
history = model.fit(tf.data.Dataset.from_tensors(batch), epochs=1, verbose=0)
assert model.steps_done == 3, model.steps_done
assert all(np.isfinite(values[-1]) for values in history.history.values()), history.history
"""


def run(backend, script, *args):
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, "-c", script, *args], env=env, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.mark.skipif(not OTHERS, reason="only TensorFlow is installed: nothing to move a file to")
@pytest.mark.parametrize("direction", [(a, b) for other in OTHERS for a, b in (("tensorflow", other),
                                                                                (other, "tensorflow"))])
def test_a_keras_file_moves_between_backends(direction, tmp_path):
    writer, reader = direction
    path = str(tmp_path / "model.keras")
    run(writer, WRITE, path, str(tmp_path / "written.npy"))
    run(reader, READ, path, str(tmp_path / "read.npy"))
    written, read = np.load(tmp_path / "written.npy"), np.load(tmp_path / "read.npy")
    assert written.shape == (4, 28, 28, 1)
    np.testing.assert_allclose(read, written, rtol=0, atol=1e-5)


@pytest.mark.skipif(not OTHERS, reason="only TensorFlow is installed: nothing to move a file to")
@pytest.mark.parametrize("direction", list(zip(["tensorflow", *OTHERS], [*OTHERS, "tensorflow"])))
def test_a_text2image_file_moves_between_backends(direction, tmp_path):
    """Captions as token ids: the vocabulary travels in the config, the same
    captions draw the same images on the other backend, and it trains on.
    Around the circle TensorFlow -> PyTorch -> JAX -> TensorFlow, so every
    backend writes and reads once (the dcgan test above does every pair
    with TensorFlow)."""
    writer, reader = direction
    path = str(tmp_path / "model.keras")
    run(writer, WRITE_TEXT2IMAGE, path, str(tmp_path / "written.npy"))
    run(reader, READ_TEXT2IMAGE, path, str(tmp_path / "read.npy"))
    written, read = np.load(tmp_path / "written.npy"), np.load(tmp_path / "read.npy")
    assert written.shape == (4, 16, 16, 3)
    np.testing.assert_allclose(read, written, rtol=0, atol=1e-5)
