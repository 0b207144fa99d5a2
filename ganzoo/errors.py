"""The one exception type that users see as a one-line message."""


class GanzooError(Exception):
    """A problem with the user's input or environment, stated in one line.

    The CLI prints `error: <message>` and exits non-zero without a traceback
    (`--debug` shows it). The message names the problem and what to do.
    """


def article(word) -> str:
    """`word` with its indefinite article, for messages: "an unpaired", "a paired"."""
    word = str(word)
    return f"{'an' if word[:1].lower() in 'aeiou' and word[:1] else 'a'} {word}"


#: True while the `ganzoo` command runs: messages then name its flags, not Python arguments.
_command_line = [False]


class command_line:
    """Inside it (the `ganzoo` command's `main`), `setting` names flags."""

    def __enter__(self):
        self._saved, _command_line[0] = _command_line[0], True
        return self

    def __exit__(self, *exc):
        _command_line[0] = self._saved
        return False


def on_command_line() -> bool:
    """Whether the `ganzoo` command is running (messages name its flags)."""
    return _command_line[0]


def setting(name, value=None, flag=None, python=None) -> str:
    """How a message names the setting `name` (a Python keyword argument):
    `data_dir=DIR` from Python, `--data-dir DIR` under the `ganzoo` command.

    Args:
        name: the keyword argument, e.g. "data_dir".
        value: a placeholder or value to show with it, e.g. "DIR".
        flag: the flag when it is not `name` with dashes (e.g. "--image-size N"
            for image_shape); shown as given, without `value`.
        python: the Python form when it is not `name=value` (e.g. "dataset='digits'").
    """
    if _command_line[0]:
        if flag is not None:
            return flag
        flag = "--" + name.replace("_", "-")
        return flag if value is None else f"{flag} {value}"
    if python is not None:
        return python
    return name if value is None else f"{name}={value}"
