"""The model's random stream: every random draw a plugin makes during training.

One `keras.random.SeedGenerator` belongs to the model; its state is saved with
the weights and checkpoints, so a resumed run continues the same stream. A
plugin draws through `self.random` (or `self.sample_latent`) and never holds a
seed of its own, which keeps runs reproducible with `--seed`.
"""

from __future__ import annotations

import keras
from keras import ops


class RandomStream:
    """Seeded draws from a model's `SeedGenerator`.

    Every method takes `seed`: None draws from the model's own stream (use
    this in `train_step`); a `keras.random.SeedGenerator` draws from that one
    instead (what `generate(seed=...)` passes, so the same seed gives the
    same images).

    Args:
        seed_generator: the model's `keras.random.SeedGenerator`.

    Example:

    ```python
    z = self.random.normal((batch, self.latent_dim))
    alpha = self.random.interpolation_weights(batch)       # (batch, 1, 1, 1), U[0, 1]
    mix = self.random.bernoulli((batch,), p=0.9)            # 1.0 with probability 0.9
    ```
    """

    def __init__(self, seed_generator):
        self.seed_generator = seed_generator

    def _seed(self, seed):
        return self.seed_generator if seed is None else seed

    def normal(self, shape, mean=0.0, stddev=1.0, dtype="float32", seed=None):
        """Draws from N(mean, stddev^2)."""
        return keras.random.normal(shape, mean=mean, stddev=stddev, dtype=dtype, seed=self._seed(seed))

    def uniform(self, shape, minval=0.0, maxval=1.0, dtype="float32", seed=None):
        """Draws from U[minval, maxval)."""
        return keras.random.uniform(shape, minval=minval, maxval=maxval, dtype=dtype, seed=self._seed(seed))

    def integers(self, shape, maxval, minval=0, seed=None):
        """Draws int32 values uniformly from minval .. maxval - 1."""
        return keras.random.randint(shape, minval=minval, maxval=maxval, dtype="int32", seed=self._seed(seed))

    def bernoulli(self, shape, p, seed=None):
        """float32 ones with probability `p`, zeros otherwise."""
        return ops.cast(self.uniform(shape, seed=seed) < p, "float32")

    def interpolation_weights(self, n, rank=4, seed=None):
        """One weight per sample, U[0, 1], shaped to broadcast over a batch of
        rank `rank`: `(n, 1, 1, 1)` for images. The weight of WGAN-GP's
        interpolates x_hat = x_fake + alpha (x_real - x_fake) (Gulrajani et al.
        2017, Algorithm 1: one uniform draw per sample, not per pixel and not
        a normal draw) and of latent or embedding interpolation."""
        return self.uniform((n,) + (1,) * (int(rank) - 1), seed=seed)
