"""Device, dtype, seeds and NumPy <-> torch conversion: the only device logic in lamina.

Example:
    >>> import lamina
    >>> lamina.backend.to_tensor([[1, 2]], dtype="float32").dtype
    torch.float32
"""
from __future__ import annotations

import contextlib
import numbers
import os
import threading

import numpy as np
import torch

__all__ = [
    "backend", "image_data_format", "set_image_data_format", "epsilon", "set_epsilon", "floatx",
    "set_floatx", "get_device", "set_device", "to_tensor", "to_numpy", "is_string_data",
    "torch_dtype", "clear_session", "is_keras_tensor", "device_scope", "device",
    "OutputTensor", "DataTensor", "eager_outputs", "from_numpy", "numpy_function",
]
# Keras' dtype-name rules and name counters live in lamina.utils, which imports this module:
# resolved on first use.
_LAZY_EXPORTS = {"standardize_dtype": "lamina.utils.dtype_utils",  # Keras' names: 'float32'
                 "result_type": "lamina.utils.dtype_utils",
                 "is_float_dtype": "lamina.utils.dtype_utils",
                 "is_int_dtype": "lamina.utils.dtype_utils",
                 "get_uid": "lamina.utils.naming"}
__all__ += list(_LAZY_EXPORTS)

_EPSILON = 1e-7
_FLOATX = "float32"
_IMAGE_DATA_FORMAT = "channels_last"
_device: torch.device | None = None
_scoped = threading.local()


def backend() -> str:
    """The name of the computation backend: always 'torch' (`keras.backend.backend()`)."""
    return "torch"


def image_data_format() -> str:
    """Keras' default image layout for new layers: 'channels_last' (N, H, W, C) unless set."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format: str) -> None:
    """Sets the default `data_format` of convolution and pooling layers created afterwards.

    Example:
        >>> set_image_data_format("channels_first"); image_data_format()
        'channels_first'
        >>> set_image_data_format("channels_last")
    """
    global _IMAGE_DATA_FORMAT
    value = str(data_format).lower()
    if value not in ("channels_last", "channels_first"):
        raise ValueError(f"The `data_format` argument must be one of {{'channels_first', "
                         f"'channels_last'}}. Received: data_format={data_format!r}")
    _IMAGE_DATA_FORMAT = value


def epsilon() -> float:
    """The fuzz factor Keras uses in losses and optimizers (1e-7 unless set)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    """Sets the fuzz factor used in losses, metrics and optimizers.

    Example:
        >>> set_epsilon(1e-5); epsilon()
        1e-05
        >>> set_epsilon(1e-7)
    """
    global _EPSILON
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"Argument `value` of set_epsilon must be a non-negative float. "
                         f"Received: value={value!r}")
    _EPSILON = float(value)


def floatx() -> str:
    """The default float type of weights and inputs: 'float32' unless set."""
    return _FLOATX


def set_floatx(value: str) -> None:
    """Sets the default float type ('float16', 'bfloat16', 'float32' or 'float64').

    Example:
        >>> set_floatx("float64"); floatx()
        'float64'
        >>> set_floatx("float32")
    """
    global _FLOATX
    accepted = ("float16", "bfloat16", "float32", "float64")
    if value not in accepted:
        raise ValueError(f"Unknown `floatx` value: {value!r}. Expected one of {set(accepted)}")
    _FLOATX = str(value)


def get_device(scoped: bool = True) -> torch.device:
    """The device lamina computes on: a `device_scope` (unless `scoped=False`), `set_device`'s
    choice, `$LAMINA_DEVICE`, else cuda, mps, cpu."""
    global _device
    scoped_device = getattr(_scoped, "device", None) if scoped else None
    if scoped_device is not None:
        return scoped_device
    if _device is None:
        _device = torch.device(os.environ.get("LAMINA_DEVICE") or _best_available_device())
    return _device


def set_device(device: str | torch.device) -> None:
    """Chooses the device for new weights and for fit/evaluate/predict.

    Example:
        >>> lamina.backend.set_device("cpu")
    """
    global _device
    _device = torch.device(device)


@contextlib.contextmanager
def device_scope(device: str | torch.device):
    """Within the block, new weights and constants go to `device` (Keras' `keras.device`).

    Example:
        >>> with lamina.backend.device_scope("meta"):
        ...     lamina.backend.get_device()
        device(type='meta')
    """
    outer = getattr(_scoped, "device", None)
    _scoped.device = _parse_device(device)
    try:
        yield
    finally:
        _scoped.device = outer


device = device_scope


