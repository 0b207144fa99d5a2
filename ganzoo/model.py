"""`ganzoo.GAN`: the `keras.Model` every architecture subclasses.

A plugin writes the method in `train_step`; the engine owns the machinery
that every architecture would otherwise repeat: one optimizer per player,
freezing by differentiation, mixed-precision loss scaling, distribution
scaling, metric trackers, seeded latent sampling, `generate()`, and saving.

This class holds what a plugin author calls or overrides, and the step
wrapper. Gradients, collectives and the step function's construction are the
backend adapter's (`ganzoo.backends`), the collectives a plugin calls are
`ganzoo.replicas`, the saved random states are `ganzoo.model_state`'s, and
pictures and `ganzoo sample` files are `ganzoo.sampling`'s.
"""

from __future__ import annotations

import functools
import inspect
import threading
import warnings

import numpy as np

import keras
from keras import ops

from ganzoo import backends, losses, model_state, replicas
from ganzoo import images as images_lib
from ganzoo.averaging import Average, copy_network
from ganzoo.optimizers import OptimizerGroup
from ganzoo.options import renamed as _renamed_options
from ganzoo.random_streams import RandomStream


def adam(learning_rate=2e-4, beta_1=0.5, beta_2=0.999, **kwargs):
    """Adam with the beta_1 = 0.5 that Radford et al. (2016) found stabilises GANs."""
    return keras.optimizers.Adam(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, **kwargs)


