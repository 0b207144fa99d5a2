"""Training speed of one side per process: `ganzoo fit`'s path, a hand-written loop, or keras.io's.

One process measures ONE side; compare sides by running processes in turn
(A B A B ...) and taking the median of the paired ratios: sides sharing a
process (as `dcgan_step_speed.py` does) disturb each other's thread pools and
caches, and identical processes can differ (see docs/benchmarks.md).

Sides:
  ganzoo    the model `ganzoo fit` builds (plugin preset, `run_config`), compiled
            as `ganzoo fit` compiles it, trained by `model.fit()` with the
            callbacks of a real run (checkpoints, grids, CSV, TensorBoard,
            NaN stop, step stop) and the `ganzoo fit` progress bar.
  loop      a plain `tf.function` step driven by a Python loop, no `fit()`:
            the plugin's hand-written keras.io-style step (`hand_written/`:
            tapes, losses, optimizers written out, on clones of the plugin's
            networks); `--step plugin`: the plugin's own `train_step`.
  keras_io  the same hand-written `keras.Model` through `fit()` with no
            callbacks (`--step plugin`: the plugin's model through a bare `fit()`).

`--replicas N` trains the ganzoo side under `MirroredStrategy` on N devices:
GPUs when there are N, else N logical devices splitting this machine's CPU
(there it measures what replication costs, not a speed-up).

`--backend jax|torch` runs the process on that Keras backend (set before Keras
is imported, as `ganzoo fit --backend` does): the ganzoo side is the same,
the loop side the hand-written step of `hand_written/recipes/` (JAX: one
`jax.jit` stateless step, keras.io style; PyTorch: a plain eager torch step),
on the plugin model's own networks with fresh optimizers; `--check` first
runs one step of the plugin and one of the hand-written loop from the same
weights, batch and random draws, and fails unless their losses agree (it
times nothing).

Data: `memory` is one batch from the real pipeline repeated from memory
(`Dataset.from_tensors(batch).repeat()`); `pipeline` is the stream `ganzoo fit`
reads (keyed rounds, cache or random crops, parallel batching, prefetch).

Prints one JSON line: images/s over the timed steps, the CPU cores the
process kept busy meanwhile (CPU seconds / wall seconds), and the last logs.

Run by hand, e.g. (one process each, alternate them and repeat >= 5 times):
  python benchmarks/fit_vs_loop.py --side ganzoo --plugin dcgan --image-size 32 --channels 3
  python benchmarks/fit_vs_loop.py --side loop   --plugin dcgan --image-size 32 --channels 3
"""

import argparse
import json
import os
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))



def _backend_from_argv():
    """`--backend`, read before Keras is imported (Keras fixes its backend at import)."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--backend", choices=("tensorflow", "jax", "torch"))
    backend = early.parse_known_args()[0].backend
    if backend:
        os.environ["KERAS_BACKEND"] = backend


_backend_from_argv()

import numpy as np  # noqa: E402

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from ganzoo import data as data_lib  # noqa: E402
from ganzoo.training import epochs, plan  # noqa: E402
from ganzoo.training.build import compile_options as ganzoo_compile_options  # noqa: E402
from ganzoo.training.request import (DEFAULT_CHECKPOINT_MINUTES, DEFAULT_CHECKPOINT_STEPS, FitRequest,  # noqa: E402
                                     resolve_source)
from ganzoo.precision import precision_policy  # noqa: E402
from ganzoo.registry import get_plugin  # noqa: E402

import hand_written  # noqa: E402  (benchmarks/hand_written/)
from hand_written import steps  # noqa: E402


class Timer(keras.callbacks.Callback):
    """Wall and CPU time of the epoch's steps (epoch hooks only: it changes
    nothing about how fit() dispatches batch callbacks)."""

    def on_epoch_begin(self, epoch, logs=None):
        self.start, self.cpu_start = time.perf_counter(), time.process_time()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds = time.perf_counter() - self.start
        self.cpu = time.process_time() - self.cpu_start
        self.logs = {k: float(v) for k, v in (logs or {}).items()}


def overrides_of(args):
    from ganzoo.options import parse_assignments

    overrides = dict(parse_assignments(args.set) or {})
    if args.channels:
        overrides["image_shape"] = (args.image_size, args.image_size, args.channels)
    return overrides or None


class BatchEnd(keras.callbacks.Callback):
    """Does nothing at each batch end; overriding the hook turns off Keras' asynchronous callback dispatch."""

    def on_train_batch_end(self, batch, logs=None):
        pass


