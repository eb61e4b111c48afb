"""Normalization: `(inputs - mean) / sqrt(variance)` with statistics from `adapt()` or given."""
from __future__ import annotations

import itertools
import math

import numpy as np
import torch

from lamina import backend
from lamina.layers.layer import Layer

__all__ = ["Normalization"]


class Normalization(Layer):
    """Shifts and scales features to mean 0 and variance 1 with precomputed statistics.

    The mean and variance are either given, or computed from data by `adapt()` before
    training; they are the layer's non-trainable weights `mean`, `variance` (and `count`,
    kept for Keras' file layout).

    Args:
        axis: the axis (or axes) that keep separate statistics, -1 (default) for one per
            feature; None for one mean and variance over everything.
        mean, variance: the statistics, broadcast to the kept axes (both or neither).
        invert: apply the inverse, `mean + inputs * sqrt(variance)`.

    Example:
        >>> layer = Normalization(axis=None)
        >>> layer.adapt(np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
        >>> layer(np.array([1.0, 2.0, 3.0])).tolist()
        [-1.4142135381698608, -0.7071067690849304, 0.0]
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert: bool = False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int) and not isinstance(axis, bool):
            axis = (axis,)
        else:
            axis = tuple(axis)
        self.axis = axis
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        self.supports_masking = True
        if (mean is not None) != (variance is not None):
            raise ValueError(f"When setting values directly, both `mean` and `variance` must be "
                             f"set. Received: mean={mean} and variance={variance}")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(f"When setting values directly, `mean` and `variance` must have "
                                 f"the same shape. Received: mean shape {np.shape(mean)} and "
                                 f"variance shape {np.shape(variance)}")
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError(f"The rank of `mean` must be less than or equal to the number "
                                 f"of axes ({len(self.axis)}). Received: mean shape "
                                 f"{np.shape(mean)} for axis {self.axis}")
        self.adapt_mean = self.adapt_variance = self.count = None

    def build(self, input_shape) -> None:
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(f"All `axis` values must be in the range [-ndim, ndim). Received "
                             f"inputs with ndim={ndim}, while axis={self.axis}")
        self._keep_axis = tuple(sorted(a if a >= 0 else a + ndim for a in self.axis))
        for d in self._keep_axis:
            if input_shape[d] is None:
                raise ValueError(f"All `axis` values to be kept must have a known shape. "
                                 f"Received axis={self.axis}, inputs.shape={tuple(input_shape)}, "
                                 f"with unknown axis at index {d}")
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = tuple(input_shape[d] if d in self._keep_axis else 1
                                      for d in range(ndim))
        self._mean_and_var_shape = tuple(input_shape[d] for d in self._keep_axis)
        self._build_input_shape = tuple(input_shape)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=self._mean_and_var_shape,
                                              initializer="zeros", trainable=False)
            self.adapt_variance = self.add_weight(name="variance", shape=self._mean_and_var_shape,
                                                  initializer="ones", trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int32",
                                         initializer="zeros", trainable=False)
            return
        # Given statistics are constants, not weights (Keras): buffers outside state_dict.
        self.register_buffer("_given_mean", self._broadcast(self.input_mean), persistent=False)
        self.register_buffer("_given_variance", self._broadcast(self.input_variance),
                             persistent=False)

    def _broadcast(self, value) -> torch.Tensor:
        """A given statistic aligned right-to-left with the kept axes, broadcast to them."""
        value = backend.to_tensor(value, dtype=self._dtype, device=self._device())
        expanded = [1] * len(self._broadcast_shape)
        for i in range(1, value.dim() + 1):
            expanded[self._keep_axis[-i]] = value.shape[-i]
        return value.reshape(expanded).expand(self._broadcast_shape).clone()

    @property
    def mean(self) -> torch.Tensor | None:
        """The mean, shaped to broadcast against the inputs (None before build)."""
        if self.input_mean is not None:
            return self._buffers.get("_given_mean")
        return None if self.adapt_mean is None else self.adapt_mean.reshape(self._broadcast_shape)

    @property
    def variance(self) -> torch.Tensor | None:
        """The variance, shaped to broadcast against the inputs (None before build)."""
        if self.input_variance is not None:
            return self._buffers.get("_given_variance")
        if self.adapt_variance is None:
            return None
        return self.adapt_variance.reshape(self._broadcast_shape)

    def call(self, inputs):
        mean, variance = self.mean.to(inputs.dtype), self.variance.to(inputs.dtype)
        std = torch.clamp(torch.sqrt(variance), min=backend.epsilon())
        try:
            if self.invert:
                return mean + inputs * std
            return (inputs - mean) / std
        except RuntimeError as error:  # torch's broadcast error names no layer
            raise ValueError(
                f"Layer '{self.name}' (Normalization) holds a mean of shape {tuple(mean.shape)} "
                f"(axis={self.axis}), which does not fit inputs of shape {tuple(inputs.shape)}: "
                f"it was adapted on, or built for, data with other features. Adapt it on data "
                f"shaped like the inputs it normalizes.") from error

    def adapt(self, data, batch_size: int | None = None, steps: int | None = None) -> None:
        """Computes the mean and variance of `data` over the reduced axes.

        Args:
            data: a NumPy array, a tensor, or an iterable of batches (a list of arrays, a
                generator, a `keras.utils.PyDataset`, a dataset of `x` or `(x, y)` batches).
            batch_size: for an array or tensor, the size of the batches it is read in (TF-2's
                argument; the statistics are the same).
            steps: read at most this many batches.

        Raises:
            ValueError: the layer was given mean and variance, the data is empty, or its
                shape does not fit the layer.
            TypeError: the data is of an unsupported kind.
        """
        if self.input_mean is not None:
            raise ValueError(f"Layer '{self.name}' was given `mean` and `variance`; adapt() would "
                             f"replace them. Create Normalization() without them to adapt it.")
        whole = isinstance(data, (np.ndarray, torch.Tensor))
        if whole and batch_size is None and steps is None:
            self._build_for_data(tuple(data.shape))
            self._store(*self._moments(self._float64(data)))
            return
        batches = _batches(data, batch_size) if whole else _iterate(data)
        if steps is not None:
            batches = itertools.islice(batches, int(steps))
        first = next(batches, None)
        if first is None:
            raise ValueError("adapt() received an empty iterable (no batches). Expected at least "
                             "one batch. Pass a non-empty iterable of arrays or tensors, e.g. "
                             "layer.adapt([x]) or layer.adapt(list_of_batches).")
        self._build_for_data(_shape_of(first))
        total_mean = torch.zeros(self._mean_and_var_shape, dtype=torch.float64)
        total_var = torch.zeros(self._mean_and_var_shape, dtype=torch.float64)
        total_count = 0
        for batch in itertools.chain([first], batches):
            batch = self._float64(batch)
            self._check_batch_shape(tuple(batch.shape))
            batch_count = math.prod(batch.shape[d] for d in self._axes_to_reduce(batch))
            total_count += batch_count
            batch_weight = batch_count / total_count
            batch_mean, batch_var = self._moments(batch)
            new_mean = total_mean * (1.0 - batch_weight) + batch_mean * batch_weight
            # Lack-of-fit sum of squares: merges the batch's variance into the running one.
            total_var = ((total_var + (total_mean - new_mean) ** 2) * (1.0 - batch_weight)
                         + (batch_var + (batch_mean - new_mean) ** 2) * batch_weight)
            total_mean = new_mean
        self._store(total_mean, total_var)

    def _build_for_data(self, shape) -> None:
        if not self.built:
            self.build_from_shape(shape)
        else:
            self._check_batch_shape(shape)

    def _check_batch_shape(self, shape) -> None:
        for d in self._keep_axis:
            if len(shape) != len(self._build_input_shape) or shape[d] != self._build_input_shape[d]:
                raise ValueError(f"The layer was built with input_shape={self._build_input_shape}, "
                                 f"but adapt() is being called with data with an incompatible "
                                 f"shape, data.shape={shape}")

    def _moments(self, values):
        """Mean and (biased) variance over the reduced axes; with none, the values themselves."""
        axes = self._axes_to_reduce(values)
        if not axes:
            return values, torch.zeros_like(values)
        return values.mean(dim=axes), values.var(dim=axes, correction=0)

    def _axes_to_reduce(self, values) -> tuple:
        """The axes the statistics reduce. With `axis=None` that is every axis of the data,
        whatever rank the layer was built for: `Normalization(input_shape=[1], axis=None)`
        adapted on a 1-D column (the TensorFlow regression tutorial) has one mean and one
        variance, as in Keras."""
        if not self._keep_axis:
            return tuple(range(values.dim()))
        return self._reduce_axis

    @staticmethod
    def _float64(values) -> torch.Tensor:
        if isinstance(values, torch.Tensor):
            return values.detach().cpu().to(torch.float64)
        array = np.asarray(values)
        if array.dtype == object:  # np.array(dataframe) of float, int and bool (get_dummies)
            array = _numeric_object_array(array)
        return backend.from_numpy(array).to(torch.float64)

    def _store(self, mean, variance) -> None:
        with torch.no_grad():
            self.adapt_mean.copy_(mean.reshape(self.adapt_mean.shape))
            self.adapt_variance.copy_(variance.reshape(self.adapt_variance.shape))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "invert": self.invert,
                "mean": np.array(self.input_mean).tolist(),
                "variance": np.array(self.input_variance).tolist()}


def _batches(data, batch_size):
    size = len(data) if batch_size is None else int(batch_size)
    for start in range(0, len(data), max(size, 1)):
        yield data[start:start + size]


def _iterate(data):
    if not hasattr(data, "__iter__"):
        raise TypeError(f"Unsupported data type: {type(data)}. `adapt` supports `np.ndarray`, "
                        f"torch tensors, `keras.utils.PyDataset`, datasets and iterables of "
                        f"batches (e.g. list, generator).")
    for batch in data:
        yield batch[0] if isinstance(batch, tuple) else batch


def _shape_of(batch) -> tuple:
    shape = getattr(batch, "shape", None)
    if shape is None:
        raise TypeError(f"adapt() expects an iterable that yields arrays or tensors with a "
                        f"`.shape` attribute (e.g. numpy arrays or backend tensors). Got an "
                        f"element of type {type(batch).__name__}. Ensure each yielded element "
                        f"is array-like with a `.shape` attribute.")
    return tuple(shape)


def _numeric_object_array(array: np.ndarray) -> np.ndarray:
    """An object array of numbers (a DataFrame's mixed float/int/bool columns) as float64,
    as NumPy's mean and variance in Keras' adapt read it."""
    try:
        return backend.numbers_from_objects(array)
    except TypeError:
        raise TypeError(f"adapt() expects numbers, but the data is an object array holding "
                        f"{type(array.flat[0]).__name__} values (e.g. {array.flat[0]!r}). Encode "
                        f"text columns as numbers first (e.g. pd.get_dummies).") from None
