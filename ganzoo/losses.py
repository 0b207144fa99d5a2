"""Adversarial losses and penalties, written once in `keras.ops`.

Every loss takes the discriminator's raw outputs (logits, or critic scores
for the Wasserstein loss) and returns a scalar to *minimise*. The value
function of Goodfellow et al. (2014),

    min_G max_D V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))],   D = sigmoid(logit),

becomes `discriminator(real, fake) = -V` and `generator(fake) = E_z[log(1 - D(G(z)))]`.
With logits, log D = -softplus(-logit) and log(1 - D) = -softplus(logit),
which stays finite where D saturates.
"""

from __future__ import annotations

import keras
from keras import ops

_PACKAGE = "ganzoo"


def _f32(x):
    # Losses are reduced in float32 even when the networks run in bfloat16/float16.
    return ops.cast(x, "float32")


class AdversarialLoss:
    """Base class: the two players' objectives.

    Subclasses implement `discriminator(real_logits, fake_logits)` and
    `generator(fake_logits)`; both return scalar float32 tensors.
    """

    name = "adversarial"

    def discriminator(self, real_logits, fake_logits):
        raise NotImplementedError

    def generator(self, fake_logits):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"{type(self).__name__}()"


@keras.saving.register_keras_serializable(package=_PACKAGE)
class MinimaxLoss(AdversarialLoss):
    """The minimax game exactly as in Goodfellow et al. 2014, eq. (1).

    The generator minimises E[log(1 - D(G(z)))], which saturates early in
    training when D rejects every sample; kept for teaching and comparison.
    """

    name = "minimax"

    def discriminator(self, real_logits, fake_logits):
        # -(log D(x) + log(1 - D(G(z))))
        return ops.mean(ops.softplus(-_f32(real_logits))) + ops.mean(ops.softplus(_f32(fake_logits)))

    def generator(self, fake_logits):
        # log(1 - D(G(z))) = -softplus(logit)
        return -ops.mean(ops.softplus(_f32(fake_logits)))


@keras.saving.register_keras_serializable(package=_PACKAGE)
class NonSaturatingLoss(MinimaxLoss):
    """Goodfellow et al.'s practical variant: the generator maximises log D(G(z))."""

    name = "non_saturating"

    def generator(self, fake_logits):
        return ops.mean(ops.softplus(-_f32(fake_logits)))


@keras.saving.register_keras_serializable(package=_PACKAGE)
class LeastSquaresLoss(AdversarialLoss):
    """Least-squares GAN (Mao et al. 2017) with targets a=0, b=c=1, as CycleGAN uses it."""

    name = "least_squares"

    def discriminator(self, real_logits, fake_logits):
        real, fake = _f32(real_logits), _f32(fake_logits)
        return 0.5 * (ops.mean(ops.square(real - 1.0)) + ops.mean(ops.square(fake)))

    def generator(self, fake_logits):
        return 0.5 * ops.mean(ops.square(_f32(fake_logits) - 1.0))


@keras.saving.register_keras_serializable(package=_PACKAGE)
class HingeLoss(AdversarialLoss):
    """Hinge loss (Lim & Ye 2017; Miyato et al. 2018)."""

    name = "hinge"

    def discriminator(self, real_logits, fake_logits):
        return ops.mean(ops.relu(1.0 - _f32(real_logits))) + ops.mean(ops.relu(1.0 + _f32(fake_logits)))

    def generator(self, fake_logits):
        return -ops.mean(_f32(fake_logits))


@keras.saving.register_keras_serializable(package=_PACKAGE)
class WassersteinLoss(AdversarialLoss):
    """Wasserstein critic loss (Arjovsky et al. 2017); pair with a gradient penalty."""

    name = "wasserstein"

    def discriminator(self, real_logits, fake_logits):
        return ops.mean(_f32(fake_logits)) - ops.mean(_f32(real_logits))

    def generator(self, fake_logits):
        return -ops.mean(_f32(fake_logits))


