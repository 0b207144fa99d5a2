"""StyleGAN/StyleGAN2 behaviour: truncation, mixing, the progressive schedule
and resume in the middle of a fade, saving the averages."""

import numpy as np
import pytest

import ganzoo
from ganzoo.errors import GanzooError
from ganzoo_plugins.stylegan import progressive, styles

TINY = {"image_shape": (8, 8, 1), "latent_dim": 8, "style_dim": 8, "mapping_layers": 1,
        "generator_filters": 4, "discriminator_filters": 4}


def tiny(name, **overrides):
    import keras

    keras.utils.set_random_seed(0)
    return ganzoo.create(name, **{**TINY, "seed": 0, **overrides})


@pytest.fixture(scope="module")
def stylegan2():
    model = tiny("stylegan2", image_shape=(16, 16, 1))
    model.w_avg.assign(np.random.default_rng(1).normal(size=model.style_dim).astype("float32"))
    return model


def test_truncation_psi_0_gives_the_average_image_and_psi_1_changes_nothing(stylegan2):
    model = stylegan2
    average = model.generate(4, seed=0, truncation_psi=0.0)
    np.testing.assert_allclose(average, np.repeat(model.generate(1, seed=5, truncation_psi=0.0), 4, 0), atol=1e-6)
    plain = model.generate(4, seed=0)
    np.testing.assert_array_equal(model.generate(4, seed=0, truncation_psi=1.0), plain)
    assert np.abs(plain - average).max() > 1e-3
    # Fresh noise: different images for the same latents, reproducible from the seed.
    noisy = model.generate(4, seed=0, noise="random")
    np.testing.assert_array_equal(noisy, model.generate(4, seed=0, noise="random"))
    with pytest.raises(GanzooError, match="noise"):
        model.generate(2, noise="fresh")


def test_truncation_formula_and_cutoff():
    ws = np.random.default_rng(0).normal(size=(2, 6, 3)).astype("float32")
    w_avg = np.array([1.0, -1.0, 0.5], "float32")
    got = np.asarray(styles.truncate(ws, w_avg, 0.7))
    np.testing.assert_allclose(got, w_avg + 0.7 * (ws - w_avg), rtol=1e-6)
    cut = np.asarray(styles.truncate(ws, w_avg, 0.7, cutoff=2))
    np.testing.assert_allclose(cut[:, :2], got[:, :2], rtol=1e-6)
    np.testing.assert_array_equal(cut[:, 2:], ws[:, 2:])


def test_mixing_takes_coarse_layers_from_the_first_and_the_rest_from_the_second():
    a = np.zeros((3, 6, 2), "float32")
    b = np.ones((3, 6, 2), "float32")
    mixed = np.asarray(styles.mix(a, b, 2))
    assert mixed.shape == (3, 6, 2)
    np.testing.assert_array_equal(mixed[:, :2], 0.0)
    np.testing.assert_array_equal(mixed[:, 2:], 1.0)
    per_sample = np.asarray(styles.mix(a, b, np.array([0, 3, 6])))
    np.testing.assert_array_equal(per_sample[..., 0], [[1] * 6, [0] * 3 + [1] * 3, [0] * 6])


def test_style_mixing_crossover_picks_the_source_of_each_layer(stylegan2):
    model = stylegan2
    coarse, fine = [1, 2], [3, 4]
    np.testing.assert_allclose(model.mix_styles(coarse, fine, model.num_ws), model.generate_from_seeds(coarse),
                               atol=1e-6)
    np.testing.assert_allclose(model.mix_styles(coarse, fine, 0), model.generate_from_seeds(fine), atol=1e-6)
    middle = model.mix_styles(coarse, fine, 3)
    assert middle.shape == (2, 16, 16, 1)
    assert np.abs(middle - model.generate_from_seeds(coarse)).max() > 1e-4
    assert np.abs(middle - model.generate_from_seeds(fine)).max() > 1e-4
    # The same z as generate(1, seed=s).
    np.testing.assert_allclose(model.generate_from_seeds([7]), model.generate(1, seed=7), atol=1e-6)
    with pytest.raises(GanzooError, match="crossover"):
        model.mix_styles(coarse, fine, model.num_ws + 1)


