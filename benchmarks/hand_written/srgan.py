"""SRGAN's two-stage step written out by hand (Ledig et al. 2017), keras.io style, on clones of the plugin's networks.

Data are `(low_res, high_res)` crops in [0, 1] (24 px and 96 px at the cpu
preset). Like the plugin, the stage is a `tf.cond` on the step counter:

1. steps `0 .. pretrain_steps - 1` (SRResNet): the generator alone on the
   pixel MSE;
2. afterwards (SRGAN): the discriminator on real and upscaled crops (the
   generator's output computed once, outside the tapes), then the generator
   on `content_loss + adversarial_weight * -log D(G(lr))`.

The cpu preset pre-trains for 1,000 steps, so a short benchmark times stage 1.
`--set pretrain_steps=0` starts in stage 2 (the adversarial stage), e.g.:

  python benchmarks/fit_vs_loop.py --side loop --plugin srgan --set content_loss=mse --set pretrain_steps=0

The content loss follows `content_loss`: "mse" is the pixel MSE; "vgg54" and
"vgg22" compare VGG19 feature maps (the plugin's `perceptual` feature
extractor, which needs the ImageNet weights: offline, pass
`--set content_loss=mse`).
"""

import keras
import tensorflow as tf

from ganzoo.precision import precision_policy
from ganzoo_plugins.srgan import perceptual

LOGS = ("stage", "psnr", "mse_loss", "content_loss", "adversarial_loss", "d_loss")


class HandWrittenSRGAN(keras.Model):
    """SRResNet pretraining then SRGAN, with the plugin's optimizers (Adam, beta_1 0.9) and losses."""

    def __init__(self, generator, discriminator, pretrain_steps, adversarial_weight, learning_rate, vgg=None):
        super().__init__()
        self.generator, self.discriminator, self.vgg = generator, discriminator, vgg
        self.pretrain_steps, self.adversarial_weight = pretrain_steps, adversarial_weight
        self.g_optimizer = keras.optimizers.Adam(learning_rate, beta_1=0.9, beta_2=0.999)
        self.d_optimizer = keras.optimizers.Adam(learning_rate, beta_1=0.9, beta_2=0.999)
        # Built now: their slots cannot be created inside the tf.cond branches.
        self.g_optimizer.build(generator.trainable_variables)
        self.d_optimizer.build(discriminator.trainable_variables)
        self.steps_done = tf.Variable(0, dtype="int64", trainable=False, name="steps_done")
        # Epoch means, each stage's losses over that stage's steps only (as the plugin reports them).
        self.trackers = {name: keras.metrics.Mean(name=name) for name in LOGS}

    @property
    def metrics(self):
        return list(self.trackers.values())

    @staticmethod
    def pixel_loss(super_res, high_res):
        return tf.reduce_mean(tf.square(tf.cast(super_res, "float32") - tf.cast(high_res, "float32")))

    def vgg_features(self, images):
        # [-1, 1] RGB (or grey) -> caffe-style BGR minus the ImageNet mean, then phi_i,j / 12.75.
        images = (tf.cast(images, "float32") + 1.0) * 127.5
        if images.shape[-1] == 1:
            images = tf.repeat(images, 3, axis=-1)
        images = tf.reverse(images, axis=[-1]) - tf.constant(perceptual.BGR_MEAN, "float32")
        return tf.cast(self.vgg(images, training=False), "float32") * perceptual.FEATURE_SCALE

    def content(self, super_res, high_res):
        if self.vgg is None:
            return self.pixel_loss(super_res, high_res)
        return tf.reduce_mean(tf.square(self.vgg_features(super_res) - self.vgg_features(high_res)))

    def srresnet_step(self, low_res, high_res):
        with tf.GradientTape() as tape:
            mse = self.pixel_loss(self.generator(low_res, training=True), high_res)
        grads = tape.gradient(mse, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        zero = tf.zeros((), "float32")
        return mse, zero, zero, zero

    def srgan_step(self, low_res, high_res):
        super_res = self.generator(low_res, training=True)
        with tf.GradientTape() as tape:
            real_logits = tf.cast(self.discriminator(high_res, training=True), "float32")
            fake_logits = tf.cast(self.discriminator(super_res, training=True), "float32")
            # -log D(x) - log(1 - D(G(lr))) on logits.
            d_loss = tf.reduce_mean(tf.nn.softplus(-real_logits)) + tf.reduce_mean(tf.nn.softplus(fake_logits))
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
        with tf.GradientTape() as tape:
            upscaled = self.generator(low_res, training=True)
            content = self.content(upscaled, high_res)
            fake_logits = tf.cast(self.discriminator(upscaled, training=True), "float32")
            adversarial = tf.reduce_mean(tf.nn.softplus(-fake_logits))  # non-saturating -log D(G(lr))
            g_loss = content + self.adversarial_weight * adversarial
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        return self.pixel_loss(super_res, high_res), content, adversarial, d_loss

    def train_step(self, data):
        low_res, high_res = data
        # [0, 1] -> [-1, 1] in float32 (the plugin's to_network_range(x, "float32")): the bicubic skip keeps full precision.
        low_res = tf.cast(low_res, "float32") * 2.0 - 1.0
        high_res = tf.cast(high_res, "float32") * 2.0 - 1.0
        adversarial_stage = self.steps_done >= self.pretrain_steps
        mse, content, adversarial, d_loss = tf.cond(adversarial_stage, lambda: self.srgan_step(low_res, high_res),
                                                    lambda: self.srresnet_step(low_res, high_res))
        self.steps_done.assign_add(1)
        in_stage_2 = tf.cast(adversarial_stage, "float32")
        # PSNR of the output before the step; MSE in [-1, 1] is 4x that in [0, 1].
        psnr = 10.0 * tf.math.log(4.0 / tf.maximum(mse, 1e-10)) / tf.math.log(10.0)
        values = {"stage": (1.0 + in_stage_2, None), "psnr": (psnr, None), "mse_loss": (mse, 1.0 - in_stage_2),
                  "content_loss": (content, in_stage_2), "adversarial_loss": (adversarial, in_stage_2),
                  "d_loss": (d_loss, in_stage_2)}
        for name, (value, weight) in values.items():
            self.trackers[name].update_state(value, sample_weight=weight)
        return {name: tracker.result() for name, tracker in self.trackers.items()}


def build(model, settings):
    with precision_policy(settings.precision):
        generator = keras.models.clone_model(model.generator)
        discriminator = keras.models.clone_model(model.discriminator)
        # The plugin runs the VGG in the model's precision too.
        layer = perceptual.CONTENT_LOSSES[model.content_loss]
        vgg = None if layer is None else perceptual.build_feature_extractor(layer, model.vgg_weights)
    return HandWrittenSRGAN(generator, discriminator, model.pretrain_steps, model.adversarial_weight,
                            model.learning_rate, vgg)
