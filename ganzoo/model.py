"""`ganzoo.GAN`: the `keras.Model` every architecture subclasses.

A plugin writes the method in `train_step`; the engine owns the machinery
that every architecture would otherwise repeat: one optimizer per player,
freezing by differentiation, mixed-precision loss scaling, distribution
scaling, metric trackers, seeded latent sampling, `generate()`, and saving.

The class body holds the step (`update`, `input_gradients`, `branch`,
`track`, the step wrapper) and the hooks a plugin overrides; each other job
is a mixin in the module that owns it: `ganzoo.optimizers.Players` (one
optimizer per player, `compile`), `ganzoo.losses.GameLosses` (default losses,
R1 and WGAN-GP penalties), `ganzoo.averaging.Averages` (EMA copies),
`ganzoo.generation.Generation` (`generate()`), `ganzoo.model_state.SavedState`
(config and saved state), and the backend adapter's `ModelHooks`
(`ganzoo.backends`). Collectives a plugin calls are `ganzoo.replicas`;
pictures and `ganzoo sample` files are `ganzoo.sampling`'s.
"""

from __future__ import annotations

import functools
import gc
import inspect
import threading

import keras
from keras import ops

from ganzoo import backends, replicas
from ganzoo import images as images_lib
from ganzoo.averaging import Averages
from ganzoo.generation import Generation, TaskAttribute
from ganzoo.losses import GameLosses
from ganzoo.model_state import SavedState
from ganzoo.optimizers import Players, adam
from ganzoo.options import accept_renamed, renamed
from ganzoo.random_streams import RandomStream

__all__ = ["GAN", "adam"]


