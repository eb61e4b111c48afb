"""How many intra-op threads a CPU fit uses, chosen from the model's op sizes and free cores.

PyTorch's default pool has one thread per core. A small op split across threads waits for the
slowest of them, and when another process holds a core that thread is descheduled: a plain
loop of small matmuls was measured going from ~0.9 to ~30 s/epoch on a 2-core machine with one
busy neighbour. So a fit uses several threads only where each op has enough work to share and
cores are actually free (affinity mask, load average); the user's own setting is restored after.

Example:
    >>> choose_threads(work=10_000, cores=8, load=0.0, limit=8)[0]
    1
    >>> choose_threads(work=50_000_000, cores=8, load=0.0, limit=8)[0]
    8
    >>> choose_threads(work=50_000_000, cores=2, load=2.0, limit=2)
    (1, '1 of 2 cores are busy (load 2.0)')
"""
from __future__ import annotations

import contextlib
import os

import torch

__all__ = ["MIN_WORK_PER_THREAD", "available_cores", "choose_threads", "intra_op_threads",
           "step_work"]

# Multiply-adds per op below which a second thread costs more (wake-up, join) than it saves.
MIN_WORK_PER_THREAD = 4_000_000


def available_cores() -> int:
    """Cores this process may run on (its affinity mask, which containers narrow)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _load() -> float:
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return 0.0


def step_work(model, batch_size: int) -> int:
    """Multiply-adds of the model's largest weight matmul for one batch (a size estimate)."""
    largest = 0
    for parameter in model.parameters():
        if parameter.dim() >= 2:
            largest = max(largest, parameter.numel())
    return largest * batch_size


def choose_threads(work: int, cores: int | None = None, load: float | None = None,
                   limit: int | None = None) -> tuple[int, str]:
    """Threads for ops of `work` multiply-adds, and why (for the verbose line).

    Args:
        work: multiply-adds of the step's largest op (`step_work`).
        cores: cores available (default: the affinity mask).
        load: the 1-minute load average (default: the system's). This process' own runnable
            thread counts in it, so one unit of load is taken as ours.
        limit: at most this many threads (default: `torch.get_num_threads()` at import).

    Returns:
        `(threads, reason)`.
    """
    cores = available_cores() if cores is None else cores
    load = _load() if load is None else load
    limit = _DEFAULT_THREADS if limit is None else limit
    free = max(1, min(cores, limit, int(cores - max(0.0, load - 1.0) + 0.5)))
    by_work = max(1, work // MIN_WORK_PER_THREAD)
    threads = int(min(free, by_work))
    if threads == 1 and by_work == 1 and free > 1:
        reason = "its ops are small"
    elif threads < min(cores, limit):
        reason = f"{cores - free} of {cores} cores are busy (load {load:.1f})"
    else:
        reason = "its ops are large enough to share"
    return threads, reason


@contextlib.contextmanager
def intra_op_threads(threads: int):
    """Runs the block with `threads` intra-op threads, then restores the previous count."""
    previous = torch.get_num_threads()
    if threads == previous:
        yield
        return
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


_DEFAULT_THREADS = torch.get_num_threads()
