"""Conversion and core ops: `convert_to_tensor`, `shape`, `cast`, `cond`, `scatter`, ...

These are also the conversion helpers every other `lamina.ops` module uses: tensors pass
through untouched (the per-step fast path is one `isinstance`), while NumPy arrays, lists and
Python scalars become tensors on the device of the tensors they are combined with.

Example:
    >>> from lamina import ops
    >>> ops.shape(ops.convert_to_tensor([[1, 2, 3]]))
    (1, 3)
"""
from __future__ import annotations

import builtins
from collections.abc import Callable

import numpy as np
import torch

from lamina import backend

__all__ = [
    "convert_to_tensor", "convert_to_numpy", "array", "is_tensor", "shape", "ndim", "size",
    "dtype", "cast", "stop_gradient", "cond", "fori_loop", "while_loop", "map",
    "vectorized_map", "unstack", "get_item", "slice", "slice_update", "scatter",
    "scatter_update", "copy",
]

PY_SCALARS = (bool, int, float)
_INT32_RANGE = (-(2 ** 31), 2 ** 31)


def python_scalar_dtype(value) -> torch.dtype:
    """Keras' dtype for a Python scalar: bool, int32 (int64 when too large) or floatx."""
    if isinstance(value, bool):
        return torch.bool
    if isinstance(value, int):
        low, high = _INT32_RANGE
        return torch.int32 if low <= value < high else torch.int64
    return backend.torch_dtype(backend.floatx())


def tensor(x, device=None) -> torch.Tensor:
    """`x` as a tensor: tensors as they are, anything else converted onto `device`."""
    if isinstance(x, torch.Tensor):
        return x
    return _from_data(x, None, backend.get_device() if device is None else device)


def tensors(*values) -> list[torch.Tensor]:
    """All `values` as tensors, non-tensors placed on the device of the first tensor."""
    device = first_device(values)
    return [tensor(v, device) for v in values]


def operands(x1, x2):
    """Both operands of a binary op: tensors, or Python scalars where the other is a tensor.

    Python scalars stay scalars so torch applies its weak-scalar promotion (int tensor + 1.5
    is float32, float16 tensor + 1.5 stays float16), as Keras does, without creating a tensor.
    """
    if isinstance(x1, torch.Tensor):
        if isinstance(x2, (torch.Tensor, *PY_SCALARS)):
            return _int32_if_bool_meets_int(x1, x2), x2
        return x1, tensor(x2, x1.device)
    if isinstance(x2, torch.Tensor):
        if isinstance(x1, PY_SCALARS):
            return x1, _int32_if_bool_meets_int(x2, x1)
        return tensor(x1, x2.device), x2
    device = backend.get_device()
    return tensor(x1, device), tensor(x2, device)


def _int32_if_bool_meets_int(value, other):
    # torch makes a bool tensor and a Python int int64; Keras makes them int32.
    if value.dtype == torch.bool and type(other) is int:
        return value.to(torch.int32)
    return value


def first_device(values):
    """The device of the first tensor among `values` (lamina's device when there is none)."""
    for value in values:
        if isinstance(value, torch.Tensor):
            return value.device
    return backend.get_device()


