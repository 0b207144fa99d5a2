"""Two `model.fit()` calls in one process: is the second slower than the first? (issue 18, item 9)

A warm-up fit then a timed fit (or a notebook's fit, look, fit again) was
seen running DCGAN 32x32x3 float32 at ~250 images/s with ~1.2 busy cores where
a single fit ran ~400 with ~1.93 (TensorFlow, 2 cores). This script fits the
same model twice in one process, on one batch repeated from memory
(`Dataset.from_tensors(batch).repeat()`), each fit `--warmup` untimed steps
then `--seconds` of timed steps (the timing starts when the step after the
warm-up begins, so the first fit's tracing is left out), and prints one JSON
line per fit:

  images_per_s   over the timed steps
  cores          CPU seconds / wall seconds over the timed steps
  cpu_ms_per_step
  waiting_cores  seconds the process's threads were runnable but had no core
                 (other processes held them; /proc/<tid>/schedstat) / wall
                 seconds: about 0 on a quiet machine. Few busy cores with
                 waiting_cores near 0 is the process's own doing; with
                 waiting_cores high, it is the machine's load.
  threads        threads alive at the end of the fit (and how many it started)
  busiest        the busiest threads' share of the process's CPU time over the
                 timed steps (name:id share): two compute threads sharing the
                 work evenly is a step running in parallel; one thread doing
                 nearly all of it is a step that lost its parallelism. This
                 share does not depend on how loaded the machine is, images/s
                 and cores do.

and between the fits, the tf.data iterators still alive after `fit()`
returned (each fit here ends by `stop_training`, after which Keras leaves its
iterator in a reference cycle: a ganzoo model frees it, `--plain` shows 1),
the CPU the process used while sleeping 1 s (work left running: iterator or
prefetch threads) and the busiest threads meanwhile. On TensorFlow each fit
also prints how often Keras' train function was traced (a retrace in the
second fit would show as 2); on JAX, the XLA compilations during each fit and
their seconds (the second fit should compile nothing of size).

The model: the `dcgan` plugin as `ganzoo fit` builds it (its preset, float32,
`--image-size 32 --channels 3`), or with `--plain` a keras.io-style DCGAN of
the same size written out with `tf.GradientTape` (TensorFlow) or
`backward()` (PyTorch); `--plain` has no JAX step here.

Choose the backend with KERAS_BACKEND. Each process takes its start-up,
the first fit's tracing or compiling (JAX: about a minute) and twice
`--seconds` (default 10) plus the warm-up steps; the four runs below take
3-4 minutes on the quiet 2-core machine:

  for b in tensorflow jax torch; do KERAS_BACKEND=$b python benchmarks/second_fit.py --seconds 8; done
  KERAS_BACKEND=tensorflow python benchmarks/second_fit.py --plain --seconds 8

The second fit is slow by its own doing when its images/s and cores are well
below the first's while its waiting_cores stays near 0 (look then at how its
busiest-thread shares differ from the first's); with waiting_cores high,
other processes took the cores.
"""

import argparse
import gc
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import keras  # noqa: E402
import numpy as np  # noqa: E402

def thread_cpu():
    """{thread id: (name, CPU seconds)} of this process's threads (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    out = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:  # the thread ended meanwhile
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        out[int(tid)] = (name, (int(fields[11]) + int(fields[12])) / ticks)
    return out


def runqueue_wait():
    """Seconds this process's live threads have spent runnable but waiting for a core (schedstat)."""
    total = 0.0
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/schedstat") as f:
                total += int(f.read().split()[1]) / 1e9
        except (OSError, IndexError, ValueError):  # the thread ended, or no schedstats in this kernel
            continue
    return total


def busiest(before, after, top=4):
    """The `top` threads by CPU time between two `thread_cpu()` snapshots, as name:id share."""
    used = {tid: cpu - before.get(tid, (name, 0.0))[1] for tid, (name, cpu) in after.items()}
    total = sum(used.values()) or 1.0
    ranked = sorted(used.items(), key=lambda item: -item[1])[:top]
    return {f"{'main' if tid == os.getpid() else after[tid][0]}:{tid}": round(seconds / total, 2)
            for tid, seconds in ranked}


class TimedSteps(keras.callbacks.Callback):
    """Wall, CPU and per-thread time from the begin of batch `start` until
    `seconds` have passed (then the fit stops after that step, through
    `stop_training`, as an early-stopping callback stops one) and the epoch ends.

    Only a batch-*begin* hook: a batch-end hook would turn off Keras'
    asynchronous callback dispatch and so change the fit() being measured.
    """

    def __init__(self, start, seconds):
        super().__init__()
        self.start, self.seconds = start, seconds

    def on_train_batch_begin(self, batch, logs=None):
        if batch == self.start:
            self.threads, self.waited = thread_cpu(), runqueue_wait()
            self.wall, self.cpu = time.perf_counter(), time.process_time()
        elif batch > self.start and time.perf_counter() - self.wall >= self.seconds:
            self.model.stop_training = True
        self.steps = batch - self.start + 1  # timed steps begun; the last one runs before fit() stops

    def on_epoch_end(self, epoch, logs=None):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu
        self.waited = runqueue_wait() - self.waited
        self.busiest = busiest(self.threads, thread_cpu())


