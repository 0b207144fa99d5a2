"""The `ganzoo` command: a thin click layer over the Python API.

Commands import Keras/TensorFlow only when they run, so `ganzoo --help` and
`ganzoo list` answer at once. Errors print one line and exit 1; `--debug`
shows the traceback.
"""

from __future__ import annotations

import json
import sys
import warnings

import click

from ganzoo.cli import sample_flags
from ganzoo.cli.export_command import export_command
from ganzoo.cli.quiet import quiet_tensorflow
from ganzoo.errors import GanzooError, command_line
from ganzoo.training.interruption import Interrupted
from ganzoo.precision import PRECISIONS


class _State:
    debug = False


def _quiet_tensorflow():
    quiet_tensorflow(debug=_State.debug)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks of errors.")
@click.version_option(package_name="ganzoo")
@click.pass_context
def cli(ctx, debug):
    """ganzoo: a GAN model zoo for Keras 3.

    \b
    ganzoo list                        the installed architectures
    ganzoo info dcgan                  options, datasets, paper
    ganzoo fit dcgan                   train on an embedded dataset, offline
    ganzoo sample runs/dcgan --n 64    images from a trained run
    ganzoo export RUN --format onnx    the generator as one file (ONNX, LiteRT, SavedModel)
    """
    from ganzoo.backends import check_backend

    _State.debug = debug
    command = cli.commands.get(ctx.invoked_subcommand or "")
    if command is None or not any(p.name == "backend" for p in command.params):
        check_backend()  # before Keras is imported: another backend fails there with a raw ModuleNotFoundError


def _select_backend(ctx, param, value):
    from ganzoo.backends import select_backend

    select_backend(value)   # a GanzooError here is main()'s one line


#: `--backend`: an eager option, so the backend is set before any other option's callback imports Keras.
backend_option = click.option(
    "--backend", type=click.Choice(["tensorflow", "jax", "torch"]), is_eager=True, expose_value=False,
    callback=_select_backend,
    help="Keras backend for this command (default: KERAS_BACKEND, else tensorflow); jax and torch need "
         "pip install \"ganzoo[jax]\" / \"ganzoo[torch]\".")


@cli.command("list")
@click.argument("pattern", required=False)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def list_command(pattern, as_json):
    """The installed plugins (built-in and third-party); PATTERN filters with wildcards."""
    from ganzoo.plugin import Plugin
    from ganzoo.registry import load_all

    rows = []
    for p in load_all(pattern):
        if isinstance(p, Plugin):
            rows.append({"name": p.name, "task": p.task, "status": "ok", "summary": p.summary})
        else:
            rows.append({"name": p.name, "task": "", "status": "broken", "summary": f"{p.package}: {p.error}"})
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("no plugins installed" if not pattern else f"no plugin matches {pattern!r}")
        return
    width = max(len(r["name"]) for r in rows)
    task_width = max(len(r["task"]) for r in rows)
    for r in rows:
        summary = r["summary"] if r["status"] == "ok" else f"BROKEN  {r['summary']}"
        click.echo(f"{r['name']:<{width}}  {r['task']:<{task_width}}  {summary}")