class GAN(backends.get().ModelHooks, keras.Model):
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
            cls.__init__ = _accept_renamed(cls.__dict__["__init__"], cls)

    def __new__(cls, *args, **kwargs):
        instance = super().__new__(cls, *args, **kwargs)
        kwargs = _renamed_options(cls, kwargs, stacklevel=5)
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

    def get_config(self):
        """The constructor's arguments (plus Keras' name, dtype, trainable)."""
        base = super().get_config()
        return {**{k: base[k] for k in ("name", "trainable", "dtype") if k in base}, **self._constructor_arguments}

    @classmethod
    def from_config(cls, config):
        # The networks are built in __init__ under the global policy; build
        # them under the saved one, or a mixed_bfloat16 model would come back
        # computing in float32.
        dtype = config.get("dtype")
        if dtype is None:
            return cls(**config)
        policy = keras.dtype_policies.get(dtype)
        previous = keras.config.dtype_policy()
        keras.config.set_dtype_policy(policy)
        try:
            return cls(**config)
        finally:
            keras.config.set_dtype_policy(previous)

    @classmethod
    def run_config(cls, run) -> dict:
        """The options a training run fills in from its data and plan.

        `ganzoo fit` calls it before building the model; what it returns is
        the base of the configuration, which presets and `--set` then
        override. The default fills, where the constructor has the option:
        `image_shape` (from the data, or the crop size for `trains_on_crops`
        models; `--image-size` makes it square), `num_classes` (the data's),
        `seed` (`--seed`) and `training_steps` (the planned length, for
        schedules that need it). Override it, calling `super()`, to fill more
        (a vocabulary from the captions, say).

        Args:
            run: a `ganzoo.runs.RunPlan`: `.info` (the data's `SourceInfo`),
                `.image_size`, `.batch_size`, `.total_steps` (planned steps,
                or None when unknown) and `.seed`.

        Returns:
            A dict of constructor options.
        """
        from ganzoo.errors import GanzooError
        from ganzoo.options import options

        defaults = {o.name: o.default for o in options(cls)}
        config = {}
        info = run.info
        if "image_shape" in defaults and info.image_shape is not None:
            height, width, channels = info.image_shape
            if cls.trains_on_crops:  # random crops of any-size images: the crop size is the model's
                height, width = defaults["image_shape"][:2]
            if run.image_size is not None:
                height = width = int(run.image_size)
            if height is not None:
                config["image_shape"] = (height, width, channels if channels is not None else 3)
        elif run.image_size is not None:
            raise GanzooError(f"{cls.__name__} has no image_shape option; --image-size does not apply")
        if "num_classes" in defaults and info.num_classes is not None:
            config["num_classes"] = info.num_classes
        if "seed" in defaults and run.seed is not None:
            config["seed"] = run.seed
        if "training_steps" in defaults and run.total_steps is not None:
            config["training_steps"] = run.total_steps
        return config

    def save_own_variables(self, store):
        # Keras skips SeedGenerator states; resumed runs need them.
        model_state.save(self, store)

    def load_own_variables(self, store):
        model_state.load(self, store)

    # ------------------------------------------------------------------ networks
    def default_optimizers(self) -> dict:
        """The published optimizers: a dict from optimizer name to optimizer.

        Names are keys of `optimizer_targets()`."""
        return {"generator": adam(), "discriminator": adam()}

    def optimizer_targets(self) -> dict:
        """Which networks each optimizer updates: name -> list of networks."""
        return {"generator": [self.generator], "discriminator": [self.discriminator]}

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def average(self, network, decay=0.999):
        """An exponential moving average of `network`'s weights.

        Returns a non-trainable copy of `network` that the engine updates
        after every training step, `copy = decay * copy + (1 - decay) *
        network` for trainable weights (non-trainable ones, such as BatchNorm
        statistics, are copied). It is saved with the model and resumed with
        the run; `averaged(network)` returns it, and the default
        `generate()` samples from the averaged generator. Call it in
        `__init__`, after building `network`.

        Args:
            network: the trained network (a functional or sequential model).
            decay: the decay per step, in [0, 1) (StyleGAN: about 0.999).

        Returns:
            The averaged copy, also set as the attribute `NAME_ema` (NAME the
            network's name), so that Keras saves it.

        Example:

        ```python
        self.generator = build_generator(...)
        if ema > 0:
            self.average(self.generator, decay=ema)
        ```
        """
        copy = copy_network(network, f"{network.name}_ema")
        setattr(self, f"{network.name}_ema", copy)
        self._averages.append(Average(network, copy, decay))
        return copy

    def averaged(self, network):
        """The moving average of `network` made by `average()`, else `network`."""
        for entry in self._averages:
            if entry.source is network:
                return entry.copy
        return network

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

        Args:
            data: `fit()`'s `x`.
        """

    def fit(self, x=None, *args, **kwargs):
        """`keras.Model.fit`, after `prepare_training(x)`."""
        self.prepare_training(x)
        return super().fit(x, *args, **kwargs)

    # ------------------------------------------------------------------ compile
    def compile(self, optimizers=None, loss=None, **kwargs):
        """Configures training; with no arguments, as the plugin's paper did.

        Args:
            optimizers: optional dict overriding some of `default_optimizers()`
                by name (optimizer instances, names or configs).
            loss: optional adversarial loss (name, config or
                `ganzoo.losses.AdversarialLoss`) instead of `default_loss`.
            **kwargs: passed to `keras.Model.compile` (`jit_compile`,
                `steps_per_execution`, `run_eagerly`).
        """
        targets = self.optimizer_targets()
        chosen = self.default_optimizers()
        for name, optimizer in (optimizers or {}).items():
            if name not in chosen:
                raise ValueError(f"no optimizer named {name!r}; this model has {', '.join(chosen)}")
            chosen[name] = keras.optimizers.get(optimizer)
        if self.dtype_policy.name == "mixed_float16":
            chosen = {
                name: opt if isinstance(opt, keras.optimizers.LossScaleOptimizer) else keras.optimizers.LossScaleOptimizer(opt)
                for name, opt in chosen.items()
            }
        for name, optimizer in chosen.items():
            # Built now so that saved optimizer state has somewhere to load into.
            optimizer.build(self.variables_of(targets[name]))
        self.loss = losses.get(loss if loss is not None else self.default_loss)
        # The group is model.optimizer so that Keras saves, restores and (on JAX)
        # threads every player's optimizer state; loss scaling is per member.
        super().compile(optimizer=OptimizerGroup(chosen), auto_scale_loss=False, **kwargs)
        self._ganzoo_compile_kwargs = dict(kwargs)

    def get_compile_config(self):
        if not self.compiled:
            return None
        def unwrap(opt):
            return opt.inner_optimizer if isinstance(opt, keras.optimizers.LossScaleOptimizer) else opt
        return {
            "optimizers": {name: keras.optimizers.serialize(unwrap(opt)) for name, opt in self.optimizer.items()},
            "loss": keras.saving.serialize_keras_object(self.loss),
            **getattr(self, "_ganzoo_compile_kwargs", {}),
        }

    def compile_from_config(self, config):
        config = dict(config)
        optimizers = {name: keras.optimizers.deserialize(c) for name, c in config.pop("optimizers").items()}
        loss = losses.get(config.pop("loss"))
        self.compile(optimizers=optimizers, loss=loss, **config)

    @staticmethod
    def variables_of(networks):
        """Trainable variables of one network or a list of networks."""
        if not isinstance(networks, (list, tuple)):
            networks = [networks]
        return [v for net in networks for v in net.trainable_variables]

    # ------------------------------------------------------------------ training
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
        return losses.gradient_penalty(gradients, target)

    def r1_penalty(self, critic, real):
        """R1 (Mescheder et al. 2018): E_x[||grad critic(x)||^2] over real x.

        Without the gamma / 2 factor: StyleGAN's term is
        `gamma / 2 * self.r1_penalty(D, real)`. Call it inside the
        discriminator's `update` loss function.

        Returns:
            A float32 scalar.
        """
        _, gradients = self.input_gradients(critic, real)
        return losses.r1_penalty(gradients)

    def discriminator_loss(self, real, z):
        """The investigator's loss: tell real images from the forger's G(z)."""
        fake = self.generator(z, training=True)
        return self.loss.discriminator(self.discriminator(real, training=True), self.discriminator(fake, training=True))

    def generator_loss(self, z):
        """The forger's loss: make the discriminator call G(z) real."""
        return self.loss.generator(self.discriminator(self.generator(z, training=True), training=True))

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

    # ------------------------------------------------------------------ generation
    def prepare_generation(self, n=None, **conditions):
        """Checks `generate()`'s arguments; returns the count and the per-image
        conditions as arrays of that length. The task does it
        (`self.task.prepare_generation`); override to add a model's own checks."""
        return self.task.prepare_generation(self, n, **conditions)

    def generate_batch(self, n, seed, **conditions):
        """Images in the networks' range for `n` latents drawn from `seed`
        (the averaged generator, if `average()` made one)."""
        return self.averaged(self.generator)(self.sample_latent(n, seed), training=False)

    def generate(self, n=None, *, seed=None, batch_size=128, **conditions):
        """Generates images, float32 NHWC in [0, 1] as a NumPy array.

        Args:
            n: number of images (unconditional models).
            seed: int for reproducible output (the same seed gives the same
                images, also after save and load); None draws fresh latents.
            batch_size: images per forward pass.
            **conditions: what the task conditions on, e.g. `labels=` for
                conditional models, `images=` for translation models,
                `texts=` for text-to-image models.

        Example:

        ```python
        images = model.generate(16, seed=0)   # (16, H, W, C) in [0, 1]
        ```
        """
        return np.concatenate(list(self.generate_batches(n, seed=seed, batch_size=batch_size, **conditions)),
                              axis=0).astype("float32")

    def generate_batches(self, n=None, *, seed=None, batch_size=128, **conditions):
        """`generate()` one batch at a time: yields float32 NHWC arrays in
        [0, 1] of at most `batch_size` images whose concatenation is
        `generate(n, seed=seed, batch_size=batch_size, **conditions)`.

        Memory holds one batch whatever `n` is, so `ganzoo sample --n 100000`
        streams to disk (`ganzoo.sampling.write_numbered`).
        """
        n, conditions = self.prepare_generation(n, **conditions)
        rng = keras.random.SeedGenerator(seed)
        for start in range(0, n, batch_size):
            stop = min(n, start + batch_size)
            part = {key: value[start:stop] for key, value in conditions.items()}
            yield ops.convert_to_numpy(self.from_network_range(self.generate_batch(stop - start, rng, **part))).astype(
                "float32")


