"""Weight initializers with Keras 3 names, defaults, formulas and config dicts.

Random values are drawn on the CPU and then moved to the target device, so a given seed
gives the same weights on every device. `seed=None` draws from torch's global generator
(so `torch.manual_seed` makes it reproducible); an int seed gives the same values on every
call, as in Keras.

Example:
    >>> import lamina as keras
    >>> keras.initializers.get("glorot_uniform")((784, 100)).shape
    torch.Size([784, 100])
"""
from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Mapping, Sequence

import numpy as np
import torch

from lamina import backend
from lamina.saving.object_registration import get_registered_name, visible_custom_objects
from lamina.saving.serialization_lib import deserialize_function, serialize_function
from lamina.utils.errors import unknown_name_error
from lamina.utils.naming import to_snake_case

__all__ = [
    "Initializer", "RandomInitializer", "Zeros", "Ones", "Constant", "Identity", "RandomUniform", "RandomNormal",
    "TruncatedNormal", "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeUniform",
    "HeNormal", "LecunUniform", "LecunNormal", "Orthogonal", "STFT",
    "IdentityInitializer", "OrthogonalInitializer", "STFTInitializer", "stft",
    "zeros", "ones", "constant", "identity", "random_uniform", "random_normal",
    "truncated_normal", "variance_scaling", "glorot_uniform", "glorot_normal", "he_uniform",
    "he_normal", "lecun_uniform", "lecun_normal", "orthogonal", "uniform", "normal",
    "compute_fans", "initialize", "get", "serialize", "deserialize",
]

# Keras' stddev of a unit normal truncated at +-2, used to undo the shrinkage of truncation.
_TRUNCATED_STDDEV = 0.87962566103423978


class Initializer:
    """Base class: `initializer(shape, dtype=None, device=None)` returns a new tensor.

    Subclasses implement `_generate(shape, dtype)` (CPU tensor) and `get_config()`.

    Example:
        >>> class Fives(Initializer):
        ...     def _generate(self, shape, dtype):
        ...         return torch.full(shape, 5.0, dtype=dtype)
        >>> Fives()((2,)).tolist()
        [5.0, 5.0]
    """

    def __call__(self, shape, dtype=None, device=None) -> torch.Tensor:
        """Returns a new tensor of `shape` (dtype default floatx, device default lamina's)."""
        shape = _standardize_shape(shape)
        dtype = backend.torch_dtype(dtype)
        device = backend.get_device() if device is None else torch.device(device)
        return self._generate(shape, dtype).to(device=device, dtype=dtype)

    def _generate(self, shape: tuple[int, ...], dtype: torch.dtype) -> torch.Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement `_generate(shape, "
                                  f"dtype)` or override `__call__`.")

    def get_config(self) -> dict:
        """The constructor arguments, as a JSON-friendly dict."""
        return {}

    @classmethod
    def from_config(cls, config: Mapping) -> Initializer:
        """Creates an initializer from the output of `get_config()`."""
        return cls(**config)

    def clone(self) -> Initializer:
        """A new initializer with the same config."""
        return self.__class__.from_config(self.get_config())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _standardize_shape(shape) -> tuple[int, ...]:
    if isinstance(shape, numbers.Integral):
        shape = (shape,)
    try:
        dims = tuple(int(d) for d in shape)
        valid = all(d >= 0 and d == s for d, s in zip(dims, shape))
    except (TypeError, ValueError):
        valid = False
    if not valid:
        raise ValueError(f"Initializer `shape` must be a tuple of non-negative integers, such "
                         f"as (784, 100), but received shape={shape!r}.")
    return dims


def _working_dtype(dtype: torch.dtype) -> torch.dtype:
    # Random draws are made in float32/float64 on the CPU; half types are cast afterwards.
    return torch.float64 if dtype == torch.float64 else torch.float32


def _validate_seed(seed):
    if seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)):
        return None if seed is None else int(seed)
    raise ValueError(f"`seed` must be None or an integer, but received seed={seed!r}.")


class Zeros(Initializer):
    """Fills with 0.

    Example:
        >>> Zeros()((2,)).tolist()
        [0.0, 0.0]
    """

    def _generate(self, shape, dtype):
        return torch.zeros(shape, dtype=dtype)


class Ones(Initializer):
    """Fills with 1.

    Example:
        >>> Ones()((2,)).tolist()
        [1.0, 1.0]
    """

    def _generate(self, shape, dtype):
        return torch.ones(shape, dtype=dtype)


