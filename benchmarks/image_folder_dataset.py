"""Loading Fashion-MNIST from PNG folders with image_dataset_from_directory, one epoch of it.

Writes the 60 000 training images as PNGs into class sub-folders (once, into --folder), then
times, in a fresh dataset each run: listing the folder (`image_dataset_from_directory`, which
prints its "Found ..." line) and iterating one epoch of batches of 32. It reports wall seconds
and CPU seconds (this process plus the reader worker processes), the second being a floor for
the wall time on a quiet machine with that many cores.

Usage:
    LAMINA_DATASETS=/path/to/datasets python benchmarks/image_folder_dataset.py --runs 3
"""
from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

import lamina as keras
import lamina.utils  # imported before the clock starts: importing torch is not loading images


def write_pngs(folder: Path) -> None:
    (images, labels), _ = keras.datasets.fashion_mnist.load_data()
    for label in range(10):
        (folder / str(label)).mkdir(parents=True, exist_ok=True)
    for index, (image, label) in enumerate(zip(images, labels)):
        keras.utils.save_img(folder / str(label) / f"{index:05d}.png", image[..., None], scale=False)


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the finished DataLoader workers
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def one_run(folder: Path) -> tuple[float, float, float, int]:
    wall, cpu = time.perf_counter(), cpu_seconds()
    ds = keras.utils.image_dataset_from_directory(folder, color_mode="grayscale", image_size=(28, 28),
                                                  batch_size=32, seed=1)
    listed = time.perf_counter() - wall
    count = sum(len(labels) for _, labels in ds)
    return listed, time.perf_counter() - wall, cpu_seconds() - cpu, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=Path("/tmp/lamina_fashion_mnist_png"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not (args.folder / "9").is_dir():
        started = time.perf_counter()
        write_pngs(args.folder)
        print(f"wrote 60000 PNGs to {args.folder} in {time.perf_counter() - started:.1f} s")
    print(f"cores: {len(os.sched_getaffinity(0))}, load average: {os.getloadavg()[0]:.1f}")
    for run in range(args.runs):
        listed, total, cpu, count = one_run(args.folder)
        print(f"run {run + 1}: {count} images, listing {listed:.2f} s, listing + one epoch "
              f"{total:.2f} s wall, {cpu:.2f} s CPU")


if __name__ == "__main__":
    main()
