"""Keras' progress bar: `1875/1875 ━━━━━━━━━━━━━━━━━━━━ 3s 1ms/step - loss: 0.5087`.

Differences from Keras 3, on purpose:
- the live bar (carriage returns, colours) is drawn only when stdout is a
  terminal or a Jupyter/IPython kernel; elsewhere (logs, pipes, CI) each
  finished bar is printed once, as one plain line;
- with `keras.config.disable_interactive_logging()` each finished bar is one line of the
  `lamina` logger;
- metric values are read only when a line is rendered, so the training loop can
  pass device tensors without forcing a host sync at every step.
"""

from __future__ import annotations

import math
import sys
import time
from typing import Any, Iterable, Mapping

import numpy as np

from lamina.utils.io_utils import is_interactive_logging_enabled, print_msg

__all__ = ["Progbar", "is_interactive_output"]

_BOLD, _GREEN, _GREY, _RESET = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"
_BAR_CHAR = "━"


def is_interactive_output(stream: Any = None) -> bool:
    """Return True when `stream` (default: `sys.stdout`) can redraw a line in place.

    That is a terminal, or the output of a Jupyter/IPython kernel.

    Args:
        stream: A text stream; `sys.stdout` when omitted.

    Returns:
        Whether carriage returns redraw the current line there.

    Example:
        >>> import io
        >>> is_interactive_output(io.StringIO())
        False
    """
    stream = sys.stdout if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) or "ipykernel" in sys.modules