def test_two_seeds_mixed_at_a_layer_and_walked_between(stylegan2):
    """`ganzoo sample --mix-with T --crossover L` and `--walk-to T`: the ends
    are the seeds' own images, the mix takes layers before L from the first."""
    model = stylegan2
    cell = lambda picture, i: picture[2:18, 2 + i * 18:18 + i * 18]  # noqa: E731 - 16 px cells, 2 px padding
    row = model.mixing_row(3, 4, crossover=2)
    assert row.shape == (20, 3 * 16 + 4 * 2, 1)
    for i, expected in enumerate([model.generate(1, seed=3)[0], model.generate(1, seed=4)[0],
                                  model.mix_styles([3], [4], 2)[0]]):
        np.testing.assert_allclose(cell(row, i), expected, atol=1e-6)
    walk = model.walk(3, 4, steps=4)
    assert walk.shape == (20, 4 * 16 + 5 * 2, 1)
    np.testing.assert_allclose(cell(walk, 0), model.generate(1, seed=3)[0], atol=1e-5)
    np.testing.assert_allclose(cell(walk, 3), model.generate(1, seed=4)[0], atol=1e-5)
    assert np.abs(cell(walk, 1) - cell(walk, 0)).max() > 1e-4
    with pytest.raises(GanzooError, match="at least 2 steps"):
        model.walk(3, 4, steps=1)


def test_grids_have_the_papers_layout(stylegan2):
    model = stylegan2
    mix = model.style_mixing_grid(source_seeds=(1, 2, 3), destination_seeds=(4, 5), crossover=2)
    # 3 rows (sources + 2 destinations) x 4 columns (blank + 3 sources) of 16 px with 2 px padding.
    assert mix.shape == (3 * 16 + 4 * 2, 4 * 16 + 5 * 2, 1)
    assert 0.0 <= mix.min() and mix.max() <= 1.0
    for space in ("w", "z"):
        assert model.interpolation_grid(steps=5, rows=2, space=space).shape == (2 * 16 + 3 * 2, 5 * 16 + 6 * 2, 1)
    assert model.truncation_grid(seeds=(0, 1), psis=(1.0, 0.0)).shape == (2 * 16 + 3 * 2, 2 * 16 + 3 * 2, 1)


def test_interpolation_endpoints_are_the_latents_images(stylegan2):
    grid = stylegan2.interpolation_grid(steps=3, rows=1, space="w")
    assert grid.shape == (20, 3 * 16 + 8, 1)


def test_fade_in_schedule():
    # 2 stages; the base stable for 10 images, then fade 20 / stable 10 per stage.
    level = lambda n: progressive.level_at_numpy(n, 2, 20, 10)  # noqa: E731
    assert [level(n) for n in (0, 10, 20, 30, 40, 50, 60, 70, 1000)] == [0, 0, 0.5, 1, 1, 1.5, 2, 2, 2]
    for n in (0, 15, 35, 55, 1000):
        assert float(progressive.level_at(n, 2, 20, 10)) == pytest.approx(level(n))
    stage, alpha = progressive.stage_and_alpha(np.float32(1.25))
    assert float(stage) == 2 and float(alpha) == pytest.approx(0.25)
    stage, alpha = progressive.stage_and_alpha(np.float32(1.0))
    assert float(stage) == 1 and float(alpha) == 1.0
    assert progressive.images_to_finish(2, 20, 10) == 70


def test_real_images_are_shown_at_the_current_resolution():
    images = np.random.default_rng(0).random((2, 8, 8, 1), dtype=np.float32)
    four = images.reshape(2, 4, 2, 4, 2, 1).mean(axis=(2, 4))
    two = four.reshape(2, 2, 2, 2, 2, 1).mean(axis=(2, 4))
    up = lambda x: x.repeat(2, 1).repeat(2, 2)  # noqa: E731
    np.testing.assert_allclose(progressive.show_at_level(images, 2.0, 2), images, atol=1e-6)
    np.testing.assert_allclose(progressive.show_at_level(images, 1.0, 2), up(four), atol=1e-6)
    np.testing.assert_allclose(progressive.show_at_level(images, 0.0, 2), up(up(two)), atol=1e-6)
    np.testing.assert_allclose(progressive.show_at_level(images, 0.25, 2), up(0.75 * up(two) + 0.25 * four),
                               atol=1e-6)


