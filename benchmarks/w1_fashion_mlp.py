"""W1 (DESIGN.md): the Fashion-MNIST MLP of tutorial 01 — lamina's fit vs a hand-written PyTorch loop.

Flatten -> Dense(100, relu) -> Dense(10, softmax), Adam, batch 32, the tutorial's 80/20 split.
Both run in this one process on the same tensors; the figure is the median seconds per epoch
after the first (steady state), with validation accuracy after the last epoch.

Usage:
    LAMINA_DATASETS=/path/to/datasets python benchmarks/w1_fashion_mlp.py --epochs 5
"""
from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np
import torch
from torch import nn

import lamina as keras


def load_split():
    (images, labels), _ = keras.datasets.fashion_mnist.load_data()
    images = (images / 255.0).astype(np.float32)
    order = np.random.default_rng(42).permutation(len(images))
    cut = int(len(images) * 0.8)
    train, val = order[:cut], order[cut:]
    return images[train], labels[train], images[val], labels[val]


class TorchLoop:
    """The plain PyTorch loop a practitioner writes: nn.Sequential, Adam, zero_grad/backward/step."""

    def __init__(self, x_train, y_train, device: str):
        torch.manual_seed(0)
        self.model = nn.Sequential(nn.Flatten(), nn.Linear(784, 100), nn.ReLU(),
                                   nn.Linear(100, 10)).to(device)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=1e-3, eps=1e-7)
        self.loss_fn = nn.CrossEntropyLoss()
        self.x = torch.as_tensor(x_train, device=device)
        self.y = torch.as_tensor(y_train, device=device).long()
        self.device = device

    def epoch(self) -> float:
        started = time.perf_counter()
        order = torch.randperm(len(self.x), device=self.device)
        for start in range(0, len(self.x), 32):
            index = order[start:start + 32]
            self.optimizer.zero_grad()
            loss = self.loss_fn(self.model(self.x[index]), self.y[index])
            loss.backward()
            self.optimizer.step()
        if self.device == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - started

    def accuracy(self, x_val, y_val) -> float:
        with torch.no_grad():
            predictions = self.model(torch.as_tensor(x_val, device=self.device)).argmax(1).cpu().numpy()
        return float((predictions == y_val).mean())


class EpochTimer(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.times = []

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self.started)


class LaminaFit:
    """The tutorial's Keras code; each `epoch()` is one `fit(epochs=1)` timed from inside fit."""

    def __init__(self, x_train, y_train):
        keras.utils.set_random_seed(0)
        self.model = keras.Sequential([
            keras.layers.Flatten(input_shape=(28, 28)),
            keras.layers.Dense(100, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ])
        self.model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                           metrics=["accuracy"])
        self.timer = EpochTimer()
        self.x, self.y = x_train, y_train

    def epoch(self) -> float:
        self.model.fit(self.x, self.y, epochs=1, batch_size=32, verbose=0, callbacks=[self.timer])
        return self.timer.times[-1]

    def accuracy(self, x_val, y_val) -> float:
        return self.model.evaluate(x_val, y_val, verbose=0)[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5, help="epochs per loop (the first is warm-up)")
    arguments = parser.parse_args()
    device = str(keras.backend.get_device())
    x_train, y_train, x_val, y_val = load_split()
    print(f"W1 on {device} ({platform.processor() or platform.machine()}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads), {arguments.epochs} epochs each, alternating")
    loops = {"hand-written torch": TorchLoop(x_train, y_train, device),
             "lamina fit": LaminaFit(x_train, y_train)}
    times = {name: [] for name in loops}
    # Epochs alternate between the two loops so that drifting machine load hits both alike.
    for _ in range(arguments.epochs):
        for name, loop in loops.items():
            times[name].append(loop.epoch())
    steady = {name: statistics.median(values[1:]) for name, values in times.items()}
    for name, loop in loops.items():
        print(f"{name:20s} {steady[name]:.3f} s/epoch (median of epochs 2-{arguments.epochs}; "
              f"all: {', '.join(f'{t:.2f}' for t in times[name])})  "
              f"val accuracy {loop.accuracy(x_val, y_val):.4f}")
    print(f"ratio lamina/torch: {steady['lamina fit'] / steady['hand-written torch']:.3f}")


if __name__ == "__main__":
    main()
