"""Hand-written keras.io-style GANs on clones of each plugin's networks: the reference of the speed benchmarks.

Each module `hand_written/<plugin>.py` has `build(model, settings)`: a plain
`keras.Model` whose `train_step` is written out by hand as the keras.io
generative examples write it (`tf.GradientTape`, `optimizer.apply_gradients`,
no ganzoo engine), doing the same work per step as the plugin's own
`train_step` (the same networks, losses, regularisers, optimizers and moving
averages), on clones of `model`'s networks. `fit_vs_loop.py` trains it in a
plain `tf.function` loop (`--side loop`) or through `fit()` (`--side keras_io`),
so what the engine and `fit()` add is the difference.
"""

import importlib


def available(plugin_name):
    """Whether a hand-written step exists for the plugin."""
    try:
        importlib.import_module(f"{__name__}.{plugin_name}")
    except ModuleNotFoundError:
        return False
    return True


def build(plugin_name, model, settings):
    """The hand-written model for `plugin_name`, on clones of `model`'s networks.

    Args:
        plugin_name: a built-in plugin's name.
        model: the plugin's model as `ganzoo fit` builds it (built, compiled or not).
        settings: the run's `RunSettings` (precision, batch size, config).

    Returns:
        A `keras.Model` with a hand-written `train_step`, compiled.
    """
    return importlib.import_module(f"{__name__}.{plugin_name}").build(model, settings)