def tracing_count(model):
    """How often Keras' TensorFlow train function was traced, or None (other backends, unknown)."""
    if keras.backend.backend() != "tensorflow" or model.train_function is None:
        return None
    cells = getattr(model.train_function, "__closure__", None) or ()
    counts = [c.cell_contents.experimental_get_tracing_count() for c in cells
              if hasattr(c.cell_contents, "experimental_get_tracing_count")]
    return counts[0] if counts else None


class Compilations:
    """Counts XLA compilations on JAX (`jax.monitoring` events) and their seconds; nothing elsewhere."""

    def __init__(self):
        self.count, self.seconds = 0, 0.0
        if keras.backend.backend() == "jax":
            import jax

            jax.monitoring.register_event_duration_secs_listener(self._heard)

    def _heard(self, event, seconds, **kwargs):
        if event == "/jax/core/compile/backend_compile_duration":
            self.count += 1
            self.seconds += seconds

    def since(self, mark):
        """(compilations, seconds) since `mark`, a previous `(count, seconds)`."""
        return self.count - mark[0], round(self.seconds - mark[1], 2)


def plugin_model(args):
    """The dcgan (or `--plugin`) model as `ganzoo fit` builds it, compiled, and one batch of its data."""
    from ganzoo import data as data_lib
    from ganzoo.precision import precision_policy
    from ganzoo.registry import get_plugin
    from ganzoo.training import plan
    from ganzoo.training.request import FitRequest, resolve_source

    plugin = get_plugin(args.plugin)
    overrides = {"image_shape": (args.image_size, args.image_size, args.channels)}
    request = FitRequest(args.plugin, image_size=args.image_size, batch_size=args.batch_size, seed=1,
                         precision=args.precision, steps=10**6, overrides=overrides)
    info = data_lib.inspect(resolve_source(plugin, None, None), task=plugin.task)
    settings = plan.new_settings(request, plugin, info)
    named = plugin.preset(settings.preset) if settings.preset else None
    settings.total_steps = 10**6
    settings.config = plan.model_config(plugin, settings, info, request, named)
    keras.utils.set_random_seed(1)
    with precision_policy(settings.precision):
        model = plugin.model_class(**settings.config)
    model.compile(jit_compile=False, steps_per_execution=1)
    stream = data_lib.load(settings.source, model, batch_size=settings.batch_size, seed=1, repeat=True)
    return model, next(iter(stream))


