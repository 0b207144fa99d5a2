"""A plugin's options, read from its model's constructor and docstring.

The constructor is the single source of truth: its parameters are the
config keys, its defaults the defaults, and the `Args:` section of the class
docstring their meaning. `ganzoo info`, `--set key=value` and `create()` all
read them from here.
"""

from __future__ import annotations

import dataclasses
import inspect
import re

from ganzoo.errors import GanzooError

# Keras-level keyword arguments every model accepts; not plugin options.
_KERAS_KWARGS = {"name", "dtype", "trainable", "kwargs", "self"}


@dataclasses.dataclass(frozen=True)
class Option:
    name: str
    default: object
    help: str

    @property
    def type_name(self) -> str:
        if self.default is None:
            return "any"
        if isinstance(self.default, (tuple, list)):
            return "ints" if all(isinstance(v, int) for v in self.default) else "list"
        return type(self.default).__name__


def _arg_docs(cls) -> dict[str, str]:
    docs = {}
    for klass in reversed(cls.__mro__):
        text = inspect.getdoc(klass) or ""
        match = re.search(r"^Args:\s*$(.*?)(?=^\S|\Z)", text, re.S | re.M)
        if not match:
            continue
        current = None
        for line in match.group(1).splitlines():
            item = re.match(r"^\s{4}(\w+):\s*(.*)$", line)
            if item:
                current = item.group(1)
                docs[current] = item.group(2).strip()
            elif current and line.strip():
                docs[current] += " " + line.strip()
    return docs


def options(cls) -> list[Option]:
    """The configurable options of a model class: the named parameters of its
    constructor, in order (a base-class parameter the subclass does not name,
    such as `latent_dim` for a model without noise input, is not an option)."""
    docs = _arg_docs(cls)
    result = []
    for p in inspect.signature(cls.__init__).parameters.values():
        if p.name in _KERAS_KWARGS or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        default = None if p.default is inspect.Parameter.empty else p.default
        result.append(Option(p.name, default, docs.get(p.name, "")))
    return result


def _convert(option: Option, value, plugin: str):
    default = option.default
    try:
        if isinstance(default, bool):
            if isinstance(value, str):
                lowered = value.lower()
                if lowered not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(value)
                return lowered in ("true", "1", "yes")
            return bool(value)
        if isinstance(default, int):
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            return int(value)
        if isinstance(default, float):
            return float(value)
        if isinstance(default, (tuple, list)):
            if isinstance(value, str):
                value = [v for v in re.split(r"[,x ]+", value.strip("()[] ")) if v]
            items = [type(default[0])(v) if default else v for v in value]
            return tuple(items)
        if default is None and isinstance(value, str):
            # Untyped option: accept numbers and booleans written on the command line.
            for kind in (int, float):
                try:
                    return kind(value)
                except ValueError:
                    pass
            return {"true": True, "false": False, "none": None}.get(value.lower(), value)
        return value
    except (TypeError, ValueError):
        raise GanzooError(
            f"option {option.name}={value!r} of plugin {plugin!r} is not a valid "
            f"{option.type_name} (default {default!r}); see `ganzoo info {plugin}`"
        ) from None


def renamed(cls, kwargs: dict, *, plugin=None, warn=True, stacklevel=4) -> dict:
    """`kwargs` with the old names of `cls.renamed_options` mapped to the new ones.

    The one table of renamed options (`{old: new}` on the model class), read
    by `check_config` (plugin options from presets and `--set`) and by the
    model's constructor (options passed in Python).

    Args:
        cls: the model class.
        kwargs: the options as given.
        plugin: the plugin's name for the warning; None names the class.
        warn: whether to warn (a `DeprecationWarning` per old name used).
        stacklevel: the warning's stack level, counted from this function.

    Returns:
        `kwargs` itself when no old name is used, else a new dict.
    """
    table = getattr(cls, "renamed_options", None) or {}
    if not any(old in kwargs for old in table):
        return kwargs
    import warnings

    kwargs = dict(kwargs)
    for old, new in table.items():
        if old in kwargs:
            if warn:
                where = f"{cls.__name__}: option {old!r}" if plugin is None else f"option {old!r} of plugin {plugin!r}"
                warnings.warn(f"{where} is now called {new!r}; the old name will be removed", DeprecationWarning,
                              stacklevel=stacklevel)
            kwargs.setdefault(new, kwargs.pop(old))
    return kwargs