class Constant(Initializer):
    """Fills with `value` (a scalar, or an array broadcastable to the shape).

    Args:
        value: The fill value.

    Example:
        >>> Constant(3.0)((2,)).tolist()
        [3.0, 3.0]
    """

    def __init__(self, value=0.0):
        if isinstance(value, np.generic):
            value = value.item()
        self.value = value

    def _generate(self, shape, dtype):
        if isinstance(self.value, numbers.Number):
            return torch.full(shape, self.value, dtype=dtype)
        value = backend.from_numpy(np.asarray(self.value))
        return torch.as_tensor(value, dtype=dtype).expand(shape).clone()

    def get_config(self):
        value = self.value.tolist() if isinstance(self.value, np.ndarray) else self.value
        return {"value": value}


class Identity(Initializer):
    """The identity matrix times `gain` (2-D shapes only; rectangular shapes allowed).

    Args:
        gain: Multiplicative factor.

    Example:
        >>> Identity()((2, 2)).tolist()
        [[1.0, 0.0], [0.0, 1.0]]
    """

    def __init__(self, gain: float = 1.0):
        self.gain = gain

    def _generate(self, shape, dtype):
        if len(shape) != 2:
            raise ValueError(f"Identity initializer can only be used for 2D matrices, but "
                             f"received shape={shape} of rank {len(shape)}.")
        return self.gain * torch.eye(*shape, dtype=_working_dtype(dtype))

    def get_config(self):
        return {"gain": self.gain}


_WINDOWS = {"hann": torch.hann_window, "hamming": torch.hamming_window,
            "blackman": torch.blackman_window, "bartlett": torch.bartlett_window,
            "boxcar": lambda length, periodic, dtype: torch.ones(length, dtype=dtype)}


class STFT(Initializer):
    """Kernels of a convolution that computes a short-time Fourier transform, `(T, C, F // 2 + 1)`.

    `kernel[t, c, f] = cos(-2 pi t f / F)` (or `sin` for `side="imag"`), times the window
    and divided by its scaling, as Keras' STFT initializer (used by `STFTSpectrogram`).

    Args:
        side: 'real' (cosine) or 'imag' (sine).
        window: 'hann', 'hamming', 'blackman', 'bartlett' or 'boxcar', an array of length T,
            or None for no window.
        scaling: 'density' (divide by the window's L2 norm), 'spectrum' (its L1 norm) or None.
        periodic: Use the periodic window (as for an FFT) instead of the symmetric one.

    Example:
        >>> STFT(window=None)((2, 1, 2)).tolist()
        [[[1.0, 1.0]], [[1.0, -1.0]]]
    """

    def __init__(self, side: str = "real", window="hann", scaling: str | None = "density",
                 periodic: bool = False):
        if side not in ("real", "imag"):
            raise ValueError(f"side should be 'real' or 'imag', not {side}")
        if isinstance(window, str) and window not in _WINDOWS:
            raise ValueError(f"Unknown window type: window={window!r}. Expected one of "
                             f"{sorted(_WINDOWS)}, an array of window values, or None.")
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError("Scaling is invalid, it must be `None`, 'density' or 'spectrum'. "
                             f"Received scaling={scaling}")
        self.side = side
        self.window = window
        self.scaling = scaling
        self.periodic = periodic

    def _generate(self, shape, dtype):
        if len(shape) != 3:
            raise ValueError(f"STFT initializer expects a shape (frame_length, input_channels, "
                             f"fft_length // 2 + 1), but received shape={shape}.")
        frame_length, _, fft_length = shape
        dtype = _working_dtype(dtype)
        # Keras' order of operations in the working dtype, so float32 kernels agree bitwise-close.
        freq = torch.arange(fft_length, dtype=dtype).reshape(1, 1, -1) / ((fft_length - 1) * 2)
        time = torch.arange(frame_length, dtype=dtype).reshape(-1, 1, 1)
        args = (-2 * time) * freq * torch.tensor(math.pi, dtype=dtype)
        kernel = torch.cos(args) if self.side == "real" else torch.sin(args)
        window = self._window_values(frame_length, dtype)
        if window is None:
            return kernel.expand(shape).clone()
        kernel = kernel * window
        if self.scaling == "density":
            kernel = kernel / torch.sqrt(torch.sum(window ** 2))
        elif self.scaling == "spectrum":
            kernel = kernel / torch.sum(torch.abs(window))
        return kernel.expand(shape).clone()

    def _window_values(self, frame_length, dtype):
        if self.window is None:
            return None
        if isinstance(self.window, str):
            window = _WINDOWS[self.window](frame_length, periodic=self.periodic,
                                           dtype=torch.float64).to(dtype)
        else:
            window = torch.as_tensor(backend.from_numpy(np.asarray(self.window)), dtype=dtype)
        if window.ndim != 1 or window.shape[-1] != frame_length:
            raise ValueError("The shape of `window` must be equal to [frame_length]."
                             f"Received: window shape={tuple(window.shape)}")
        return window.reshape(frame_length, 1, 1)

    def get_config(self):
        return {"side": self.side, "window": self.window, "periodic": self.periodic,
                "scaling": self.scaling}