@cli.command()
@click.argument("name")
def info(name):
    """Options (with defaults and meaning), task, datasets and paper of a plugin."""
    _known_plugin(name)
    _quiet_tensorflow()
    from ganzoo.options import options
    from ganzoo.registry import get_plugin

    from ganzoo import tasks

    plugin = get_plugin(name)
    click.echo(f"{plugin.name}: {plugin.summary}")
    click.echo(f"  task:            {plugin.task}  ({tasks.get(plugin.task).summary})")
    click.echo(f"  default dataset: {plugin.default_dataset} (ganzoo fit {plugin.name})")
    if plugin.datasets:
        click.echo(f"  datasets:        {', '.join(plugin.datasets)}")
    click.echo(f"  default epochs:  {plugin.default_epochs}")
    click.echo(f"  default batch:   {plugin.default_batch_size}")
    if plugin.default_run is not None:
        click.echo(f"  default run:     {plugin.default_run}: ganzoo fit {plugin.name}")
        if plugin.default_run.how:
            click.echo(f"                   measured: {plugin.default_run.how}")
    if plugin.paper:
        click.echo(f"  paper:           {plugin.paper}")
    if plugin.presets:
        click.echo("presets (ganzoo fit ... --preset NAME):")
        width = max(len(p.name) for p in plugin.presets)
        for preset in plugin.presets:
            mark = " (default)" if preset.name == plugin.default_preset else ""
            click.echo(f"  {preset.name:<{width}}  {preset.summary}{mark}")
            if preset.config:
                settings = ", ".join(f"{k}={_shown(v)}" for k, v in preset.config.items())
                click.echo(f"  {'':<{width}}  {settings}")
    click.echo("options (ganzoo fit ... --set name=value):")
    opts = options(plugin.model_class)
    width = max(len(o.name) for o in opts)
    for o in opts:
        click.echo(f"  {o.name:<{width}}  {_shown(o.default):<14} {o.help}")
    rows = sample_flags.sample_option_rows(sample_flags.declared_sample_options(plugin))
    click.echo("sample flags (ganzoo sample RUN ...; beside --n, --seed, --out, --force):" if rows else
               "sample flags: --n, --seed, --out, --force only (ganzoo sample --help)")
    if rows:
        width = max(len(flag) for flag, _ in rows)
        for flag, note in rows:
            click.echo(f"  {flag:<{width}}  {note}")


def _known_plugin(name):
    """An unknown plugin name is answered at once, before TensorFlow loads."""
    from ganzoo.registry import registered_names

    if name not in registered_names():
        from ganzoo.registry import get_plugin

        get_plugin(name)  # raises the error with the closest names


def _assignments(values):
    """`--set` values, checked as click parses them: `--set name value` (a
    space, not `=`) would otherwise end as click's "unexpected extra argument"."""
    from ganzoo.options import parse_assignments

    parse_assignments(values)
    return values


def _shown(value):
    if value is None:
        return "None"
    return "x".join(map(str, value)) if isinstance(value, (tuple, list)) else str(value)


@cli.command()
@click.argument("name")
@backend_option
@click.option("--dataset", help="Embedded or TFDS dataset (default: the plugin's embedded one).")
@click.option("--data", type=click.Path(), help="A folder of images (or class subfolders) instead of --dataset.")
@click.option("--data-dir", type=click.Path(), help="TFDS data directory.")
@click.option("--image-size", type=click.IntRange(min=1), help="Square image size (default: the dataset's).")
@click.option("--batch-size", type=click.IntRange(min=1), help="Images per step, over all replicas together (default: the plugin's, usually 64).")
@click.option("--epochs", type=click.IntRange(min=1), help="Passes over the data (default: the plugin's).")
@click.option("--steps", type=click.IntRange(min=1), help="Total training steps, instead of --epochs.")
@click.option("--out", type=click.Path(), help="Run directory (default runs/NAME).")
@click.option("--resume", is_flag=True, help="Continue the run in --out from its last checkpoint.")
@click.option("--seed", type=int, help="Seed of weights, latents and data order.")
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE", callback=lambda c, p, v: _assignments(v),
              help="A plugin option (see ganzoo info NAME).")
@click.option("--precision", type=click.Choice(PRECISIONS),
              help="Compute precision (default mixed_bfloat16: as fast or faster than float32 at equal quality; see docs/benchmarks.md).")
@click.option("--preset", help="A named configuration (see ganzoo info NAME), or a .keras/.weights.h5 file "
                                "(path or URL) to start from.")
