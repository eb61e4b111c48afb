"""Keras' dtype names and promotion rules: `standardize_dtype`, `result_type`,
`is_float_dtype`, `is_int_dtype`.

lamina computes in torch dtypes; these answer in Keras' dtype *names*, as Keras 3 does on its
torch backend (the JAX lattice, with 64-bit results narrowed to 32 bits).

Example:
    >>> result_type("int32", "float16"), result_type("bfloat16", float)
    ('float16', 'bfloat16')
"""
from __future__ import annotations

import functools

__all__ = ["standardize_dtype", "result_type", "is_float_dtype", "is_int_dtype",
           "ALLOWED_DTYPES"]

_INT_TYPES = ("uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64")
_FLOAT8_TYPES = ("float8_e4m3fn", "float8_e5m2")
ALLOWED_DTYPES = ("float16", "float32", "float64") + _INT_TYPES + (
    "bfloat16", "bool", "string") + _FLOAT8_TYPES + ("complex64", "complex128")
# Keras off TensorFlow: Python ints are int32, complex numbers complex64.
_PYTHON_DTYPES = {bool: "bool", int: "int32", float: "float32", str: "string", "int": "int32",
                  complex: "complex64"}
_NARROWED = {"int64": "int32", "uint64": "uint32", "float64": "float32",
             "complex128": "complex64"}


def _floatx() -> str:
    from lamina import backend  # the backend re-exports this module

    return backend.floatx()


def standardize_dtype(dtype) -> str:
    """Keras' name of a dtype: 'float32' from np.float32, torch.float32, 'float32' or float.

    Args:
        dtype: A name, a NumPy or torch dtype, a Python type, or None (meaning floatx).

    Returns:
        The dtype's name, one of Keras' allowed dtypes.

    Raises:
        ValueError: `dtype` is not a dtype Keras knows.

    Example:
        >>> import torch
        >>> standardize_dtype(torch.bfloat16), standardize_dtype(int), standardize_dtype(None)
        ('bfloat16', 'int32', 'float32')
    """
    if dtype is None:
        return _floatx()
    dtype = _PYTHON_DTYPES.get(dtype, dtype)
    if hasattr(dtype, "name"):
        dtype = dtype.name
    elif hasattr(dtype, "__name__"):
        dtype = dtype.__name__
    elif "torch" in str(dtype):
        dtype = str(dtype).split(".")[-1]
    if dtype not in ALLOWED_DTYPES:
        raise ValueError(f"Invalid dtype: {dtype}")
    return dtype


def is_float_dtype(dtype) -> bool:
    """Whether `dtype` is a floating type ('float16' ... 'float64', 'bfloat16', float8).

    Example:
        >>> is_float_dtype("bfloat16"), is_float_dtype("int8")
        (True, False)
    """
    dtype = standardize_dtype(dtype)
    return dtype.startswith("float") or dtype.startswith("bfloat")


def is_int_dtype(dtype) -> bool:
    """Whether `dtype` is a signed or unsigned integer type.

    Example:
        >>> is_int_dtype("uint8"), is_int_dtype(bool)
        (True, False)
    """
    dtype = standardize_dtype(dtype)
    return dtype.startswith("int") or dtype.startswith("uint")


def _promotion_lattice() -> dict:
    """Each type and the types directly above it ('int' and 'float' are Python's weak types)."""
    return {
        "bool": ["int"], "uint8": ["int16", "uint16"], "uint16": ["int32", "uint32"],
        "uint32": ["int64", "uint64"], "uint64": ["float"], "int": ["uint8", "int8", "complex64"],
        "int8": ["int16"], "int16": ["int32"], "int32": ["int64"], "int64": ["float"],
        "float": ["bfloat16", "float16"], "bfloat16": ["float32"], "float16": ["float32"],
        "float32": ["float64", "complex64"], "float64": ["complex128"],
        "complex64": ["complex128"], "complex128": [],
    }


def _upper_bounds() -> dict:
    lattice = _promotion_lattice()
    bounds = {node: {node} for node in lattice}
    for node in lattice:
        while True:
            above = set().union(*(lattice[b] for b in bounds[node]))
            if above <= bounds[node]:
                break
            bounds[node] |= above
    return bounds


_UPPER_BOUNDS = _upper_bounds()


@functools.lru_cache(512)
def _least_upper_bound(*nodes) -> str:
    nodes = set(nodes)
    unknown = [n for n in nodes if n not in _UPPER_BOUNDS]
    if unknown:
        dtype = unknown[0]
        raise ValueError(f"{dtype=} is not a valid dtype for Keras type promotion.")
    common = set.intersection(*(_UPPER_BOUNDS[n] for n in nodes))
    least = (common & nodes) or {c for c in common if common <= _UPPER_BOUNDS[c]}
    if len(least) != 1:
        raise ValueError(f"Input dtypes {tuple(str(n) for n in nodes)} have no available "
                         "implicit dtype promotion path. Try explicitly casting inputs to the "
                         "desired output type.")
    return least.pop()


def _weak(dtype: str) -> str:
    if dtype == "bool":
        return dtype
    for kind in ("float", "int", "complex"):
        if kind in dtype:
            return kind
    raise ValueError(f"Invalid value for argument `dtype`. Expected one of {ALLOWED_DTYPES}. "
                     f"Received: dtype={dtype}")


def _resolve_weak(dtype: str, precision: str) -> str:
    indicator = "f" if dtype == "bfloat16" else dtype[:1]
    if indicator == "b":
        return "bool"
    if indicator == "i":
        return f"int{precision}"
    if indicator == "u":
        return f"uint{precision}"
    return f"float{precision}"


def result_type(*dtypes) -> str:
    """The dtype Keras' promotion rules give for `dtypes` (as `jnp.result_type`, but 64-bit
    results become 32-bit, as Keras does off TensorFlow).

    Python `int` and `float` are weak: they adopt the other operand's precision.

    Args:
        *dtypes: Dtypes (names, NumPy or torch dtypes, Python types); None means floatx.

    Returns:
        The resulting dtype name; floatx when no dtype is given.

    Raises:
        ValueError: a float8 dtype (never promoted implicitly) or a pair with no common type.

    Example:
        >>> result_type("int8", "uint8"), result_type("int32", float), result_type("bool", int)
        ('int16', 'float32', 'int32')
    """
    if not dtypes:
        return _floatx()
    if any(d in _FLOAT8_TYPES for d in dtypes if isinstance(d, str)):
        raise ValueError("There is no implicit conversions from float8 dtypes to others. You "
                         f"must cast it internally. Received: {dtypes}")
    dtypes = [_floatx() if d is None else d for d in dtypes]
    names = [standardize_dtype(d) for d in dtypes]
    weak = [d is int or d is float for d in dtypes]
    if len(names) == 1:
        out, out_weak = names[0], weak[0]
    elif len(set(names)) == 1 and not all(weak):
        out, out_weak = names[0], False
    elif all(weak):
        out, out_weak = _least_upper_bound(*set(names)), True
    else:
        out = _least_upper_bound(*{_weak(n) if w else n for n, w in zip(names, weak)})
        out_weak = out in ("int", "float")
    if out != "bool" and out_weak:
        out = _resolve_weak(out, _floatx()[-2:])
    return _NARROWED.get(out, out)
