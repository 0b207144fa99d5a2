"""SRGAN: x4 photo-realistic super-resolution, pre-trained as SRResNet."""

from __future__ import annotations

import numpy as np

import keras
from keras import ops

from ganzoo.model import GAN
from ganzoo.errors import GanzooError
from ganzoo.precision import precision_policy
from ganzoo_plugins.srgan import perceptual
from ganzoo_plugins.srgan.networks import build_discriminator, build_generator

SCALE = 4


@keras.saving.register_keras_serializable(package="ganzoo", name="srgan")
class SRGAN(GAN):
    """SRGAN: photo-realistic single-image super-resolution x4 (Ledig et al., 2017).

    The generator, SRResNet, maps a low-resolution (LR) image to one four times
    larger: residual blocks at LR, then two x2 sub-pixel convolution (pixel
    shuffle) stages. It is fully convolutional: trained on 24 px LR crops, it
    upscales images of any size (`generate(images=lr)`; large images go
    through in overlapping tiles). The discriminator tells real 96 px
    high-resolution (HR) crops from upscaled ones.

    Training has the paper's two stages, scheduled by the step counter (so
    the schedule is part of the config and survives `--resume`):

    1. steps `0 .. pretrain_steps - 1`: SRResNet, the generator alone on the
       pixel MSE (`stage` 1 in the progress bar; `mse_loss`);
    2. afterwards, SRGAN: the discriminator with the generator frozen, then the
       generator with the discriminator frozen on the perceptual loss
       `content_loss + adversarial_weight * adversarial_loss`, the content
       loss being the pixel MSE by default (SRGAN-MSE) or, as in the paper,
       the VGG19 phi_5,4 feature-map MSE rescaled by 1/12.75
       (`content_loss="vgg54"`, the `paper` preset) (`stage` 2;
       `content_loss`, `adversarial_loss`, `d_loss`).

    `psnr` is the batch PSNR (RGB, dB) of the generator's output before each
    step, in both stages. The paper pre-trains for 10^6 steps and trains
    adversarially for 2 x 10^5 (the second half at learning rate 1e-5) on
    ImageNet; the defaults here are a CPU-sized schedule on the embedded
    photos.

    Default versus paper: the paper's generator has BatchNorm and no skip
    from the input. On a CPU budget that configuration learns slowly (measured:
    still ~2.8 dB below bicubic interpolation after 1,500 steps), so the
    default leaves BatchNorm out and adds the bicubic upscaling of the input
    to the output (`batch_norm=False, bicubic_skip=True`, as EDSR and most
    later SR networks do): the generator starts as bicubic interpolation and
    learns the missing detail, and beats bicubic within minutes on a CPU.
    The paper's network is `batch_norm=True, bicubic_skip=False`.

    The sub-pixel convolutions start as nearest-neighbour upsampling (ICNR,
    Aitken et al. 2017; `ganzoo.layers.ICNR`), so that the four positions of
    each pixel shuffle do not start with four different filters, the source
    of a 4x4 grid over flat regions.

    The default content loss is the pixel MSE (the paper's SRGAN-MSE), so
    the default trains offline. With a VGG content loss, the VGG19 ImageNet
    weights are downloaded once by `keras.applications` and cached; they are
    loaded when training starts (never to load or use a trained model).
    Without network access and without a cached copy, `fit` stops before the
    first step with an error that offers `vgg_weights=PATH` or
    `content_loss="mse"`.

    Paper: https://arxiv.org/abs/1609.04802

    Args:
        image_shape: (height, width, channels) of the high-resolution training
            crops (the paper: 96x96x3); height and width multiples of 4. The
            discriminator is built for this size; generation takes any size.
        generator_filters: filters of the generator's residual trunk (the
            paper: 64). Formerly `filters`, which still works for a release.
        residual_blocks: residual blocks of the generator (the paper: 16).
        batch_norm: BatchNorm in the generator's residual blocks, as in the
            paper (default False: faster, better PSNR on short schedules).
        bicubic_skip: add the bicubic upscaling of the input to the
            generator's output, which then learns only the residual (default
            True; the paper: False).
        discriminator_filters: filters of the discriminator's first
            convolutions, doubled every two up to 8x (the paper: 64 -> 512).
        discriminator_dense: units of the discriminator's hidden dense layer
            (the paper: 1024).
        pretrain_steps: training steps of stage 1 (SRResNet on MSE) before the
            adversarial stage 2 begins (the paper: 10^6); 0 skips stage 1.
        content_loss: content loss of stage 2: "mse" (default: pixel MSE,
            the paper's SRGAN-MSE; needs no VGG weights), "vgg54" (the
            paper's SRGAN) or "vgg22".
        vgg_weights: "imagenet" (Keras downloads and caches the VGG19 weights)
            or the path of a local copy of
            vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5.
        adversarial_weight: weight of the adversarial loss in the perceptual
            loss (the paper: 1e-3; the `cpu` preset, `ganzoo fit`'s default,
            sets 1e-4: at 1e-3 its short adversarial stage draws a 4x4 grid
            over flat regions).
        learning_rate: Adam learning rate (beta_1 0.9) of both networks
            (the paper: 1e-4).
        adversarial_learning_rate: the generator's Adam learning rate in
            stage 2 (from step `pretrain_steps` on); None (default) keeps
            `learning_rate`. (The paper drops both networks to 1e-5 for the
            second half of its adversarial stage.)
        r1_gamma: weight gamma of the R1 penalty gamma / 2 * E||grad D(x)||^2
            on real HR crops in the discriminator's loss (Mescheder et al.
            2018); 0 (default, the paper) leaves it out.
        discriminator_antialias: blur the input of each of the
            discriminator's stride-2 convolutions with a fixed 3x3 binomial
            filter (no weights; default False, the paper). The `cpu` preset
            sets True: without the blur the strided convolutions' periodic
            input gradient makes the generator print a diagonal hatching
            within ~100 adversarial steps (docs/plugins/srgan.md).
        ema: decay of an exponential moving average of the generator's
            weights over stage 2, which then upscales (`generate()`,
            samples, evaluation, exported graphs); 0 (default, the paper)
            upscales with the trained generator itself. The average copies
            the generator through stage 1 and the first adversarial step,
            and averages from there on, so it holds no stage-1 weights but
            the last. The `cpu` preset sets 0.99 (about the last 100 steps):
            the trained generator still ends some runs with a hatching that
            comes and goes between steps (docs/plugins/srgan.md).
        loss: adversarial loss name (the paper: "non_saturating", -log D(G(x))).
        seed: seed of the model's random stream.

    Example:

    ```python
    model = ganzoo.create("srgan", pretrain_steps=500)
    model.compile()
    model.fit(ganzoo.data.load("photos", model, batch_size=16, repeat=True), steps_per_epoch=100, epochs=6)
    low_res = model.held_back_crops()[0]          # (n, H, W, 3) in [0, 1], or your own images
    large = model.generate(images=low_res)        # (n, 4H, 4W, 3) in [0, 1]
    ```
    """

    task = "paired"
    tracked = ("stage", "psnr", "mse_loss", "content_loss", "adversarial_loss", "d_loss")
    trains_on_crops = True
    scale = SCALE
    renamed_options = {"filters": "generator_filters"}
    option_ranges = {"adversarial_learning_rate": (0.0, None, False), "r1_gamma": (0.0, None, True)}

    def __init__(self, image_shape=(96, 96, 3), generator_filters=64, residual_blocks=16, batch_norm=False,
                 bicubic_skip=True, discriminator_filters=64, discriminator_dense=1024, pretrain_steps=1000,
                 content_loss="mse", vgg_weights="imagenet", adversarial_weight=1e-3, learning_rate=1e-4,
                 adversarial_learning_rate=None, r1_gamma=0.0, discriminator_antialias=False, ema=0.0,
                 loss="non_saturating", seed=None, **kwargs):
        super().__init__(image_shape=image_shape, seed=seed, **kwargs)
        self.default_loss = loss
        height, width, channels = self.image_shape
        if height % SCALE or width % SCALE or min(height, width) < 16 or channels not in (1, 3):
            raise GanzooError(
                f"SRGAN trains on high-resolution crops whose sides are multiples of {SCALE} (at least 16) with "
                f"1 or 3 channels; got image_shape {self.image_shape}, use e.g. (96, 96, 3)"
            )
        perceptual.check_content_loss(content_loss)
        if int(pretrain_steps) < 0:
            raise GanzooError(f"pretrain_steps must be >= 0, got {pretrain_steps}")
        self.pretrain_steps = int(pretrain_steps)
        self.content_loss = content_loss
        self.vgg_weights = vgg_weights
        self.adversarial_weight = float(adversarial_weight)
        self.learning_rate = float(learning_rate)
        self.adversarial_learning_rate = None if adversarial_learning_rate is None else float(adversarial_learning_rate)
        if float(r1_gamma) < 0:
            raise GanzooError(f"r1_gamma must be >= 0, got {r1_gamma}")
        self.r1_gamma = float(r1_gamma)
        self.generator = build_generator(channels, SCALE, generator_filters, residual_blocks, batch_norm, bicubic_skip)
        self.discriminator = build_discriminator(self.image_shape, discriminator_filters, discriminator_dense,
                                                 antialias=bool(discriminator_antialias))
        if not 0.0 <= float(ema) < 1.0:
            raise GanzooError(f"ema must be a decay in [0, 1) (0: off), got {ema}")
        self.ema = float(ema)
        if self.ema:
            # Through stage 1 and the first adversarial step the average is the
            # generator, so stage 2 averages from where stage 1 left it, never
            # blending in early stage-1 weights (nor a checkpoint's missing average).
            self.average(self.generator, decay=self.ema, start=self.pretrain_steps + 1)
        # The VGG19 of the content loss: built when training starts (make_train_function).
        self._content = None

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        """Keras' `load_weights`; with `ema` on, also a file of the same model
        trained without it (a stage-1 run continued with `ema`): everything
        else loads as saved and the average starts as a copy of the generator."""
        average = self.averaged(self.generator)
        if average is self.generator or kwargs or _holds(filepath, average.name):
            return super().load_weights(filepath, skip_mismatch=skip_mismatch, **kwargs)
        from keras.src.saving import saving_lib

        saving_lib.load_weights_only(self, filepath, skip_mismatch=skip_mismatch,
                                     objects_to_skip=[average, *average._flatten_layers(include_self=False)])
        average.set_weights(self.generator.get_weights())

    # ------------------------------------------------------------------ training
    def default_optimizers(self):
        def adam():
            return keras.optimizers.Adam(learning_rate=self.learning_rate, beta_1=0.9, beta_2=0.999)

        generator = adam()
        if self.adversarial_learning_rate is not None and self.adversarial_learning_rate != self.learning_rate:
            # The generator updates once a step in both stages, so its own step counter is the model's.
            generator = StagedAdam(learning_rate=self.learning_rate, beta_1=0.9, beta_2=0.999,
                                   later_learning_rate=self.adversarial_learning_rate, later_from=self.pretrain_steps)
        return {"generator": generator, "discriminator": adam()}

    def make_train_function(self, force=False):
        # Build the content loss (and load VGG19's weights, or fail with a clear
        # message) before the first step is traced, not in the middle of it.
        self.content_loss_fn()
        return super().make_train_function(force)

    def content_loss_fn(self):
        """The stage-2 content loss: a function (super_res, high_res) -> scalar."""
        if self.content_loss == "mse":
            return self.pixel_loss
        if self._content is None:
            # Run the VGG in the model's precision (bfloat16 by default).
            with precision_policy(self.dtype_policy.name):
                self._content = perceptual.ContentLoss(self.content_loss, self.vgg_weights)
        return self._content

    @staticmethod
    def pixel_loss(super_res, high_res):
        """MSE between images in [-1, 1] (the paper's l_MSE)."""
        return ops.mean(ops.square(ops.cast(super_res, "float32") - ops.cast(high_res, "float32")))

    def perceptual_loss(self, low_res, high_res):
        """The generator's loss in stage 2: content + adversarial_weight * -log D(G(lr)).

        Returns `(loss, {"content": ..., "adversarial": ...})`: the two terms
        travel out of the tape for the progress bar."""
        super_res = self.generator(low_res, training=True)
        content = self.content_loss_fn()(super_res, high_res)
        adversarial = self.loss.generator(self.discriminator(super_res, training=True))
        return content + self.adversarial_weight * adversarial, {"content": content, "adversarial": adversarial}

    def srresnet_step(self, low_res, high_res):
        """Stage 1: SRResNet, the generator alone on the pixel MSE."""
        mse = self.update(self.generator, self.optimizer["generator"],
                          lambda: self.pixel_loss(self.generator(low_res, training=True), high_res))
        zero = ops.zeros((), "float32")
        return {"mse": mse, "content": zero, "adversarial": zero, "d_loss": zero}

    def srgan_step(self, low_res, high_res):
        """Stage 2: SRGAN's two passes on the perceptual loss."""
        super_res = self.generator(low_res, training=True)
        # 1. Freeze the generator, train the discriminator on real and upscaled crops.
        def discriminator_loss():
            loss = self.loss.discriminator(self.discriminator(high_res, training=True),
                                           self.discriminator(super_res, training=True))
            if self.r1_gamma > 0:
                critic = lambda x: self.discriminator(x, training=True)  # noqa: E731
                loss = loss + 0.5 * self.r1_gamma * self.r1_penalty(critic, high_res)
            return loss

        d_loss = self.update(self.discriminator, self.optimizer["discriminator"], discriminator_loss)
        # 2. Freeze the discriminator, train the generator on content + adversarial loss.
        _, parts = self.update(self.generator, self.optimizer["generator"],
                               lambda: self.perceptual_loss(low_res, high_res), has_aux=True)
        return {"mse": self.pixel_loss(super_res, high_res), "content": parts["content"],
                "adversarial": parts["adversarial"], "d_loss": d_loss}

    def train_step(self, data):
        low_res, high_res = data                      # (lr, hr) crops in [0, 1]
        # float32: the generator's bicubic skip keeps the input's full precision under bfloat16.
        low_res, high_res = self.to_network_range(low_res, "float32"), self.to_network_range(high_res, "float32")
        # The stage schedule: a function of the step counter, which resumes with the run.
        adversarial = self.step >= self.pretrain_steps
        result = self.branch(lambda step: step >= self.pretrain_steps, lambda: self.srgan_step(low_res, high_res),
                             lambda: self.srresnet_step(low_res, high_res))
        in_stage_2 = ops.cast(adversarial, "float32")
        # PSNR (RGB) of the generator's output before the step; MSE in [-1, 1] is 4x that in [0, 1].
        psnr = 10.0 * ops.log10(4.0 / ops.maximum(result["mse"], 1e-10))
        # Each stage's losses are averaged over that stage's steps only.
        return self.track(stage=1.0 + in_stage_2, psnr=psnr, mse_loss=result["mse"], content_loss=result["content"],
                          adversarial_loss=result["adversarial"], d_loss=result["d_loss"],
                          weights={"mse_loss": 1.0 - in_stage_2, "content_loss": in_stage_2,
                                   "adversarial_loss": in_stage_2, "d_loss": in_stage_2})

    # ------------------------------------------------------------------ generation
    def generate_batch(self, n, seed, images):
        # The moving average of the generator when `ema` is on.
        return self.averaged(self.generator)(self.to_network_range(images, "float32"), training=False)

    def generate(self, n=None, *, images=None, seed=None, batch_size=16, tile_size=128, tile_overlap=24):
        """Upscales images four times, float32 NHWC in [0, 1] as a NumPy array.

        Args:
            n: optional; the number of images, checked against `images`.
            images: the low-resolution images, float in [0, 1] (or uint8),
                NHWC or one HWC image, any size.
            seed: unused (the generator is deterministic); accepted for the
                common interface.
            batch_size: images (or tiles) per forward pass.
            tile_size: images larger than this (LR pixels) on a side are
                upscaled in tiles of this size, to bound memory.
            tile_overlap: LR pixels of context on each side of a tile that are
                computed but not kept, so tiles join without seams.

        Example:

        ```python
        big = model.generate(images=small)     # (n, 4H, 4W, C)
        ```
        """
        n, conditions = self.prepare_generation(n, images=images)
        low_res = conditions["images"]
        height, width, channels = low_res.shape[1:]
        if tile_size < 2 * tile_overlap + 1:
            raise GanzooError(f"tile_size ({tile_size}) must exceed twice tile_overlap ({tile_overlap})")
        out = np.empty((n, height * SCALE, width * SCALE, channels), "float32")
        if height <= tile_size and width <= tile_size:
            for start in range(0, n, batch_size):
                out[start:start + batch_size] = self._upscale(low_res[start:start + batch_size])
            return out
        rows = _windows(height, tile_size, tile_overlap)
        cols = _windows(width, tile_size, tile_overlap)
        for i in range(n):
            jobs = [(r, c) for r in rows for c in cols]
            for start in range(0, len(jobs), batch_size):
                chunk = jobs[start:start + batch_size]
                tiles = np.stack([low_res[i, r[0]:r[0] + r[1], c[0]:c[0] + c[1]] for r, c in chunk])
                upscaled = self._upscale(tiles)
                for (r, c), tile in zip(chunk, upscaled):
                    # Keep only the tile's core; its margins were context.
                    (r0, _, r_core0, r_core1), (c0, _, c_core0, c_core1) = r, c
                    out[i, r_core0 * SCALE:r_core1 * SCALE, c_core0 * SCALE:c_core1 * SCALE] = tile[
                        (r_core0 - r0) * SCALE:(r_core1 - r0) * SCALE, (c_core0 - c0) * SCALE:(c_core1 - c0) * SCALE]
        return out

    def _upscale(self, low_res):
        return ops.convert_to_numpy(self.from_network_range(self.generate_batch(len(low_res), None, low_res)))

    def preview(self, examples=None, seed=0):
        """Rows of (bicubic | SRGAN | real HR) for up to 6 examples: a batch
        `(lr, hr)` of training crops, or centre crops of the held-back photos."""
        from ganzoo import sampling

        return sampling.task_preview(self, self.held_back_crops() if examples is None else examples, seed)

    def held_back_crops(self):
        """Centre crops of `image_shape` from the held-back photos: (lr, hr)."""
        from ganzoo.data.photos import held_back
        from ganzoo.metrics.super_resolution import make_low_res

        height, width, channels = self.image_shape
        crops = []
        for photo in held_back():
            top, left = max(0, (photo.shape[0] - height) // 2), max(0, (photo.shape[1] - width) // 2)
            crop = photo[top:top + height, left:left + width]
            if crop.shape[:2] == (height, width):
                crops.append(crop.mean(axis=-1, keepdims=True) if channels == 1 else crop)
        high_res = np.stack(crops).astype("float32")
        return make_low_res(high_res, SCALE), high_res


@keras.saving.register_keras_serializable(package="ganzoo_srgan")
class StagedAdam(keras.optimizers.Adam):
    """Adam whose learning rate changes once, from its own step `later_from` on.

    Unlike a `LearningRateSchedule`, the learning rate stays a variable, so the
    optimizer's state has the same variables as plain Adam's (a checkpoint of
    either loads into the other).

    Args:
        later_learning_rate: the learning rate from step `later_from` on.
        later_from: the optimizer step (its `iterations`) at which it applies.
        **kwargs: those of `keras.optimizers.Adam` (`learning_rate` before).
    """

    def __init__(self, later_learning_rate, later_from, **kwargs):
        super().__init__(**kwargs)
        self.later_learning_rate = float(later_learning_rate)
        self.later_from = int(later_from)

    def _get_current_learning_rate(self):
        early = super()._get_current_learning_rate()
        return ops.where(ops.greater_equal(self.iterations, self.later_from),
                         ops.cast(self.later_learning_rate, early.dtype), ops.convert_to_tensor(early))

    def get_config(self):
        return {**super().get_config(), "later_learning_rate": self.later_learning_rate, "later_from": self.later_from}


def _holds(filepath, name):
    """Whether the weights file `filepath` (.keras or .weights.h5) has a top-level entry `name`."""
    import zipfile

    import h5py

    path = str(filepath)
    try:
        if path.endswith(".keras"):
            with zipfile.ZipFile(path) as archive, archive.open("model.weights.h5") as member, \
                    h5py.File(member, "r") as f:
                return name in f
        if path.endswith(".weights.h5"):
            with h5py.File(path, "r") as f:
                return name in f
    except (OSError, KeyError, zipfile.BadZipFile):
        pass
    return True     # unknown or unreadable: Keras' own load decides and reports


def _windows(length, tile, overlap):
    """Tiles along one side: (start, size, core_start, core_end) in LR pixels.

    Cores partition [0, length); each tile holds its core plus up to
    `overlap` pixels of context on each side (less at the image border,
    where the whole image has no more context either)."""
    if length <= tile:
        return [(0, length, 0, length)]
    core = tile - 2 * overlap
    result = []
    for core_start in range(0, length, core):
        core_end = min(core_start + core, length)
        start = min(max(core_start - overlap, 0), length - tile)
        result.append((start, tile, core_start, core_end))
    return result