def replicated(replicas):
    """The strategy of `--replicas`: what `ganzoo fit --strategy mirrored` builds, over the first N GPUs,
    else over N logical devices splitting the CPU."""
    if replicas == 1:
        return tf.distribute.get_strategy()
    from ganzoo.training import distribution

    gpus = tf.config.list_physical_devices("GPU")
    if len(gpus) >= replicas:
        tf.config.set_visible_devices(gpus[:replicas], "GPU")
    else:
        tf.config.set_visible_devices([], "GPU")  # too few GPUs: the replicas split the CPU
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * replicas)
    return distribution.strategy("mirrored")


def settings_of(args):
    plugin = get_plugin(args.plugin)
    request = FitRequest(args.plugin, dataset=args.dataset, image_size=args.image_size,
                         batch_size=args.batch_size, seed=1, precision=args.precision, steps=10**6,
                         overrides=overrides_of(args))
    info = data_lib.inspect(resolve_source(plugin, args.dataset, None), task=plugin.task)
    settings = plan.new_settings(request, plugin, info)
    named = plugin.preset(settings.preset) if settings.preset else None
    settings.total_steps = 10**6
    settings.config = plan.model_config(plugin, settings, info, request, named)
    return plugin, settings


def build(plugin, settings, args):
    keras.utils.set_random_seed(1)
    with precision_policy(settings.precision):
        model = plugin.model_class(**settings.config)
    model.compile(**compile_options(args))
    return model


def compile_options(args):
    """`ganzoo fit`'s: Keras' "auto" unless `--jit` (off on a CPU under TensorFlow, XLA under JAX)."""
    return ganzoo_compile_options(args.jit, args.steps_per_execution)


def data_of(model, settings, args):
    """The stream both sides read, with tf.data's autotuner as `--autotune` says: off by default, as
    `ganzoo.data.load` and `GAN.fit` leave a pipeline (ganzoo/data/autotune.py), so that both sides read
    the same pipeline; `on` sets it on explicitly (`fit()` keeps an explicit choice)."""
    stream = data_lib.load(settings.source, model, batch_size=settings.batch_size, seed=1, repeat=True)
    if args.data == "memory":
        stream = tf.data.Dataset.from_tensors(next(iter(stream))).repeat()
    options = tf.data.Options()
    options.autotune.enabled = args.autotune == "on"
    if args.data_threads:
        options.threading.private_threadpool_size = args.data_threads
        options.threading.max_intra_op_parallelism = 1
    return stream.with_options(options)


