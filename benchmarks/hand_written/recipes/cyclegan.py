"""CycleGAN's step (Zhu et al. 2017): two generators, two discriminators and image pools."""

import keras
import numpy as np
from keras import ops

from ganzoo.schedules import second_half_decay
from hand_written.recipes.common import Recipe, to_range


def pool_state(name, size, image_shape):
    """The initial state of an image pool of `size` images: empty."""
    return {} if size == 0 else {name: np.zeros((size, *image_shape), "float32"), f"{name}_count": np.int32(0)}


def pool_query(t, name, images, size, probability=0.5):
    """The authors' `ImagePool.query` on a whole batch, on the pool `name` of the recipe's state: while the pool
    fills, images are stored and shown; once it is full, each image is (with `probability`) shown as a random
    stored one, which it replaces. The batch's images aim at distinct random slots (`order`); where a batch
    larger than the pool aims several at one slot, they are all shown the stored image and the first of them
    that exchanges is stored, as the plugin's history does. Two draws, the exchanges then the slots' order,
    made while the pool fills too (as the plugin's)."""
    if size == 0:
        return images
    images = ops.cast(images, "float32")
    stored, count = t.read(name), t.read(f"{name}_count")
    n = images.shape[0]
    index, slots = ops.arange(n, dtype="int32"), ops.arange(size, dtype="int32")

    def put(history, where, rows):
        return ops.where(ops.reshape(where, (-1, 1, 1, 1)), ops.take(images, rows, axis=0), history)

    # 1. Filling: slot count + i takes image i.
    row = slots - count
    history = put(stored, ops.logical_and(row >= 0, row < n), ops.clip(row, 0, n - 1))
    # 2. Full: image i may exchange with slot order[i % size].
    filling = count + index < size
    exchange = ops.logical_and(ops.logical_not(filling), t.uniform((n,)) < probability)
    order = ops.cast(ops.argsort(t.uniform((size,))), "int32")
    target = ops.take(order, index % size)
    shown = ops.where(ops.reshape(exchange, (-1, 1, 1, 1)), ops.take(history, target, axis=0), images)
    aimed = ops.cast(ops.logical_and(exchange[:, None], target[:, None] == slots[None, :]), "float32")
    history = put(history, ops.max(aimed, axis=0) > 0, ops.cast(ops.argmax(aimed, axis=0), "int32"))
    t.write(name, history)
    t.write(f"{name}_count", ops.minimum(count + n, size))
    return shown


def cyclegan(model):
    """CycleGAN (Zhu et al. 2017): one Adam step of both generators together on the least-squares adversarial
    terms E[(D(G(x)) - 1)^2] of both directions + lambda_cycle x the L1 cycle losses + lambda_identity x
    lambda_cycle x the L1 identity losses (the two generators are one player, as the plugin's one optimizer),
    then each discriminator (least squares, halved) on real images and on the generators' outputs drawn through
    its pool of `pool_size` earlier ones (history_a's draws, then history_b's), each with its own Adam. All on
    the plugin's schedule: constant for the first half of `training_steps`, then linearly to zero."""
    if model.get_config().get("loss", "least_squares") != "least_squares":
        raise ValueError("the hand-written cyclegan step has the least-squares loss only")
    networks = {"generator_ab": model.generator_ab, "generator_ba": model.generator_ba,
                "discriminator_a": model.discriminator_a, "discriminator_b": model.discriminator_b}
    size = model.pool_size

    def adam():
        rate = second_half_decay(model.learning_rate, model.training_steps)   # the plugins' schedule
        return keras.optimizers.Adam(learning_rate=rate, beta_1=model.beta_1, beta_2=0.999)

    def l1(x, y):
        return ops.mean(ops.abs(ops.cast(x, "float32") - y))

    def to_one(logits):   # the generator's term: (D - 1)^2 without LSGAN's 1/2, as Zhu et al.'s code
        return ops.mean(ops.square(ops.cast(logits, "float32") - 1.0))

    def lsgan_d(real_logits, fake_logits):
        return 0.5 * (to_one(real_logits) + ops.mean(ops.square(ops.cast(fake_logits, "float32"))))

    def step(t, batch):
        real_a, real_b = to_range(batch[0]), to_range(batch[1])   # float32: also the L1 targets

        def generators(call):
            fake_b, fake_a = call("generator_ab", real_a), call("generator_ba", real_b)
            adversarial = to_one(call("discriminator_b", fake_b)) + to_one(call("discriminator_a", fake_a))
            cycle = l1(call("generator_ba", fake_b), real_a) + l1(call("generator_ab", fake_a), real_b)
            loss = adversarial + model.lambda_cycle * cycle
            identity = ops.zeros((), "float32")
            if model.lambda_identity > 0:
                identity = l1(call("generator_ab", real_b), real_b) + l1(call("generator_ba", real_a), real_a)
                loss = loss + model.lambda_identity * model.lambda_cycle * identity
            return loss, {"adversarial": adversarial, "cycle": cycle, "identity": identity,
                          "fake_a": fake_a, "fake_b": fake_b}

        g_loss, parts = t.update("generators", generators, has_aux=True)
        fake_a = pool_query(t, "pool_a", parts["fake_a"], size)
        fake_b = pool_query(t, "pool_b", parts["fake_b"], size)
        d_a_loss = t.update("discriminator_a", lambda call: lsgan_d(call("discriminator_a", real_a),
                                                                    call("discriminator_a", fake_a)))
        d_b_loss = t.update("discriminator_b", lambda call: lsgan_d(call("discriminator_b", real_b),
                                                                    call("discriminator_b", fake_b)))
        return {"g_loss": g_loss, "adversarial_loss": parts["adversarial"], "cycle_loss": parts["cycle"],
                "identity_loss": parts["identity"], "d_a_loss": d_a_loss, "d_b_loss": d_b_loss}

    return Recipe(networks, {"generators": adam(), "discriminator_a": adam(), "discriminator_b": adam()}, step,
                  state={**pool_state("pool_a", size, model.image_shape), **pool_state("pool_b", size, model.image_shape)},
                  players={"generators": ("generator_ab", "generator_ba")})