class RandomInitializer(Initializer):
    """Base of the random initializers: holds the seed (None or int).

    Example:
        >>> RandomNormal(seed=1)((2,)).equal(RandomNormal(seed=1)((2,)))
        True
    """

    def __init__(self, seed: int | None = None):
        self.seed = _validate_seed(seed)

    def _generator(self) -> torch.Generator | None:
        # A fresh generator per call: an int seed gives the same values every call (Keras).
        if self.seed is None:
            return None
        return torch.Generator(device="cpu").manual_seed(self.seed)

    def get_config(self):
        return {"seed": self.seed}


class RandomUniform(RandomInitializer):
    """Uniform values in `[minval, maxval)`.

    Args:
        minval: Lower bound.
        maxval: Upper bound.
        seed: None (global RNG) or an int.

    Example:
        >>> bool(RandomUniform(0.0, 1.0)((100,)).min() >= 0.0)
        True
    """

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def _generate(self, shape, dtype):
        values = torch.empty(shape, dtype=_working_dtype(dtype))
        return values.uniform_(self.minval, self.maxval, generator=self._generator())

    def get_config(self):
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


class RandomNormal(RandomInitializer):
    """Normal values with `mean` and `stddev`.

    Args:
        mean: Mean.
        stddev: Standard deviation.
        seed: None (global RNG) or an int.

    Example:
        >>> RandomNormal(stddev=1.0)((3, 4)).shape
        torch.Size([3, 4])
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def _generate(self, shape, dtype):
        values = torch.empty(shape, dtype=_working_dtype(dtype))
        return values.normal_(self.mean, self.stddev, generator=self._generator())

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


def _truncated_normal(shape, mean, stddev, dtype, generator) -> torch.Tensor:
    values = torch.empty(shape, dtype=_working_dtype(dtype))
    return torch.nn.init.trunc_normal_(values, mean, stddev, mean - 2 * stddev,
                                       mean + 2 * stddev, generator=generator)


class TruncatedNormal(RandomInitializer):
    """Normal values with `mean` and `stddev`, truncated to `mean +- 2 * stddev`.

    Args:
        mean: Mean of the untruncated normal.
        stddev: Standard deviation of the untruncated normal.
        seed: None (global RNG) or an int.

    Example:
        >>> bool(TruncatedNormal(stddev=1.0)((1000,)).abs().max() <= 2.0)
        True
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def _generate(self, shape, dtype):
        return _truncated_normal(shape, self.mean, self.stddev, dtype, self._generator())

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