@click.option("--quiet", is_flag=True, help="No per-step progress bar.")
@click.option("--eval-every", help="Score the model every N epochs (5) or steps (500steps); keeps best.weights.h5.")
@click.option("--eval-metrics", default="fid", show_default=True, help="Scores during training: fid, kid, is.")
@click.option("--eval-n", type=click.IntRange(min=10), default=5000, show_default=True,
              help="Generated images per evaluation.")
@click.option("--inception-weights", type=click.Path(), help="classify_image_graph_def.pb, its .tgz, or a converted .npz.")
@click.option("--checkpoint-steps", type=click.IntRange(min=1),
              help="Save a checkpoint every N steps as well as at epoch ends (default 1000).")
@click.option("--checkpoint-minutes", type=click.FloatRange(min=0, min_open=True),
              help="And whenever this many minutes passed since the last one (default 10).")
@click.option("--strategy", type=click.Choice(["auto", "one", "mirrored", "multi-worker"]), default="auto",
              show_default=True, help="Devices to train on: auto (every GPU when there are several), one, mirrored "
              "(every GPU of this machine; on JAX keras.distribution.DataParallel), multi-worker (the machines in "
              "TF_CONFIG on TensorFlow; the processes in KERAS_DISTRIBUTION_* on JAX). --batch-size is the global "
              "batch.")
@click.option("--sync-batchnorm", is_flag=True, default=None,
              help="Synchronise BatchNorm statistics across replicas (dcgan, cgan, srgan, text2image; always so "
              "on JAX).")
@click.option("--jit/--no-jit", default=None,
              help="Compile the training step with XLA (default: Keras' auto, off on CPU where it is slower; "
                   "see docs/benchmarks.md).")
@click.option("--steps-per-execution", type=click.IntRange(min=1),
              help="Training steps per call into TensorFlow (default 1); checkpoints and the stop still land "
                   "on their exact steps.")
def fit(name, dataset, data, data_dir, image_size, batch_size, epochs, steps, out, resume, seed, assignments,
        precision, preset, quiet, eval_every, eval_metrics, eval_n, inception_weights, checkpoint_steps,
        checkpoint_minutes, strategy, sync_batchnorm, jit, steps_per_execution):
    """Train plugin NAME; writes the model, checkpoints, sample grids and logs to --out."""
    _known_plugin(name)
    _quiet_tensorflow()
    from ganzoo.options import parse_assignments
    from ganzoo.training import loop

    evaluation = None
    if eval_every:
        from ganzoo.metrics.callback import parse_every
        from ganzoo.metrics.inception_weights import check_available

        every, unit = parse_every(eval_every)
        check_available(inception_weights)
        evaluation = {"every": every, "unit": unit, "metrics": eval_metrics, "n": eval_n,
                      "inception_weights": inception_weights}
    loop.fit(name, dataset=dataset, data=data, data_dir=data_dir, image_size=image_size, batch_size=batch_size,
             epochs=epochs, steps=steps, out=out, resume=resume, seed=seed,
             overrides=parse_assignments(assignments) or None, precision=precision, preset=preset,
             verbose=2 if quiet else "auto", echo=click.echo, evaluation=evaluation,
             checkpoint_steps=checkpoint_steps, checkpoint_minutes=checkpoint_minutes, strategy=strategy,
             sync_batchnorm=sync_batchnorm, jit=jit, steps_per_execution=steps_per_execution)