def accept_renamed(init, cls):
    """`cls.__init__` that also takes the old names of `cls.renamed_options`
    (the model's `__new__` has already warned about them)."""
    import functools

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        return init(self, *args, **renamed(cls, kwargs, warn=False))

    # Keras reads the constructor's arguments from its signature (auto config).
    __init__.__signature__ = inspect.signature(init)
    return __init__


def check_config(cls, config: dict, plugin: str = "") -> dict:
    """Checks keys against the constructor and converts values to its types."""
    known = {o.name: o for o in options(cls)}
    config = renamed(cls, config, plugin=plugin or cls.__name__, stacklevel=4)
    unknown = sorted(set(config) - set(known) - {"name", "dtype"})
    if unknown:
        raise GanzooError(
            f"unknown option(s) {', '.join(unknown)} for plugin {plugin or cls.__name__!r}; "
            f"valid options: {', '.join(known)}"
        )
    converted = {k: (_convert(known[k], v, plugin) if k in known else v) for k, v in config.items()}
    ranges = {**RANGES, **(getattr(cls, "option_ranges", None) or {})}
    for key, value in converted.items():
        if key in ranges and value is not None:
            _check_range(key, value, ranges[key], plugin or cls.__name__)
    return converted


#: The documented range of the options that share a name across plugins:
#: (lowest, highest, whether the lowest is allowed). A model adds its own in
#: `option_ranges`. Checked before anything is built.
RANGES = {
    "latent_dim": (1, None, True),
    "generator_filters": (1, None, True),
    "discriminator_filters": (1, None, True),
    "residual_blocks": (0, None, True),
    "hidden_units": (1, None, True),
    "hidden_layers": (1, None, True),
    "embedding_dim": (1, None, True),
    "num_classes": (2, None, True),
    "discriminator_steps": (1, None, True),
    "learning_rate": (0.0, None, False),
    "beta_1": (0.0, 1.0, True),
    "dropout": (0.0, 1.0, True),
    "ema": (0.0, 1.0, True),
    "pool_size": (0, None, True),
    "training_steps": (0, None, True),
    "pretrain_steps": (0, None, True),
    "lambda_cycle": (0.0, None, True),
    "lambda_identity": (0.0, None, True),
    "adversarial_weight": (0.0, None, True),
}


def _check_range(key, value, bounds, plugin):
    import math

    low, high, low_allowed = bounds
    numbers = value if isinstance(value, (tuple, list)) else (value,)
    for number in numbers:
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            continue
        bad = (not math.isfinite(number) or (low is not None and (number < low or (number == low and not low_allowed)))
               or (high is not None and number > high))
        if bad:
            if high is None:
                allowed = f"{'>=' if low_allowed else '>'} {low}"
            else:
                allowed = f"in [{low}, {high}]"
            raise GanzooError(f"option {key}={value!r} of plugin {plugin!r} is out of range: it must be {allowed} "
                              f"(and finite); see `ganzoo info {plugin}`")


def parse_assignments(pairs) -> dict:
    """Turns `["key=value", ...]` from `--set` into a dict of strings."""
    result = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise GanzooError(f"--set takes NAME=VALUE, got {pair!r}" + (f" (write --set {pair.strip()}=VALUE)" if
                                                                          not sep and pair.strip() else ""))
        result[key.strip().replace("-", "_")] = value.strip()
    return result
