"""Run as a script: one or more training steps of a plugin on 2 logical CPU
devices under MirroredStrategy and on one device, same global batch, same
initial weights; prints the largest relative difference of any weight.

Usage: python replication_check.py PLUGIN_CASE [STEPS]
"""

import json
import sys

import numpy as np
import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402

import ganzoo  # noqa: E402
from ganzoo.testing import fixtures  # noqa: E402

keras.config.disable_traceback_filtering()

VOCABULARY = ["a", "red", "blue", "circle", "square", "small", "large", "at", "the", "top", "left"]
CASES = {
    "vanilla": ("vanilla", {"image_shape": (8, 8, 1), "latent_dim": 8, "hidden_units": 16, "discriminator_steps": 2,
                        "dropout": 0.0}),
    "dcgan": ("dcgan", {"image_shape": (16, 16, 1), "latent_dim": 8, "generator_filters": 4,
                        "discriminator_filters": 4}),
    "cgan": ("cgan", {"image_shape": (8, 8, 1), "num_classes": 3, "latent_dim": 8, "architecture": "conv",
                      "generator_filters": 4, "discriminator_filters": 4}),
    "wgan_gp": ("wgan_gp", {"image_shape": (8, 8, 1), "latent_dim": 8, "hidden_units": 16, "dropout": 0.0,
                            "loss": "wasserstein"}),
    "cyclegan": ("cyclegan", {"image_shape": (24, 24, 3), "generator_filters": 4, "discriminator_filters": 4,
                              "residual_blocks": 1, "pool_size": 3, "seed": 0}),
    "srgan": ("srgan", {"image_shape": (16, 16, 3), "generator_filters": 4, "residual_blocks": 1,
                        "discriminator_filters": 4, "discriminator_dense": 8, "pretrain_steps": 1,
                        "content_loss": "mse"}),
    "srgan_stage_hook": ("srgan_stage_hook", {"image_shape": (16, 16, 3), "generator_filters": 4,
                                              "residual_blocks": 1, "discriminator_filters": 4,
                                              "discriminator_dense": 8, "pretrain_steps": 1, "content_loss": "mse"}),
    "stylegan": ("stylegan", {"image_shape": (8, 8, 1), "latent_dim": 8, "style_dim": 8, "mapping_layers": 1,
                              "generator_filters": 4, "discriminator_filters": 4, "fade_images": 4,
                              "stable_images": 4}),
    "stylegan2": ("stylegan2", {"image_shape": (8, 8, 1), "latent_dim": 8, "style_dim": 8, "mapping_layers": 1,
                                "generator_filters": 4, "discriminator_filters": 4, "r1_interval": 2,
                                "path_length_weight": 2.0, "path_length_interval": 2}),
    "text2image": ("text2image", {"image_shape": (16, 16, 3), "vocabulary": VOCABULARY, "max_tokens": 20,
                                  "max_length": 8, "word_dim": 4, "encoder_filters": 4, "text_dim": 8,
                                  "condition_dim": 4, "latent_dim": 8, "generator_filters": 4,
                                  "discriminator_filters": 4, "pretrain_steps": 0}),
}
GLOBAL_BATCH = 4
SGD = "--adam" not in sys.argv


def wgan_gp_class():
    """No built-in plugin uses WGAN-GP; the engine's `gradient_penalty` is
    checked through this critic step (Gulrajani et al. 2017, lambda 10)."""
    from keras import ops

    base = ganzoo.get_plugin("vanilla").model_class

    class WGANGP(base):
        def train_step(self, real):
            real = self.to_network_range(real)
            batch = ops.shape(real)[0]
            z = self.sample_latent(batch)

            def critic_loss():
                fake = self.generator(z, training=True)
                critic = lambda x: self.discriminator(x, training=True)  # noqa: E731
                return (self.loss.discriminator(critic(real), critic(fake))
                        + 10.0 * self.gradient_penalty(critic, real, fake))

            d_loss = self.update(self.discriminator, self.optimizer["discriminator"], critic_loss)
            g_loss = self.update(self.generator, self.optimizer["generator"],
                                 lambda: self.generator_loss(self.sample_latent(batch)))
            return self.track(d_loss=d_loss, g_loss=g_loss)

    return WGANGP


