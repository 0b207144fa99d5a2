"""GAN-INT-CLS (Reed et al. 2016): draw an image for a sentence."""

from __future__ import annotations

import contextlib

import numpy as np

import keras
from keras import ops

from ganzoo import images as images_lib
from ganzoo import replicas
from ganzoo.model import GAN, adam
from ganzoo.errors import GanzooError
from ganzoo.schedules import second_half_decay
from ganzoo_plugins.text2image import encoder as encoder_lib
from ganzoo_plugins.text2image import networks

#: Columns of the preview grid (fixed latents shared by every row) and most rows (captions).
PREVIEW_COLUMNS = 8
PREVIEW_ROWS = 8
#: Batches read by `adapt()` from a dataset at most (an endless dataset stops there).
ADAPT_BATCHES = 1000


def mismatched(embeddings, texts, roll=None, keys=None):
    """The CLS negatives: every sample's text embedding paired with the next
    sample's (the batch rolled by one), and whether that caption really
    differs (a pair whose captions are the same is not a mismatch).

    Args:
        embeddings: phi(t), (batch, d).
        texts: what stands for the captions, compared row by row: their
            token ids (batch, length) as the model passes them (equal ids,
            equal phi(t)), or one number or string per caption (batch,).
        roll: the function that rolls a batch by one (the model passes
            `ganzoo.replicas.roll`, which rolls the global batch under a
            strategy); `ops.roll` along axis 0 if None.
        keys: numbers standing for `texts`, compared instead of them when
            given (strings cannot be rolled across replicas:
            `ganzoo.replicas.fingerprints(texts)`).

    Returns:
        `(wrong, valid)`: `wrong[i] = embeddings[i - 1]` (cyclically) and
        `valid[i]` = `texts[i] != texts[i - 1]`, bool (batch,).
    """
    roll = roll or (lambda value: ops.roll(value, 1, axis=0))
    wrong = roll(embeddings)
    keys = texts if keys is None else keys
    same = ops.equal(keys, roll(keys))
    if len(same.shape) > 1:   # token ids: the same caption where every id is
        same = ops.all(ops.reshape(same, (ops.shape(same)[0], -1)), axis=-1)
    return wrong, ops.logical_not(same)


def interpolated(embeddings, beta=0.5, roll=None):
    """The INT conditions: beta * h_i + (1 - beta) * h_{i-1}, with h_{i-1} the
    batch rolled by one (another caption of the batch; `roll` as in
    `mismatched`)."""
    roll = roll or (lambda value: ops.roll(value, 1, axis=0))
    return beta * embeddings + (1.0 - beta) * roll(embeddings)


