"""keras.io's CycleGAN step (https://keras.io/examples/generative/cyclegan/), made to do ganzoo's cyclegan work.

Per step, as `ganzoo_plugins/cyclegan/model.py`: one Adam update of both
generators together (LSGAN adversarial E[(D(G(x)) - 1)^2] for both directions
+ lambda_cycle x the L1 cycle losses + lambda_identity x lambda_cycle x the L1
identity losses), then each discriminator on real images and on generated ones
drawn through its 50-image pool (LSGAN, halved), each with its own Adam. All
three optimizers: Adam(learning_rate, beta_1, beta_2=0.999, epsilon=1e-7) on
the plugin's schedule, constant for the first half of `training_steps` and
linear to zero over the second.

Stages: `fit_vs_loop.py` plans 10**6 steps, so training starts (and stays) in
the constant-rate half. `--set training_steps=2` puts it in the decaying half
from the first step; the work per step is the same (the schedule is computed
every step either way), so there is no other stage worth timing. Options that
change the work, which this model follows as the plugin does:
`--set lambda_identity=0` (no identity passes: two generator passes fewer),
`--set pool_size=0` (no pools), `--set residual_blocks=N`. Only the plugin's default
least-squares loss is written out (`--set loss=...` is not followed).
"""

import keras
import tensorflow as tf

from ganzoo.precision import precision_policy