def compute_fans(shape: Sequence[int], input_axes: Sequence[int] | None = None,
                 output_axes: Sequence[int] | None = None) -> tuple[int, int]:
    """Keras' (fan_in, fan_out): `(in, out)` for 2-D, receptive field x channels for kernels.

    Args:
        shape: A weight shape; conv kernels are `(..., in_channels, out_channels)`.
        input_axes: Axes whose sizes multiply to fan_in (with `output_axes`; both or neither).
        output_axes: Axes whose sizes multiply to fan_out.

    Returns:
        `(fan_in, fan_out)` as ints.

    Example:
        >>> compute_fans((3, 3, 16, 32))
        (144, 288)
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return (int(math.prod(shape[axis] for axis in input_axes)),
                int(math.prod(shape[axis] for axis in output_axes)))
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    receptive_field = math.prod(shape[:-2])
    return int(shape[-2] * receptive_field), int(shape[-1] * receptive_field)


class VarianceScaling(RandomInitializer):
    """Values with variance `scale / n`, `n` being fan_in, fan_out or their mean.

    Args:
        scale: Positive scaling factor.
        mode: 'fan_in', 'fan_out' or 'fan_avg'.
        distribution: 'truncated_normal' (stddev corrected for truncation),
            'untruncated_normal' or 'uniform' (limit `sqrt(3 * scale / n)`); 'normal'
            means 'truncated_normal'.
        seed: None (global RNG) or an int.
        input_axes: Axes of the weight that count as inputs for fan_in (default: Keras'
            layout rule, see `compute_fans`).
        output_axes: Axes that count as outputs for fan_out.

    Example:
        >>> VarianceScaling(2.0, "fan_in", "uniform")((4, 3)).shape
        torch.Size([4, 3])
    """

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: int | None = None,
                 input_axes: Sequence[int] | None = None,
                 output_axes: Sequence[int] | None = None):
        if not isinstance(scale, numbers.Real) or not scale > 0.0:
            raise ValueError(f"VarianceScaling `scale` must be a positive float, but received "
                             f"scale={scale!r}.")
        if mode not in self._MODES:
            raise ValueError(f"VarianceScaling `mode` must be one of {self._MODES}, but "
                             f"received mode={mode!r}.")
        distribution = str(distribution).lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in self._DISTRIBUTIONS:
            raise ValueError(f"VarianceScaling `distribution` must be one of "
                             f"{self._DISTRIBUTIONS}, but received distribution={distribution!r}.")
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def with_fan_axes(self, input_axes: Sequence[int], output_axes: Sequence[int]):
        """A copy whose fans count `input_axes` as inputs and `output_axes` as outputs; self
        when its axes are already set. (An einsum kernel's fans follow its equation, not the
        conv-kernel rule of `compute_fans`.)

        Example:
            >>> GlorotUniform(seed=1).with_fan_axes([0], [1, 2]).get_config()
            {'seed': 1, 'input_axes': [0], 'output_axes': [1, 2]}
        """
        if self.input_axes is not None and self.output_axes is not None:
            return self
        return type(self).from_config({**self.get_config(), "input_axes": list(input_axes),
                                       "output_axes": list(output_axes)})

    def _variance(self, shape) -> float:
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        return self.scale / max(1.0, fan[self.mode])

    def _generate(self, shape, dtype):
        variance = self._variance(shape)
        generator = self._generator()
        values = torch.empty(shape, dtype=_working_dtype(dtype))
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(variance) / _TRUNCATED_STDDEV
            return _truncated_normal(shape, 0.0, stddev, dtype, generator)
        if self.distribution == "untruncated_normal":
            return values.normal_(0.0, math.sqrt(variance), generator=generator)
        limit = math.sqrt(3.0 * variance)
        return values.uniform_(-limit, limit, generator=generator)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class _FixedVarianceScaling(VarianceScaling):
    """A VarianceScaling preset whose only argument is the seed."""

    _PRESET: tuple[float, str, str] = (1.0, "fan_in", "truncated_normal")

    def __init__(self, seed: int | None = None, input_axes: Sequence[int] | None = None,
                 output_axes: Sequence[int] | None = None):
        scale, mode, distribution = self._PRESET
        super().__init__(scale=scale, mode=mode, distribution=distribution, seed=seed,
                         input_axes=input_axes, output_axes=output_axes)

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class GlorotUniform(_FixedVarianceScaling):
    """Glorot (Xavier) uniform: `U(-limit, limit)`, `limit = sqrt(6 / (fan_in + fan_out))`.

    Example:
        >>> GlorotUniform(seed=0)((784, 100)).shape
        torch.Size([784, 100])
    """

    _PRESET = (1.0, "fan_avg", "uniform")


class GlorotNormal(_FixedVarianceScaling):
    """Glorot (Xavier) normal: truncated normal with `stddev = sqrt(2 / (fan_in + fan_out))`.

    Example:
        >>> GlorotNormal(seed=0)((4, 4)).shape
        torch.Size([4, 4])
    """

    _PRESET = (1.0, "fan_avg", "truncated_normal")


class HeUniform(_FixedVarianceScaling):
    """He uniform: `U(-limit, limit)`, `limit = sqrt(6 / fan_in)`.

    Example:
        >>> HeUniform(seed=0)((4, 4)).shape
        torch.Size([4, 4])
    """

    _PRESET = (2.0, "fan_in", "uniform")


class HeNormal(_FixedVarianceScaling):
    """He normal: truncated normal with `stddev = sqrt(2 / fan_in)`.

    Example:
        >>> HeNormal(seed=0)((4, 4)).shape
        torch.Size([4, 4])
    """

    _PRESET = (2.0, "fan_in", "truncated_normal")


class LecunUniform(_FixedVarianceScaling):
    """LeCun uniform: `U(-limit, limit)`, `limit = sqrt(3 / fan_in)`.

    Example:
        >>> LecunUniform(seed=0)((4, 4)).shape
        torch.Size([4, 4])
    """

    _PRESET = (1.0, "fan_in", "uniform")


class LecunNormal(_FixedVarianceScaling):
    """LeCun normal: truncated normal with `stddev = sqrt(1 / fan_in)` (use with selu).

    Example:
        >>> LecunNormal(seed=0)((4, 4)).shape
        torch.Size([4, 4])
    """

    _PRESET = (1.0, "fan_in", "truncated_normal")


class Orthogonal(RandomInitializer):
    """An orthogonal matrix (times `gain`) from the QR decomposition of a normal matrix.

    A shape of rank > 2 is treated as the matrix `(prod(shape[:-1]), shape[-1])` and
    reshaped back. With fewer rows than columns the rows are orthonormal, else the columns.

    Args:
        gain: Multiplicative factor.
        seed: None (global RNG) or an int.

    Example:
        >>> q = Orthogonal(seed=0)((3, 3))
        >>> bool(torch.allclose(q @ q.T, torch.eye(3), atol=1e-5))
        True
    """

    def __init__(self, gain: float = 1.0, seed: int | None = None):
        self.gain = gain
        super().__init__(seed=seed)

    def _generate(self, shape, dtype):
        if len(shape) < 2:
            raise ValueError(f"Orthogonal initializer needs a shape of rank >= 2, but received "
                             f"shape={shape} of rank {len(shape)}.")
        num_rows, num_cols = math.prod(shape[:-1]), shape[-1]
        flat_shape = (max(num_rows, num_cols), min(num_rows, num_cols))
        normal_matrix = torch.empty(flat_shape, dtype=_working_dtype(dtype))
        normal_matrix.normal_(generator=self._generator())
        q, r = torch.linalg.qr(normal_matrix)
        # Sign fix makes the result uniformly distributed over orthogonal matrices.
        q = q * torch.sign(torch.diagonal(r))
        if num_rows < num_cols:
            q = q.T
        return self.gain * q.reshape(shape)

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}


_CLASSES = (Zeros, Ones, Constant, Identity, RandomUniform, RandomNormal, TruncatedNormal,
            VarianceScaling, GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform,
            LecunNormal, Orthogonal, STFT)
_BY_NAME: dict[str, type] = {cls.__name__: cls for cls in _CLASSES}
_BY_NAME.update({to_snake_case(cls.__name__): cls for cls in _CLASSES})
_BY_NAME.update({
    "uniform": RandomUniform, "normal": RandomNormal, "one": Ones, "zero": Zeros,
    # Keras 3.0 class names, still found in saved configs.
    "OrthogonalInitializer": Orthogonal, "IdentityInitializer": Identity,
    "STFTInitializer": STFT,
})

zeros, ones, constant, identity = Zeros, Ones, Constant, Identity
random_uniform, random_normal, truncated_normal = RandomUniform, RandomNormal, TruncatedNormal
uniform, normal, variance_scaling = RandomUniform, RandomNormal, VarianceScaling
glorot_uniform, glorot_normal = GlorotUniform, GlorotNormal
he_uniform, he_normal, lecun_uniform, lecun_normal = HeUniform, HeNormal, LecunUniform, LecunNormal
orthogonal = Orthogonal
# Keras 3 exports these spellings too.
IdentityInitializer, OrthogonalInitializer, STFTInitializer, stft = Identity, Orthogonal, STFT, STFT


def get(identifier):
    """Resolves an initializer identifier to an initializer.

    Args:
        identifier: None, a name ('glorot_uniform', 'GlorotUniform', 'zeros', ...), an
            `Initializer` instance or class, a Keras config dict, or a plain callable
            `fn(shape, dtype=None)` (returned as is).

    Returns:
        An initializer (or None for None).

    Example:
        >>> get("he_normal")
        HeNormal(seed=None, input_axes=None, output_axes=None)
    """
    if identifier is None or isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, (str, Mapping)):
        return deserialize(identifier)
    if inspect.isclass(identifier):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret initializer identifier: expected a name such as "
                     f"'glorot_uniform', an Initializer, a config dict or a callable, but "
                     f"received {identifier!r} (type {type(identifier).__name__}).")


def serialize(initializer) -> dict | None:
    """Keras' config dict of an initializer (None for None, a function dict for functions).

    Example:
        >>> serialize(GlorotUniform())["config"]
        {'seed': None, 'input_axes': None, 'output_axes': None}
    """
    if initializer is None:
        return None
    if not isinstance(initializer, Initializer):
        return serialize_function(initializer, "initializer", "an Initializer")
    builtin = _BY_NAME.get(type(initializer).__name__) is type(initializer)
    return {"module": "keras.initializers" if builtin else type(initializer).__module__,
            "class_name": type(initializer).__name__, "config": initializer.get_config(),
            "registered_name": None if builtin else get_registered_name(type(initializer))}


def deserialize(config, custom_objects: Mapping | None = None) -> Initializer:
    """Inverse of `serialize`: a name or Keras config dict -> a new initializer.

    Args:
        config: A name, or a dict with 'class_name' and optional 'config'.
        custom_objects: optional mapping of names to user classes.

    Returns:
        A new initializer.

    Example:
        >>> deserialize({"class_name": "RandomNormal", "config": {"stddev": 1.0}}).stddev
        1.0
    """
    if isinstance(config, str):
        class_name, arguments = config, {}
    elif isinstance(config, Mapping) and "class_name" in config:
        class_name, arguments = config["class_name"], config.get("config") or {}
    else:
        raise ValueError(f"Could not deserialize initializer: expected a name or a dict with a "
                         f"'class_name' key, but received {config!r}.")
    custom_objects = visible_custom_objects(dict(custom_objects or {}))
    registered = config.get("registered_name") if isinstance(config, Mapping) else None
    if class_name in ("function", "__lambda__"):
        return deserialize_function(config, custom_objects, "initializer")
    if registered in custom_objects or class_name in custom_objects:
        cls = custom_objects.get(registered) or custom_objects[class_name]
    elif class_name in _BY_NAME:
        cls = _BY_NAME[class_name]
    else:
        raise unknown_name_error("initializer", class_name, _BY_NAME)
    return cls.from_config(dict(arguments))


def initialize(initializer, shape, dtype=None, device=None) -> torch.Tensor:
    """Creates a weight tensor from any initializer identifier on `device`.

    Handles lamina initializers (which take `device`), Keras-style subclasses of
    `Initializer` whose `__call__(self, shape, dtype=None)` takes no `device`, and plain
    user callables `fn(shape, dtype=None)` returning a tensor, NumPy array or list; the
    last two are moved to `device` afterwards.

    Args:
        initializer: Anything `get` accepts.
        shape: The weight shape.
        dtype: The weight dtype (default floatx).
        device: The target device (default lamina's).

    Returns:
        A new tensor of `shape` and `dtype` on `device`.

    Example:
        >>> initialize("ones", (2,), device="cpu").tolist()
        [1.0, 1.0]
    """
    initializer = get(initializer)
    if isinstance(initializer, Initializer) and _takes_device(initializer):
        return initializer(shape, dtype=dtype, device=device)
    shape = _standardize_shape(shape)
    dtype = backend.torch_dtype(dtype)
    # Keras passes dtypes to user functions as names ('float32'), which NumPy also accepts.
    dtype_name = str(dtype).removeprefix("torch.")
    values = backend.to_tensor(initializer(shape, dtype=dtype_name), dtype=dtype, device=device)
    if tuple(values.shape) != shape:
        raise ValueError(f"Initializer {initializer!r} returned shape {tuple(values.shape)}, "
                         f"but shape {shape} was requested.")
    return values


def _takes_device(initializer: Initializer) -> bool:
    """Whether `initializer.__call__` accepts `device=` (lamina's do; Keras-style ones do not)."""
    call = type(initializer).__call__
    if call is Initializer.__call__:
        return True
    parameters = inspect.signature(call).parameters.values()
    return any(p.name == "device" or p.kind is p.VAR_KEYWORD for p in parameters)