class TaskAttribute:
    """`Model.task`: declared as a name (or a Task), read as the `Task` object,
    on the class and on instances alike."""

    def __init__(self, task):
        self.declared = task

    def __get__(self, instance, owner=None):
        from ganzoo import tasks

        return tasks.get(self.declared)


GAN.task = TaskAttribute("unconditional")

#: The collectives' old names, as methods of `GAN`; they warn once each and
#: call `ganzoo.replicas`. Attached here so the class body stays what a new
#: plugin should use.
DEPRECATED_ALIASES = {
    "replica_mean": replicas.mean,
    "global_batch_size": replicas.global_batch_size,
    "global_batch": replicas.global_batch,
    "local_rows": replicas.local_rows,
    "fingerprints": replicas.fingerprints,
    "roll_batch": replicas.roll,
}


def _deprecated_alias(old, function):
    warned = []

    @functools.wraps(function)
    def alias(self, *args, **kwargs):
        if not warned:
            warned.append(True)
            warnings.warn(f"GAN.{old} is deprecated; call ganzoo.replicas.{function.__name__} instead",
                          DeprecationWarning, stacklevel=2)
        return function(*args, **kwargs)

    alias.__name__ = alias.__qualname__ = old
    return alias


for _old, _function in DEPRECATED_ALIASES.items():
    setattr(GAN, _old, _deprecated_alias(_old, _function))


def _accept_renamed(init, cls):
    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        return init(self, *args, **_renamed_options(cls, kwargs, warn=False))

    # Keras reads the constructor's arguments from its signature (auto config).
    __init__.__signature__ = inspect.signature(init)
    return __init__


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
        entry.update()
    if model.compiled:
        model.optimizer.iterations.assign_add(1)