def _parse_device(device) -> torch.device:
    """Keras' device names ('CPU:0', 'gpu:1', case-insensitive) as torch devices.

    Example:
        >>> _parse_device("CPU:0")
        device(type='cpu', index=0)
    """
    if isinstance(device, torch.device):
        return device
    if not isinstance(device, str):
        raise TypeError(f"Invalid value for argument `device_name`. Expected a string like "
                        f"'gpu:0' or 'cpu'. Received: device_name={device!r}")
    name = device.lower().replace("gpu", "cuda")
    try:
        parsed = torch.device(name)
    except RuntimeError:
        raise ValueError(f"Invalid value for argument `device_name`: {device!r}. Expected a "
                         f"device such as 'cpu', 'gpu:0', 'cuda:0', 'mps' or 'meta'.") from None
    if parsed.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"`keras.device({device!r})` asks for a GPU, but this machine has no "
                         f"CUDA device (torch.cuda.is_available() is False). Use 'cpu', or "
                         f"run where a GPU is available.")
    return parsed


def _best_available_device() -> str:
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


_DTYPE_ALIASES = {"float": "float32", "double": "float64", "half": "float16", "int": "int64"}


def torch_dtype(dtype) -> torch.dtype:
    """Maps 'float32', np.float32, torch.float32 (or None, meaning floatx) to a torch dtype.

    (`standardize_dtype` is Keras' function: it returns the name, 'float32'.)
    """
    if dtype is None:
        dtype = _FLOATX
    if isinstance(dtype, torch.dtype):
        return dtype
    if not isinstance(dtype, str):
        dtype = np.dtype(dtype).name
    dtype = _DTYPE_ALIASES.get(dtype, dtype)
    found = getattr(torch, dtype, None)
    if not isinstance(found, torch.dtype):
        raise ValueError(f"Unknown dtype: {dtype!r}. Expected a name such as 'float32' or 'int64'.")
    return found


def to_tensor(x, dtype=None, device=None) -> torch.Tensor:
    """Converts a NumPy array, Python list or tensor to a torch tensor on `device`.

    With `dtype=None` the dtype is kept, except that float64 becomes float32 (Keras casts
    floating inputs to floatx).
    """
    device = get_device() if device is None else torch.device(device)
    if isinstance(x, torch.Tensor):
        tensor = x
    else:
        array = np.asarray(x)
        if array.dtype == object:
            array = numbers_from_objects(array)
        tensor = from_numpy(array)
    if dtype is not None:
        target = torch_dtype(dtype)
    elif tensor.dtype == torch.float64:
        target = torch_dtype(_FLOATX)
    else:
        target = tensor.dtype
    return tensor.to(device=device, dtype=target)


def from_numpy(array: np.ndarray) -> torch.Tensor:
    """`torch.from_numpy`, copying only what torch cannot share: read-only memory (pandas'
    `df.values`, without torch's warning), another byte order, negative strides
    (`x[..., ::-1]`, `np.flip`).

    Example:
        >>> frozen = np.arange(3.0); frozen.setflags(write=False)
        >>> from_numpy(frozen[::-1])
        tensor([2., 1., 0.], dtype=torch.float64)
    """
    if (array.dtype.byteorder not in ("=", "|") or not array.flags.writeable
            or any(stride < 0 for stride in array.strides)):
        array = np.array(array, dtype=array.dtype.newbyteorder("="), order="C")
    return torch.from_numpy(array)


def numbers_from_objects(array: np.ndarray) -> np.ndarray:
    """An object array holding only numbers and booleans (`np.array(dataframe)` of float,
    int and `get_dummies` bool columns) as float64; anything else is an error."""
    if array.size and all(isinstance(v, (numbers.Number, np.bool_, bool)) for v in array.flat):
        return array.astype(np.float64)
    text = next((v for v in array.flat if isinstance(v, (str, bytes))), None)
    if text is not None:
        raise ValueError(f"Invalid dtype: object. Expected a numeric array, but received an "
                         f"array of shape {array.shape} holding text such as {text!r}: encode "
                         f"it as numbers first (pd.get_dummies, a StringLookup layer, or "
                         f"keras.utils.FeatureSpace).")
    raise ValueError(f"Invalid dtype: object. Expected a numeric array, but received an array "
                     f"of Python objects (shape {array.shape}); ragged lists cannot be stacked.")


def is_string_data(value) -> bool:
    """Whether `value` is text: a str/bytes, a NumPy array of strings, or a (nested) list of them.

    torch has no string tensors, so text stays a NumPy array until a layer that takes strings
    (TextVectorization, StringLookup, Hashing) turns it into numbers.

    Example:
        >>> is_string_data(np.array([["a cat"]])), is_string_data([[1.0]])
        (True, False)
    """
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "US":
            return True
        return value.dtype == object and value.size > 0 and isinstance(value.flat[0], (str, bytes))
    while isinstance(value, (list, tuple)) and value:
        value = value[0]
    return isinstance(value, (str, bytes))


def to_numpy(tensor) -> np.ndarray:
    """Copies a tensor (or anything array-like) to a NumPy array on the host.

    Always a copy, as Keras' `get_weights()` gives: a CPU tensor's `.numpy()` shares its
    memory, so `w = model.get_weights(); model.fit(...); model.set_weights(w)` would restore
    nothing.
    """
    if isinstance(tensor, torch.Tensor):
        tensor = tensor.detach()
        if tensor.dtype == torch.bfloat16:  # NumPy has no bfloat16: its values, as float32
            tensor = tensor.float()
        return tensor.numpy().copy() if tensor.device.type == "cpu" else tensor.cpu().numpy()
    return np.asarray(tensor)


