"""One training step of a plugin, reproducible on any Keras backend.

The backend is fixed per process, so a cross-backend comparison runs this
module once per backend in a subprocess:

```
KERAS_BACKEND=tensorflow python -m ganzoo.testing.same_step SPEC.json OUT_DIR
KERAS_BACKEND=torch      python -m ganzoo.testing.same_step SPEC.json OUT_DIR2
```

SPEC.json names the plugin, its (tiny) options, the batch size and a
weights file. The first run writes the starting weights there when the
file does not exist; every later run loads them. Every random draw of the
step (`keras.random` on any backend: the model's latents and noise, image
pools, dropout) is replaced by NumPy draws from one fixed generator in call
order, because `keras.random` with the same seed gives different numbers
on TensorFlow, JAX and PyTorch; JAX's `leaky_relu` gets the other
backends' derivative at 0 (`same_subgradients`). The training batch comes from NumPy too
(`ganzoo.testing.fixtures`). OUT_DIR receives `after.npz` (every model and
optimizer variable after one `fit()` step, by path) and `logs.json` (the
step's reported values).
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np

#: Seed of the NumPy generator that replaces every random draw of the step.
DRAW_SEED = 1234


def fixed_random_draws(seed=DRAW_SEED):
    """Replaces the backend's random functions with NumPy draws in call order.

    Patched at `keras.src.backend.random`, which `keras.random`, the layers
    (Dropout, noise) and ganzoo's random stream all call at call time.
    """
    import keras
    from keras.src import backend

    rng = np.random.default_rng(seed)

    def dtype_of(dtype):
        return keras.backend.standardize_dtype(dtype or keras.config.floatx())

    def tensor(value, dtype):
        return keras.ops.convert_to_tensor(np.asarray(value), dtype=dtype)

    def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
        return tensor(rng.standard_normal(tuple(shape)) * stddev + mean, dtype_of(dtype))

    def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
        return tensor(np.clip(rng.standard_normal(tuple(shape)), -2, 2) * stddev + mean, dtype_of(dtype))

    def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
        return tensor(rng.uniform(minval, maxval, tuple(shape)), dtype_of(dtype))

    def randint(shape, minval, maxval, dtype="int32", seed=None):
        return tensor(rng.integers(minval, maxval, tuple(shape)), dtype_of(dtype))

    def dropout(inputs, rate, noise_shape=None, seed=None):
        shape = tuple(noise_shape) if noise_shape is not None else tuple(inputs.shape)
        keep = tensor(rng.uniform(size=shape) >= rate, keras.backend.standardize_dtype(inputs.dtype))
        return inputs * keep / (1.0 - rate)

    for name, function in {"normal": normal, "truncated_normal": truncated_normal, "uniform": uniform,
                           "randint": randint, "dropout": dropout}.items():
        setattr(backend.random, name, function)


def same_subgradients():
    """Gives JAX's `leaky_relu` the derivative TensorFlow's and PyTorch's
    have at exactly 0: the negative slope (JAX's `jnp.where(x >= 0, ...)`
    gives 1 there).

    Almost every input misses 0, but vanilla's first step does not: its
    generator's output kernel starts at zero, so the fakes are exactly 0 and
    so is every hidden pre-activation of D on them (biases start at zero).
    Unaligned, D's gradient on the fakes differs by the factor 5 and G's
    pixel gradient changes sign on JAX (d_loss 1.55743 against 1.55697);
    aligned, the step agrees with TensorFlow's to 6e-8. A convention of the
    backends, not of ganzoo; the comparison is about ganzoo's step.
    """
    import keras

    if keras.backend.backend() != "jax":
        return
    import jax.numpy as jnp
    from keras.src.backend.jax import nn

    def leaky_relu(x, negative_slope=0.2):
        x = nn.convert_to_tensor(x)
        return jnp.where(x > 0, x, negative_slope * x)

    nn.leaky_relu = leaky_relu


def variables_by_path(model):
    """`{path: numpy value}` of every model and optimizer variable."""
    from keras import ops

    values = {}
    for variable in list(model.weights) + list(model.optimizer.variables):
        key = variable.path
        while key in values:   # two variables of one path: keep both
            key += "'"
        values[key] = ops.convert_to_numpy(variable)
    return values


def run(spec, out):
    """One step as `spec` says; writes `after.npz` and `logs.json` into `out`."""
    import keras
    import tensorflow as tf

    import ganzoo
    from ganzoo.testing import fixtures

    keras.utils.set_random_seed(spec.get("seed", 0))
    model = ganzoo.create(spec["plugin"], **spec.get("config", {}))
    model.compile()
    weights = spec["weights"]
    if os.path.exists(weights):
        model.load_weights(weights)
    else:
        model.save_weights(weights)
    batch = fixtures.for_task(model.task).batch(model, spec.get("batch_size", 4), np.random.default_rng(0))
    data = tf.data.Dataset.from_tensors(batch)
    fixed_random_draws()
    same_subgradients()
    history = model.fit(data, epochs=1, verbose=0, shuffle=False)
    os.makedirs(out, exist_ok=True)
    np.savez(os.path.join(out, "after.npz"), **variables_by_path(model))
    logs = {key: float(values[-1]) for key, values in history.history.items()}
    with open(os.path.join(out, "logs.json"), "w", encoding="utf-8") as file:
        json.dump({"backend": keras.backend.backend(), "logs": logs}, file)


def compare(first, second):
    """`{path: max |a - b|}` of two `after.npz` files (float variables)."""
    a, b = np.load(os.path.join(first, "after.npz")), np.load(os.path.join(second, "after.npz"))
    if sorted(a.files) != sorted(b.files):
        raise AssertionError(f"different variables: {sorted(set(a.files) ^ set(b.files))}")
    return {key: float(np.max(np.abs(a[key].astype(np.float64) - b[key].astype(np.float64)), initial=0.0))
            for key in a.files}


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as spec_file:
        run(json.load(spec_file), sys.argv[2])