def test_generator_output_follows_the_level():
    model = tiny("stylegan", image_shape=(16, 16, 1), fade_images=100, stable_images=100)
    images = model.generate(2, seed=0)
    # Base only (4x4): every 4x4 block of the 16 px output is one colour.
    blocks = images.reshape(2, 4, 4, 4, 4, 1)
    assert np.ptp(blocks, axis=(2, 4)).max() < 1e-6
    resolution, alpha = model.resolution_and_alpha()
    assert float(resolution) == 4 and float(alpha) == 1
    model.images_seen.assign(150.0)   # stage 1 (8 px) half faded in
    resolution, alpha = model.resolution_and_alpha()
    assert float(resolution) == 8 and float(alpha) == pytest.approx(0.5)
    assert np.ptp(model.generate(2, seed=0).reshape(2, 4, 4, 4, 4, 1), axis=(2, 4)).max() > 1e-4


def _batches(n, shape):
    import tensorflow as tf

    rng = np.random.default_rng(3)
    data = rng.random((n, 4, *shape), dtype=np.float32)
    return tf.data.Dataset.from_tensor_slices(data)


def test_resume_in_the_middle_of_a_fade_matches_an_uninterrupted_run(tmp_path):
    import keras

    config = {"fade_images": 16, "stable_images": 4}
    straight = tiny("stylegan", **config)
    straight.compile()
    data = _batches(4, straight.image_shape)
    history = straight.fit(data, epochs=1, verbose=0, shuffle=False)
    assert history.history["resolution"] == [8.0]   # 16 images: stage 1 fading in (4 images of the base, 12 of fade)

    first = tiny("stylegan", **config)
    first.compile()
    first.fit(data.take(2), epochs=1, verbose=0, shuffle=False)
    _, alpha = first.resolution_and_alpha()
    assert 0 < float(alpha) < 1                      # stopped in the middle of the fade (8 images: alpha 0.25)
    path = str(tmp_path / "half.keras")
    first.save(path)
    resumed = keras.models.load_model(path)
    resumed.fit(data.skip(2), epochs=1, verbose=0, shuffle=False)

    assert float(resumed.images_seen) == float(straight.images_seen) == 16
    assert [float(v) for v in resumed.resolution_and_alpha()] == [float(v) for v in straight.resolution_and_alpha()]
    for a, b in zip(straight.weights, resumed.weights):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-5, err_msg=a.path)
    np.testing.assert_allclose(resumed.generate(3, seed=1), straight.generate(3, seed=1), atol=1e-4)