def normalize_axis(axis, ndim: int) -> tuple[int, ...]:
    """A reduction `axis` (None, int, list or tuple) as a tuple of dims; None is every dim."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (list, tuple)):
        return tuple(axis)
    return (axis,)


def _from_data(x, dtype, device) -> torch.Tensor:
    if isinstance(x, PY_SCALARS):
        target = python_scalar_dtype(x) if dtype is None else backend.torch_dtype(dtype)
        # A fill kernel, not a host-to-device copy: no synchronisation, and CUDA-graph safe.
        return torch.full((), x, dtype=target, device=device)
    if isinstance(x, (list, tuple)):
        if any(isinstance(item, torch.Tensor) for item in x):
            stacked = torch.stack([tensor(item, device) for item in x])
            return stacked if dtype is None else stacked.to(backend.torch_dtype(dtype))
        array = np.asarray(x)
        if dtype is None and array.dtype == np.int64:
            dtype = "int32"  # Keras gives Python ints int32, as it does a Python int scalar
        return backend.to_tensor(array, dtype=dtype, device=device)
    _reject_symbolic(x)
    if isinstance(x, np.generic) and dtype is None:
        x = np.asarray(x)
    return backend.to_tensor(x, dtype=dtype, device=device)


def _reject_symbolic(x) -> None:
    if type(x).__name__ == "KerasTensor":
        raise TypeError(
            f"lamina.ops received a symbolic tensor {x!r} from `keras.Input`. Ops compute on "
            "data; to use them in a functional model, call them inside a custom Layer's `call` "
            "or wrap them in a `keras.layers.Lambda` layer.")


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None) -> torch.Tensor:
    """Converts a NumPy array, list, Python scalar or tensor to a tensor on lamina's device.

    Args:
        x: The data. Tensors keep their dtype; float64 NumPy data becomes float32 (floatx),
            Python ints int32 and Python floats float32, as in Keras.
        dtype: Target dtype (e.g. 'float32', 'int64'); None keeps the rules above.
        sparse: Unsupported: must be None or False.
        ragged: Unsupported: must be None or False.

    Returns:
        A torch tensor on `lamina.backend.get_device()`.

    Example:
        >>> convert_to_tensor(np.array([1.0, 2.0])).dtype
        torch.float32
    """
    if sparse or ragged:
        name = "sparse" if sparse else "ragged"
        raise ValueError(f"`{name}=True` is not supported by lamina (PyTorch dense tensors). "
                         f"Received: {name}={sparse if sparse else ragged}. Pass {name}=None.")
    device = backend.get_device()
    if isinstance(x, torch.Tensor):
        # A meta tensor comes from shape inference and must stay symbolic.
        if x.device.type != "meta" and x.device != device:
            x = x.to(device)
        return x if dtype is None else x.to(backend.torch_dtype(dtype))
    return _from_data(x, dtype, device)


array = convert_to_tensor


def convert_to_numpy(x) -> np.ndarray:
    """Copies a tensor (or a list of them) to a NumPy array on the host.

    Example:
        >>> convert_to_numpy(torch.ones(2))
        array([1., 1.], dtype=float32)
    """
    if isinstance(x, (list, tuple)):
        return np.array([backend.to_numpy(item) for item in x])
    array = backend.to_numpy(x)
    # A CPU tensor's NumPy view would change with the tensor (a variable updated in place
    # later); Keras returns a copy.
    if not isinstance(x, torch.Tensor) or x.device.type == "cpu":
        array = array.copy()
    return array


def is_tensor(x) -> bool:
    """Whether `x` is a torch tensor (a weight, `nn.Parameter`, counts).

    Example:
        >>> is_tensor(torch.ones(1)), is_tensor(np.ones(1))
        (True, False)
    """
    return isinstance(x, torch.Tensor)


def shape(x) -> tuple:
    """The shape of `x` as a tuple of ints (None for unknown dims of a symbolic tensor).

    Example:
        >>> shape(np.zeros((2, 3)))
        (2, 3)
    """
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


def ndim(x) -> int:
    """The number of axes of `x`.

    Example:
        >>> ndim(torch.zeros(2, 3))
        2
    """
    return len(shape(x))


def size(x) -> int:
    """The number of elements of `x`.

    Example:
        >>> size(torch.zeros(2, 3))
        6
    """
    return int(np.prod(shape(x), dtype=np.int64))


def dtype(x) -> str:
    """The dtype of `x` as Keras' string, e.g. 'float32'.

    Example:
        >>> dtype(torch.zeros(2, dtype=torch.int32))
        'int32'
    """
    value = getattr(x, "dtype", None)
    if value is None:
        value = tensor(x).dtype
    if isinstance(value, torch.dtype):
        return str(value).removeprefix("torch.")
    return value if isinstance(value, str) else np.dtype(value).name


def cast(x, dtype) -> torch.Tensor:
    """Casts `x` to `dtype` (a no-op when it already has it).

    Args:
        x: Input tensor or data.
        dtype: Target dtype, e.g. 'float32', 'int32', 'bool'.

    Returns:
        A tensor of `dtype` (gradients flow through float-to-float casts).

    Example:
        >>> cast(torch.tensor([1.7]), "int32")
        tensor([1], dtype=torch.int32)
    """
    if dtype is None:
        raise ValueError("`cast` needs a `dtype`, e.g. cast(x, 'float32'). Received: dtype=None.")
    return tensor(x).to(backend.torch_dtype(dtype))


def stop_gradient(variable) -> torch.Tensor:
    """The same values with no gradient flowing back (`detach`).

    Example:
        >>> stop_gradient(torch.ones(1, requires_grad=True)).requires_grad
        False
    """
    return tensor(variable).detach()


def cond(pred, true_fn: Callable, false_fn: Callable):
    """`true_fn()` if `pred` else `false_fn()`.

    A tensor `pred` is read on the host (one synchronisation); during shape inference on the
    meta device the true branch is taken, as Keras does.

    Example:
        >>> cond(True, lambda: 1, lambda: 2)
        1
    """
    if isinstance(pred, torch.Tensor) and pred.device.type == "meta":
        return true_fn()
    return true_fn() if pred else false_fn()


def fori_loop(lower: int, upper: int, body_fun: Callable, init_val):
    """Runs `val = body_fun(i, val)` for `i` in `range(lower, upper)`; returns `val`.

    Example:
        >>> fori_loop(0, 3, lambda i, v: v + i, 0)
        3
    """
    value = init_val
    for index in range(lower, upper):
        value = body_fun(index, value)
    return value


def while_loop(cond: Callable, body: Callable, loop_vars, maximum_iterations: int | None = None):
    """Repeats `loop_vars = body(*loop_vars)` while `cond(*loop_vars)` holds.

    Example:
        >>> while_loop(lambda i: i < 3, lambda i: i + 1, 0)
        3
    """
    is_sequence = isinstance(loop_vars, (list, tuple))
    values = tuple(loop_vars) if is_sequence else (loop_vars,)
    iteration = 0
    while (maximum_iterations is None or iteration < maximum_iterations) and cond(*values):
        values = body(*values)
        values = tuple(values) if isinstance(values, (list, tuple)) else (values,)
        iteration += 1
    return values if is_sequence else values[0]


def map(f: Callable, xs):
    """Applies `f` to each slice of `xs` along axis 0 and stacks the results.

    Example:
        >>> map(lambda row: row.sum(), torch.ones(2, 3))
        tensor([3., 3.])
    """
    return torch.stack([f(item) for item in tensor(xs)])


def vectorized_map(function: Callable, elements):
    """Maps `function` over axis 0 of `elements` with `torch.vmap` (one batched call).

    Example:
        >>> vectorized_map(lambda row: row * 2, torch.ones(2, 3)).shape
        torch.Size([2, 3])
    """
    return torch.vmap(function)(elements)


def unstack(x, num: int | None = None, axis: int = 0) -> list[torch.Tensor]:
    """Splits `x` along `axis` into a list of tensors with that axis removed.

    Example:
        >>> len(unstack(torch.zeros(3, 2)))
        3
    """
    return list(tensor(x).unbind(axis))


def get_item(x, key):
    """`x[key]` (NumPy-style indexing).

    Example:
        >>> get_item(torch.arange(4), 1)
        tensor(1)
    """
    return tensor(x)[key]


def _index_list(values, name: str) -> list[int]:
    if isinstance(values, torch.Tensor):
        return values.tolist()  # shapes and offsets are host values; a tensor here must be read
    if isinstance(values, int):
        return [values]
    try:
        return [int(v) for v in values]
    except TypeError:
        raise TypeError(f"`{name}` must be a list of ints. Received: {name}={values!r}.") from None


def slice(inputs, start_indices, shape) -> torch.Tensor:
    """The block of `inputs` that starts at `start_indices` and has `shape`.

    Example:
        >>> slice(torch.arange(10).reshape(2, 5), (0, 1), (2, 2))
        tensor([[1, 2],
                [6, 7]])
    """
    out = tensor(inputs)
    starts = _index_list(start_indices, "start_indices")
    sizes = _index_list(shape, "shape")
    for axis, (start, length) in enumerate(zip(starts, sizes)):
        out = out.narrow(axis, start, length)
    return out


def slice_update(inputs, start_indices, updates) -> torch.Tensor:
    """A copy of `inputs` with the block at `start_indices` replaced by `updates`.

    Example:
        >>> slice_update(torch.zeros(4), (1,), torch.ones(2))
        tensor([0., 1., 1., 0.])
    """
    source, new_values = tensors(inputs, updates)
    starts = _index_list(start_indices, "start_indices")
    index = tuple(builtins.slice(s, s + n) for s, n in zip(starts, new_values.shape))
    out = source.clone()
    out[index] = new_values.to(out.dtype)
    return out



def scatter(indices, values, shape) -> torch.Tensor:
    """A zeros tensor of `shape` with `values` added at `indices` (duplicates summed).

    Args:
        indices: Integer tensor of shape (N, k): each row indexes the first k axes.
        values: Tensor of shape (N,) + shape[k:].
        shape: The output shape.

    Example:
        >>> scatter([[0], [2], [0]], [1.0, 2.0, 3.0], (3,))
        tensor([4., 0., 2.])
    """
    values = tensor(values)
    index = tensor(indices, values.device).long()
    index = index.reshape(-1, index.shape[-1])
    zeros = torch.zeros(tuple(shape), dtype=values.dtype, device=values.device)
    rows = values.reshape((index.shape[0],) + tuple(shape)[index.shape[1]:])
    return zeros.index_put(tuple(index.unbind(-1)), rows, accumulate=True)


def scatter_update(inputs, indices, updates) -> torch.Tensor:
    """A copy of `inputs` with the entries at `indices` (shape (N, k)) set to `updates`.

    Example:
        >>> scatter_update(torch.zeros(3), [[1]], [5.0])
        tensor([0., 5., 0.])
    """
    source = tensor(inputs)
    index = tensor(indices, source.device).long()
    new_values = tensor(updates, source.device).to(source.dtype)
    return source.index_put(tuple(index.unbind(-1)), new_values)


def copy(x) -> torch.Tensor:
    """A copy of `x` (gradients flow to the original).

    Example:
        >>> copy(torch.ones(2))
        tensor([1., 1.])
    """
    return tensor(x).clone()
