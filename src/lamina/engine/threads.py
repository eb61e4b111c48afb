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

import numpy as np
import torch

__all__ = ["MIN_TUNED_WORK", "MIN_WORK_PER_THREAD", "ThreadTuner", "available_cores",
           "candidate_threads", "choose_threads", "intra_op_threads", "step_work"]

# Multiply-adds per op below which a second thread costs more (wake-up, join) than it saves.
MIN_WORK_PER_THREAD = 2_000_000
# Multiply-adds from which a fit measures whether more threads pay: which side of the line
# tutorial 01's MLP (2.5M per step) falls on depends on the CPU — held at two threads its fit
# was 20% faster than at one on a 2-core Xeon, and slower at two on a 2-core AMD EPYC.
MIN_TUNED_WORK = 1_000_000


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
    """Multiply-adds of the model's largest weight op for one batch (a size estimate).

    A matmul weight is used once per sample; a convolution kernel once per output position,
    so its work is scaled by the layer's output size when the layer knows it.
    """
    largest = 0
    for module in model.modules():
        for parameter in module.parameters(recurse=False):
            if parameter.dim() >= 2:
                largest = max(largest, parameter.numel() * _positions(module, parameter))
    return largest * batch_size


def _positions(module, parameter) -> int:
    """Output positions a kernel slides over (1 for a matmul weight)."""
    if parameter.dim() < 3:
        return 1
    try:
        shape = module.output.shape
    except (AttributeError, ValueError, RuntimeError):
        return _UNKNOWN_POSITIONS
    spatial = [d for d in tuple(shape)[1:-1] if d is not None]
    return max(1, int(np.prod(spatial))) if spatial else _UNKNOWN_POSITIONS


# A convolution whose output size is unknown (a subclassed model) is assumed image-sized.
_UNKNOWN_POSITIONS = 100


def candidate_threads(work: int, cores: int | None = None, limit: int | None = None) -> list[int]:
    """The thread counts a `ThreadTuner` tries for ops of `work` multiply-adds.

    Example:
        >>> candidate_threads(7_500_000, cores=2, limit=2), candidate_threads(10_000, cores=2)
        ([1, 2], [1])
    """
    cores = available_cores() if cores is None else cores
    most = min(cores, _DEFAULT_THREADS if limit is None else limit)
    return [1, most] if most > 1 and work >= MIN_TUNED_WORK else [1]


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


