"""W1 (DESIGN.md): the Fashion-MNIST MLP of tutorial 01 — lamina's fit vs a hand-written PyTorch loop.

Flatten -> Dense(100, relu) -> Dense(10, softmax), Adam, batch 32, the tutorial's 80/20 split.
Both run in this one process on the same tensors; the figure is the median seconds per epoch
after the first (steady state), with validation accuracy after the last epoch.

Usage:
    LAMINA_DATASETS=../shared/datasets python benchmarks/w1_fashion_mlp.py --epochs 5
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


def torch_loop(x_train, y_train, x_val, y_val, epochs: int, device: str):
    """The plain PyTorch loop a practitioner writes: nn.Sequential, Adam, zero_grad/backward/step."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 10)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.as_tensor(x_train, device=device)
    y = torch.as_tensor(y_train, device=device).long()
    times = []
    for _ in range(epochs):
        started = time.perf_counter()
        order = torch.randperm(len(x), device=device)
        for start in range(0, len(x), 32):
            index = order[start:start + 32]
            optimizer.zero_grad()
            loss = loss_fn(model(x[index]), y[index])
            loss.backward()
            optimizer.step()
        if device == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - started)
    with torch.no_grad():
        predictions = model(torch.as_tensor(x_val, device=device)).argmax(1).cpu().numpy()
    return times, float((predictions == y_val).mean())


class EpochTimer(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.times = []

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self.started)


def lamina_fit(x_train, y_train, x_val, y_val, epochs: int):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.layers.Flatten(input_shape=(28, 28)),
        keras.layers.Dense(100, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    timer = EpochTimer()
    model.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=0, callbacks=[timer])
    _, accuracy = model.evaluate(x_val, y_val, verbose=0)
    return timer.times, accuracy


def steady(times: list[float]) -> float:
    return statistics.median(times[1:]) if len(times) > 1 else times[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=1, help="alternate the two loops this many times")
    arguments = parser.parse_args()
    device = str(keras.backend.get_device())
    x_train, y_train, x_val, y_val = load_split()
    print(f"W1 on {device} ({platform.processor() or platform.machine()}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads), {arguments.epochs} epochs x {arguments.rounds} rounds")
    torch_times, lamina_times = [], []
    for _ in range(arguments.rounds):
        times, torch_accuracy = torch_loop(x_train, y_train, x_val, y_val, arguments.epochs, device)
        torch_times.append(steady(times))
        times, lamina_accuracy = lamina_fit(x_train, y_train, x_val, y_val, arguments.epochs)
        lamina_times.append(steady(times))
    torch_s, lamina_s = min(torch_times), min(lamina_times)
    print(f"hand-written torch: {torch_s:.3f} s/epoch  val accuracy {torch_accuracy:.4f}")
    print(f"lamina fit:         {lamina_s:.3f} s/epoch  val accuracy {lamina_accuracy:.4f}")
    print(f"ratio lamina/torch: {lamina_s / torch_s:.3f}")


if __name__ == "__main__":
    main()
