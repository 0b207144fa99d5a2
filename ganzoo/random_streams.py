"""The model's random stream: every random draw a plugin makes during training.

One `keras.random.SeedGenerator` belongs to the model; its state is saved with
the weights and checkpoints, so a resumed run continues the same stream. A
plugin draws through `self.random` (or `self.sample_latent`) and never holds a
seed of its own, which keeps runs reproducible with `--seed`.

Under a `tf.distribute` strategy the first axis of a draw from the model's
own stream is the batch axis: each of N replicas draws the values of the
whole global batch and keeps its own rows, so a replicated step draws exactly
what one device draws for the same examples (and the stream's state stays
equal on every replica). A draw that is not per sample (one value for the
whole step) passes `per_sample=False` and is the same on every replica.
"""

from __future__ import annotations

import keras
from keras import ops


class RandomStream:
    """Seeded draws from a model's `SeedGenerator`.

    Every method takes `seed`: None draws from the model's own stream (use
    this in `train_step`); a `keras.random.SeedGenerator` draws from that one
    instead (what `generate(seed=...)` passes, so the same seed gives the
    same images). `per_sample` (default True) says the first axis of `shape`
    is the batch axis, so that N replicas of a distributed step draw what one
    device would (see the module docstring); pass False for a draw shared by
    the whole batch.

    Args:
        seed_generator: the model's `keras.random.SeedGenerator`.
        replica_rows: `replica_rows(draw, shape)` of the backend adapter
            (`ganzoo.backends.get().replica_rows`), which makes a draw of
            the model's own stream give this replica's rows of the global
            batch; None (the default) draws `shape` as it is.

    Example:

    ```python
    z = self.random.normal((batch, self.latent_dim))
    alpha = self.random.interpolation_weights(batch)       # (batch, 1, 1, 1), U[0, 1]
    mix = self.random.bernoulli((batch,), p=0.9)            # 1.0 with probability 0.9
    ```
    """

    def __init__(self, seed_generator, replica_rows=None):
        self.seed_generator = seed_generator
        # Handed in rather than imported: the random stream sits below the
        # backends in the layers.
        self.replica_rows = replica_rows or (lambda draw, shape: draw(shape))

    def _seed(self, seed):
        return self.seed_generator if seed is None else seed

    def _draw(self, draw, shape, seed, per_sample):
        shape = tuple(shape)
        if seed is None and per_sample:  # the model's stream, in training: the global batch's rows
            return self.replica_rows(lambda s: draw(s, self.seed_generator), shape)
        return draw(shape, self._seed(seed))

    def normal(self, shape, mean=0.0, stddev=1.0, dtype="float32", seed=None, per_sample=True):
        """Draws from N(mean, stddev^2)."""
        if seed is not None and _eager_elsewhere(seed):
            return _tensorflow_draw("normal", shape, seed, mean=mean, stddev=stddev, dtype=dtype)
        return self._draw(lambda s, g: keras.random.normal(s, mean=mean, stddev=stddev, dtype=dtype, seed=g),
                          shape, seed, per_sample)

    def uniform(self, shape, minval=0.0, maxval=1.0, dtype="float32", seed=None, per_sample=True):
        """Draws from U[minval, maxval)."""
        if seed is not None and _eager_elsewhere(seed):
            return _tensorflow_draw("uniform", shape, seed, minval=minval, maxval=maxval, dtype=dtype)
        return self._draw(lambda s, g: keras.random.uniform(s, minval=minval, maxval=maxval, dtype=dtype, seed=g),
                          shape, seed, per_sample)

    def integers(self, shape, maxval, minval=0, seed=None, per_sample=True):
        """Draws int32 values uniformly from minval .. maxval - 1."""
        return self._draw(lambda s, g: keras.random.randint(s, minval=minval, maxval=maxval, dtype="int32", seed=g),
                          shape, seed, per_sample)

    def bernoulli(self, shape, p, seed=None, per_sample=True):
        """float32 ones with probability `p`, zeros otherwise."""
        return ops.cast(self.uniform(shape, seed=seed, per_sample=per_sample) < p, "float32")

    def interpolation_weights(self, n, rank=4, seed=None):
        """One weight per sample, U[0, 1], shaped to broadcast over a batch of
        rank `rank`: `(n, 1, 1, 1)` for images. The weight of WGAN-GP's
        interpolates x_hat = x_fake + alpha (x_real - x_fake) (Gulrajani et al.
        2017, Algorithm 1: one uniform draw per sample, not per pixel and not
        a normal draw) and of latent or embedding interpolation."""
        return self.uniform((n,) + (1,) * (int(rank) - 1), seed=seed)


def _eager_elsewhere(seed_generator):
    """Whether a draw with an explicit seed goes through TensorFlow's kernels:
    on PyTorch (eager steps), and on JAX outside a traced step (where
    `generate(seed=...)` draws). `keras.random` gives other numbers for the
    same seed on each backend; TensorFlow (installed with ganzoo on every
    backend) gives the numbers Keras gives on TensorFlow, so a seed makes the
    same images on all three."""
    backend = keras.backend.backend()
    if backend == "torch":
        return True
    if backend != "jax":
        return False
    if isinstance(seed_generator, int):
        return True
    import jax

    state = getattr(seed_generator, "state", None)
    return state is not None and not isinstance(state.value, jax.core.Tracer)


def _tensorflow_draw(kind, shape, seed_generator, dtype="float32", **kwargs):
    """`keras.random.<kind>(shape, seed=seed_generator)` exactly as Keras on
    TensorFlow draws it (`tf.random.stateless_*` with the generator's next
    seed, cast as keras/src/backend/tensorflow/random.py casts it), as a
    tensor of the running backend."""
    import numpy as np
    import tensorflow as tf

    state = np.asarray([seed_generator, 0] if isinstance(seed_generator, int)
                       else ops.convert_to_numpy(seed_generator.next()), np.int64)
    seed = tf.constant((state % (np.iinfo(np.int32).max - 1)).astype(np.int32))
    shape = tuple(int(v) for v in shape)
    if kind == "normal":
        value = tf.random.stateless_normal(shape, mean=kwargs["mean"], stddev=kwargs["stddev"], dtype=dtype, seed=seed)
    else:
        value = tf.random.stateless_uniform(shape, minval=tf.cast(kwargs["minval"], dtype),
                                            maxval=tf.cast(kwargs["maxval"], dtype), dtype=dtype, seed=seed)
    return ops.convert_to_tensor(value.numpy(), dtype=dtype)
