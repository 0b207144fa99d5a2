"""`update` scales losses once for tf.distribute: two replicas on two logical
CPUs must take the same step as one device on the whole batch."""

import subprocess
import sys
import textwrap

import pytest

# A subprocess training on two logical devices (deselect with -m "not slow") under tf.distribute.
pytestmark = [pytest.mark.slow, pytest.mark.tensorflow_only]

SCRIPT = textwrap.dedent("""
    import numpy as np
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras
    import ganzoo

    x = np.random.default_rng(0).random((8, 28, 28, 1), dtype=np.float32)

    def step(strategy):
        with strategy.scope():
            keras.utils.set_random_seed(0)
            model = ganzoo.create("dcgan", image_shape=(28, 28, 1), latent_dim=8, generator_filters=4,
                                  discriminator_filters=4)
            model.compile(optimizers={"discriminator": keras.optimizers.SGD(1.0)})
        before = [w.numpy() for w in model.discriminator.trainable_weights]

        def replica_step(batch):
            loss = lambda: keras.ops.mean(model.discriminator(batch, training=False))
            return model.update(model.discriminator, model.optimizer["discriminator"], loss)

        dataset = strategy.experimental_distribute_dataset(tf.data.Dataset.from_tensors(x))
        for batch in dataset:
            strategy.run(tf.function(replica_step), args=(batch,))
        return [w.numpy() - b for w, b in zip(model.discriminator.trainable_weights, before)]

    mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    assert mirrored.num_replicas_in_sync == 2
    single = step(tf.distribute.get_strategy())
    double = step(mirrored)
    worst = max(float(np.max(np.abs(a - b)) / (np.max(np.abs(a)) + 1e-12)) for a, b in zip(single, double))
    print("RELATIVE_DIFFERENCE", worst)
""")


def test_two_replicas_take_the_single_device_step():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(l for l in result.stdout.splitlines() if l.startswith("RELATIVE_DIFFERENCE"))
    # Without the division by the replica count the step would be twice as large (difference 1.0).
    assert float(line.split()[1]) < 1e-3, line
