"""Tests for lamina.engine.progbar: Keras 3's progress line, lazy about values."""

import io
import re
import sys
from collections.abc import Mapping

import pytest
import torch

from lamina.engine import progbar as progbar_module
from lamina.engine.progbar import Progbar, is_interactive_output

ANSI = re.compile(r"\x1b\[[0-9;]*m")
FULL_BAR = "━" * 20


class FakeClock:
    """Stands in for the `time` module inside progbar."""

    def __init__(self, now=1000.0):
        self.now = now

    def time(self):
        return self.now


class TtyStringIO(io.StringIO):
    def isatty(self):
        return True


class ExplodingValues(Mapping):
    """Values whose every access fails: reading them would be a device sync."""

    def __getitem__(self, key):
        raise AssertionError("values read between renders")

    def __iter__(self):
        raise AssertionError("values read between renders")

    def __len__(self):
        raise AssertionError("values read between renders")


class CountingValue:
    """A lazily materialised value that counts how often it is converted."""

    def __init__(self, value):
        self.value, self.reads = value, 0

    def __float__(self):
        self.reads += 1
        return self.value


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(progbar_module, "time", fake)
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    return fake


def use_tty(monkeypatch):
    """Make stdout a terminal; called in the test body because pytest's capture
    re-installs its own sys.stdout between fixture setup and the test call."""
    stream = TtyStringIO()
    monkeypatch.setattr(sys, "stdout", stream)
    return stream


def train_logs():
    return {"accuracy": torch.tensor(0.8228), "loss": torch.tensor(0.5087)}


def epoch_logs():
    return {**train_logs(), "val_accuracy": torch.tensor(0.85), "val_loss": torch.tensor(0.4249)}


def run_epoch(clock, bar, steps=1875, start=1000.0, first_step=1.0, total=3.0):
    """Drive `bar` as the engine does: per-step updates, then one finalize."""
    for step in range(1, steps + 1):
        clock.now = start + first_step + (total - first_step) * (step - 1) / (steps - 1)
        bar.update(step, train_logs(), finalize=False)
    bar.update(steps, epoch_logs(), finalize=True)


EXPECTED_V1 = ("1875/1875 " + FULL_BAR + " 3s 1ms/step - accuracy: 0.8228 - loss: 0.5087"
               " - val_accuracy: 0.8500 - val_loss: 0.4249\n")
EXPECTED_V2 = ("1875/1875 - 3s - 1ms/step - accuracy: 0.8228 - loss: 0.5087"
               " - val_accuracy: 0.8500 - val_loss: 0.4249\n")


def test_verbose_1_final_line_matches_keras(clock, capsys):
    run_epoch(clock, Progbar(1875))
    assert capsys.readouterr().out == EXPECTED_V1


def test_verbose_2_final_line_matches_keras(clock, capsys):
    run_epoch(clock, Progbar(1875, verbose=2))
    assert capsys.readouterr().out == EXPECTED_V2


def test_verbose_0_prints_nothing_and_reads_nothing(clock, capsys):
    bar = Progbar(10, verbose=0)
    for step in range(1, 11):
        bar.update(step, ExplodingValues())
    assert capsys.readouterr().out == ""


def test_non_tty_prints_one_plain_line_per_epoch(clock, capsys):
    for epoch in range(3):
        run_epoch(clock, Progbar(50), steps=50, start=1000.0 + 10 * epoch)
    out = capsys.readouterr().out
    assert out.count("\n") == 3
    assert "\r" not in out and "\b" not in out and "\x1b" not in out
    assert out.splitlines()[0].startswith("50/50 " + FULL_BAR + " 3s 41ms/step - accuracy: 0.8228")


def test_tty_redraws_with_carriage_returns_and_colours(clock, monkeypatch):
    tty = use_tty(monkeypatch)
    bar = Progbar(100, interval=0.05)
    for step in range(1, 101):
        clock.now = 1000.0 + 0.01 * step
        bar.update(step, {"loss": 0.5}, finalize=False)
    bar.update(100, {"loss": 0.25}, finalize=True)
    frames = tty.getvalue().split("\r")[1:]
    # A redraw every 5 steps of 10 ms, plus the first step and the final line.
    assert 18 <= len(frames) <= 23
    assert tty.getvalue().endswith("\n") and tty.getvalue().count("\n") == 1
    assert ANSI.sub("", frames[-1]) == "100/100 " + FULL_BAR + " 1s 10ms/step - loss: 0.2500\n"


def test_tty_partial_bar_eta_and_styles(clock, monkeypatch):
    tty = use_tty(monkeypatch)
    bar = Progbar(100)
    clock.now = 1001.0
    bar.update(1, {"loss": 1.0})
    clock.now = 1002.125
    bar.update(10, {"loss": 0.5})
    frame = tty.getvalue().split("\r")[-1]
    assert "\x1b[1m 10/100\x1b[0m \x1b[32m━━\x1b[0m\x1b[37m" + "━" * 18 + "\x1b[0m" in frame
    assert ANSI.sub("", frame) == " 10/100 ━━━━━━━━━━━━━━━━━━━━ 11s 125ms/step - loss: 0.5000"


def test_tty_pads_over_a_longer_previous_line(clock, monkeypatch):
    tty = use_tty(monkeypatch)
    bar = Progbar(10)
    bar.update(1, {"loss": 123.0})
    clock.now += 1
    bar.update(2, {"loss": 1.0})
    first, second = (ANSI.sub("", frame) for frame in tty.getvalue().split("\r")[1:])
    assert len(second) == len(first) and second.endswith("1.0000  ")


