"""Freed host memory kept for reuse while fit/evaluate/predict run (glibc's malloc)."""
import resource

import numpy as np
import pytest
import torch

import lamina
from lamina.engine import host_memory

glibc_only = pytest.mark.skipif(host_memory._glibc() is None,
                                reason="mallopt is glibc's; elsewhere the block changes nothing")


def _faults_per_step(steps: int = 12, floats: int = 4 << 20) -> float:
    """Page faults per allocate-touch-free of a 16 MiB tensor, after two warm-up ones."""
    for _ in range(2):
        torch.ones(floats)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(steps):
        buffer = torch.ones(floats)  # touches every page
        del buffer
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / steps


def _resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


@glibc_only
def test_a_freed_buffer_is_reused_without_new_page_faults():
    with host_memory.keep_freed_memory():
        faults = _faults_per_step()
    # 16 MiB is 4096 pages: fresh memory each step would fault on every one of them.
    assert faults < 100


@glibc_only
def test_the_kept_memory_is_handed_back_when_the_block_ends():
    with host_memory.keep_freed_memory():
        buffers = [torch.ones(4 << 20) for _ in range(12)]  # 12 x 16 MiB, from the heap
        del buffers
        kept = _resident_bytes()
    assert _resident_bytes() < kept - (128 << 20)  # most of the 192 MiB left the process


@glibc_only
def test_blocks_nest_and_only_the_outer_one_hands_memory_back():
    with host_memory.keep_freed_memory():
        with host_memory.keep_freed_memory():
            pass
        assert host_memory._depth[0] == 1
        assert _faults_per_step() < 100  # the inner end did not reset the thresholds
    assert host_memory._depth[0] == 0


@glibc_only
def test_fit_runs_with_the_memory_kept_and_ends_without_it():
    seen = []

    class Probe(lamina.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(host_memory._depth[0])

        def on_test_batch_end(self, batch, logs=None):
            seen.append(host_memory._depth[0])

    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((4, 3), "float32"), np.ones((4, 1), "float32")
    model.fit(x, y, batch_size=2, epochs=1, verbose=0, validation_data=(x, y), callbacks=[Probe()])
    model.evaluate(x, y, batch_size=2, verbose=0, callbacks=[Probe()])
    assert seen == [1, 1, 1, 1, 1, 1]  # fit's validation nests inside fit's own block
    assert host_memory._depth[0] == 0
