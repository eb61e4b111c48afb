"""The shared benchmark harness: one process per runner, epochs interleaved, one table.

A workload script (w1_fashion_mlp.py, w3_mnist_cnn.py, ...) defines a `Workload`: how to
prepare the data (in the coordinator, through `lamina.datasets`), the Keras model (built the
same way by lamina and by Keras 3 on JAX) and the hand-written PyTorch model and loss. The
coordinator writes the data to one `.npz` that every runner reads, so all runners train on
the same arrays; each runner runs in its own process (Keras-jax under its own interpreter).

A round starts one process per runner and lets them load and build side by side; then the
epochs are interleaved: runner A's epoch 1, runner B's epoch 1, ..., runner A's epoch 2, ...
Only one runner computes at a time (the others block on a pipe), so drifting machine load
hits all of them alike. Each round starts fresh processes, with the runners' order rotated.
lamina and Keras run one `fit(epochs=N)` call; a callback holds each epoch's start until the
coordinator says go, so the epochs are gated without splitting `fit` into several calls.

Reported per runner: steady seconds per epoch (median of the epochs after the first, then the
median over rounds), the first epoch (from the `fit` call to the end of epoch 1, so tracing
and compiling are in it), the final held-out accuracy, and the ratios of the steady figure to
the plain PyTorch loop and to Keras-jax.

Example (a workload script's main):
    >>> parser = argument_parser("W0: a doc line")
    >>> parser.parse_args(["--epochs", "3"]).epochs
    3
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["Workload", "argument_parser", "busy_neighbour", "keras_python", "machine_line",
           "print_table", "run_benchmark", "subset"]

PLAIN = "torch loop"
LAMINA = "lamina fit"
KERAS = "keras-jax fit"
RUNNERS = (PLAIN, LAMINA, KERAS)
_ALIASES = {"torch": PLAIN, "lamina": LAMINA, "keras": KERAS, "keras-jax": KERAS}
_PREFIX = "@@bench "
_DEFAULT_KERAS_PYTHON = "/work/kenv/bin/python"


@dataclasses.dataclass
class Workload:
    """What a benchmark trains; the hooks run in the runners' processes, so they import lazily.

    Attributes:
        name: the table's title, e.g. "W3 MNIST convnet".
        prepare: `prepare(args) -> dict of arrays` (x_train, y_train, x_val, y_val, plus an
            optional `note` string); runs in the coordinator (lamina's environment).
        keras_model: `keras_model(keras, config) -> compiled model`, called with `lamina`
            or with Keras 3 as `keras`: the same code for both.
        torch_setup: `torch_setup(data, config) -> (module, loss_fn, x, y, predict_labels)`:
            the hand-written PyTorch model, its loss on logits, the training tensors as the
            PyTorch user would hold them, and a function from validation arrays to labels.
        loss: the Keras loss name, for the table's header.
    """

    name: str
    prepare: Callable[[argparse.Namespace], dict]
    keras_model: Callable[[Any, dict], Any]
    torch_setup: Callable[[dict, dict], tuple]
    loss: str = ""


def argument_parser(description: str, *, epochs: int = 5, batch_size: int = 32,
                    rounds: int = 1) -> argparse.ArgumentParser:
    """The flags every workload script shares.

    Example:
        >>> argument_parser("W1", batch_size=256).parse_args([]).batch_size
        256
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--epochs", type=int, default=epochs,
                        help="epochs per runner and round (the first is warm-up; >= 2)")
    parser.add_argument("--subset", type=int, default=None,
                        help="train on the first N samples only (validation: N // 4)")
    parser.add_argument("--rounds", type=int, default=rounds,
                        help="fresh processes per runner; the runners' order rotates")
    parser.add_argument("--batch-size", type=int, default=batch_size)
    parser.add_argument("--runners", default="torch,lamina,keras",
                        help="comma-separated subset of: torch (the plain loop), lamina, keras")
    parser.add_argument("--keras-python", default=None,
                        help="interpreter with keras and jax (default: $KERAS_PYTHON, "
                             f"else {_DEFAULT_KERAS_PYTHON} when present)")
    parser.add_argument("--settle", type=float, default=0.3,
                        help="seconds between one runner's epoch and the next runner's, so "
                             "spinning thread pools of the runner just done go idle")
    parser.add_argument("--seed", type=int, default=0)
    return parser


def machine_line() -> str:
    """One line naming the machine, torch's threads and the load: the table's context."""
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    try:
        import torch
        torch_part = f"torch {torch.__version__} ({torch.get_num_threads()} threads)"
    except ImportError:
        torch_part = "torch absent"
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, {torch_part}, "
            f"Python {platform.python_version()}, load average {load}")