class ThreadTuner:
    """Re-chooses the thread count of a CPU fit from the step times it measures.

    Whether a second thread helps depends on what the other processes do right now: on a
    2-core machine one W1 step took 1.1 ms on two threads and 1.3 ms on one while the machine
    was calm, and 25 ms on two threads as soon as another process took a core. So at the start
    of each epoch the tuner times short blocks of executions with each candidate count,
    interleaved (a shared machine's speed drifts over seconds, so timing one count after the
    other would compare two different machines), and keeps the count it has unless another's
    median step is `MARGIN` faster; while more than one thread runs, a watchdog falls back to
    one thread when steps become `SLOWDOWN` times slower than one thread's.

    Args:
        candidates: thread counts to try, e.g. `[1, 2]`; a single count disables tuning.
        preferred: the count to start from and keep on a tie (default: the first candidate).
        clock: seconds as a float (tests pass a fake one).

    Example:
        >>> tuner = ThreadTuner([1])
        >>> tuner.enabled, tuner.threads
        (False, 1)
    """

    BLOCK = 3  # timed executions per candidate and round (after one to settle)
    ROUNDS = 2  # interleaved rounds of blocks at each epoch start
    MARGIN = 0.05  # another count must be this much faster to replace the current one
    CHECK = 48  # executions between watchdog checks
    SLOWDOWN = 2.0

    def __init__(self, candidates: list[int], preferred: int | None = None, clock=None):
        import time

        self.candidates = sorted(set(candidates))
        self.enabled = len(self.candidates) > 1
        self.clock = clock or time.perf_counter
        self.threads = preferred if preferred in self.candidates else self.candidates[0]
        self.times: dict[int, float] = {}
        self._plan: list[int] = []
        self._probes: dict[int, list[float]] = {}
        self._kept = self.threads  # the count before this epoch's probes (kept on a tie)
        self._samples: list[float] = []
        self._last = None
        self._rest: dict[int, int] = {}  # count -> epochs it sits out (it stalled), and
        self._backoff: dict[int, int] = {}  # the rest it gets if it stalls again

    def epoch_begin(self) -> None:
        """Plans this epoch's probes: ROUNDS rounds of BLOCK + 1 executions per candidate."""
        if not self.enabled:
            return
        # The current count goes first, so a clear winner needs no switch before the probes;
        # a count that stalled sits out a number of epochs that doubles while it stalls.
        resting = {count for count, epochs in self._rest.items() if epochs > 0}
        self._rest = {count: epochs - 1 for count, epochs in self._rest.items() if epochs > 1}
        order = sorted((count for count in self.candidates
                        if count not in resting or count == self.threads),
                       key=lambda count: count != self.threads)
        self._plan = [count for _ in range(self.ROUNDS) for count in order
                      for _ in range(self.BLOCK + 1)]
        self._probes = {count: [] for count in self.candidates}
        self._kept = self.threads
        self._set(self._plan[0])

    def step(self) -> None:
        """Called after every execution: times it, and switches threads when due."""
        if not self.enabled:
            return
        now = self.clock()
        if self._last is not None:
            self._samples.append(now - self._last)
        self._last = now
        if self._plan:
            self._plan.pop(0)
            if self._plan and self._plan[0] == self.threads:
                if not self._stalls():
                    return
                # Threads waiting on a busy core: no more probes of this count for a while.
                self._plan = [count for count in self._plan if count != self.threads]
                self._backoff[self.threads] = min(16, 2 * self._backoff.get(self.threads, 1))
                self._rest[self.threads] = self._backoff[self.threads] // 2
            # The first sample after a switch still carries the switch: leave it out.
            self._probes[self.threads] += self._samples[1:]
            if self._plan:
                self._set(self._plan[0])
            else:
                self._set(self._decide())
            return
        if len(self._samples) >= self.CHECK:
            single = self.times.get(1)
            if self.threads > 1 and single is not None \
                    and _mean(self._samples) > self.SLOWDOWN * single:
                self._set(1)
            self._samples = []

    def _stalls(self) -> bool:
        """Whether this probe block's last two steps (not its first, which carries the
        switch) each took SLOWDOWN times one thread's median this epoch: a neighbour holds a
        core. (One slow step is not enough: a first parallel region starts its threads.)"""
        single = self._probes.get(1)
        if self.threads == 1 or not single or len(self._samples) < 3:
            return False
        limit = self.SLOWDOWN * _median(single)
        return self._samples[-1] > limit and self._samples[-2] > limit

    def _decide(self) -> int:
        """The kept count, unless another one's median step is MARGIN faster."""
        self.times = {count: _median(samples) for count, samples in self._probes.items()}
        fastest = min(self.times, key=self.times.get)
        if self.times[fastest] < (1.0 - self.MARGIN) * self.times[self._kept]:
            return fastest
        return self._kept

    def _set(self, count: int) -> None:
        if count != torch.get_num_threads():
            torch.set_num_threads(count)
        self.threads = count
        self._samples = []
        self._last = self.clock()


def _median(values: list[float]) -> float:
    return float(np.median(values)) if values else float("inf")


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("inf")


@contextlib.contextmanager
def intra_op_threads(threads: int):
    """Runs the block with `threads` intra-op threads, then restores the previous count
    (also when the block, a `ThreadTuner`, changed it again)."""
    previous = torch.get_num_threads()
    if threads != previous:
        torch.set_num_threads(threads)
    try:
        yield
    finally:
        if torch.get_num_threads() != previous:
            torch.set_num_threads(previous)


_DEFAULT_THREADS = torch.get_num_threads()
