"""`ganzoo fit --jit/--steps-per-execution`: forwarded to `model.compile`, and
checkpoints and the stop still land on their exact steps (no timing here;
speed is measured by benchmarks/fit_vs_loop.py, see docs/benchmarks.md)."""

import json

import pytest
from click.testing import CliRunner

from ganzoo import runs
from ganzoo.training import loop
from ganzoo.cli import cli

TINY = ["--set", "generator_filters=4", "--set", "discriminator_filters=4", "--set", "latent_dim=8"]


def test_cli_forwards_jit_and_steps_per_execution(monkeypatch, tmp_path):
    seen = {}
    monkeypatch.setattr(loop, "fit", lambda name, **kwargs: seen.update(kwargs, name=name))
    result = CliRunner().invoke(cli, ["fit", "dcgan", "--out", str(tmp_path / "r"), "--jit",
                                      "--steps-per-execution", "4"])
    assert result.exit_code == 0, result.output
    assert seen["name"] == "dcgan" and seen["jit"] is True and seen["steps_per_execution"] == 4
    result = CliRunner().invoke(cli, ["fit", "dcgan", "--out", str(tmp_path / "r"), "--no-jit"])
    assert result.exit_code == 0 and seen["jit"] is False and seen["steps_per_execution"] is None
    result = CliRunner().invoke(cli, ["fit", "dcgan", "--out", str(tmp_path / "r")])
    assert result.exit_code == 0 and seen["jit"] is None
    result = CliRunner().invoke(cli, ["fit", "dcgan", "--steps-per-execution", "0"])
    assert result.exit_code != 0 and "--steps-per-execution" in result.output


def test_compile_options_and_defaults():
    assert runs.compile_options() == {"jit_compile": runs.DEFAULT_JIT,
                                      "steps_per_execution": runs.DEFAULT_STEPS_PER_EXECUTION}
    assert runs.compile_options(True, 8) == {"jit_compile": True, "steps_per_execution": 8}


@pytest.mark.tensorflow_only   # several steps per execution are TensorFlow's (Keras refuses them on PyTorch)
def test_build_passes_them_to_keras_compile():
    from ganzoo.registry import get_plugin

    settings = runs.RunSettings(plugin="dcgan", source="digits", config={"image_shape": (28, 28, 1),
                                "generator_filters": 4, "discriminator_filters": 4, "latent_dim": 8},
                                seed=1, precision="float32")
    model = runs.build_model(get_plugin("dcgan"), settings, compile_kwargs=runs.compile_options(True, 4))
    assert model.jit_compile is True and model.steps_per_execution == 4
    # Saved with the model's compile configuration, as Keras does.
    assert model.get_compile_config()["steps_per_execution"] == 4


@pytest.mark.parametrize("requested,boundaries,chosen", [
    (16, (28, 0, 1000, None, 0), 4),     # 28 steps an epoch: 4 divides it and 1000
    (4, (28, 0, 1000, 30, 0), 2),        # 30 steps in all
    (8, (64, 12, 1000, None, 1012), 4),  # resumed 12 steps into an epoch
    (1, (28, 0, 1000, None, 0), 1),
    (16, (), 16),
])
def test_execution_steps_divide_every_boundary(requested, boundaries, chosen):
    assert runs.execution_steps(requested, *boundaries) == chosen


def test_fit_checks_steps_per_execution(tmp_path):
    from ganzoo.errors import GanzooError

    with pytest.raises(GanzooError, match="--steps-per-execution must be at least 1"):
        runs.fit("dcgan", steps=1, out=str(tmp_path / "r"), steps_per_execution=0)


@pytest.mark.slow
def test_checkpoints_and_stop_land_exactly_with_several_steps_per_execution(tmp_path, capsys):
    out = tmp_path / "run"
    messages = []
    model = runs.fit("dcgan", steps=6, batch_size=32, out=str(out), seed=1, verbose=0, echo=messages.append,
                     overrides={"generator_filters": 4, "discriminator_filters": 4, "latent_dim": 8},
                     checkpoint_steps=2, steps_per_execution=4)
    assert int(model.step) == 6
    assert any("2 steps per execution instead of 4" in m for m in messages), messages
    assert json.loads((out / "checkpoint.json").read_text())["step"] == 6
    model = runs.fit("dcgan", steps=10, out=str(out), resume=True, verbose=0, echo=messages.append,
                     steps_per_execution=2)
    assert int(model.step) == 10


def test_repeated_data_loads_under_global_seed_zero():
    import keras

    from ganzoo import data

    keras.utils.set_random_seed(0)  # what `ganzoo fit --seed 0` does first
    try:
        first = next(iter(data.load("digits", batch_size=8, seed=0, repeat=True)))
        again = next(iter(data.load("digits", batch_size=8, seed=0, repeat=True)))
    finally:
        keras.utils.set_random_seed(1)
    assert first.shape == (8, 28, 28, 1) and (first.numpy() == again.numpy()).all()


def test_a_step_xla_cannot_compile_is_named_in_one_line():
    """SRGAN's bicubic skip has no XLA kernel on CPU: `--jit` must name the
    operation and the way out instead of TensorFlow's graph error."""
    import tensorflow as tf

    from ganzoo.training.xla import unsupported_by_xla
    from ganzoo.errors import GanzooError
    from ganzoo.training.xla import raise_for_xla

    @tf.function(jit_compile=True)
    def upsample(images):
        return tf.image.resize(images, (8, 8), method="bicubic")

    with pytest.raises(tf.errors.InvalidArgumentError) as raised:
        upsample(tf.zeros((1, 4, 4, 1)))
    assert unsupported_by_xla(raised.value) == ["ResizeBicubic"]
    with pytest.raises(GanzooError, match="no XLA kernel for ResizeBicubic.*--no-jit and --resume"):
        raise_for_xla(raised.value, "srgan", "runs/srgan")
    assert unsupported_by_xla(ValueError("Graph execution error")) is None
    shape_error = ValueError("XLA compilation requires that operator arguments that represent shapes or dimensions be "
                             "evaluated to concrete values at compile time.")
    with pytest.raises(GanzooError, match=r"stylegan2's training step .*\(a shape computed while the step runs\)"):
        raise_for_xla(shape_error, "stylegan2", "runs/stylegan2")