def run_loop(model, data, args, batch):
    """A Python loop over a tf.function step; steps_per_execution steps per call."""
    step = model.train_step

    def several(iterator):
        logs = step(next(iterator))
        for _ in tf.range(args.steps_per_execution - 1):
            logs = step(next(iterator))
        return logs

    function = tf.function(several, jit_compile=bool(model.jit_compile))  # as compile() resolved "auto"
    iterator = iter(data)
    calls = max(1, args.steps // args.steps_per_execution)
    for _ in range(max(1, args.warmup // args.steps_per_execution)):
        logs = function(iterator)
    float(next(iter(logs.values())))
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(calls):
        logs = function(iterator)
    logs = {k: float(v) for k, v in logs.items()}  # waits for the last step
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    return calls * args.steps_per_execution * batch, seconds, cpu, logs


def run_backend_loop(model, data, args, batch):
    """JAX and PyTorch: a Python loop over the hand-written step of `hand_written/recipes/`."""
    step = steps.loop(steps.recipe(args.plugin, model))
    iterator = steps.prepared(args.plugin, model, data).as_numpy_iterator()
    for _ in range(max(1, args.warmup)):
        logs = step(next(iterator))
    float(next(iter(logs.values())))
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(args.steps):
        logs = step(next(iterator))
    logs = {k: float(v) for k, v in logs.items()}  # waits for the last step
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    return args.steps * batch, seconds, cpu, logs


def check_first_step(model, data, args):
    """The plugin's first step (`fit()`) and the hand-written one, from the same
    weights, batch and random draws (`ganzoo.testing.same_step`'s NumPy draws):
    prints both steps' losses, and raises SystemExit unless they agree."""
    from ganzoo.testing.same_step import fixed_random_draws

    if args.plugin == "text2image" and model.pretrain_steps:
        # The plugin's fit() on one NumPy batch cannot pre-train (it needs a dataset), and the check
        # compares GAN steps: the same GAN step as after the cpu preset's pre-training is this one's.
        raise SystemExit("text2image --check compares the GAN's first step: add --set pretrain_steps=0 "
                         "--set train_text_encoder=false (the step of the cpu preset after its pre-training)")
    batch = next(steps.prepared(args.plugin, model, data).as_numpy_iterator())
    plugin_logs, hand_logs = steps.first_step_losses(args.plugin, model, batch, fixed_random_draws)
    agree = all(np.isclose(hand_logs[key], plugin_logs[key], rtol=1e-4, atol=1e-5) for key in hand_logs)
    print("CHECK " + json.dumps({"plugin": args.plugin, "backend": keras.backend.backend(), "agree": bool(agree),
                                 "plugin_logs": plugin_logs, "hand_written_logs": hand_logs}), flush=True)
    if not agree:
        raise SystemExit(f"{args.plugin} on {keras.backend.backend()}: the hand-written step's losses "
                         f"{hand_logs} differ from the plugin's {plugin_logs}")


def flat_train_function(model):
    """`fit()`'s per-step function as a plain loop has it: the batch read in
    Python, one `tf.function` of `train_step` (Keras' own reads the batch in a
    second `tf.function` around the step's; docs/benchmarks.md measured no
    difference). None where Keras' must run."""
    if model.steps_per_execution != 1 or tf.distribute.has_strategy():
        return None
    step = tf.function(model.train_step, jit_compile=bool(model.jit_compile), reduce_retracing=True)
    return lambda iterator: step(next(iterator))


def run_fit(model, data, args, batch, callbacks, verbose):
    if args.train_function == "flat":
        keras_own = model.make_train_function

        def make_train_function(force=False):
            function = flat_train_function(model)
            if function is None:
                return keras_own(force)
            model.train_function = function
            return function

        model.make_train_function = make_train_function
    spe = args.steps_per_execution
    warm = max(spe, args.warmup // spe * spe)
    model.fit(data, epochs=1, steps_per_epoch=warm, verbose=0, shuffle=False)
    timer = Timer()
    steps = max(spe, args.steps // spe * spe)
    model.fit(data, epochs=1, steps_per_epoch=steps, verbose=verbose, shuffle=False,
              callbacks=[timer, *callbacks])
    return steps * batch, timer.seconds, timer.cpu, timer.logs


def thread_cpu():
    """CPU seconds of this process's busiest threads, by name:id, the main thread first (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    by_name = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        name = "main" if int(tid) == os.getpid() else stat[stat.index("(") + 1:stat.rindex(")")] + ":" + tid
        fields = stat[stat.rindex(")") + 2:].split()
        seconds = (int(fields[11]) + int(fields[12])) / ticks
        by_name[name] = seconds
    return by_name


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--side", choices=("ganzoo", "loop", "keras_io"), required=True)
    parser.add_argument("--backend", choices=("tensorflow", "jax", "torch"),
                        help="the Keras backend of this process (default: KERAS_BACKEND, else TensorFlow)")
    parser.add_argument("--check", action="store_true",
                        help="JAX / PyTorch: only check that the hand-written step's first losses match the "
                             "plugin's (same weights, batch, draws)")
    parser.add_argument("--plugin", default="dcgan")
    parser.add_argument("--dataset", help="the plugin's default dataset if not given")
    parser.add_argument("--image-size", type=int)
    parser.add_argument("--channels", type=int, help="with --image-size: channels of image_shape (dcgan 32x32x3)")
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a plugin option, as in ganzoo fit")
    parser.add_argument("--precision", default="float32", choices=("float32", "mixed_bfloat16"))
    parser.add_argument("--jit", type=int, choices=(0, 1), help="default: ganzoo fit's (Keras' auto)")
    parser.add_argument("--steps-per-execution", type=int, default=1)
    parser.add_argument("--data", choices=("memory", "pipeline"), default="memory")
    parser.add_argument("--data-threads", type=int, help="pipeline: tf.data's private thread pool of this size")
    parser.add_argument("--autotune", choices=("off", "on"), default="off",
                        help="tf.data's autotuner on both sides' data (default off, as ganzoo's pipelines)")
    parser.add_argument("--steps", type=int, default=200, help="timed steps")
    parser.add_argument("--warmup", type=int, default=20, help="untimed steps first (tracing, autotuning)")
    parser.add_argument("--train-function", choices=("flat", "keras"), default="keras",
                        help="fit() sides: Keras' own per-step function (ganzoo's) or the flat one "
                             "of flat_train_function here")
    parser.add_argument("--step", choices=("hand", "plugin"), default="hand",
                        help="loop and keras_io sides: the hand-written step (hand_written/) or the plugin's own")
    parser.add_argument("--replicas", type=int, default=1,
                        help="ganzoo side: MirroredStrategy over this many devices (logical CPUs without GPUs)")
    parser.add_argument("--inter-op", type=int, help="TensorFlow inter-op threads (default: TensorFlow's)")
    parser.add_argument("--intra-op", type=int, help="TensorFlow intra-op threads (default: TensorFlow's)")
    parser.add_argument("--sync-callbacks", action="store_true",
                        help="keras_io side: add a callback with a batch-end hook (Keras then dispatches callbacks "
                             "synchronously, as in a ganzoo run)")
    parser.add_argument("--threads", action="store_true", help="also print CPU seconds by thread name")
    parser.add_argument("--verbose", default="auto", help="fit() verbosity of the ganzoo side (ganzoo fit: auto)")
    args = parser.parse_args()
    if args.inter_op:
        tf.config.threading.set_inter_op_parallelism_threads(args.inter_op)
    if args.intra_op:
        tf.config.threading.set_intra_op_parallelism_threads(args.intra_op)

    backend = keras.backend.backend()
    if backend != "tensorflow" and (args.replicas != 1 or args.side == "keras_io" or args.step != "hand"):
        parser.error(f"on {backend}: one replica, and the ganzoo side or the hand-written loop only")
    if backend != "tensorflow" and args.side == "loop" and not steps.available(args.plugin):
        parser.error(f"no hand-written {backend} step for {args.plugin} in benchmarks/hand_written/recipes/")
    strategy = replicated(args.replicas)
    plugin, settings = settings_of(args)
    with strategy.scope():
        model = build(plugin, settings, args)
    data = data_of(model, settings, args)
    batch = settings.batch_size
    if args.check:   # alone in its process: the draws stay NumPy's after it
        check_first_step(model, data, args)
        return
    verbose = args.verbose if args.verbose == "auto" else int(args.verbose)
    if args.side == "ganzoo":
        with tempfile.TemporaryDirectory() as out:
            callbacks = epochs.run_callbacks(model, out, settings, append=False,
                                           checkpointing=(DEFAULT_CHECKPOINT_STEPS,
                                                          DEFAULT_CHECKPOINT_MINUTES))
            images, seconds, cpu, logs = run_fit(model, data, args, batch, callbacks, verbose)
    else:
        if args.replicas != 1:
            parser.error("--replicas is for the ganzoo side")
        if backend != "tensorflow":
            images, seconds, cpu, logs = run_backend_loop(model, data, args, batch)
        else:
            if args.step == "hand":
                if not hand_written.available(args.plugin):
                    parser.error(f"no hand-written step for {args.plugin} in benchmarks/hand_written/; "
                                 "pass --step plugin")
                model = hand_written.build(args.plugin, model, settings)
                model.compile(**compile_options(args))
            if args.side == "loop":
                images, seconds, cpu, logs = run_loop(model, data, args, batch)
            else:
                images, seconds, cpu, logs = run_fit(model, data, args, batch,
                                                     [BatchEnd()] if args.sync_callbacks else [], 0)
    result = {"side": args.side, "backend": backend, "plugin": args.plugin, "set": args.set,
              "replicas": strategy.num_replicas_in_sync,
              "step": args.step if args.side != "ganzoo" else None, "precision": args.precision, "jit": args.jit,
              "steps_per_execution": args.steps_per_execution, "data": args.data, "batch": batch,
              "train_function": args.train_function if args.side != "loop" else None,
              "images_per_s": round(images / seconds, 1), "cores": round(cpu / seconds, 2),
              "logs": {k: round(v, 5) for k, v in logs.items()}}
    if args.threads:
        result["thread_cpu_s"] = {k: round(v, 1) for k, v in sorted(thread_cpu().items(), key=lambda kv: -kv[1])
                                  if v >= 0.5}
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    np.set_printoptions(precision=4)
    main()