def test_save_load_keeps_the_average_generator_and_w_average(tmp_path):
    import keras

    model = tiny("stylegan2", r1_interval=2)
    model.compile()
    model.fit(_batches(2, model.image_shape), epochs=1, verbose=0, shuffle=False)
    assert np.abs(model.w_avg.numpy()).max() > 0
    ema = [w.numpy() for w in model.synthesis_ema.weights]
    assert any(np.abs(a - w.numpy()).max() > 0 for a, w in zip(ema, model.synthesis.weights))
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.w_avg.numpy(), model.w_avg.numpy())
    assert float(loaded.images_seen) == 8
    for a, b in zip(loaded.synthesis_ema.weights + loaded.mapping_ema.weights,
                    model.synthesis_ema.weights + model.mapping_ema.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_array_equal(loaded.generate(2, seed=0, truncation_psi=0.5),
                                  model.generate(2, seed=0, truncation_psi=0.5))


def test_non_square_and_bad_sizes():
    model = tiny("stylegan2", image_shape=(16, 8, 3))
    assert model.generate(2, seed=0).shape == (2, 16, 8, 3)
    assert model.plan.base == (8, 4)
    with pytest.raises(GanzooError, match="powers of two"):
        tiny("stylegan", image_shape=(28, 28, 1))
    assert ganzoo.get_plugin("stylegan").model_class.supported_image_shape((28, 28, 1)) == (32, 32, 1)


def test_paper_preset_is_the_published_configuration():
    from ganzoo_plugins.stylegan.presets import PRESETS

    paper = PRESETS["stylegan"]["paper"].config
    assert (paper["latent_dim"], paper["style_dim"], paper["mapping_layers"]) == (512, 512, 8)
    assert paper["mapping_lr_multiplier"] == 0.01 and paper["style_mixing"] == 0.9
    assert paper["fade_images"] == paper["stable_images"] == 600_000
    paper2 = PRESETS["stylegan2"]["paper"].config
    assert paper2["r1_interval"] == 16 and paper2["path_length_weight"] == 2.0
    # The paper keeps its own values, whatever the constructor's defaults (the cpu preset) become.
    assert paper["learning_rate"] == 0.001 and paper["r1_gamma"] == 10.0 and paper["progressive"] is True


def test_cpu_preset_is_the_measured_digits_configuration():
    """The values measured to draw all ten digits at 32x32 within 3,000 steps (issue 21)."""
    import inspect

    from ganzoo_plugins.stylegan.presets import PRESETS

    cpu = PRESETS["stylegan"]["cpu"]
    assert cpu.config == {} and (cpu.batch_size, cpu.steps, cpu.epochs) == (32, 3000, None)
    cls = ganzoo.get_plugin("stylegan").model_class
    defaults = {k: p.default for k, p in inspect.signature(cls).parameters.items()}
    assert defaults["learning_rate"] == 0.002 and defaults["r1_gamma"] == 10.0
    assert defaults["progressive"] is True
    assert defaults["fade_images"] == defaults["stable_images"] == 1000


def test_cpu_preset_schedule_fits_its_step_budget():
    """Growing to 32 px ends within the first tenth of the cpu preset's steps,
    so the rest trains at the image size (the former 4k-image phases took 875
    of 3,000 steps)."""
    import inspect

    from ganzoo_plugins.stylegan.presets import PRESETS

    cpu = PRESETS["stylegan"]["cpu"]
    cls = ganzoo.get_plugin("stylegan").model_class
    defaults = {k: p.default for k, p in inspect.signature(cls).parameters.items()}
    stages = 3                                               # 4 -> 8 -> 16 -> 32
    grown = progressive.images_to_finish(stages, defaults["fade_images"], defaults["stable_images"])
    assert grown == 7000
    assert grown <= cpu.steps * cpu.batch_size / 10
    assert progressive.level_at_numpy(cpu.steps * cpu.batch_size, stages, defaults["fade_images"],
                                      defaults["stable_images"]) == stages


@pytest.mark.tensorflow_only
@pytest.mark.parametrize("name", ["stylegan", "stylegan2"])
def test_generate_through_the_base_class_gives_the_images_of_the_old_generate(name):
    """stylegan once had its own batched `generate`; it now goes through the
    base class's with truncation_psi/noise/truncation_cutoff as conditions.
    The fixture holds tiny models' weights and what the old code generated
    from them (written on main before the split by
    fixtures/make_generate_before_split.py). TensorFlow only: a seed names a
    draw of TensorFlow's random generator; JAX draws other latents."""
    import os

    import keras

    from ganzoo_plugins.stylegan import base

    fixture = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "generate_before_split.npz"))
    keras.utils.set_random_seed(0)
    model = ganzoo.create(name, **{**TINY, "seed": 0})
    model.set_weights([fixture[f"{name}/weight_{i:03d}"] for i in range(len(model.weights))])
    calls = {"plain": dict(n=5, seed=1, batch_size=2), "psi": dict(n=5, seed=1, batch_size=3, truncation_psi=0.5),
             "noise": dict(n=4, seed=2, noise="random", truncation_psi=0.7, truncation_cutoff=2)}
    for key, call in calls.items():
        # The fixture was made on TensorFlow: exact there; other backends draw the same latents
        # (ganzoo.random_streams) through other kernels, 1.2e-7 apart on PyTorch.
        atol = 0.0 if keras.backend.backend() == "tensorflow" else 1e-6
        np.testing.assert_allclose(model.generate(**call), fixture[f"{name}/{key}"], rtol=0, atol=atol, err_msg=key)
    assert "generate" not in vars(base.StyleGANBase) and "generate" not in vars(type(model))
