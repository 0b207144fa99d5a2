"""`ganzoo.runs.fit(strategy=...)`: a run on two logical CPU devices under
MirroredStrategy announces its replicas, refuses a global batch that does not
divide by them, stores the strategy in run.json, and resumes on one device."""

import json
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.slow  # subprocesses training on two logical devices: deselect with -m "not slow"

SCRIPT = textwrap.dedent("""
    import json, sys
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from ganzoo import runs
    from ganzoo.errors import GanzooError

    out, strategy, steps, batch, resume = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    plugin, tiny, precision = sys.argv[6], json.loads(sys.argv[7]), sys.argv[8]
    try:
        model = runs.fit(plugin, out=out, strategy=strategy, steps=steps, batch_size=None if resume == "1" else batch,
                         seed=None if resume == "1" else 1, resume=resume == "1", precision=precision, verbose=0,
                         overrides=None if resume == "1" else tiny, sync_batchnorm=True)
        print("STEPS", model.steps_done)
    except GanzooError as exc:
        print("ERROR", exc)
""")


DCGAN = {"generator_filters": 4, "discriminator_filters": 4, "latent_dim": 8}


def fit(tmp_path, strategy, steps, batch=4, resume=False, plugin="dcgan", tiny=DCGAN, precision="float32"):
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "run"), strategy, str(steps), str(batch),
                             "1" if resume else "0", plugin, json.dumps(tiny), precision], capture_output=True, text=True,
                            timeout=400)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_mirrored_run_announces_replicas_checks_batch_and_resumes_on_one_device(tmp_path):
    refused = fit(tmp_path, "mirrored", 2, batch=5)
    assert "ERROR --batch-size 5 is the global batch and must divide by the 2 replicas; pass --batch-size 4 or 6" \
        in refused
    stdout = fit(tmp_path, "mirrored", 2)
    assert "batch 4, 2 replicas (MirroredStrategy)" in stdout and "STEPS 2" in stdout
    settings = json.loads((tmp_path / "run" / "run.json").read_text())["settings"]
    assert settings["strategy"] == "mirrored" and settings["sync_batchnorm"] is True
    stdout = fit(tmp_path, "one", 3, resume=True)
    assert "1 replica" in stdout and "STEPS 3" in stdout
    assert json.loads((tmp_path / "run" / "run.json").read_text())["settings"]["strategy"] == "one"


def test_text2image_pretrains_its_encoder_and_trains_on_two_replicas(tmp_path):
    """Captions are strings: Keras' symbolic build under a strategy averaged
    the first batch over the replicas and failed on them, in the text
    encoder's pre-training before the model's own steps; and under
    mixed_bfloat16 the gather of the global batch's embeddings had no
    bfloat16 kernel."""
    tiny = {"word_dim": 4, "encoder_filters": 4, "text_dim": 8, "condition_dim": 4, "latent_dim": 8,
            "generator_filters": 4, "discriminator_filters": 4, "pretrain_steps": 2}
    stdout = fit(tmp_path, "mirrored", 2, plugin="text2image", tiny=tiny, precision="mixed_bfloat16")
    assert "2 replicas (MirroredStrategy)" in stdout and "STEPS 2" in stdout, stdout