def keras_python(requested: str | None) -> tuple[str | None, str]:
    """The interpreter that runs Keras 3 on JAX, or None with the reason it is skipped."""
    candidate = requested or os.environ.get("KERAS_PYTHON")
    if candidate is None and Path(_DEFAULT_KERAS_PYTHON).exists():
        candidate = _DEFAULT_KERAS_PYTHON
    if candidate is None:
        return None, ("Keras-jax skipped: no interpreter with keras and jax "
                      "(pass --keras-python or set KERAS_PYTHON)")
    probe = subprocess.run(
        [candidate, "-c", "import keras, jax; print(keras.__version__, jax.__version__)"],
        env={**os.environ, "KERAS_BACKEND": "jax"}, capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["?"])[-1]
        return None, f"Keras-jax skipped: {candidate} cannot import keras and jax ({last})"
    keras_version, jax_version = probe.stdout.split()
    return candidate, f"Keras {keras_version} on JAX {jax_version} ({candidate})"


@contextlib.contextmanager
def busy_neighbour(count: int = 1):
    """`count` CPU-bound processes (a busy loop each) running while the block runs."""
    processes = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                 for _ in range(count)]
    try:
        time.sleep(0.2 if processes else 0)
        yield processes
    finally:
        for process in processes:
            process.kill()
            process.wait()


# ---------------------------------------------------------------- worker side (one runner)

class Gate:
    """The runner's end of the pipe: waits for "go" before each epoch and reports its time."""

    def __init__(self, channel):
        self.channel = channel
        self.started = None
        self.times: list[float] = []

    def send(self, kind: str, **values) -> None:
        self.channel.write(_PREFIX + json.dumps({"kind": kind, **values}) + "\n")
        self.channel.flush()

    def go(self) -> None:
        """Blocks until the coordinator lets this runner's next epoch start; starts the clock."""
        command = sys.stdin.readline().strip()
        if command != "go":
            raise SystemExit(f"benchmark worker: expected 'go', received {command!r}")
        self.started = time.perf_counter()

    def done(self) -> None:
        """Stops the clock on the epoch just finished and reports it."""
        self.times.append(time.perf_counter() - self.started)
        self.send("epoch", seconds=self.times[-1])