LOSSES = {cls.name: cls for cls in (MinimaxLoss, NonSaturatingLoss, LeastSquaresLoss, HingeLoss, WassersteinLoss)}


def get(identifier) -> AdversarialLoss:
    """Returns a loss from its name (`"minimax"`, `"non_saturating"`,
    `"least_squares"`, `"hinge"`, `"wasserstein"`), its config, or itself."""
    if isinstance(identifier, AdversarialLoss):
        return identifier
    if isinstance(identifier, dict):
        return keras.saving.deserialize_keras_object(identifier)
    if isinstance(identifier, str) and identifier in LOSSES:
        return LOSSES[identifier]()
    raise ValueError(f"unknown adversarial loss {identifier!r}; choose one of {', '.join(LOSSES)}")


def _per_sample_norm(gradients):
    flat = ops.reshape(_f32(gradients), (ops.shape(gradients)[0], -1))
    return ops.sqrt(ops.sum(ops.square(flat), axis=1) + 1e-12)


def gradient_penalty(gradients, target=1.0):
    """WGAN-GP penalty (Gulrajani et al. 2017): E[(||grad D(x_hat)||_2 - target)^2].

    Args:
        gradients: gradients of the critic with respect to the interpolated
            inputs x_hat = eps * x + (1 - eps) * G(z), eps ~ U[0, 1] per sample.
        target: the Lipschitz target norm.
    """
    return ops.mean(ops.square(_per_sample_norm(gradients) - target))


def r1_penalty(gradients):
    """R1 penalty (Mescheder et al. 2018) without its gamma / 2 factor:
    E[||grad D(x)||^2] over real samples x."""
    flat = ops.reshape(_f32(gradients), (ops.shape(gradients)[0], -1))
    return ops.mean(ops.sum(ops.square(flat), axis=1))


class GameLosses:
    """Mixin of `ganzoo.GAN`: the default players' losses and the gradient
    penalties, computed with the model's networks, loss and random stream."""

    def gradient_penalty(self, critic, real, fake, target=1.0):
        """WGAN-GP's penalty (Gulrajani et al. 2017), E[(||grad critic(x_hat)|| - target)^2].

        x_hat = fake + alpha (real - fake) with alpha ~ U[0, 1] drawn once per
        sample from the model's random stream. Call it inside a critic's
        `update` loss function and multiply by lambda (the paper: 10).

        Args:
            critic: a callable from images to per-sample scores: a network,
                or `lambda x: self.discriminator([x, labels], training=True)`.
            real: a batch of real inputs.
            fake: a batch of generated inputs of the same shape.
            target: the norm the gradients are pulled towards (1).

        Returns:
            A float32 scalar.
        """
        real = ops.convert_to_tensor(real)
        fake = ops.cast(fake, real.dtype)
        alpha = ops.cast(self.random.interpolation_weights(ops.shape(real)[0], rank=len(real.shape)), real.dtype)
        interpolates = fake + alpha * (real - fake)
        _, gradients = self.input_gradients(critic, interpolates)
        return gradient_penalty(gradients, target)

    def r1_penalty(self, critic, real):
        """R1 (Mescheder et al. 2018): E_x[||grad critic(x)||^2] over real x.

        Without the gamma / 2 factor: StyleGAN's term is
        `gamma / 2 * self.r1_penalty(D, real)`. Call it inside the
        discriminator's `update` loss function.

        Returns:
            A float32 scalar.
        """
        _, gradients = self.input_gradients(critic, real)
        return r1_penalty(gradients)

    def discriminator_loss(self, real, z):
        """The investigator's loss: tell real images from the forger's G(z)."""
        fake = self.generator(z, training=True)
        return self.loss.discriminator(self.discriminator(real, training=True), self.discriminator(fake, training=True))

    def generator_loss(self, z):
        """The forger's loss: make the discriminator call G(z) real."""
        return self.loss.generator(self.discriminator(self.generator(z, training=True), training=True))