class GAN(backends.get().ModelHooks, SavedState, Players, Averages, GameLosses, Generation, keras.Model):
    """Base class of ganzoo models: a generator, a discriminator, and the game.

    Subclasses build their networks in `__init__` and write `train_step` as
    the method reads: update the discriminator with the generator frozen,
    then the generator with the discriminator frozen.

    ```python
    def train_step(self, real):
        real = self.to_network_range(real)              # data arrive in [0, 1]
        z = self.sample_latent(ops.shape(real)[0])
        # 1. Freeze the generator, train the discriminator.
        d_loss = self.update(self.discriminator, self.optimizer["discriminator"],
                             lambda: self.discriminator_loss(real, z))
        # 2. Freeze the discriminator, train the generator.
        g_loss = self.update(self.generator, self.optimizer["generator"],
                             lambda: self.generator_loss(z))
        return self.track(d_loss=d_loss, g_loss=g_loss)
    ```

    What the engine does around every `train_step`, so a plugin never does:
    it counts the step (`self.step`, once per `train_step`, whatever the
    step does inside), updates the moving averages made by `average()`, and
    keeps every optimizer's state, the step and the random stream in the
    saved model and checkpoints.

    Class attributes a subclass may set:
        task: what `fit()` receives and `generate()` takes: a task name
            (`"unconditional"`, `"conditional"`, `"paired"`, `"unpaired"`,
            `"captioned"`, or one registered by a third party under the
            `ganzoo.tasks` entry points) or a `ganzoo.tasks.Task`. Read back,
            `model.task` is always the `Task` object (it compares equal to
            its name).
        tracked: names of the values `train_step` reports through `track()`.
        pixel_range: the range the networks work in; data and `generate()`
            use [0, 1] and `to_network_range`/`from_network_range` convert.
        default_loss: name of the adversarial loss `compile()` uses.
        trains_on_crops: True for models trained on random crops of images
            of any size (super-resolution): `ganzoo fit` then takes only the
            channels from the dataset, and the crop size from `image_shape`'s
            default or `--image-size`.
        renamed_options: `{old_name: new_name}` of constructor options that
            were renamed; the old name still works for a release, with a
            `DeprecationWarning`.

    Args:
        image_shape: (height, width, channels) of generated images.
        latent_dim: size of the latent vector z ~ N(0, I).
        seed: seed of the model's random stream (latents, noise), or None.
    """

    task = None  # replaced below by TaskAttribute("unconditional")
    tracked = ("d_loss", "g_loss")
    pixel_range = (-1.0, 1.0)
    default_loss = "non_saturating"
    trains_on_crops = False
    renamed_options: dict = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # The engine owns the step: wrap each train_step a class defines so
        # that the step counter and the moving averages advance once per step,
        # whether or not the plugin calls track().
        step = cls.__dict__.get("train_step")
        if step is not None and not getattr(step, "_ganzoo_engine_step", False):
            cls.train_step = _engine_step(step)
        task = cls.__dict__.get("task")
        if task is not None and not isinstance(task, TaskAttribute):
            cls.task = TaskAttribute(task)
        if cls.__dict__.get("renamed_options") and "__init__" in cls.__dict__:
            cls.__init__ = accept_renamed(cls.__dict__["__init__"], cls)

    def __new__(cls, *args, **kwargs):
        instance = super().__new__(cls, *args, **kwargs)
        kwargs = renamed(cls, kwargs, stacklevel=5)
        # keras.Model.__new__ does not pass the arguments on, so Keras' automatic
        # config would hold only the defaults; record what was really passed.
        bound = inspect.signature(cls.__init__).bind(None, *args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        arguments.pop(next(iter(arguments)))  # self
        arguments.update(arguments.pop("kwargs", {}))
        for keras_argument in ("name", "dtype", "trainable"):
            arguments.pop(keras_argument, None)
        object.__setattr__(instance, "_constructor_arguments", arguments)
        object.__setattr__(instance, "_renamed_kwargs", kwargs)
        return instance

    def __init__(self, image_shape=(28, 28, 1), latent_dim=100, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.image_shape = tuple(int(v) for v in image_shape)
        self.latent_dim = int(latent_dim)
        self.seed = seed
        # Part of the model's state: saved with the weights, so a resumed run
        # continues the same random stream.
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.random = RandomStream(self.seed_generator, backends.get().replica_rows)
        self.trackers = {name: keras.metrics.Mean(name=name) for name in self.tracked}
        self.loss = None
        # Not tracked by Keras: the averaged copies are attributes of their own.
        object.__setattr__(self, "_averages", [])
        # Per thread: MirroredStrategy runs each replica's train_step in a
        # thread of its own, and a shared counter would let only one replica
        # do the engine's work after the step.
        object.__setattr__(self, "_engine_step_depth", threading.local())
        # Networks are functional models, built when created.
        self.built = True

    @classmethod
    def run_config(cls, run) -> dict:
        """The options a training run fills in from its data and plan.

        `ganzoo fit` calls it before building the model; what it returns is
        the base of the configuration, which presets and `--set` then
        override. The default returns what every run fills, where the
        constructor has the option (`run.base_config(cls)`, see
        `ganzoo.training.plan.base_config`): `image_shape` (from the data, or
        the crop size for `trains_on_crops` models; `--image-size` makes it
        square), `num_classes` (the data's), `seed` (`--seed`) and
        `training_steps` (the planned length, for schedules that need it).
        Override it, calling `super()`, to fill more (a vocabulary from the
        captions, say).

        Args:
            run: a `ganzoo.training.plan.RunPlan` (also `ganzoo.runs.RunPlan`):
                `.info` (the data's `SourceInfo`), `.image_size`,
                `.batch_size`, `.total_steps` (planned steps, or None when
                unknown) and `.seed`.

        Returns:
            A dict of constructor options.
        """
        # The plan knows the run's flags; the model class only says which
        # options its constructor has.
        return run.base_config(cls)

    # ------------------------------------------------------------------ networks
    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    # ------------------------------------------------------------------ training
    def prepare_training(self, data):
        """Work a model does on its training data before the first step.

        `fit()` calls it once at its start, before Keras builds or runs the
        step, with `fit()`'s `x` (a dataset of batches, as `ganzoo.data.load`
        gives, or arrays). The default does nothing. Override it for what
        depends on the data and not only on the options: text2image builds
        its vocabulary from the captions and pre-trains its text encoder.
        It runs at the start of *every* `fit()` (a resumed run calls `fit()`
        again), so check whether the work is already done.

        It may also return the data to train on instead of `data`: a
        `Dataset.map` of it that turns what cannot enter a compiled step on
        every backend into numbers (text2image's captions become token ids).

        Args:
            data: `fit()`'s `x`.

        Returns:
            None (train on `data`), or the data to train on.
        """

    def fit(self, x=None, *args, **kwargs):
        """`keras.Model.fit`, after `prepare_training(x)` (which may read
        `fit_verbose`, fit()'s `verbose`, to show its own progress). A
        `tf.data` dataset is shuffled by its own pipeline (`ganzoo.data.load`),
        so `shuffle` defaults to False for one (Keras warns that it ignores True),
        and its autotuner is turned off unless its options set it
        (`ganzoo.data.autotune`: the end of fit() could wait for it).
        A fit() stopped early frees its data iterator before returning, so
        that a next fit() does not run beside the last one's data threads."""
        self.fit_verbose = kwargs.get("verbose", "auto")
        self.task.check_batch(self, x, args[0] if args else kwargs.get("y"))
        prepared = self.prepare_training(x)
        x = x if prepared is None else prepared
        if hasattr(x, "element_spec"):
            from ganzoo.data.autotune import without_autotuner

            # Its iterator is deleted when fit() ends, which could wait for
            # the autotuning thread's next wake-up, up to a minute.
            x = without_autotuner(x)
            if "shuffle" not in kwargs and len(args) < 8:  # shuffle: fit's 9th argument
                kwargs["shuffle"] = False
        history = super().fit(x, *args, **kwargs)
        if self.stop_training:
            # Stopped early (a callback's `stop_training`: EarlyStopping, the
            # step stop, Ctrl-C), Keras' loop leaves its epoch iterator in a
            # reference cycle with its suspended generator, and with it the
            # data iterator: tf.data threads, prefetch and cache buffers, alive
            # until Python's cyclic collector next runs, often inside the next
            # fit(). Free them now (tests/framework/test_second_fit.py).
            gc.collect()
        return history

    def train_on_batch(self, x=None, y=None, *args, **kwargs):
        """`keras.Model.train_on_batch`, after the task's check of the batch
        (`Task.check_batch`: e.g. labels in range), which no backend's step
        can be relied on to make (JAX clamps an out-of-range index)."""
        self.task.check_batch(self, x, y)
        return super().train_on_batch(x, y, *args, **kwargs)

    def layers_outside_the_step(self):
        """Layers the model holds that `train_step` never runs (none by default).

        Keras compiles the step (`jit_compile="auto"`) only when every layer
        of the model can be traced; a layer listed here does not count. For
        preprocessing the model keeps for saving and `generate()` but applies
        in the data pipeline (text2image's TextVectorization, whose token ids
        are what the step reads).

        Returns:
            A list of layers.
        """
        return []

    def update(self, networks, optimizer, loss_fn, has_aux=False):
        """One gradient step on `networks` only; everything else stays frozen.

        Args:
            networks: the network (or list of networks) whose trainable
                variables this step changes.
            optimizer: the optimizer that owns those variables, e.g.
                `self.optimizer["discriminator"]`.
            loss_fn: a function of no arguments returning the scalar loss
                (or, with `has_aux`, a pair `(loss, dict)`); it runs under
                the gradient tape.
            has_aux: whether `loss_fn` also returns a dict of side values
                (loss terms, generated images) to hand back without
                differentiating them.

        Returns:
            The loss value, or `(loss, aux)` with `has_aux=True`.

        Example:

        ```python
        def objective():
            fake = self.generator(z, training=True)
            return self.loss.generator(self.discriminator(fake, training=True)), {"fake": fake}

        g_loss, aux = self.update(self.generator, self.optimizer["generator"], objective, has_aux=True)
        ```
        """
        return backends.get().minimize(loss_fn, self.variables_of(networks), optimizer, has_aux=has_aux)

    def input_gradients(self, fn, inputs):
        """`fn(inputs)` and its gradient with respect to `inputs`.

        The value is `fn`'s output as it is (e.g. per-sample scores); the
        gradient is that of the *sum* of the output over everything (cast to
        float32), so for a critic scoring each sample on its own, row i of
        the gradient is the gradient of score i with respect to sample i. The
        gradient is itself differentiable, so it may be penalised inside an
        `update` loss function (R1, WGAN-GP; see `r1_penalty` and
        `gradient_penalty`).

        Returns:
            `(value, gradient)`, the gradient shaped and typed like `inputs`.
        """
        return backends.get().input_gradients(fn, inputs)

    def branch(self, condition, true_fn, false_fn):
        """`true_fn()` from the steps where `condition(step)` holds, else `false_fn()`.

        For a step that switches between updates by the step counter
        (SRGAN's pretraining then GAN stage, StyleGAN2's lazy regularisers).
        On one device it is `ops.cond(condition(self.step), true_fn,
        false_fn)`. Under several replicas the gradient all-reduce and the
        collectives of `ganzoo.replicas` cannot run inside graph control
        flow, so the engine decides in Python before each call into the
        backend and keeps one traced step per decision; the branches may then
        hold updates and collectives alike.

        Args:
            condition: a function of the step counter (a tensor in the
                compiled step, a Python int when decided outside it) to a
                boolean; write it with `keras.ops` or comparisons, e.g.
                `lambda step: step >= self.pretrain_steps`.
            true_fn: a function of no arguments.
            false_fn: a function of no arguments returning the same
                structure as `true_fn`.

        Returns:
            What the chosen function returns.

        Example:

        ```python
        result = self.branch(lambda step: step >= self.pretrain_steps,
                             lambda: self.gan_step(low_res, high_res),
                             lambda: self.pretraining_step(low_res, high_res))
        ```
        """
        return backends.get().branch(self, condition, true_fn, false_fn)

    def track(self, weights=None, **values):
        """Records this step's values (declared in `tracked`) and returns the
        logs that Keras shows in the progress bar and the CSV.

        The step itself is counted by the engine, not here.

        Args:
            weights: optional dict from a value's name to its weight in the
                epoch's average (0 leaves a step out, e.g. a loss of a stage
                that is not running).
            **values: the step's values by name.
        """
        weights = weights or {}
        for name, value in values.items():
            if name not in self.trackers:
                raise KeyError(f"{type(self).__name__}.tracked does not declare {name!r}")
            self.trackers[name].update_state(value, sample_weight=weights.get(name))
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    @property
    def metrics(self):
        return list(self.trackers.values())

    @property
    def step(self):
        """Training steps done so far (`train_step` calls; restored on resume).

        One step is one call of `train_step`, however many updates it makes:
        a step with 5 critic updates and one generator update counts once,
        and `ganzoo fit --steps N` runs N of them."""
        return self.optimizer.iterations if self.compiled else 0

    @property
    def steps_done(self):
        """`step` as a Python int (eagerly; `int(model.step)` fails under a
        `tf.distribute` strategy, whose variables have no `__int__`)."""
        backends.get().sync(self)   # JAX: the variables lag inside an epoch
        return int(ops.convert_to_numpy(self.step))

    def sample_latent(self, n, seed=None):
        """Latent vectors z ~ N(0, I) of shape (n, latent_dim).

        Args:
            n: number of vectors.
            seed: a `keras.random.SeedGenerator`, or None for the model's own.
        """
        return self.random.normal((n, self.latent_dim), seed=seed)

    def to_network_range(self, images, dtype=None):
        """Maps images in [0, 1] to the networks' `pixel_range`.

        Args:
            images: images in [0, 1] (float, or uint8).
            dtype: the result's dtype; None (the default) is the model's
                compute dtype (bfloat16 under mixed_bfloat16). Pass
                `"float32"` for targets and skips that keep full precision
                (CycleGAN's L1 targets, SRGAN's bicubic skip).
        """
        return ops.cast(images_lib.to_range(images, self.pixel_range, "float32"), dtype or self.compute_dtype)

    def from_network_range(self, images):
        """Maps the networks' `pixel_range` back to [0, 1] (float32), clipped."""
        return images_lib.from_range(images, self.pixel_range)

GAN.task = TaskAttribute("unconditional")

replicas.attach_deprecated_methods(GAN)


def _engine_step(train_step):
    """Wraps a plugin's `train_step`: the engine's work runs once after the
    outermost call (a subclass calling `super().train_step` counts once)."""

    @functools.wraps(train_step)
    def step(self, data):
        local = self._engine_step_depth
        depth = getattr(local, "depth", 0)
        local.depth = depth + 1
        try:
            logs = train_step(self, data)
        finally:
            local.depth = depth
        if depth == 0:
            _after_step(self)
            if isinstance(logs, dict):
                logs = backends.get().step_logs(logs)
        return logs

    step._ganzoo_engine_step = True
    return step


def _after_step(model):
    """What the engine does after each `train_step`: advances the moving
    averages and counts the step."""
    for entry in model._averages:
        entry.update(model.step)
    if model.compiled:
        model.optimizer.iterations.assign_add(1)