def _keras_fit(keras, data: dict, config: dict, gate: Gate) -> float:
    """lamina's or Keras' `fit` over all epochs in one call, gated per epoch by a callback."""
    keras.utils.set_random_seed(config["seed"])
    model = WORKLOAD_MODULE.WORKLOAD.keras_model(keras, config)

    class EpochGate(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch > 0:  # epoch 1's clock started before the fit call
                gate.go()

        def on_epoch_end(self, epoch, logs=None):
            float((logs or {}).get("loss", 0.0))  # the epoch's work is done (async backends)
            gate.done()

    gate.send("ready")
    gate.go()
    model.fit(data["x_train"], data["y_train"], batch_size=config["batch_size"],
              epochs=config["epochs"], verbose=0, callbacks=[EpochGate()])
    results = model.evaluate(data["x_val"], data["y_val"], batch_size=256, verbose=0,
                             return_dict=True)
    return float(results.get("accuracy", results.get("binary_accuracy", float("nan"))))


def _torch_loop(data: dict, config: dict, gate: Gate) -> float:
    """The plain PyTorch loop: Adam, zero_grad / backward / step over shuffled index batches."""
    import torch
    torch.manual_seed(config["seed"])
    module, loss_fn, x, y, predict_labels = WORKLOAD_MODULE.WORKLOAD.torch_setup(data, config)
    # eps as Keras' Adam default (torch's is 1e-8), so the three runners do the same math.
    optimizer = torch.optim.Adam(module.parameters(), lr=1e-3, eps=1e-7)
    batch_size = config["batch_size"]
    gate.send("ready")
    for _ in range(config["epochs"]):
        gate.go()
        module.train()
        order = torch.randperm(len(x))
        for start in range(0, len(x), batch_size):
            index = order[start:start + batch_size]
            optimizer.zero_grad()
            loss = loss_fn(module(x[index]), y[index])
            loss.backward()
            optimizer.step()
        loss.item()
        gate.done()
    module.eval()
    with torch.no_grad():
        predicted = predict_labels(module, data["x_val"])
    return float((np.asarray(predicted) == data["y_val"].reshape(-1)).mean())


WORKLOAD_MODULE = None  # the workload script, imported by path in a worker


def _worker(script: str, runner: str, data_path: str, config_json: str) -> None:
    global WORKLOAD_MODULE
    channel = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # whatever the frameworks print goes to stderr, not into the protocol
    sys.modules.setdefault("harness", sys.modules[__name__])
    spec = importlib.util.spec_from_file_location("benchmark_workload", script)
    WORKLOAD_MODULE = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(WORKLOAD_MODULE)
    config = json.loads(config_json)
    with np.load(data_path, allow_pickle=False) as archive:
        data = {key: archive[key] for key in archive.files}
    gate = Gate(channel)
    if runner == PLAIN:
        accuracy = _torch_loop(data, config, gate)
    elif runner == LAMINA:
        import lamina
        accuracy = _keras_fit(lamina, data, config, gate)
    else:
        import keras
        accuracy = _keras_fit(keras, data, config, gate)
    gate.send("finish", accuracy=accuracy)


# ---------------------------------------------------------------- coordinator side

class _Process:
    """One runner's process and its pipe."""

    def __init__(self, runner: str, python: str, script: str, data_path: str, config: dict,
                 log_path: Path):
        env = {**os.environ}
        if runner == KERAS:
            env["KERAS_BACKEND"] = "jax"
        self.runner = runner
        self.log_path = log_path
        self.log = open(log_path, "w")  # noqa: SIM115 (open while the process lives)
        self.process = subprocess.Popen(
            [python, __file__, "--worker", script, runner, data_path, json.dumps(config)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True,
            env=env)

    def receive(self, kind: str) -> dict:
        for line in self.process.stdout:
            if line.startswith(_PREFIX):
                message = json.loads(line[len(_PREFIX):])
                if message["kind"] != kind:
                    raise RuntimeError(f"{self.runner}: expected {kind}, got {message}")
                return message
        self.process.wait()
        self.log.flush()
        tail = "\n".join(self.log_path.read_text().splitlines()[-15:])
        raise RuntimeError(f"{self.runner} exited ({self.process.returncode}) before "
                           f"'{kind}'; its stderr ends:\n{tail}")

    def go(self) -> float:
        self.process.stdin.write("go\n")
        self.process.stdin.flush()
        return self.receive("epoch")["seconds"]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.log.close()


def _round(runners: list[tuple[str, str]], script: str, data_path: str, config: dict,
           settle: float, log_dir: Path) -> dict[str, dict]:
    """One round: a fresh process per runner, epochs interleaved; per runner times + accuracy."""
    processes = [_Process(name, python, script, data_path, config, log_dir / f"{i}.log")
                 for i, (name, python) in enumerate(runners)]
    results: dict[str, dict] = {}
    try:
        live = []
        for process in processes:
            try:
                process.receive("ready")
                live.append(process)
            except RuntimeError as error:
                results[process.runner] = {"error": str(error)}
        times = {process.runner: [] for process in live}
        for _ in range(config["epochs"]):
            for process in list(live):
                try:
                    times[process.runner].append(process.go())
                except RuntimeError as error:
                    results[process.runner] = {"error": str(error)}
                    live.remove(process)
                time.sleep(settle)
        for process in live:
            try:
                accuracy = process.receive("finish")["accuracy"]
                results[process.runner] = {"times": times[process.runner], "accuracy": accuracy}
            except RuntimeError as error:
                results[process.runner] = {"error": str(error)}
    finally:
        for process in processes:
            process.close()
    return results


def run_benchmark(workload: Workload, script: str, args: argparse.Namespace, *,
                  config: dict | None = None,
                  conditions: tuple[tuple[str, int], ...] = (("", 0),)) -> dict:
    """Prepares the data, runs `args.rounds` rounds per condition and prints the table.

    Args:
        workload: what to train.
        script: the workload script's path (the workers import it).
        args: the parsed flags of `argument_parser`.
        config: extra model settings passed to the hooks (e.g. hidden sizes).
        conditions: (label, busy neighbours) pairs; rounds cycle through them, so a quiet and a
            loaded round alternate when there are two.

    Returns:
        {(runner, condition label): {"steady": [...per round], "first": [...],
        "accuracy": [...], "errors": [...]}}.
    """
    if args.epochs < 2:
        raise SystemExit("--epochs must be >= 2: the first epoch is warm-up, the steady figure "
                         "is the median of the others")
    requested = [name.strip() for name in args.runners.split(",") if name.strip()]
    unknown = sorted(set(requested) - set(RUNNERS) - set(_ALIASES))
    if unknown:
        raise SystemExit(f"--runners: unknown {unknown}; expected names from "
                         f"{sorted(_ALIASES)} (or {list(RUNNERS)})")
    wanted = [_ALIASES.get(name, name) for name in requested]
    notes = []
    runners = []
    for name in wanted:
        if name == KERAS:
            python, note = keras_python(args.keras_python)
            notes.append(note)
            if python is None:
                continue
        else:
            python = sys.executable
        runners.append((name, python))
    data = workload.prepare(args)
    note = str(data.pop("note", ""))
    config = {"epochs": args.epochs, "batch_size": args.batch_size, "seed": args.seed,
              **(config or {})}
    print(f"{workload.name}: {len(data['x_train'])} training samples, "
          f"{len(data['x_val'])} held out, batch {args.batch_size}, {args.epochs} epochs, "
          f"{args.rounds} round(s) per condition")
    for line in [note, *notes, machine_line()]:
        if line:
            print(f"  {line}")
    sys.stdout.flush()
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="lamina-bench-") as folder:
        data_path = os.path.join(folder, "data.npz")
        np.savez(data_path, **data)
        for round_index in range(args.rounds):
            for label, neighbours in conditions:
                shift = round_index % len(runners)
                order = runners[shift:] + runners[:shift]
                with busy_neighbour(neighbours):
                    outcome = _round(order, os.path.abspath(script), data_path, config,
                                     args.settle, Path(folder))
                for name, result in outcome.items():
                    entry = results.setdefault((name, label), {"steady": [], "first": [],
                                                               "accuracy": [], "errors": [],
                                                               "all": []})
                    if "error" in result:
                        entry["errors"].append(result["error"])
                        continue
                    entry["steady"].append(statistics.median(result["times"][1:]))
                    entry["first"].append(result["times"][0])
                    entry["accuracy"].append(result["accuracy"])
                    entry["all"].append(result["times"])
                print(f"  round {round_index + 1}{' ' + label if label else ''}: " + "; ".join(
                    f"{name} " + (", ".join(f"{t:.2f}" for t in result["times"])
                                  if "times" in result else "failed")
                    for name, result in outcome.items()))
                sys.stdout.flush()
    print_table(results, [name for name, _ in runners], [label for label, _ in conditions])
    print(f"  (after: load average {', '.join(f'{v:.1f}' for v in os.getloadavg())})")
    return results


def _ratio(value: float | None, reference: float | None) -> str:
    if value is None or reference is None:
        return "—"
    return f"{value / reference:.2f}"


def print_table(results: dict, runners: list[str], labels: list[str]) -> None:
    """The Markdown table: steady s/epoch, spread over rounds, first epoch, accuracy, ratios."""
    steady = {key: statistics.median(entry["steady"]) if entry["steady"] else None
              for key, entry in results.items()}
    header = ["runner", "steady s/epoch", "rounds' range", "first epoch s", "accuracy",
              f"÷ {PLAIN}", f"÷ {KERAS}"]
    if len(labels) > 1:
        header.insert(1, "condition")
        header.append(f"÷ {labels[0] or 'first'}")
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for label in labels:
        for name in runners:
            entry = results.get((name, label))
            if entry is None:
                continue
            value = steady[(name, label)]
            if value is None:
                cells = [name, "failed", "", "", "", "", ""]
            else:
                cells = [name, f"{value:.3f}",
                         f"{min(entry['steady']):.3f}–{max(entry['steady']):.3f}",
                         f"{statistics.median(entry['first']):.2f}",
                         f"{statistics.median(entry['accuracy']):.4f}",
                         _ratio(value, steady.get((PLAIN, label))),
                         _ratio(value, steady.get((KERAS, label)))]
            if len(labels) > 1:
                cells.insert(1, label)
                cells.append(_ratio(value, steady.get((name, labels[0]))))
            print("| " + " | ".join(cells) + " |")
    for (name, label), entry in results.items():
        for error in entry["errors"][:1]:
            print(f"\n{name}{' ' + label if label else ''} failed: {error}")


def subset(data: dict, count: int | None) -> dict:
    """The first `count` training samples and `count // 4` held-out ones (all when None)."""
    if count is None:
        return data
    held_out = max(count // 4, 1)
    return {**data, "x_train": data["x_train"][:count], "y_train": data["y_train"][:count],
            "x_val": data["x_val"][:held_out], "y_val": data["y_val"][:held_out]}


if __name__ == "__main__" and len(sys.argv) == 6 and sys.argv[1] == "--worker":
    _worker(*sys.argv[2:])
