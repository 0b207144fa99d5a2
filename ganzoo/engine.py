"""`ganzoo.GAN`: the `keras.Model` every architecture subclasses.

A plugin writes the method in `train_step`; the engine owns the machinery
that every architecture would otherwise repeat: one optimizer per player,
freezing by differentiation, mixed-precision loss scaling, distribution
scaling, metric trackers, seeded latent sampling, `generate()`, and saving.
"""

from __future__ import annotations

import inspect

import numpy as np

import keras
from keras import ops

from ganzoo import backend, losses
from ganzoo import images as images_lib
from ganzoo.optimizers import OptimizerGroup


def adam(learning_rate=2e-4, beta_1=0.5, beta_2=0.999, **kwargs):
    """Adam with the beta_1 = 0.5 that Radford et al. (2016) found stabilises GANs."""
    return keras.optimizers.Adam(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, **kwargs)


class GAN(keras.Model):
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

    Class attributes a subclass may set:
        task: what `fit()` receives and `generate()` takes (see `ganzoo.plugin.TASKS`).
        tracked: names of the values `train_step` reports through `track()`.
        pixel_range: the range the networks work in; data and `generate()`
            use [0, 1] and `to_network_range`/`from_network_range` convert.
        default_loss: name of the adversarial loss `compile()` uses.
        trains_on_crops: True for models trained on random crops of images
            of any size (super-resolution): `ganzoo fit` then takes only the
            channels from the dataset, and the crop size from `image_shape`'s
            default or `--image-size`.

    Args:
        image_shape: (height, width, channels) of generated images.
        latent_dim: size of the latent vector z ~ N(0, I).
        seed: seed of the model's random stream (latents, noise), or None.
    """

    task = "unconditional"
    tracked = ("d_loss", "g_loss")
    pixel_range = (-1.0, 1.0)
    default_loss = "non_saturating"
    trains_on_crops = False

    def __new__(cls, *args, **kwargs):
        instance = super().__new__(cls, *args, **kwargs)
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
        return instance

    def __init__(self, image_shape=(28, 28, 1), latent_dim=100, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.image_shape = tuple(int(v) for v in image_shape)
        self.latent_dim = int(latent_dim)
        self.seed = seed
        # Part of the model's state: saved with the weights, so a resumed run
        # continues the same random stream.
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.trackers = {name: keras.metrics.Mean(name=name) for name in self.tracked}
        self.loss = None
        # Networks are functional models, built when created.
        self.built = True

    def get_config(self):
        """The constructor's arguments (plus Keras' name, dtype, trainable)."""
        base = super().get_config()
        return {**{k: base[k] for k in ("name", "trainable", "dtype") if k in base}, **self._constructor_arguments}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def _own_state(self):
        # Keras saves a layer's own variables but not its SeedGenerator's state;
        # a resumed run must continue the same random stream, so save it too.
        return [*self._trainable_variables, *self._non_trainable_variables, self.seed_generator.state]

    def save_own_variables(self, store):
        for i, variable in enumerate(self._own_state()):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store):
        variables = self._own_state()
        if len(store.keys()) == len(variables) - 1:
            variables = variables[:-1]  # saved without the random state: keep the current stream
        if len(store.keys()) != len(variables):
            raise ValueError(f"{self.name}: the file holds {len(store.keys())} model-level variables, "
                             f"this model has {len(variables)}")
        for i, variable in enumerate(variables):
            variable.assign(store[str(i)])

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
    def update(self, networks, optimizer, loss_fn):
        """One gradient step on `networks` only; everything else stays frozen.

        Args:
            networks: the network (or list of networks) whose trainable
                variables this step changes.
            optimizer: the optimizer that owns those variables, e.g.
                `self.optimizer["discriminator"]`.
            loss_fn: a function of no arguments returning the scalar loss;
                it runs under the gradient tape.

        Returns:
            The loss value.
        """
        return backend.minimize(loss_fn, self.variables_of(networks), optimizer)

    def input_gradients(self, fn, inputs):
        """`fn(inputs)` and its gradient with respect to `inputs`, for penalties
        such as R1 and WGAN-GP; call it inside an `update` loss function."""
        return backend.input_gradients(fn, inputs)

    def discriminator_loss(self, real, z):
        """The investigator's loss: tell real images from the forger's G(z)."""
        fake = self.generator(z, training=True)
        return self.loss.discriminator(self.discriminator(real, training=True), self.discriminator(fake, training=True))

    def generator_loss(self, z):
        """The forger's loss: make the discriminator call G(z) real."""
        return self.loss.generator(self.discriminator(self.generator(z, training=True), training=True))

    def track(self, weights=None, **values):
        """Records this step's values (declared in `tracked`), counts the step,
        and returns the logs that Keras shows in the progress bar.

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
        self.optimizer.iterations.assign_add(1)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    @property
    def metrics(self):
        return list(self.trackers.values())

    @property
    def step(self):
        """Training steps done so far (restored on resume)."""
        return self.optimizer.iterations if self.compiled else 0

    def sample_latent(self, n, seed=None):
        """Latent vectors z ~ N(0, I) of shape (n, latent_dim).

        Args:
            n: number of vectors.
            seed: a `keras.random.SeedGenerator`, or None for the model's own.
        """
        return keras.random.normal((n, self.latent_dim), seed=seed if seed is not None else self.seed_generator)

    def to_network_range(self, images):
        """Maps images in [0, 1] to the networks' `pixel_range`."""
        low, high = self.pixel_range
        return ops.cast(images, self.compute_dtype) * (high - low) + low

    def from_network_range(self, images):
        """Maps the networks' `pixel_range` back to [0, 1], clipped."""
        low, high = self.pixel_range
        return ops.clip((ops.cast(images, "float32") - low) / (high - low), 0.0, 1.0)

    # ------------------------------------------------------------------ generation
    def prepare_generation(self, n, **conditions):
        """Checks `generate()`'s arguments; returns the count and the per-image
        conditions as arrays of that length. Unconditional by default."""
        if conditions:
            raise TypeError(f"{type(self).__name__}.generate() takes no {', '.join(conditions)}")
        if n is None or int(n) < 1:
            raise ValueError("generate() needs n >= 1 images")
        return int(n), {}

    def generate_batch(self, n, seed, **conditions):
        """Images in the networks' range for `n` latents drawn from `seed`."""
        return self.generator(self.sample_latent(n, seed), training=False)

    def preview(self, examples=None, seed=0):
        """A picture of training progress: one HWC image in [0, 1].

        The sample-grid callback calls it after each epoch with the same
        `seed` (and the same `examples`, a fixed batch of training data), so
        successive grids are comparable. Unconditional models show 64 images
        from fixed latent vectors; other tasks override it (one row per class,
        input / output / reference columns, ...).
        """
        return images_lib.grid(self.generate(64, seed=seed))

    def generate(self, n=None, *, seed=None, batch_size=128, **conditions):
        """Generates images, float32 NHWC in [0, 1] as a NumPy array.

        Args:
            n: number of images (unconditional models).
            seed: int for reproducible output (the same seed gives the same
                images, also after save and load); None draws fresh latents.
            batch_size: images per forward pass.
            **conditions: what the task conditions on, e.g. `labels=` for
                conditional models, `images=` for translation models.

        Example:

        ```python
        images = model.generate(16, seed=0)   # (16, H, W, C) in [0, 1]
        ```
        """
        n, conditions = self.prepare_generation(n, **conditions)
        rng = keras.random.SeedGenerator(seed)
        batches = []
        for start in range(0, n, batch_size):
            stop = min(n, start + batch_size)
            part = {key: value[start:stop] for key, value in conditions.items()}
            batches.append(ops.convert_to_numpy(self.from_network_range(self.generate_batch(stop - start, rng, **part))))
        return np.concatenate(batches, axis=0).astype("float32")