@keras.saving.register_keras_serializable(package="ganzoo", name="text2image")
class TextToImageGAN(GAN):
    """GAN-INT-CLS (Reed et al., ICML 2016): generate an image from a sentence.

    A text encoder maps a caption t to an embedding phi(t). The forger
    G(z, phi(t)) draws an image for it; the investigator D(x, phi(t)) judges
    whether image and sentence belong together. Both compress phi(t) with a
    dense layer and LeakyReLU to `condition_dim` (128): G concatenates it to z
    before a DCGAN generator; D replicates it over its 4x4 feature map and
    concatenates it before its last convolutions.

    The paper's two tricks, both on by default:

    CLS, the matching-aware discriminator. D sees three kinds of pairs:
    a real image with its caption (real), a real image with a mismatched
    caption h' (the batch's captions rolled by one; identical captions are
    not counted as mismatched), and a generated image with its caption:

        L_D = -log D(x, h) - [log(1 - D(x, h')) + log(1 - D(G(z, h), h))] / 2

    (with the chosen adversarial `loss` in place of log; `matching_aware=False`
    drops the middle term: the plain conditional GAN "GAN" of the paper).

    INT, manifold interpolation. G also learns to satisfy D on
    interpolated embeddings h_int = beta h1 + (1 - beta) h2 of two captions of
    the batch (beta = 0.5), for which no real image exists:

        L_G = -log D(G(z, h), h) - log D(G(z', h_int), h_int)

    The default text encoder (see `encoder.py`) is a word vocabulary built
    from the training captions, word embeddings and two 1-D convolutions; it
    is trained with the discriminator (by the CLS loss: to tell matching from
    mismatched captions D must encode what a caption says). The paper
    pre-trains a char-CNN-RNN with a joint image-text embedding instead.

    Paper: https://arxiv.org/abs/1605.05396

    Args:
        image_shape: (height, width, channels): a square side of 4 or 7 times
            a power of two (16, 28, 32, 64, 128, ...), RGB or grey.
        vocabulary: the words of the default text encoder (a list, most
            frequent first). `ganzoo fit` builds it from the training captions;
            with None, `fit()` builds it from the data first (`adapt()`).
            Unknown words map to one [UNK] id; only the first
            `max_tokens - 2` words are used.
        max_tokens: size of the word-embedding table (vocabulary + 2).
        max_length: words read per caption; longer captions are cut.
            `ganzoo fit` sets it from the training captions (99th percentile
            of their length + 2, 8 .. 64).
        word_dim: size of the word embeddings.
        encoder_filters: filters of the text encoder's two word convolutions.
        text_dim: size of the text embedding phi(t) (the paper: 1024).
        text_encoder: None for the default encoder, or any Keras model that
            maps a tf.string batch (batch,) to vectors (batch, d) (an object,
            or a path to a `.keras` file); its d replaces `text_dim`. On JAX
            and PyTorch its string input must go straight into one
            TextVectorization layer, which then runs in the data pipeline
            (TensorFlow also runs other string models inside the step).
        pretrain_steps: steps of joint-embedding pre-training of the default
            text encoder on the training pairs (a contrastive image-caption
            loss, with a small image CNN that is then dropped), run by the
            first `fit()` of a fresh model; 0: none.
        train_text_encoder: also train the text encoder with the
            discriminator during the GAN; None: only for a default encoder
            without pre-training (the paper keeps its pre-trained encoder fixed).
        condition_dim: size of the compressed embedding in G and D (the paper: 128).
        latent_dim: size of z ~ N(0, I) (the paper: 100).
        generator_filters: filters of G's last hidden layer, doubled at each
            coarser resolution (DCGAN and the paper: 64; 32 trains the
            shapes in CPU minutes).
        discriminator_filters: filters of D's first layer, doubled at each
            coarser resolution (the paper: 64).
        matching_aware: CLS: add the real-image, mismatched-caption term to D's loss.
        interpolation: INT: G also learns from interpolated caption embeddings.
        interpolation_beta: beta of the interpolation (the paper: 0.5).
        diversity_weight: weight of the mode-seeking term in G's loss (Mao
            et al. 2019; not in the paper, whose preset sets 0): without it G
            draws nearly the same image for one caption whatever z is (the
            shapes jitter too little within a caption for D to notice).
        preview_texts: captions of the per-epoch grid (one row each); None:
            up to 8 distinct captions of the fixed training batch.
        learning_rate: Adam learning rate of both players (beta_1 0.5). The
            paper: 2e-4; on the shapes 1e-3 learns colour about three times
            sooner (see the plugin's docs page).
        training_steps: planned length of training (`ganzoo fit` sets it
            from --steps or --epochs); > 0 keeps `learning_rate` for the first
            half and decays it linearly to zero over the second (as CycleGAN
            does); 0: a constant rate.
        loss: adversarial loss name (see `ganzoo.losses.LOSSES`).
        seed: seed of the model's random stream.

    Example:

    ```python
    model = ganzoo.create("text2image")
    model.compile()
    model.fit(ganzoo.data.load("shapes", model), epochs=5)   # builds the vocabulary first
    images = model.generate(texts=["a large red circle in the center"] * 4, seed=0)
    ```
    """

    task = "captioned"

    def __init__(self, image_shape=(32, 32, 3), vocabulary=None, max_tokens=4000, max_length=32, word_dim=64,
                 encoder_filters=128, text_dim=256, text_encoder=None, pretrain_steps=1500, train_text_encoder=None,
                 condition_dim=128,
                 latent_dim=100, generator_filters=32, discriminator_filters=32, matching_aware=True,
                 interpolation=True, interpolation_beta=0.5, diversity_weight=0.05, preview_texts=None,
                 learning_rate=1e-3, training_steps=0, loss="non_saturating", seed=None, **kwargs):
        super().__init__(image_shape=image_shape, latent_dim=latent_dim, seed=seed, **kwargs)
        networks.check_image_shape(self.image_shape)
        if not 0.0 <= float(interpolation_beta) <= 1.0:
            raise GanzooError(f"interpolation_beta must be in [0, 1]; got {interpolation_beta!r}")
        if vocabulary is not None and (isinstance(vocabulary, str) or
                                       not all(isinstance(w, str) for w in vocabulary)):
            raise GanzooError("vocabulary must be a list of words")
        self.matching_aware = bool(matching_aware)
        self.interpolation = bool(interpolation)
        self.interpolation_beta = float(interpolation_beta)
        if float(diversity_weight) < 0:
            raise GanzooError(f"diversity_weight must be >= 0; got {diversity_weight!r}")
        self.diversity_weight = float(diversity_weight)
        self.preview_texts = list(preview_texts) if preview_texts else None
        self.learning_rate = learning_rate
        self.training_steps = int(training_steps)
        if self.training_steps < 0:
            raise GanzooError(f"training_steps must be >= 0 (0: constant learning rate); got {training_steps!r}")
        self.default_loss = loss
        self.builtin_encoder = text_encoder is None
        if text_encoder is None:
            # Most frequent words first: a longer vocabulary keeps the max_tokens - 2 most frequent.
            words = list(vocabulary)[: int(max_tokens) - len(encoder_lib.RESERVED_TOKENS)] if vocabulary else None
            self.text_encoder = encoder_lib.build_text_encoder(
                words, max_tokens, max_length, word_dim, encoder_filters, text_dim)
        else:
            self.text_encoder = _load_encoder(text_encoder)
        self.text_dim = int(self.text_encoder.output_shape[-1])
        # The string part runs on the data side, the network part in the step.
        self.encoder_parts = encoder_lib.EncoderParts(self.text_encoder)
        self.pretrain_steps = int(pretrain_steps) if self.builtin_encoder else 0
        if train_text_encoder is None:   # the paper keeps its pre-trained encoder fixed
            train_text_encoder = self.builtin_encoder and self.pretrain_steps == 0
        self.train_text_encoder = bool(train_text_encoder)
        self.pretrain_report = None
        self.text_encoder.trainable = self.train_text_encoder
        self.generator = networks.build_generator(self.image_shape, self.latent_dim, self.text_dim, condition_dim,
                                                  generator_filters)
        self.discriminator = networks.build_discriminator(self.image_shape, self.text_dim, condition_dim,
                                                          discriminator_filters)

    def get_config(self):
        config = super().get_config()
        if isinstance(config.get("text_encoder"), keras.Model):
            config["text_encoder"] = keras.saving.serialize_keras_object(config["text_encoder"])
        return config

    # ------------------------------------------------------------------ vocabulary
    @property
    def needs_vocabulary(self):
        """True for the default encoder before it has a vocabulary."""
        return self.builtin_encoder and not self._constructor_arguments.get("vocabulary")

    @classmethod
    def run_config(cls, run):
        """Options from the run's data: the vocabulary of its training captions,
        the words to read per caption, and the preview captions."""
        config = super().run_config(run)
        from ganzoo.data import captioned

        try:
            captions = captioned.captions(run.info.name, limit=200_000)
            config.setdefault("preview_texts", captioned.preview_captions(run.info.name, PREVIEW_ROWS))
        except GanzooError:
            return config   # e.g. a TFDS set in another data_dir: fit() builds the vocabulary from the batches
        config["vocabulary"] = encoder_lib.build_vocabulary(captions, _default(cls, "max_tokens"))
        # Read as many words as nearly all training captions have (99th percentile + 2, 8 .. 64).
        lengths = sorted(len(encoder_lib.standardize(c)) for c in captions) or [0]
        config["max_length"] = int(min(64, max(8, lengths[int(0.99 * (len(lengths) - 1))] + 2)))
        return config

    def adapt(self, data):
        """Builds the default encoder's vocabulary from captions.

        Args:
            data: a list of captions, or a dataset of `(images, texts)`
                batches (at most `ADAPT_BATCHES` batches are read).
        """
        if not self.builtin_encoder:
            raise GanzooError("adapt() builds the default text encoder's vocabulary; this model has its own encoder")
        texts = _captions_of(data)
        vocabulary = encoder_lib.build_vocabulary(texts, self._constructor_arguments["max_tokens"])
        if not vocabulary:
            raise GanzooError("the captions hold no words; cannot build a vocabulary")
        encoder_lib.vectorizer_of(self.text_encoder).set_vocabulary(vocabulary)
        # The vocabulary is part of the config: saved in .keras files and restored exactly.
        self._constructor_arguments["vocabulary"] = vocabulary
        return vocabulary

    def pretrain_text_encoder(self, data, steps=None, learning_rate=1e-3, verbose=0):
        """Pre-trains the default text encoder on `(images, texts)` batches with
        `encoder.JointEmbedding` (a caption must pick out its own image in the
        batch); returns the last loss and retrieval accuracy.

        Args:
            data: a dataset of `(images, texts)` batches, images in [0, 1],
                texts as strings or token ids (repeated when shorter than `steps`).
            steps: gradient steps (default `pretrain_steps`).
            learning_rate: Adam learning rate.
            verbose: Keras verbosity: with 1 or "auto" a line says what runs
                and a progress bar counts its steps; 2, the line and one
                line at the end; 0, nothing.
        """
        steps = self.pretrain_steps if steps is None else int(steps)
        if not hasattr(data, "repeat"):
            raise GanzooError("pretrain_text_encoder() needs a dataset of (images, texts) batches")
        data = self.tokenized(data)
        self.text_encoder.trainable = True
        try:
            # Under the model's tf.distribute strategy (TensorFlow), like the
            # model (its contrastive loss then takes each replica's share of
            # the batch as the negatives).
            strategy = getattr(self, "distribute_strategy", None)
            with strategy.scope() if strategy is not None else contextlib.nullcontext():
                helper = encoder_lib.JointEmbedding(
                    self.encoder_parts.network, encoder_lib.build_image_encoder(self.image_shape, self.text_dim))
                helper.compile(optimizer=keras.optimizers.Adam(learning_rate))
            if verbose:
                print(f"pre-training the text encoder: {steps} steps before the GAN's first "
                      "(pretrain_steps; --set pretrain_steps=0 skips it)", flush=True)
            history = helper.fit(data.repeat(), steps_per_epoch=steps, epochs=1, verbose=verbose, shuffle=False)
        finally:
            self.text_encoder.trainable = self.train_text_encoder
        self.pretrain_report = {key: float(values[-1]) for key, values in history.history.items()}
        return self.pretrain_report

    def prepare_training(self, data):
        """Before `fit()` trains: a fresh model builds its vocabulary from
        `data` (without one), the captions become token ids in the data
        pipeline (`tokenized`: the step never sees a string), and a fresh
        model pre-trains its text encoder (`pretrain_steps`), with a progress
        bar as `fit()`'s `verbose` asks. Returns the tokenised data."""
        pretraining = bool(self.pretrain_steps and self.pretrain_report is None and self.compiled
                           and self.steps_done == 0)
        if not hasattr(data, "element_spec") and (self.needs_vocabulary or pretraining):
            # fit(images, captions) on arrays: this method sees the images alone.
            raise GanzooError(
                "text2image builds its vocabulary and pre-trains its text encoder from (images, captions) "
                "batches: pass a dataset, e.g. fit(tf.data.Dataset.from_tensor_slices((images, captions)).batch(64)) "
                "or ganzoo.data.load(...); arrays work with a vocabulary, pretrain_steps=0 and token ids "
                "(model.tokenize(captions))")
        if self.needs_vocabulary:
            self.adapt(data)
        data = self.tokenized(data)
        if pretraining:
            self.pretrain_text_encoder(data, verbose=getattr(self, "fit_verbose", 0))
        return data

    # ------------------------------------------------------------------ networks
    def learning_rate_schedule(self):
        """Constant, or (with `training_steps`) constant for the first half and
        linearly to zero over the second: at the constant rate the shapes'
        outlines keep wobbling from step to step (kind plateaus), the decay
        lets them settle."""
        return second_half_decay(self.learning_rate, self.training_steps)

    def default_optimizers(self):
        return {"generator": adam(self.learning_rate_schedule()),
                "discriminator": adam(self.learning_rate_schedule())}

    def optimizer_targets(self):
        d_networks = [self.discriminator] + ([self.text_encoder] if self.train_text_encoder else [])
        return {"generator": [self.generator], "discriminator": d_networks}

    def tokenize(self, texts):
        """Token ids of a string batch (batch,): what the training step reads
        for the captions. Runs outside the step: in the `tf.data` pipeline
        (`tokenized`) or eagerly (`embed`, `generate`)."""
        return self.encoder_parts.tokenize(texts)

    def tokenized(self, data):
        """`data` (a dataset of `(images, texts)` batches) with the captions
        as token ids; a dataset whose captions are already ids (or anything
        else) is returned as it is."""
        spec = getattr(data, "element_spec", None)
        if not (isinstance(spec, tuple) and len(spec) >= 2 and getattr(spec[1], "dtype", None) is not None
                and spec[1].dtype.name == "string" and self.encoder_parts.splits):
            return data
        return data.map(lambda images, texts, *rest: (images, self.tokenize(texts), *rest))

    def layers_outside_the_step(self):
        # The captions become token ids in the data pipeline (`tokenized`): the
        # step runs the encoder from its ids on, so its TextVectorization, which
        # JAX cannot trace, must not keep the step from being compiled.
        return [self.encoder_parts.vectorizer] if self.encoder_parts.splits else []

    def encode(self, tokens, training=False):
        """phi(t) of the captions' token ids, in the compute dtype."""
        return ops.cast(self.encoder_parts.network(tokens, training=training), self.compute_dtype)

    def embed(self, texts, training=False):
        """phi(t) of a string batch (batch,), in the compute dtype (eager:
        tokenises, then encodes)."""
        tokens = self.tokenize(texts) if self.encoder_parts.splits else ops.convert_to_tensor(texts)
        return self.encode(tokens, training=training)

    def call(self, inputs, training=False):
        z, texts = inputs
        return self.generator([z, self.embed(texts)], training=training)

    # ------------------------------------------------------------------ the game
    def matching_aware_discriminator_loss(self, real, tokens, z, h=None):
        """CLS: real image + right text is real; real image + wrong text and
        fake image + right text are fake, each half weight. `tokens`: the
        captions' token ids (`tokenize`); `h`: phi(t) when already computed
        (a fixed encoder), else computed here."""
        if h is None:
            h = self.encode(tokens, training=True)
        fake = self.generator([z, ops.stop_gradient(h)], training=True)
        real_logits = self.discriminator([real, h], training=True)
        fake_logits = self.discriminator([fake, h], training=True)
        if not self.matching_aware:
            return self.loss.discriminator(real_logits, fake_logits)
        # Captions are compared by their ids (strings only from an encoder
        # that TensorFlow runs whole in the step: by their fingerprints).
        keys = tokens if self.encoder_parts.splits else replicas.fingerprints(tokens)
        wrong, valid = mismatched(h, tokens, roll=replicas.roll, keys=keys)
        wrong_logits = self.discriminator([real, wrong], training=True)
        # A "mismatched" caption identical to the right one is no negative:
        # that sample's fake term stands in for it.
        wrong_logits = ops.where(ops.expand_dims(valid, -1), wrong_logits, fake_logits)
        # 1/2 (R + F) + 1/2 (R + W) = R + (F + W) / 2 for every separable loss.
        return 0.5 * (self.loss.discriminator(real_logits, fake_logits)
                      + self.loss.discriminator(real_logits, wrong_logits))

    def text_generator_loss(self, tokens, z, z_interpolated, h=None):
        """G fools D with G(z, h) for the batch's captions (their token ids),
        and (INT) with G(z', h_int) for interpolations of two captions."""
        h = ops.stop_gradient(self.encode(tokens, training=False) if h is None else h)
        fake = self.generator([z, h], training=True)
        loss = self.loss.generator(self.discriminator([fake, h], training=True))
        if self.interpolation:
            h_int = interpolated(h, self.interpolation_beta, roll=replicas.roll)
            fake_int = self.generator([z_interpolated, h_int], training=True)
            loss = loss + self.loss.generator(self.discriminator([fake_int, h_int], training=True))
        if self.diversity_weight:
            loss = loss + self.diversity_weight * self.mode_seeking_loss(fake, z, z_interpolated, h)
        return loss

    def mode_seeking_loss(self, fake, z, other_z, h):
        """Mode seeking (Mao et al., CVPR 2019): the inverse of how far two
        latents of the same caption move the image, relative to their own
        distance. The shapes vary little within one caption, so D alone never
        penalises a generator that ignores z; this term does, with no change
        to D (no minibatch discrimination)."""
        other = self.generator([other_z, h], training=True)
        # Distances over the global batch, so that replicas take one device's step.
        image_distance = replicas.mean(ops.mean(ops.abs(ops.cast(fake, "float32")
                                                            - ops.cast(other, "float32"))))
        latent_distance = replicas.mean(ops.mean(ops.abs(ops.cast(z, "float32")
                                                             - ops.cast(other_z, "float32"))))
        return 1.0 / (image_distance / latent_distance + 1e-5)

    def train_step(self, data):
        # The captions arrive as token ids (`prepare_training` tokenises the data).
        images, tokens, _ = keras.utils.unpack_x_y_sample_weight(data)
        real = self.to_network_range(images)
        n = ops.shape(real)[0]
        z = self.sample_latent(n)
        z_interpolated = self.sample_latent(n)
        targets = self.optimizer_targets()
        # A fixed encoder (the paper's) embeds the captions once for both passes.
        h = None if self.train_text_encoder else self.encode(tokens)
        # 1. Freeze the generator; train D (and a trained text encoder) to accept
        #    real images with their captions and reject mismatched captions and forgeries.
        d_loss = self.update(targets["discriminator"], self.optimizer["discriminator"],
                             lambda: self.matching_aware_discriminator_loss(real, tokens, z, h))
        # 2. Freeze D and the encoder; train G to draw what the caption says.
        g_loss = self.update(targets["generator"], self.optimizer["generator"],
                             lambda: self.text_generator_loss(tokens, z, z_interpolated, h))
        return self.track(d_loss=d_loss, g_loss=g_loss)

    # ------------------------------------------------------------------ generation
    def prepare_generation(self, n=None, **conditions):
        """`generate(texts=[...])`: one image per caption; `generate(n, texts="...")`:
        n images of one caption (the captioned task's checks), once the text
        encoder has a vocabulary."""
        n, conditions = super().prepare_generation(n, **conditions)
        if self.needs_vocabulary:
            raise GanzooError("the text encoder has no vocabulary yet: fit() the model first, call "
                              "model.adapt(captions), or pass vocabulary=")
        return n, conditions

    def generate_batch(self, n, seed, texts=None, embeddings=None):
        """Images for `texts`, or for their encodings `embeddings` (what
        `embed(texts)` gives: `ganzoo export` keeps the string operations of
        the text encoder outside the exported graph)."""
        if embeddings is None:
            embeddings = self.embed(np.array([str(t) for t in texts], dtype=str).reshape(-1))
        return self.generator([self.sample_latent(n, seed), ops.cast(embeddings, self.compute_dtype)],
                              training=False)

    def preview_captions(self, examples=None):
        """The captions of the per-epoch grid: `preview_texts`, else up to 8
        distinct captions of the fixed training batch `examples`."""
        if self.preview_texts:
            return list(self.preview_texts)[:PREVIEW_ROWS]
        found = []
        if examples is not None:
            for text in _captions_of([examples]):
                if text not in found:
                    found.append(text)
        if not found:
            vocabulary = self._constructor_arguments.get("vocabulary") or []
            found = list(vocabulary[:PREVIEW_ROWS]) or [""]
        return found[:PREVIEW_ROWS]

    def caption_grid(self, texts, columns=PREVIEW_COLUMNS, seed=0):
        """A grid with one row per caption, `columns` images each (column j
        uses the same latent in every row), the caption written beside its row
        (`ganzoo.sampling.captioned` draws it). Returns an HWC image in [0, 1]."""
        from ganzoo.sampling.captioned import caption_grid

        return caption_grid(self, texts, columns, seed)

    def preview(self, examples=None, seed=0):
        """One row per preview caption (up to 8), 8 columns of fixed latents,
        each caption written beside its row; a blank row before the encoder
        has a vocabulary."""
        if self.needs_vocabulary:
            return images_lib.grid(np.zeros((PREVIEW_COLUMNS, *self.image_shape), "float32"), rows=1)
        return self.caption_grid(self.preview_captions(examples), PREVIEW_COLUMNS, seed)


