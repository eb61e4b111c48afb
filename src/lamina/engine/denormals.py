"""Denormal floats flushed to zero while a CPU fit, evaluate or predict runs, as JAX and
TensorFlow do.

A float32 below ~1.2e-38 is "denormal"; on many x86 CPUs arithmetic on one takes a slow
microcode path, ~100x a normal multiply. Training produces them: Adam's second moment of a
gradient that is almost zero, a ReLU net's vanishing activations. Measured on a 2-core Xeon,
tutorial 01's MLP went from 1.2 s/epoch in its first epoch to 2.4 s/epoch once its Adam state
held denormals, and back to 1.2 with them flushed. XLA (Keras on JAX) and TensorFlow run
their CPU kernels with flush-to-zero and denormals-are-zero set, so Keras' numbers already
treat such values as 0; lamina does the same, for the duration of the call only.

The MXCSR bits that do this belong to each thread, and PyTorch's `set_flush_denormal` sets
only the calling one's. The intra-op pool is OpenMP, so one parallel region with a tiny
callback sets every pool thread's bits too (`GOMP_parallel`, exported by libgomp and by
LLVM's libomp); where no such library is found only the calling thread is set.

Example:
    >>> import numpy as np
    >>> with flush_denormals():
    ...     bool(np.float32(1e-20) * np.float32(1e-19) == 0)
    True
    >>> bool(np.float32(1e-20) * np.float32(1e-19) == 0)  # restored afterwards
    False
"""
from __future__ import annotations

import contextlib
import ctypes
import glob
import os

import numpy as np
import torch

__all__ = ["flush_denormals", "flushing"]


def flushing() -> bool:
    """Whether this thread flushes denormal results to zero now."""
    return bool(np.float32(1e-20) * np.float32(1e-19) == 0)


@contextlib.contextmanager
def flush_denormals(pool_threads: int | None = None):
    """Runs the block with denormals flushed to zero on this thread and the intra-op pool.

    Args:
        pool_threads: how many pool threads to set (default: the most this process uses);
            0 sets only the calling thread (cheap enough to do per batch).
    """
    if flushing() or not torch.set_flush_denormal(True):  # already on, or not this CPU
        yield
        return
    threads = _pool_size() if pool_threads is None else pool_threads
    _set_pool(True, threads)
    try:
        yield
    finally:
        torch.set_flush_denormal(False)
        _set_pool(False, threads)


def _pool_size() -> int:
    # OpenMP keeps the threads of the largest team it started: the default count is the most
    # a process uses unless someone raised it.
    return max(torch.get_num_threads(), _DEFAULT_THREADS)


def _set_pool(on: bool, threads: int) -> None:
    parallel = _gomp_parallel()
    if parallel is None or threads <= 1:
        return
    _REQUESTED[0] = on
    parallel(_CALLBACK, None, ctypes.c_uint(threads), ctypes.c_uint(0))


def _on_each_thread(_data) -> None:
    torch.set_flush_denormal(_REQUESTED[0])


_REQUESTED = [True]
_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(_on_each_thread)
_DEFAULT_THREADS = torch.get_num_threads()
_PARALLEL: list = []  # [GOMP_parallel or None], looked up once


def _gomp_parallel():
    if not _PARALLEL:
        _PARALLEL.append(_find_gomp_parallel())
    return _PARALLEL[0]


def _find_gomp_parallel():
    """`GOMP_parallel` of the OpenMP runtime PyTorch loaded, or None.

    Only a library already in the process is opened (RTLD_NOLOAD): loading a second OpenMP
    runtime would start a second pool, not reach PyTorch's.
    """
    if "OpenMP" not in torch.__config__.parallel_info():
        return None
    torch_dir = os.path.dirname(torch.__file__)
    folders = [os.path.join(torch_dir, "lib"), torch_dir + ".libs"]  # wheels bundle it here
    candidates = [path for folder in folders for pattern in _OPENMP_LIBRARIES
                  for path in sorted(glob.glob(os.path.join(folder, pattern)))]
    candidates += ["libgomp.so.1", "libomp.so", "libiomp5.so"]  # linked from the system
    mode = getattr(os, "RTLD_NOLOAD", None)
    if mode is None:
        return None
    for candidate in candidates:
        try:
            return ctypes.CDLL(candidate, mode=mode).GOMP_parallel
        except (OSError, AttributeError):
            continue
    return None


_OPENMP_LIBRARIES = ("libgomp*.so*", "libomp*.so*", "libiomp5*.so*", "libomp*.dylib",
                     "libiomp5*.dylib")