class OutputTensor(torch.Tensor):
    """A model's output from a direct call: a plain tensor whose `numpy()` also works with grad.

    Keras' eager tensors convert to NumPy whatever their gradient tape; torch refuses
    `.numpy()` on a tensor that requires grad. Only `numpy()` / `__array__` change: torch
    functions return plain tensors (no per-op overhead), and `backward()` works as usual.

    Example:
        >>> layer = lamina.layers.Dense(2)
        >>> layer(torch.ones(1, 3)).numpy().shape
        (1, 2)
    """

    __torch_function__ = torch._C._disabled_torch_function_impl

    def numpy(self, *, force: bool = False) -> np.ndarray:
        return self.as_subclass(torch.Tensor).detach().cpu().numpy()

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        return array if dtype is None else array.astype(dtype, copy=False)

    def __array_function__(self, func, types, args, kwargs):
        return numpy_function(func, args, kwargs)

    def __repr__(self, **kwargs) -> str:
        return torch.Tensor.__repr__(self.as_subclass(torch.Tensor), **kwargs)


class DataTensor(OutputTensor):
    """A batch from a dataset (`timeseries_dataset_from_array`, `image_dataset_from_directory`,
    `Dataset.batch`): a tensor that NumPy functions treat as an array, as they treat tf.data's.

    `np.mean(batch)`, `np.sum(np.abs(preds - targets))`, `np.ones(8) + batch` give NumPy
    results (torch's own methods would refuse NumPy's `axis=`/`out=` arguments), and torch
    arithmetic on it (`preds - targets`) keeps the kind; layers and the training steps take it
    as a plain tensor.

    Example:
        >>> batch = torch.arange(4.0).as_subclass(DataTensor)
        >>> np.sum(np.abs(batch - 1)), type(np.ones(4) + batch).__name__
        (np.float32(4.0), 'ndarray')
    """

    __torch_function__ = classmethod(torch.Tensor.__torch_function__.__func__)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return getattr(ufunc, method)(*_as_arrays(inputs), **_as_arrays(kwargs))


def numpy_function(func, args, kwargs):
    """A NumPy function (`np.mean`, `np.argmax`, `np.concatenate`) on tensors, as on arrays:
    what Keras' tensors give (torch's own methods refuse NumPy's `axis=`/`out=` arguments).

    Example:
        >>> numpy_function(np.mean, (torch.tensor([1.0, 2.0]),), {"axis": 0})
        np.float32(1.5)
    """
    return func(*_as_arrays(args), **_as_arrays(kwargs))


def _as_arrays(structure):
    if isinstance(structure, torch.Tensor):
        return to_numpy(structure)
    if isinstance(structure, (list, tuple)):
        return type(structure)(_as_arrays(item) for item in structure)
    if isinstance(structure, dict):
        return {key: _as_arrays(value) for key, value in structure.items()}
    return structure


def eager_outputs(outputs):
    """`outputs` with every tensor that requires grad made an `OutputTensor`, in place.

    In place, not a view: an intermediate output (Grad-CAM's `Model(inputs, [conv.output,
    model.output])`) must stay the very tensor the later outputs were computed from, or
    `torch.autograd.grad(preds, conv_outputs)` finds it unused in the graph.
    """
    if isinstance(outputs, torch.Tensor):
        # Under torch.compile the class cannot change (dynamo refuses the assignment); the
        # compiled step's outputs never reach the user.
        if (outputs.requires_grad and type(outputs) is torch.Tensor
                and not torch.compiler.is_compiling()):
            outputs.__class__ = OutputTensor
        return outputs
    if isinstance(outputs, (list, tuple)):
        return type(outputs)(eager_outputs(o) for o in outputs)
    if isinstance(outputs, dict):
        return {key: eager_outputs(value) for key, value in outputs.items()}
    return outputs


def clear_session() -> None:
    """Resets the automatic layer-name counters and the global dtype policy, as
    `keras.backend.clear_session()` does."""
    from lamina.dtype_policies.dtype_policy import reset_dtype_policy
    from lamina.utils import naming

    naming.reset_uids()
    reset_dtype_policy()


def is_keras_tensor(x) -> bool:
    """Whether `x` is a symbolic tensor (from `Input` or a layer called on one), as in Keras.

    Example:
        >>> import lamina
        >>> is_keras_tensor(lamina.Input((3,))), is_keras_tensor(torch.zeros(3))
        (True, False)
    """
    from lamina.ops.keras_tensor import KerasTensor  # the ops sit above the backend

    return isinstance(x, KerasTensor)


def __getattr__(name):
    if name in _LAZY_EXPORTS:
        import importlib

        return getattr(importlib.import_module(_LAZY_EXPORTS[name]), name)
    raise AttributeError(f"module 'lamina.backend' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY_EXPORTS))