class Progbar:
    """Displays a progress bar, as `keras.utils.Progbar` does.

    Every value passed to `update` is displayed as given: lamina's engine passes
    running means it has already computed, so unlike Keras nothing is averaged
    here (every metric is treated as a Keras "stateful" metric).

    Args:
        target: Total number of steps expected, None if unknown.
        width: Width of the bar in characters.
        verbose: 0 (silent), 1 (bar) or 2 (one line when the bar finishes).
        interval: Minimum seconds between two redraws of the live bar.
        stateful_metrics: Accepted for Keras compatibility; all values are
            displayed as given anyway.
        unit_name: Name of one step in the time per step, e.g. "step" or "sample".

    Example:
        >>> bar = Progbar(3)
        >>> for step in range(1, 4):
        ...     bar.update(step, {"loss": 0.5})  # doctest: +ELLIPSIS
        3/3 ━━━━━━━━━━━━━━━━━━━━ 0s ...s/step - loss: 0.5000
    """

    def __init__(self, target: int | None, width: int = 20, verbose: int = 1,
                 interval: float = 0.05, stateful_metrics: Iterable[str] | None = None,
                 unit_name: str = "step") -> None:
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.stateful_metrics = set(stateful_metrics or ())
        self.unit_name = unit_name
        # Logged lines (interactive logging off) are never redrawn in place.
        self._dynamic_display = is_interactive_output() and is_interactive_logging_enabled()
        self._seen_so_far = 0
        self._values: dict[str, float] = {}
        self._pending_values: Any = None
        self._start = time.time()
        self._last_update = 0.0
        self._time_after_first_step: float | None = None
        self._prev_total_width = 0

    def update(self, current: int, values: Any = None, finalize: bool | None = None) -> None:
        """Record progress up to step `current` and redraw the bar when due.

        `values` is only stored by reference; it is read (and its tensors
        converted with `float`) only when a line is rendered.

        Args:
            current: Index of the current step (1-based count of steps done).
            values: Mapping or list of `(name, value)` pairs: numbers, 0-dim
                tensors or anything `float()` accepts, shown as given.
            finalize: Whether this is the last update; defaults to
                `current >= target` (False when the target is unknown).
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        if values is not None:
            self._pending_values = values
        self._seen_so_far = current
        now = time.time()
        time_per_unit = self._estimate_step_duration(current, now)
        if self.verbose == 1 and self._line_due(now, finalize):
            self._collect_values()
            self._write(self._verbose_1_line(current, now, time_per_unit, finalize))
            self._last_update = now
        elif self.verbose == 2 and finalize and self._has_target():
            self._collect_values()
            self._write(self._verbose_2_line(current, now, time_per_unit))

    def add(self, n: int, values: Any = None) -> None:
        """Advance the bar by `n` steps (see `update`).

        Args:
            n: Number of steps done since the last update.
            values: As in `update`.
        """
        self.update(self._seen_so_far + n, values)

    def _line_due(self, now: float, finalize: bool) -> bool:
        """Whether verbose=1 renders now: the final line, or a live redraw that is due."""
        if finalize:
            return True
        return self._dynamic_display and now - self._last_update >= self.interval

    def _has_target(self) -> bool:
        """Whether the number of steps is known (Keras shows `N/Unknown` otherwise)."""
        return self.target is not None and self.target > 0

    def _collect_values(self) -> None:
        """Read the latest values given to `update`; this is where devices sync."""
        values, self._pending_values = self._pending_values, None
        if values is None:
            return
        items = values.items() if isinstance(values, Mapping) else values
        for name, value in items:
            self._values[name] = _as_float(value)

    def _verbose_1_line(self, current: int, now: float, time_per_unit: float,
                        finalize: bool) -> str:
        """The bar line; styled and redrawn in place on a live display."""
        style = self._style if self._dynamic_display else _plain
        if self._has_target():
            numdigits = int(math.log10(self.target)) + 1
            count = f"{current:{numdigits}d}/{self.target}"
            filled = int(self.width * float(current) / self.target)
            bar = style(count, _BOLD) + " "
            if filled > 0:
                bar += style(_BAR_CHAR * filled, _GREEN)
            bar += style(_BAR_CHAR * (self.width - filled), _GREY)
        else:
            bar = f"{current:7d}/Unknown"
        if self._has_target() and not finalize:
            timing = _format_eta(time_per_unit * (self.target - current))
        else:
            timing = f"{now - self._start:.0f}s"
        line = bar + " " + style(timing, _BOLD) + _format_time(time_per_unit, self.unit_name)
        line += self._metrics_text(_format_value_v1)
        if not self._dynamic_display:
            return line + "\n"
        width = len(_strip_styles(line))
        padding = " " * max(self._prev_total_width - width, 0)
        self._prev_total_width = width
        return "\r" + line + padding + ("\n" if finalize else "")

    def _verbose_2_line(self, current: int, now: float, time_per_unit: float) -> str:
        """The single line printed when a bar finishes in verbose=2 mode."""
        numdigits = int(math.log10(self.target)) + 1
        line = f"{current:{numdigits}d}/{self.target} - {now - self._start:.0f}s"
        line += " -" + _format_time(time_per_unit, self.unit_name)
        return line + self._metrics_text(_format_value_v2) + "\n"

    def _metrics_text(self, format_value: Any) -> str:
        """` - name: value` for each metric, in the order first seen."""
        return "".join(f" - {name}: {format_value(value)}" for name, value in self._values.items())

    @staticmethod
    def _style(text: str, code: str) -> str:
        """Wrap `text` in an ANSI style."""
        return f"{code}{text}{_RESET}"

    def _write(self, message: str) -> None:
        """Write to the current `sys.stdout` (or the `lamina` logger, see `io_utils`)."""
        print_msg(message, line_break=False)

    def _estimate_step_duration(self, current: int, now: float) -> float:
        """Seconds per step, ignoring the (slower, warm-up) first step once there are more."""
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            time_per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            time_per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return time_per_unit


def _plain(text: str, code: str) -> str:
    """No styling (for logs and pipes)."""
    return text


def _strip_styles(text: str) -> str:
    """Remove the ANSI codes this module writes, to measure a line's width."""
    for code in (_BOLD, _GREEN, _GREY, _RESET):
        text = text.replace(code, "")
    return text


def _as_float(value: Any) -> float:
    """Convert a metric value to a Python float; arrays show their mean, as in Keras."""
    if getattr(value, "ndim", 0):
        if hasattr(value, "detach"):
            value = value.detach().cpu().numpy()
        value = np.mean(value)
    return float(value)


def _format_time(time_per_unit: float, unit_name: str) -> str:
    """` 1ms/step`: seconds, milliseconds or microseconds per unit, as Keras does."""
    if time_per_unit >= 1 or time_per_unit == 0:
        return f" {time_per_unit:.0f}s/{unit_name}"
    if time_per_unit >= 1e-3:
        return f" {time_per_unit * 1e3:.0f}ms/{unit_name}"
    return f" {time_per_unit * 1e6:.0f}us/{unit_name}"


def _format_eta(eta: float) -> str:
    """Remaining time: `1:02:03`, `2:03` or `42s`."""
    if eta > 3600:
        return "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
    if eta > 60:
        return "%d:%02d" % (eta // 60, eta % 60)
    return "%ds" % eta


def _format_value_v1(value: float) -> str:
    """Four decimals, or scientific notation for values of magnitude <= 1e-3."""
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def _format_value_v2(value: float) -> str:
    """Like verbose=1 but, as in Keras, without `abs`: negatives use scientific notation."""
    return f"{value:.4f}" if value > 1e-3 else f"{value:.4e}"