class PlainDCGAN(keras.Model):
    """keras.io's DCGAN step (dcgan_overriding_train_step), for 32x32x3 images in [0, 1]."""

    def __init__(self, latent_dim=128):
        super().__init__()
        layers = keras.layers
        self.latent_dim = latent_dim
        self.generator = keras.Sequential([
            keras.Input((latent_dim,)), layers.Dense(4 * 4 * 256), layers.Reshape((4, 4, 256)),
            layers.Conv2DTranspose(128, 4, 2, "same"), layers.LeakyReLU(0.2),
            layers.Conv2DTranspose(64, 4, 2, "same"), layers.LeakyReLU(0.2),
            layers.Conv2DTranspose(32, 4, 2, "same"), layers.LeakyReLU(0.2),
            layers.Conv2D(3, 5, padding="same", activation="tanh")])
        self.discriminator = keras.Sequential([
            keras.Input((32, 32, 3)),
            layers.Conv2D(64, 4, 2, "same"), layers.LeakyReLU(0.2),
            layers.Conv2D(128, 4, 2, "same"), layers.LeakyReLU(0.2),
            layers.Conv2D(128, 4, 2, "same"), layers.LeakyReLU(0.2),
            layers.Flatten(), layers.Dropout(0.2), layers.Dense(1)])
        self.bce = keras.losses.BinaryCrossentropy(from_logits=True)
        self.d_optimizer = keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.g_optimizer = keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.seeds = keras.random.SeedGenerator(1)

    def d_loss(self, real, fake):
        real_logits = self.discriminator(real, training=True)
        fake_logits = self.discriminator(fake, training=True)
        return (self.bce(keras.ops.ones_like(real_logits), real_logits)
                + self.bce(keras.ops.zeros_like(fake_logits), fake_logits))

    def g_loss(self, z):
        fake_logits = self.discriminator(self.generator(z, training=True), training=True)
        return self.bce(keras.ops.ones_like(fake_logits), fake_logits)

    def noise(self, real):
        return keras.random.normal((keras.ops.shape(real)[0], self.latent_dim), seed=self.seeds)

    def train_step(self, real):
        real = real * 2.0 - 1.0
        if keras.backend.backend() == "tensorflow":
            return self.tf_step(real)
        if keras.backend.backend() == "torch":
            return self.torch_step(real)
        raise SystemExit("--plain has a TensorFlow and a PyTorch step, not a JAX one")

    def tf_step(self, real):
        import tensorflow as tf

        fake = self.generator(self.noise(real), training=True)
        with tf.GradientTape() as tape:
            d_loss = self.d_loss(real, fake)
        weights = self.discriminator.trainable_weights
        self.d_optimizer.apply_gradients(zip(tape.gradient(d_loss, weights), weights))
        z = self.noise(real)
        with tf.GradientTape() as tape:
            g_loss = self.g_loss(z)
        weights = self.generator.trainable_weights
        self.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, weights), weights))
        return {"d_loss": d_loss, "g_loss": g_loss}

    def torch_step(self, real):
        import torch

        fake = self.generator(self.noise(real), training=True).detach()
        self.zero_grad()
        d_loss = self.d_loss(real, fake)
        d_loss.backward()
        weights = self.discriminator.trainable_weights
        with torch.no_grad():
            self.d_optimizer.apply([w.value.grad for w in weights], weights)
        z = self.noise(real)
        self.zero_grad()
        g_loss = self.g_loss(z)
        g_loss.backward()
        weights = self.generator.trainable_weights
        with torch.no_grad():
            self.g_optimizer.apply([w.value.grad for w in weights], weights)
        return {"d_loss": d_loss, "g_loss": g_loss}


def plain_model(args):
    keras.utils.set_random_seed(1)
    model = PlainDCGAN()
    model.compile(jit_compile=False)
    batch = np.random.default_rng(1).uniform(0, 1, (args.batch_size, 32, 32, 3)).astype("float32")
    return model, batch


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plain", action="store_true", help="a keras.io-style DCGAN instead of the plugin")
    parser.add_argument("--plugin", default="dcgan")
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--channels", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--precision", default="float32", choices=("float32", "mixed_bfloat16"))
    parser.add_argument("--warmup", type=int, default=5, help="untimed steps at the start of each fit")
    parser.add_argument("--seconds", type=float, default=10.0, help="timed seconds of each fit (whole steps)")
    parser.add_argument("--fits", type=int, default=2)
    args = parser.parse_args()
    backend = keras.backend.backend()

    import tensorflow as tf  # tf.data feeds every backend

    model, batch = plain_model(args) if args.plain else plugin_model(args)
    data = tf.data.Dataset.from_tensors(batch).repeat()
    size = f"{args.image_size}x{args.image_size}x{args.channels}"
    kind = "plain keras.io DCGAN" if args.plain else f"{args.plugin} {size}"
    compilations = Compilations()
    for fit in range(1, args.fits + 1):
        threads_before = len(os.listdir("/proc/self/task"))
        mark = (compilations.count, compilations.seconds)
        timer = TimedSteps(args.warmup, args.seconds)
        model.fit(data, epochs=1, steps_per_epoch=10**6, verbose=0, callbacks=[timer])
        steps, images = timer.steps, timer.steps * args.batch_size
        print("RESULT " + json.dumps({
            "backend": backend, "model": kind, "precision": args.precision, "fit": fit,
            "steps": steps, "images_per_s": round(images / timer.wall, 1), "cores": round(timer.cpu / timer.wall, 2),
            "cpu_ms_per_step": round(1000 * timer.cpu / steps, 1),
            "waiting_cores": round(timer.waited / timer.wall, 2),
            "threads": len(os.listdir("/proc/self/task")), "threads_at_start": threads_before,
            "traced": tracing_count(model),
            "jax_compilations_s": compilations.since(mark) if backend == "jax" else None,
            "busiest": timer.busiest,
            "load_1min": round(os.getloadavg()[0], 2)}), flush=True)
        if fit < args.fits:
            leftover = sum(type(o).__name__ == "OwnedIterator" for o in gc.get_objects())
            before, cpu = thread_cpu(), time.process_time()
            time.sleep(1.0)
            print("BETWEEN " + json.dumps({"data_iterators_alive": leftover,
                                           "cpu_s_while_idle_1s": round(time.process_time() - cpu, 3),
                                           "busiest_while_idle": busiest(before, thread_cpu(), top=2)}),
                  flush=True)


if __name__ == "__main__":
    main()