class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Constant until `decay_start`, then linearly to zero over `decay_steps` (the paper's second half)."""

    def __init__(self, learning_rate, decay_start, decay_steps):
        self.learning_rate, self.decay_start, self.decay_steps = learning_rate, decay_start, decay_steps

    def __call__(self, step):
        done = tf.clip_by_value((tf.cast(step, "float32") - self.decay_start) / self.decay_steps, 0.0, 1.0)
        return self.learning_rate * (1.0 - done)


class ImagePool:
    """The authors' `ImagePool.query` on a whole batch: while the pool fills, images are stored and shown;
    once full, each image is (with probability 0.5) shown as a random stored one, which it replaces.

    Written with gathers and `tf.where` (static shapes, so it also compiles with XLA). The exchanged slots are
    distinct within a batch; with a batch larger than the pool, images aimed at one slot all get the stored
    image and the first is stored, as the plugin's history does.
    """

    def __init__(self, size, image_shape, probability=0.5):
        self.size, self.probability = size, probability
        self.images = tf.Variable(tf.zeros((max(size, 1), *image_shape)), trainable=False)
        self.count = tf.Variable(0, trainable=False)

    def __call__(self, images):
        if self.size == 0:
            return images
        images = tf.cast(images, "float32")
        n = tf.shape(images)[0]
        slots = tf.range(self.size)
        # 1. Filling: slot count + i takes image i.
        row = slots - self.count
        fill = (row >= 0) & (row < n)
        history = tf.where(fill[:, None, None, None], tf.gather(images, tf.clip_by_value(row, 0, n - 1)),
                           self.images)
        # 2. Full: image i may swap with slot order[i % size]; each slot knows the first image aimed at it.
        filling = self.count + tf.range(n) < self.size
        exchange = ~filling & (tf.random.uniform((n,)) < self.probability)
        order = tf.argsort(tf.random.uniform((self.size,)))
        target = tf.gather(order, tf.range(n) % self.size)
        shown = tf.where(exchange[:, None, None, None], tf.gather(history, target), images)
        first = tf.math.invert_permutation(order)
        write = (first < n) & tf.gather(exchange, tf.minimum(first, n - 1))
        history = tf.where(write[:, None, None, None], tf.gather(images, tf.minimum(first, n - 1)), history)
        self.images.assign(history)
        self.count.assign(tf.minimum(self.count + n, self.size))
        return shown


class HandWrittenCycleGAN(keras.Model):
    """keras.io's CycleGAN step (LSGAN, cycle and identity L1) with ganzoo's pools and optimizers."""

    def __init__(self, gen_ab, gen_ba, disc_a, disc_b, image_shape, lambda_cycle=10.0, lambda_identity=0.5,
                 pool_size=50, learning_rate=2e-4, beta_1=0.5, training_steps=0):
        super().__init__()
        self.gen_ab, self.gen_ba, self.disc_a, self.disc_b = gen_ab, gen_ba, disc_a, disc_b
        self.lambda_cycle, self.lambda_identity = lambda_cycle, lambda_identity
        self.pool_a, self.pool_b = ImagePool(pool_size, image_shape), ImagePool(pool_size, image_shape)

        def adam():
            rate = learning_rate
            if training_steps > 0:
                start = training_steps // 2
                rate = LinearDecay(learning_rate, start, max(1, training_steps - start))
            return keras.optimizers.Adam(rate, beta_1=beta_1, beta_2=0.999)

        # One optimizer for both generators (they share one objective), one per discriminator.
        self.gen_optimizer, self.disc_a_optimizer, self.disc_b_optimizer = adam(), adam(), adam()

    @staticmethod
    def l1(x, y):
        return tf.reduce_mean(tf.abs(tf.cast(x, "float32") - tf.cast(y, "float32")))

    @staticmethod
    def lsgan_d(real_logits, fake_logits):
        real_logits, fake_logits = tf.cast(real_logits, "float32"), tf.cast(fake_logits, "float32")
        return 0.5 * (tf.reduce_mean(tf.square(real_logits - 1.0)) + tf.reduce_mean(tf.square(fake_logits)))

    def train_step(self, data):
        # Unpaired batches (images_a, images_b) in [0, 1] -> [-1, 1], float32 (also the L1 targets).
        real_a, real_b = (tf.cast(x, "float32") * 2.0 - 1.0 for x in data)
        gen_vars = self.gen_ab.trainable_weights + self.gen_ba.trainable_weights
        with tf.GradientTape() as tape:
            fake_b = self.gen_ab(real_a, training=True)
            fake_a = self.gen_ba(real_b, training=True)
            # The paper's generator term is (D - 1)^2 without LSGAN's 1/2.
            adversarial = (tf.reduce_mean(tf.square(tf.cast(self.disc_b(fake_b, training=True), "float32") - 1.0))
                           + tf.reduce_mean(tf.square(tf.cast(self.disc_a(fake_a, training=True), "float32") - 1.0)))
            cycle = (self.l1(self.gen_ba(fake_b, training=True), real_a)
                     + self.l1(self.gen_ab(fake_a, training=True), real_b))
            g_loss = adversarial + self.lambda_cycle * cycle
            identity = tf.zeros((), "float32")
            if self.lambda_identity > 0:
                identity = (self.l1(self.gen_ab(real_b, training=True), real_b)
                            + self.l1(self.gen_ba(real_a, training=True), real_a))
                g_loss = g_loss + self.lambda_identity * self.lambda_cycle * identity
        grads = tape.gradient(g_loss, gen_vars)
        self.gen_optimizer.apply_gradients(zip(grads, gen_vars))

        fake_a = self.pool_a(tf.stop_gradient(fake_a))
        fake_b = self.pool_b(tf.stop_gradient(fake_b))
        with tf.GradientTape() as tape:
            d_a_loss = self.lsgan_d(self.disc_a(real_a, training=True), self.disc_a(fake_a, training=True))
        grads = tape.gradient(d_a_loss, self.disc_a.trainable_weights)
        self.disc_a_optimizer.apply_gradients(zip(grads, self.disc_a.trainable_weights))
        with tf.GradientTape() as tape:
            d_b_loss = self.lsgan_d(self.disc_b(real_b, training=True), self.disc_b(fake_b, training=True))
        grads = tape.gradient(d_b_loss, self.disc_b.trainable_weights)
        self.disc_b_optimizer.apply_gradients(zip(grads, self.disc_b.trainable_weights))
        return {"g_loss": g_loss, "adversarial_loss": adversarial, "cycle_loss": cycle,
                "identity_loss": identity, "d_a_loss": d_a_loss, "d_b_loss": d_b_loss}


def build(model, settings):
    with precision_policy(settings.precision):
        gen_ab, gen_ba, disc_a, disc_b = (keras.models.clone_model(net) for net in (
            model.generator_ab, model.generator_ba, model.discriminator_a, model.discriminator_b))
    return HandWrittenCycleGAN(gen_ab, gen_ba, disc_a, disc_b, model.image_shape, model.lambda_cycle,
                               model.lambda_identity, model.pool_size, model.learning_rate, model.beta_1,
                               model.training_steps)
