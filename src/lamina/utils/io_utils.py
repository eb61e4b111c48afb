"""Where lamina's messages go: stdout (interactive logging, the default) or Python `logging`.

`keras.config.disable_interactive_logging()` sends the progress bar, the `Epoch i/n` lines
and the callbacks' messages to the `lamina` logger at INFO level instead of stdout, as Keras
sends them to `absl.logging` (the choice for training jobs on a server).

Example:
    >>> disable_interactive_logging()
    >>> is_interactive_logging_enabled()
    False
    >>> enable_interactive_logging()
    >>> print_msg("Epoch 1/5")
    Epoch 1/5
"""
from __future__ import annotations

import logging
import sys

__all__ = ["disable_interactive_logging", "enable_interactive_logging",
           "is_interactive_logging_enabled", "print_msg"]

_logger = logging.getLogger("lamina")
_interactive_logging = True
_BAR_CHAR = "━"


def enable_interactive_logging() -> None:
    """Sends lamina's messages (progress bars, callbacks) to stdout, the default."""
    global _interactive_logging
    _interactive_logging = True


def disable_interactive_logging() -> None:
    """Sends lamina's messages to the `lamina` logger (INFO) instead of stdout."""
    global _interactive_logging
    _interactive_logging = False


def is_interactive_logging_enabled() -> bool:
    """Whether lamina's messages go to stdout (True) or to the `lamina` logger (False)."""
    return _interactive_logging


def print_msg(message, line_break: bool = True) -> None:
    """Writes `message` to stdout (and flushes), or logs it when interactive logging is off.

    Args:
        message: the text; converted with `str`.
        line_break: whether to end the message with a newline on stdout.
    """
    message = str(message)
    if not _interactive_logging:
        _logger.info(message.strip("\r\n"))
        return
    if line_break:
        message += "\n"
    stream = sys.stdout
    try:
        stream.write(message)
    except UnicodeEncodeError:
        # Consoles with a legacy encoding (e.g. cp1252) cannot show the bar.
        encoding = getattr(stream, "encoding", None) or "ascii"
        message = message.replace(_BAR_CHAR, "=")
        stream.write(message.encode(encoding, errors="replace").decode(encoding))
    stream.flush()