@pytest.mark.parametrize("eta_seconds, text", [(42, "42s"), (125, "2:05"), (3725, "1:02:05")])
def test_eta_formats(clock, monkeypatch, eta_seconds, text):
    tty = use_tty(monkeypatch)
    bar = Progbar(2, width=2)
    clock.now += eta_seconds
    bar.update(1)
    assert ANSI.sub("", tty.getvalue()) == f"\r1/2 ━━ {text} {eta_seconds}s/step"


@pytest.mark.parametrize("seconds_per_step, text", [
    (2.0, "2s/step"), (0.012, "12ms/step"), (0.0004, "400us/step"),
])
def test_time_per_step_units(clock, capsys, seconds_per_step, text):
    bar = Progbar(3, verbose=2)
    for step in range(1, 4):
        clock.now += seconds_per_step
        bar.update(step, finalize=step == 3)
    assert capsys.readouterr().out.split(" - ")[2] == text + "\n"


@pytest.mark.parametrize("verbose, value, text", [
    (1, 0.5, "0.5000"), (1, -0.5, "-0.5000"), (1, 1e-4, "1.0000e-04"), (1, 0.0, "0.0000e+00"),
    (2, 0.5, "0.5000"), (2, 1e-4, "1.0000e-04"),
    (2, -0.5, "-5.0000e-01"),  # Keras' verbose=2 compares without abs()
])
def test_value_formatting(clock, capsys, verbose, value, text):
    Progbar(1, verbose=verbose).update(1, [("loss", torch.tensor(value))])
    assert capsys.readouterr().out.endswith(f" - loss: {text}\n")


def test_values_are_shown_as_given_not_averaged(clock, capsys):
    bar = Progbar(3)
    bar.update(1, {"loss": 1.0})
    bar.update(2, {"loss": 0.0})
    bar.update(3, {"loss": 0.25})
    assert capsys.readouterr().out.endswith(" - loss: 0.2500\n")


def test_non_scalar_value_shows_its_mean(clock, capsys):
    Progbar(1).update(1, {"loss": torch.tensor([0.25, 0.75])})
    assert capsys.readouterr().out.endswith(" - loss: 0.5000\n")


def test_lazy_values_untouched_between_renders_non_tty(clock, capsys):
    bar = Progbar(10)
    for step in range(1, 10):
        clock.now += 1.0
        bar.update(step, ExplodingValues(), finalize=False)
    bar.update(10, {"loss": 0.5}, finalize=True)
    assert capsys.readouterr().out.endswith(" - loss: 0.5000\n")


def test_lazy_values_untouched_between_renders_tty(clock, monkeypatch):
    tty = use_tty(monkeypatch)
    bar = Progbar(10, interval=5.0)
    bar.update(1, {"loss": 0.5})  # the first update always renders
    for step in range(2, 10):
        clock.now += 0.5
        bar.update(step, ExplodingValues())
    clock.now += 1.5
    value = CountingValue(0.25)
    bar.update(10, {"loss": value})
    bar.update(10, finalize=True)
    assert value.reads == 1
    assert tty.getvalue().count("\r") == 3 and tty.getvalue().endswith("loss: 0.2500\n")


def test_lazy_values_untouched_before_verbose_2_finalize(clock, capsys):
    bar = Progbar(10, verbose=2)
    for step in range(1, 10):
        bar.update(step, ExplodingValues(), finalize=False)
    value = CountingValue(0.5)
    bar.update(10, {"loss": value}, finalize=True)
    assert value.reads == 1 and capsys.readouterr().out.endswith(" - loss: 0.5000\n")


def test_latest_values_rendered_when_finalize_has_none(clock, capsys):
    bar = Progbar(5)
    for step in range(1, 6):
        bar.update(step, {"loss": CountingValue(float(step))}, finalize=False)
    bar.update(5, finalize=True)
    assert capsys.readouterr().out.endswith(" - loss: 5.0000\n")


def test_unknown_target_non_tty(clock, capsys):
    bar = Progbar(None)
    for step in range(1, 6):
        clock.now = 1000.0 + (1.0 if step == 1 else 1.0 + 0.5 * (step - 1))
        bar.update(step, {"loss": 0.5})
    assert capsys.readouterr().out == ""
    clock.now = 1003.0
    bar.update(5, {"loss": 0.5}, finalize=True)
    assert capsys.readouterr().out == "      5/Unknown 3s 500ms/step - loss: 0.5000\n"


def test_unknown_target_tty_shows_elapsed_time(clock, monkeypatch):
    tty = use_tty(monkeypatch)
    bar = Progbar(None)
    clock.now += 2.0
    bar.update(1, {"loss": 0.5})
    assert ANSI.sub("", tty.getvalue()) == "\r      1/Unknown 2s 2s/step - loss: 0.5000"


def test_unknown_target_verbose_2_prints_nothing(clock, capsys):
    bar = Progbar(None, verbose=2)
    bar.update(5, {"loss": 0.5}, finalize=True)
    assert capsys.readouterr().out == ""


def test_add_advances_from_last_step(clock, capsys):
    bar = Progbar(4)
    bar.add(2, {"loss": 1.0})
    assert capsys.readouterr().out == ""
    bar.add(2, {"loss": 0.5})
    assert capsys.readouterr().out.startswith("4/4 " + FULL_BAR)


def test_legacy_encoding_falls_back_to_ascii_bar(clock, monkeypatch):
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="cp1252")
    monkeypatch.setattr(sys, "stdout", stream)
    Progbar(1, width=4).update(1, {"loss": 0.5})
    assert raw.getvalue().decode("cp1252") == "1/1 ==== 0s 0s/step - loss: 0.5000\n"


def test_is_interactive_output(monkeypatch):
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    assert is_interactive_output(TtyStringIO()) is True
    assert is_interactive_output(io.StringIO()) is False
    monkeypatch.setitem(sys.modules, "ipykernel", object())
    assert is_interactive_output(io.StringIO()) is True
