"""Freed host memory kept for the next step while a CPU fit, evaluate or predict runs.

Every training step allocates and frees the same activation and gradient buffers. With
glibc's default settings, freeing them returns the pages to the kernel (the heap's top is
trimmed above a threshold, and blocks past the mmap threshold are unmapped), so the next step
takes a page fault per 4 KiB page and the kernel zeroes each one again. Measured on a 2-core
Xeon, the keras.io MNIST convnet (batch 128) spent most of its ReLU forward and backward in
those faults: 25-27 ms a step, 19-20 ms with the memory kept. XLA (Keras on JAX) assigns a
compiled step's buffers once, and PyTorch's CUDA allocator caches device memory for the same
reason; on the CPU PyTorch uses plain malloc, so lamina sets malloc's thresholds for the call
(`mallopt`): blocks up to 32 MiB come from the heap, and the heap keeps up to 1 GiB it no
longer uses. Afterwards the thresholds are those glibc's own dynamic rule reaches after a
32 MiB block (mmap 32 MiB, trim 64 MiB) and the kept memory is handed back (`malloc_trim`).
Elsewhere than glibc this does nothing.

Example:
    >>> with keep_freed_memory():
    ...     activations = [bytearray(8 << 20) for _ in range(3)]  # reused, not re-faulted
"""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import platform

__all__ = ["keep_freed_memory"]

_M_TRIM_THRESHOLD = -1  # mallopt parameters, from glibc's malloc.h
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD_MAX = 32 << 20  # glibc's largest mmap threshold on 64-bit systems
_KEEP_WHILE_RUNNING = 1 << 30
_TRIM_AFTER = 2 * _MMAP_THRESHOLD_MAX  # what glibc's dynamic rule sets after a 32 MiB block
_depth = [0]


@contextlib.contextmanager
def keep_freed_memory():
    """Runs the block with freed heap memory kept for reuse (glibc); nests."""
    libc = _glibc()
    if libc is None:
        yield
        return
    if _depth[0] == 0:
        libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX)
        libc.mallopt(_M_TRIM_THRESHOLD, _KEEP_WHILE_RUNNING)
    _depth[0] += 1
    try:
        yield
    finally:
        _depth[0] -= 1
        if _depth[0] == 0:
            libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_AFTER)
            libc.malloc_trim(0)


@functools.cache
def _glibc():
    """The C library when it is glibc (with `mallopt`), else None; looked up once."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        return libc
    except (OSError, AttributeError):
        return None
