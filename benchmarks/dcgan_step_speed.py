"""DCGAN training speed: ganzoo's engine against a hand-written Keras train_step.

Both train the same networks (built by the dcgan plugin's own builders) on one
in-memory batch of the embedded digits, repeated (so the input pipeline costs
nothing), batch 64, in the same process, alternating so that machine noise
hits both; at 28x28x1 (the default `ganzoo fit dcgan`) and at 64x64x3. Reported: images per
second and the ratio ganzoo / hand-written, for float32 and mixed_bfloat16;
then, per precision, the quality after a fixed number of steps (classifier
confidence and Fréchet distance against the real digits).

Run by hand:  python benchmarks/dcgan_step_speed.py [--steps 200] [--quality-steps 1500]
"""

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

import ganzoo  # noqa: E402
from ganzoo.metrics.classifier import classifier_report, train_classifier  # noqa: E402


class HandWrittenGAN(keras.Model):
    """The keras.io DCGAN train_step, with training=True so BatchNorm trains."""

    def __init__(self, generator, discriminator, latent_dim):
        super().__init__()
        self.generator, self.discriminator, self.latent_dim = generator, discriminator, latent_dim
        self.bce = keras.losses.BinaryCrossentropy(from_logits=True)

    def compile(self):
        super().compile()
        self.d_optimizer = keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.g_optimizer = keras.optimizers.Adam(2e-4, beta_1=0.5)

    def train_step(self, real):
        real = tf.cast(real, self.compute_dtype) * 2.0 - 1.0
        n = tf.shape(real)[0]
        z = tf.random.normal((n, self.latent_dim))
        with tf.GradientTape() as tape:
            fake = self.generator(z, training=True)
            real_logits = self.discriminator(real, training=True)
            fake_logits = self.discriminator(fake, training=True)
            d_loss = self.bce(tf.ones_like(real_logits), real_logits) + self.bce(tf.zeros_like(fake_logits), fake_logits)
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
        z = tf.random.normal((n, self.latent_dim))
        with tf.GradientTape() as tape:
            fake_logits = self.discriminator(self.generator(z, training=True), training=True)
            g_loss = self.bce(tf.ones_like(fake_logits), fake_logits)
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        return {"d_loss": d_loss, "g_loss": g_loss}


def build(kind, precision, image_shape=(28, 28, 1)):
    keras.mixed_precision.set_global_policy(precision)
    model = ganzoo.create("dcgan", image_shape=image_shape, seed=0)
    if kind == "hand":
        model = HandWrittenGAN(model.generator, model.discriminator, model.latent_dim)
    model.compile()
    keras.mixed_precision.set_global_policy("float32")
    return model


def images_per_second(model, data, steps, batch):
    model.fit(data, steps_per_epoch=10, epochs=1, verbose=0, shuffle=False)  # trace and warm up
    start = time.perf_counter()
    model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False)
    return steps * batch / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quality-steps", type=int, default=1500)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()

    results = {"speed": {}, "quality": {}}
    for shape in ((28, 28, 1), (64, 64, 3)):
        batch = next(iter(ganzoo.data.load("digits", image_shape=shape, batch_size=args.batch, seed=0)))
        fixed = tf.data.Dataset.from_tensors(batch).repeat()
        for precision in ("float32", "mixed_bfloat16"):
            models = {kind: build(kind, precision, shape) for kind in ("ganzoo", "hand")}
            runs = {kind: [] for kind in models}
            for _ in range(args.repeats):
                for kind, model in models.items():
                    runs[kind].append(images_per_second(model, fixed, args.steps, args.batch))
            speed = {kind: float(np.median(v)) for kind, v in runs.items()}
            speed["ratio_ganzoo_over_hand"] = speed["ganzoo"] / speed["hand"]
            key = f"{'x'.join(map(str, shape))} {precision}"
            results["speed"][key] = speed
            print(key, json.dumps(speed), flush=True)
    if args.skip_quality:
        print(json.dumps(results, indent=2))
        return

    data = ganzoo.data.load("digits", image_shape=(28, 28, 1), batch_size=args.batch, seed=0, repeat=True)

    real = ganzoo.data.load("digits", task="conditional", image_shape=(28, 28, 1), batch_size=2000,
                            shuffle=False, drop_remainder=False)
    images, labels = (np.asarray(t) for t in next(iter(real)))
    classifier = train_classifier(images, labels, 10, validation=0.2)
    for precision in ("float32", "mixed_bfloat16"):
        keras.utils.set_random_seed(0)
        model = build("ganzoo", precision)
        start = time.perf_counter()
        model.fit(data, steps_per_epoch=args.quality_steps, epochs=1, verbose=0, shuffle=False)
        seconds = time.perf_counter() - start
        report = classifier_report(classifier, model.generate(1000, seed=1), real_images=images)
        report["train_seconds"] = seconds
        results["quality"][precision] = report
        print(precision, "quality", json.dumps(report), flush=True)
    results["settings"] = vars(args)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
