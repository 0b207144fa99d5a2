"""`ganzoo sample`'s flags of a run's model: found for `--help` from the
run's record (nothing built), and parsed from the command line once the
model is loaded."""

from __future__ import annotations

import os

import click

from ganzoo.cli.quiet import quiet_tensorflow
from ganzoo.errors import GanzooError

class SampleCommand(click.Command):
    """`ganzoo sample`, whose `--help` after a RUN lists the flags of RUN's model."""

    _VALUE_OPTIONS = ("--n", "--seed", "--out", "--backend")

    def parse_args(self, ctx, args):
        ctx.meta["ganzoo.sample.run"] = run_argument(args, self._VALUE_OPTIONS)
        return super().parse_args(ctx, args)

    def format_options(self, ctx, formatter):
        super().format_options(ctx, formatter)
        run = ctx.meta.get("ganzoo.sample.run")
        if run is None:
            formatter.write_paragraph()
            formatter.write_text("ganzoo sample RUN --help lists the flags of RUN's model.")
            return
        try:
            plugin = plugin_of_run(run)
            declared = declared_sample_options(plugin)
        except Exception as exc:  # noqa: BLE001 - the help is shown all the same
            formatter.write_paragraph()
            formatter.write_text(f"(the flags of {run}'s model are unknown: {exc})")
            return
        with formatter.section(f"Options of this run's model ({plugin.name}, {plugin.task})"):
            formatter.write_dl(sample_option_rows(declared) or [("(none)", "")])


def run_argument(args, value_options):
    """The first positional argument of `args` (RUN), skipping option values."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in value_options:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def plugin_of_run(run):
    """The `Plugin` that trained RUN (a run folder's run.json, or a .keras
    file's config), without loading or building the model."""
    from ganzoo.registry import get_plugin
    from ganzoo.saving import saved_plugin_name
    from ganzoo.training.run_files import read_run

    path = os.path.abspath(os.path.expanduser(run))
    if os.path.isdir(path):
        record = read_run(path)
        name = record.get("plugin") if record else None
    else:
        name = saved_plugin_name(path) if os.path.isfile(path) else None
    if not name:
        raise GanzooError(f"{run} is neither a run directory nor a ganzoo .keras file")
    return get_plugin(name)


def declared_sample_options(plugin):
    """The `ganzoo sample` flags of a plugin's models: its task's sampler's,
    then the model class's `extra_sample_options` (imports the class, builds nothing)."""
    from ganzoo.sampling import sampler_for

    quiet_tensorflow()
    return (*sampler_for(plugin.task).options, *getattr(plugin.model_class, "extra_sample_options", ()))


def sample_option_rows(declared):
    """(flag with its value's kind, help with its default) rows for help texts."""
    rows = []
    for o in declared:
        flag = o.flag if o.is_flag else f"{o.flag} {METAVARS.get(o.type, o.type.upper())}"
        note = o.help[:1].upper() + o.help[1:]
        if o.multiple:
            note += " (repeatable)"
        if not o.is_flag and o.default is not None:
            note += f" [default: {o.default}]"
        rows.append((flag, note))
    return rows


METAVARS = {"int": "INTEGER", "float": "FLOAT", "str": "TEXT", "path": "PATH"}
CLICK_TYPES = {"int": int, "float": float, "str": str, "path": click.Path()}


def parse_sample_options(model, args):
    """Parses the task's and model's `ganzoo sample` flags from `args`."""
    from ganzoo.sampling import sample_options

    declared = sample_options(model)
    params = [click.Option([o.flag, o.name], type=None if o.is_flag else CLICK_TYPES[o.type], multiple=o.multiple,
                           is_flag=o.is_flag, default=o.default, help=o.help) for o in declared]
    command = click.Command("sample", params=params)
    try:
        with command.make_context("ganzoo sample", list(args), resilient_parsing=False) as ctx:
            return dict(ctx.params)
    except click.UsageError as exc:
        flags = ", ".join(o.flag for o in declared) or "none"
        raise GanzooError(f"{exc.format_message()} (for this {model.task} model; its flags: {flags})") from None