def srgan_stage_hook_class():
    """SRGAN's step as plugins wrote it before `GAN.branch`: `stage()` and a
    Python branch on `self.traced_stage` under several replicas (still
    supported for third-party plugins)."""
    from keras import ops

    base = ganzoo.get_plugin("srgan").model_class

    class StageHook(base):
        def stage(self):
            return 2 if self.steps_done >= self.pretrain_steps else 1

        def train_step(self, data):
            low_res, high_res = data
            low_res, high_res = self.to_network_range(low_res, "float32"), self.to_network_range(high_res, "float32")
            adversarial = self.step >= self.pretrain_steps
            if self.traced_stage is not None:
                result = (self.srgan_step if self.traced_stage == 2 else self.srresnet_step)(low_res, high_res)
            else:
                result = ops.cond(adversarial, lambda: self.srgan_step(low_res, high_res),
                                  lambda: self.srresnet_step(low_res, high_res))
            return self.track(mse_loss=result["mse"], d_loss=result["d_loss"])

    return StageHook


def create(name, config):
    if name == "wgan_gp":
        return wgan_gp_class()(**config)
    if name == "srgan_stage_hook":
        return srgan_stage_hook_class()(**config)
    return ganzoo.create(name, **config)


def run(case, strategy, steps, initial):
    name, config = CASES[case]
    # Synchronised BatchNorm: otherwise each replica normalises its own half.
    with strategy.scope(), ganzoo.layers.synchronized_batchnorm():
        keras.utils.set_random_seed(0)
        model = create(name, {"seed": 0, **config})
        model.compile()
        if SGD:
            # Plain SGD makes the update linear in the gradient, so the check
            # measures the gradients; Adam's first steps are close to
            # sign(gradient) and turn float noise in tiny gradients into
            # whole steps.
            names = list(model.optimizer.keys())
            model.compile(optimizers={name: keras.optimizers.SGD(0.1) for name in names})
    discriminator = getattr(model, "discriminator", None)
    for layer in getattr(discriminator, "layers", []):
        if type(layer).__name__ == "MinibatchStdDev":
            # Its statistic is over the replica's own samples by design (as in
            # the official multi-GPU StyleGAN); groups of 1 make it constant
            # so that everything else can be compared exactly.
            layer.group_size = 1
    if initial is not None:
        model.set_weights(initial)
    start = model.get_weights()
    batch = fixtures.for_task(model.task).batch(model, GLOBAL_BATCH, np.random.default_rng(0))
    data = tf.data.Dataset.from_tensors(batch).repeat()
    model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False)
    return start, model.get_weights(), [w.path for w in model.weights]


def largest_relative_difference(paths, start, single, double):
    """`(worst, where, moved)`: per weight, the norm of the difference
    between the two runs over the norm of the change the steps made (Adam's
    first steps are nearly sign(gradient), so an element-wise ratio blows
    float noise in a near-zero gradient up to a whole step); the largest, its
    weight's path, and how many weights moved."""
    worst, where, moved = 0.0, None, 0
    for path, before, a, b in zip(paths, start, single, double):
        a, b, before = (np.asarray(v, "float64") for v in (a, b, before))
        if not a.size:
            continue
        change = float(np.linalg.norm(a - before))
        diff = float(np.linalg.norm(a - b)) / max(change, 1e-6 * float(np.linalg.norm(a)), 1e-12)
        moved += int(change > 0)
        if diff > worst:
            worst, where = diff, path
    return worst, where, moved


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    case = args[0]
    steps = int(args[1]) if len(args) > 1 else 2
    mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    start, single, paths = run(case, tf.distribute.get_strategy(), steps, None)
    _, double, _ = run(case, mirrored, steps, start)
    worst, where, moved = largest_relative_difference(paths, start, single, double)
    print("RESULT " + json.dumps({"case": case, "max_relative_difference": worst, "where": where,
                                  "weights": len(paths), "moved": moved}))


if __name__ == "__main__":
    main()
