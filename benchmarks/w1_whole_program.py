"""W1 whole program: tutorial 01's final program in a fresh process, lamina vs Keras 3 on JAX.

Runs tutorial01_program.py (load Fashion-MNIST, split, build, compile, `fit` 5 epochs with the
default progress output, evaluate) once per framework and round, alternating, each in a
fresh interpreter. The figure is the wall time from just before the interpreter is started to
the end of the last epoch (`fit` returning): interpreter start, imports, data loading,
building, compiling, tracing and all epochs — what a learner waits for. The table splits it
into import, data (load + scale + split), build + compile, and `fit`; accuracy is on the 20%
held out. Keras reads the same IDX files: the script points a temporary KERAS_HOME at the
Fashion-MNIST folder under LAMINA_DATASETS, so neither side downloads anything.

Usage:
    LAMINA_DATASETS=/path/to/datasets python benchmarks/w1_whole_program.py --rounds 3
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import keras_python, machine_line

PROGRAM = Path(__file__).with_name("tutorial01_program.py")
FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def keras_home_with_fashion_mnist(folder: str) -> str:
    """A KERAS_HOME whose datasets/fashion-mnist links to LAMINA_DATASETS' IDX files."""
    root = os.environ.get("LAMINA_DATASETS")
    source = Path(root).expanduser() / "fashion_mnist" if root else None
    if source is None or not all((source / name).exists() for name in FILES):
        raise SystemExit("Keras-jax needs the Fashion-MNIST IDX files in "
                         "$LAMINA_DATASETS/fashion_mnist (set LAMINA_DATASETS), or pass "
                         "--runners lamina")
    target = Path(folder) / "datasets" / "fashion-mnist"
    target.mkdir(parents=True)
    for name in FILES:
        (target / name).symlink_to(source / name)
    return folder


def run_program(python: str, framework: str, args, env: dict, log: Path) -> dict:
    """One fresh run; the wall-clock stamps of its phases, relative to the process start."""
    command = [python, str(PROGRAM), framework, str(args.epochs)]
    if args.subset:
        command.append(str(args.subset))
    started = time.time()
    with open(log, "w") as output:
        process = subprocess.run(command, stdout=output, stderr=subprocess.STDOUT, env=env,
                                 check=False)
    ended = time.time()
    stamps, accuracy = {}, float("nan")
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("@@bench "):
            parts = line.split()
            stamps[parts[1]] = float(parts[2]) - started
            for item in parts[3:]:
                if item.startswith("accuracy="):
                    accuracy = float(item.split("=", 1)[1])
    if process.returncode != 0 or "fit_end" not in stamps:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-12:])
        raise RuntimeError(f"{framework} program failed ({process.returncode}):\n{tail}")
    return {**stamps, "exit": ended - started, "accuracy": accuracy}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--subset", type=int, default=None,
                        help="the first N training images only (then split 80/20)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runners", default="lamina,keras",
                        help="comma-separated subset of: lamina, keras")
    parser.add_argument("--keras-python", default=None,
                        help="interpreter with keras and jax (see harness.py)")
    args = parser.parse_args()
    frameworks = [name.strip() for name in args.runners.split(",") if name.strip()]
    pythons = {"lamina": sys.executable}
    print(f"W1 whole program (tutorial 01's final model, {args.epochs} epochs"
          f"{f', {args.subset} images' if args.subset else ''}), fresh process per run, "
          f"{args.rounds} round(s)")
    if "keras" in frameworks:
        python, note = keras_python(args.keras_python)
        print(f"  {note}")
        if python is None:
            frameworks.remove("keras")
        else:
            pythons["keras"] = python
    print(f"  {machine_line()}")
    runs: dict[str, list[dict]] = {name: [] for name in frameworks}
    with tempfile.TemporaryDirectory(prefix="lamina-bench-") as folder:
        env = {**os.environ, "KERAS_BACKEND": "jax"}
        if "keras" in frameworks:
            env["KERAS_HOME"] = keras_home_with_fashion_mnist(os.path.join(folder, "keras"))
        for round_index in range(args.rounds):
            order = frameworks if round_index % 2 == 0 else frameworks[::-1]
            for name in order:
                result = run_program(pythons[name], name, args, env,
                                     Path(folder) / f"{name}.log")
                runs[name].append(result)
                print(f"  round {round_index + 1} {name}: start -> last epoch "
                      f"{result['fit_end']:.2f} s (import {result['imported']:.2f})", flush=True)
    print_table(runs)


def print_table(runs: dict[str, list[dict]]) -> None:
    """Medians over rounds of each phase; the ratio is of start -> last epoch."""
    def median(name, key):
        return statistics.median(run[key] for run in runs[name])

    def phase(name, start, end):
        return statistics.median(run[end] - run[start] for run in runs[name])

    print()
    print("| framework | start → last epoch s | import s | data s | build + compile s | fit s "
          "| process exit s | accuracy | ÷ keras-jax |")
    print("|---|---|---|---|---|---|---|---|---|")
    reference = median("keras", "fit_end") if runs.get("keras") else None
    for name in runs:
        total = median(name, "fit_end")
        ratio = f"{total / reference:.2f}" if reference else "—"
        print(f"| {'lamina' if name == 'lamina' else 'keras-jax'} | {total:.2f} | "
              f"{median(name, 'imported'):.2f} | {phase(name, 'imported', 'data'):.2f} | "
              f"{phase(name, 'data', 'compiled'):.2f} | {phase(name, 'compiled', 'fit_end'):.2f} | "
              f"{median(name, 'exit'):.2f} | {median(name, 'accuracy'):.4f} | {ratio} |")


if __name__ == "__main__":
    main()