@cli.command(cls=sample_flags.SampleCommand, context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("run", type=click.Path())
@backend_option
@click.option("--n", "count", type=click.IntRange(min=1), default=64, show_default=True,
              help="Number of images (per label or caption, where the model takes them).")
@click.option("--seed", type=int, default=0, show_default=True, help="Latent seed (same seed, same images).")
@click.option("--out", type=click.Path(), default="samples.png", show_default=True,
              help="Output PNG (a grid of at most 1024 images), or a FOLDER: one numbered PNG per image, "
                   "streamed 256 at a time (any --n), or the outputs of an --input folder.")
@click.option("--force", is_flag=True, help="Overwrite files that exist (without it, an existing file is an "
                                             "error, before anything is generated).")
@click.pass_context
def sample(ctx, run, count, seed, out, force):
    """Generate images from RUN (a run directory or a .keras file).

    \b
    The model's task adds its flags:
      conditional   --label N (repeatable: a row of --n images per label)
      unpaired      --input FILE_OR_FOLDER --direction a2b|b2a
      paired        --input FILE_OR_FOLDER
      captioned     --text "a small red circle" (repeatable)
    and a model may add its own (stylegan, stylegan2: --mix, --interpolate N,
    --truncation-psi PSI, --mix-with SEED --crossover L, --walk-to SEED);
    ganzoo sample RUN --help and ganzoo info NAME list them all.
    """
    _quiet_tensorflow()
    from ganzoo import sampling
    from ganzoo.training.run_files import load_run_model

    model = load_run_model(run)
    options = sample_flags.parse_sample_options(model, ctx.args)
    written = sampling.sample(model, out=out, count=count, seed=seed, force=force, **options)
    for line in sampling.summary(written, out):
        click.echo(line)


@cli.command()
@click.argument("run", type=click.Path())
@backend_option
@click.option("--metrics", "metric_list", default="classifier", show_default=True,
              help="Comma-separated metric names (see ganzoo.metrics.METRICS).")
@click.option("--dataset", help="Real data to compare with (default: the run's dataset).")
@click.option("--data", type=click.Path(), help="A folder of real images instead of --dataset.")
@click.option("--data-dir", type=click.Path(), help="TFDS data directory.")
@click.option("--split", default="train", show_default=True, help="Split of the real data.")
@click.option("--n", "count", type=click.IntRange(min=10), default=None,
              help="Generated images (default 50000 for fid/kid/is/pr/dc, as fid50k_full; 1000 for classifier).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the generated images.")
@click.option("--resize", type=click.Choice(["reference", "clean"]), default="reference", show_default=True,
              help="Resize to 299 for Inception: TF1 bilinear (reference FID) or clean-fid's bicubic.")
@click.option("--inception-weights", type=click.Path(), help="classify_image_graph_def.pb, its .tgz, or a converted .npz.")
@click.option("--real-n", type=click.IntRange(min=2), help="Most real images (default: the whole split).")
@click.option("--inception-precision", type=click.Choice(["float32", "mixed_bfloat16"]), default="float32",
              show_default=True, help="Precision of the Inception network (bfloat16 shifts FID; see docs/metrics.md).")
def evaluate(run, metric_list, dataset, data, data_dir, split, count, seed, resize, inception_weights, real_n,
             inception_precision):
    """Compute metrics of RUN (a run directory or .keras file) against real data.

    \b
    ganzoo evaluate runs/dcgan --metrics fid,kid,is,pr    (50k vs the full train split)
    ganzoo evaluate runs/srgan --metrics psnr,ssim

    The Inception metrics (fid, kid, is, pr, dc, intra_fid) run every image through
    the network: at ~11 images/s on a 2-core CPU the default 50,000 take over an
    hour; the expected time is printed once measured, then a progress bar. Use
    --n 5000 for a quick look. Metrics apply to some tasks only: asking for one of
    another task names those that apply (docs/metrics.md).
    """
    from ganzoo.evaluation import check_metrics
    from ganzoo.evaluation import evaluate as evaluate_run

    check_metrics(metric_list.split(","), {"inception_weights": inception_weights})  # seconds, before TensorFlow
    _quiet_tensorflow()

    results = evaluate_run(run, metric_list.split(","), dataset=dataset, data=data, data_dir=data_dir,
                           split=split, n=count, seed=seed, resize=resize, inception_weights=inception_weights,
                           real_n=real_n, precision=inception_precision)
    _echo_results(results)


def _echo_results(results):
    """`metric.key value` lines; a protocol shared by the metrics is shown once."""
    shown_protocol = None
    for metric, values in results.items():
        for key, value in values.items():
            if key == "protocol":
                continue
            shown = f"{value:.4f}" if isinstance(value, float) else str(value)
            click.echo(f"{metric}.{key}  {shown}")
    for metric, values in results.items():
        record = values.get("protocol") if isinstance(values, dict) else None
        if not record:
            continue
        for key, value in record.items():
            if key == "warnings" or (shown_protocol and shown_protocol.get(key) == value):
                continue
            click.echo(f"protocol.{key}  {value}")
        if shown_protocol is None:
            for warning in record.get("warnings", []):
                click.echo(f"warning: {warning}", err=True)
        shown_protocol = dict(shown_protocol or {}, **record)


@cli.command()
@click.argument("runs_dirs", nargs=-1, type=click.Path(file_okay=False))
@backend_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; another than 127.0.0.1 lets other machines in (no password).")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8000, show_default=True,
              help="Port to listen on; 0 takes a free one.")
