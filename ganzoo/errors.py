"""The one exception type that users see as a one-line message."""


class GanzooError(Exception):
    """A problem with the user's input or environment, stated in one line.

    The CLI prints `error: <message>` and exits non-zero without a traceback
    (`--debug` shows it). The message names the problem and what to do.
    """