def _captions_of(data):
    """Captions (str) from a list of strings, or from batches `(images, texts)` / `{"text": ...}`."""
    if isinstance(data, (str, bytes)):
        data = [data]
    if hasattr(data, "take"):   # a tf.data.Dataset; an endless one is cut
        data = data.take(ADAPT_BATCHES)
    found = []
    for item in data:
        if isinstance(item, (str, bytes)):
            texts = [item]
        else:
            if isinstance(item, dict):
                texts = item["text"]
            elif isinstance(item, (tuple, list)) and len(item) >= 2:
                texts = item[1]
            else:
                raise GanzooError("adapt() takes captions, or batches of (images, texts)")
            texts = np.asarray(ops.convert_to_numpy(texts) if not isinstance(texts, (list, np.ndarray))
                               else texts, dtype=object).reshape(-1)
        for text in texts:
            found.append(text.decode("utf-8", errors="replace") if isinstance(text, bytes) else str(text))
    return found


def _default(cls, name):
    import inspect

    return inspect.signature(cls.__init__).parameters[name].default


def _load_encoder(encoder):
    if isinstance(encoder, keras.Model):
        return encoder
    if isinstance(encoder, dict):
        return keras.saving.deserialize_keras_object(encoder)
    if isinstance(encoder, str):
        try:
            return keras.models.load_model(encoder, compile=False)
        except Exception as error:  # noqa: BLE001 - any load failure is one clear error
            raise GanzooError(f"cannot load the text encoder {encoder!r}: {error}") from None
    raise GanzooError(f"text_encoder must be None, a Keras model or a path to a .keras file; got {encoder!r}")
