"""Where W4's training step goes: torch profiler over lamina's fit of the W4 model.

Embedding(10000, 32) -> LSTM(32) -> Dense(1, sigmoid), batch 64, sequences of 200 (the
synthetic IMDB-shaped task of w4_imdb_lstm.py). Prints the steady epoch time and the ops
that take the most self CPU time over 50 steps.

Usage:
    python benchmarks/profile_w4_step.py
"""
from __future__ import annotations

import time

import numpy as np
from torch.profiler import profile
from w4_imdb_lstm import LENGTH, VOCABULARY, synthetic_reviews

import lamina as keras


def main() -> None:
    x, y = synthetic_reviews(8000, np.random.default_rng(1))
    model = keras.Sequential([
        keras.Input((LENGTH,), dtype="int32"), keras.layers.Embedding(VOCABULARY, 32),
        keras.layers.LSTM(32), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x[:1280], y[:1280], batch_size=64, epochs=1, verbose=0)  # warm-up
    start = time.perf_counter()
    model.fit(x, y, batch_size=64, epochs=1, verbose=0)
    print(f"steady epoch: {time.perf_counter() - start:.3f} s for {len(x) // 64} steps")
    with profile() as profiler:
        model.fit(x[:3200], y[:3200], batch_size=64, epochs=1, verbose=0)
    print(profiler.key_averages().table(sort_by="self_cpu_time_total", row_limit=12))


if __name__ == "__main__":
    main()