def serve(runs_dirs, host, port):
    """A local web explorer of the runs in RUNS_DIRS (default ./runs): curves,
    grids, configuration, and the model's sample controls live (docs/explorer.md)."""
    from ganzoo.serve import serve as serve_runs

    # TensorFlow starts with the first model, as under `ganzoo sample`: the address is printed at once.
    serve_runs(runs_dirs or ("runs",), host=host, port=port, prepare=_quiet_tensorflow,
               echo=lambda line: click.echo(line, err=line.startswith("warning")))


@cli.command("new-plugin")
@click.argument("name")
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=".", show_default=True,
              help="Where to create the project folder ganzoo-NAME/.")
@click.option("--template", type=click.Choice(["dcgan", "wgan-gp"]), default="dcgan", show_default=True,
              help="dcgan: one D and one G update per step; wgan-gp: n_critic critic updates on fresh real "
                   "images, gradient penalty.")
@click.option("--task", type=click.Choice(["unconditional"]), default="unconditional", show_default=True,
              help="What the plugin trains on and generate() takes.")
def new_plugin(name, directory, template, task):
    """Write a new plugin project ganzoo-NAME/ (pyproject with the entry point, package NAME/, tests)."""
    from ganzoo.scaffold import create_plugin

    path = create_plugin(name, directory, template=template, task=task)
    shown = path if path.is_absolute() else f"./{path.as_posix()}"
    click.echo(f"wrote {shown}/ (see its README.md); next:\n  pip install -e \"{shown}[test]\"\n  ganzoo list\n"
               f"  ganzoo fit {name} --steps 50\n  cd {shown} && python -m pytest")


cli.add_command(export_command)


def _one_line_warning(message, category, filename, lineno, file=None, line=None):
    # The message names the file or option at fault; ganzoo's source line
    # (Python's default second line) means nothing to a CLI user.
    click.echo(f"warning: {message}", err=True)


def main(argv=None):
    """Entry point of the console script: one-line errors and warnings, non-zero exit."""
    try:
        with warnings.catch_warnings(), command_line():
            warnings.showwarning = _one_line_warning
            cli.main(args=argv, prog_name="ganzoo", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except Interrupted as exc:
        click.echo(f"interrupted: {exc}; continue with the same command and --resume", err=True)
        sys.exit(130)
    except (GanzooError, FileExistsError, FileNotFoundError, PermissionError) as exc:
        _fail(exc, str(exc))
    except KeyboardInterrupt:
        click.echo("interrupted; the last checkpoint is kept (continue with --resume)", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - a CLI shows one line, the traceback on --debug
        _fail(exc, f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
                   " (run with --debug for the traceback)")


def _fail(exc, message):
    if _State.debug:
        import traceback

        traceback.print_exception(exc)
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


if __name__ == "__main__":
    main()
