"""Denormal floats flushed to zero while a CPU fit, evaluate or predict runs, as JAX and
TensorFlow do.

A float32 below ~1.2e-38 is "denormal"; on many x86 CPUs arithmetic on one takes a slow
microcode path, ~100x a normal multiply. Training produces them: Adam's second moment of a
gradient that is almost zero, a ReLU net's vanishing activations. Measured on a 2-core Xeon,
tutorial 01's MLP went from 1.2 s/epoch in its first epoch to 2.4 s/epoch once its Adam state
held denormals, and stayed at 1.0-1.2 with them flushed. XLA (Keras on JAX) and TensorFlow run
their CPU kernels with flush-to-zero and denormals-are-zero set, so Keras' numbers already
treat such values as 0; lamina does the same, for the duration of the call only.

The MXCSR bits that do this belong to each thread, and PyTorch's `set_flush_denormal` sets
only the calling one's. The intra-op pool is OpenMP, so one parallel region running libm's
`fesetenv` with the calling thread's environment sets every pool thread's bits too
(`GOMP_parallel`, exported by libgomp and by LLVM's libomp; ~7 us); where no such library is
found only the calling thread is set.

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
import ctypes.util
import functools
import glob
import os

import numpy as np
import torch

__all__ = ["flush_denormals", "flushing"]


def flushing() -> bool:
    """Whether this thread flushes denormal results to zero now."""
    return bool(np.float32(1e-20) * np.float32(1e-19) == 0)


@contextlib.contextmanager
def flush_denormals():
    """Runs the block with denormals flushed to zero on this thread and the intra-op pool."""
    if flushing() or not torch.set_flush_denormal(True):  # already on, or not this CPU
        yield
        return
    threads = _pool_size()
    _set_pool(threads)
    try:
        yield
    finally:
        torch.set_flush_denormal(False)
        _set_pool(threads)


def _pool_size() -> int:
    # OpenMP keeps the threads of the largest team it started: the default count is the most
    # a process uses unless someone raised it.
    return max(torch.get_num_threads(), _DEFAULT_THREADS)


def _set_pool(threads: int) -> None:
    """Gives every pool thread the calling thread's floating-point environment (which
    `set_flush_denormal` has just set): libm's `fesetenv` run as the parallel region itself,
    so no Python runs on the pool threads."""
    parallel, libm = _gomp_parallel(), _libm()
    if parallel is None or libm is None or threads <= 1:
        return
    environment = ctypes.create_string_buffer(_FENV_BYTES)
    if libm.fegetenv(environment) == 0:
        parallel(ctypes.cast(libm.fesetenv, ctypes.c_void_p), environment, threads, 0)


_FENV_BYTES = 256  # larger than any C library's fenv_t
_DEFAULT_THREADS = torch.get_num_threads()


@functools.cache
def _libm():
    """The C maths library (`fegetenv`, `fesetenv`), or None; looked up once."""
    try:
        libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
        libm.fegetenv.argtypes = [ctypes.c_void_p]
        return libm
    except (OSError, AttributeError):
        return None


@functools.cache
def _gomp_parallel():
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
            parallel = ctypes.CDLL(candidate, mode=mode).GOMP_parallel
        except (OSError, AttributeError):
            continue
        parallel.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint, ctypes.c_uint]
        parallel.restype = None
        return parallel
    return None


_OPENMP_LIBRARIES = ("libgomp*.so*", "libomp*.so*", "libiomp5*.so*", "libomp*.dylib",
                     "libiomp5*.dylib")
