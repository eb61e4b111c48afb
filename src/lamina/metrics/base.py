"""Stateful metrics: `Metric`, the reductions `Mean` and `Sum`, and `MeanMetricWrapper`.

State lives in device tensors that `update_state` changes in place, so a training step
never reads a metric back to the host (and the step can be captured in a CUDA graph).

Example:
    >>> m = Mean()
    >>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    >>> float(m.result())
    2.0
"""
from __future__ import annotations

import functools
import re
from typing import Any, Callable

import torch

from lamina import backend
from lamina.losses.base import check_sample_weight_shape
from lamina.utils import naming
from lamina.utils.scopes import in_symbolic_scope
from lamina.variables import Variable

__all__ = ["Metric", "Mean", "Sum", "MeanMetricWrapper", "squeeze_or_expand_to_same_rank"]


def _not_while_tracing(update_state):
    """`update_state` that does nothing while a layer's call runs on stand-in tensors to find
    its output shape (a metric a layer keeps sees only real batches, as in Keras)."""

    @functools.wraps(update_state)
    def update_unless_tracing(self, *args, **kwargs):
        if in_symbolic_scope():
            return None
        return update_state(self, *args, **kwargs)

    return update_unless_tracing


class Metric:
    """Base class of every metric: device-resident state, `update_state`, `result`.

    Subclasses create their state in `__init__` with `add_variable` (Keras 3) or
    `add_weight` (TF-2 books) and change it in `update_state`, with torch or `keras.ops`
    calls and `assign` / `assign_add` (no `.item()`, no `bool(tensor)`). State variables
    are `lamina.Variable`s, not trainable, created on lamina's device; they follow the
    first tensor input of a built-in metric to its device.

    Args:
        dtype: Dtype of the state and of the result. Defaults to floatx ('float32').
        name: Name of the metric (the key it logs under). Defaults to the class name in
            snake case, made unique per session as Keras does ('auc', 'auc_1', ...).

    Example:
        >>> class Count(Metric):
        ...     def __init__(self, name="count", **kwargs):
        ...         super().__init__(name=name, **kwargs)
        ...         self.total = self.add_variable(shape=(), initializer="zeros", name="total")
        ...     def update_state(self, y_true, y_pred, sample_weight=None):
        ...         self.total.assign_add(len(y_pred))
        ...     def result(self):
        ...         return self.total
        >>> m = Count()
        >>> m.update_state([0, 1], [0.2, 0.9])
        >>> float(m.result())
        2.0
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "update_state" in cls.__dict__:
            cls.update_state = _not_while_tracing(cls.__dict__["update_state"])

    def __init__(self, dtype=None, name: str | None = None):
        self.name = name if name else naming.unique_name(_auto_name(type(self).__name__))
        self._torch_dtype = backend.torch_dtype(dtype)
        self._dtype = str(self._torch_dtype).replace("torch.", "")
        self._device = torch.empty(0, device=backend.get_device()).device
        self._constant_names: list[str] = []
        self._metrics: list[Metric] = []
        # Set last: __setattr__ starts tracking Variables and sub-metrics once it exists.
        self._variables: list[Variable] = []

    def __setattr__(self, name: str, value) -> None:
        store = self.__dict__.get("_variables")
        if store is not None:
            if isinstance(value, Variable):
                _add_once(store, value)
            elif isinstance(value, Metric) and name != "_metrics":
                _add_once(self._metrics, value)
        super().__setattr__(name, value)

    @property
    def dtype(self) -> str:
        """The dtype name of the state and result, e.g. 'float32'."""
        return self._dtype

    @property
    def device(self) -> torch.device:
        """The device the state tensors live on."""
        return self._device

    @property
    def variables(self) -> list[Variable]:
        """The state variables in creation order (Keras' order), then those of sub-metrics."""
        variables = list(self._variables)
        for metric in self._metrics:
            variables.extend(metric.variables)
        return variables

    def add_variable(self, shape=(), initializer="zeros", dtype=None, aggregation: str = "sum",
                     name: str | None = None) -> Variable:
        """Creates a non-trainable state variable on the metric's device and tracks it.

        Args:
            shape: Shape of the state, `()` for a scalar.
            initializer: Initial value: an initializer name ('zeros'), object or callable.
            dtype: Defaults to the metric's dtype.
            aggregation: How replicas combine it (Keras' argument; kept on the variable).
            name: The variable's name (its path is '<metric name>/<name>').

        Returns:
            The new `Variable`; assign it to an attribute (`self.total = ...`).

        Example:
            >>> m = Mean()
            >>> m.add_variable((2,), name="extra").shape
            (2,)
        """
        if "_variables" not in self.__dict__:
            raise RuntimeError(f"{type(self).__name__}: you forgot to call `super().__init__()` "
                               f"in the `__init__()` method. Add it before creating variables.")
        variable = Variable(initializer, shape=tuple(shape),
                            dtype=self._torch_dtype if dtype is None else dtype, trainable=False,
                            aggregation=aggregation, name=name, device=self._device)
        variable.path = f"{self.name}/{variable.name}"
        _add_once(self._variables, variable)
        return variable

    def add_weight(self, shape=(), initializer="zeros", dtype=None, name: str | None = None,
                   aggregation: str = "sum", synchronization: str = "on_read") -> Variable:
        """Alias of `add_variable` with a scalar default shape (Keras 3 and TF-2 spelling).

        TF-2 code passes the name first (`self.add_weight("tp", initializer="zeros")`);
        a string in place of `shape` is taken as that name.

        Example:
            >>> m = Mean()
            >>> m.add_weight("tp", initializer="zeros").path
            'mean/tp'
        """
        if isinstance(shape, str):
            shape, name = (), shape if name is None else name
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype,
                                 aggregation=aggregation, name=name)

    def _add_constant(self, value, name: str, dtype=None) -> torch.Tensor:
        """Stores a fixed tensor (e.g. thresholds) that follows the state to its device."""
        dtype = self._torch_dtype if dtype is None else backend.torch_dtype(dtype)
        constant = torch.as_tensor(value, dtype=dtype).to(self._device)
        setattr(self, name, constant)
        if name not in self._constant_names:
            self._constant_names.append(name)
        return constant

    def _follow_device(self, *inputs) -> None:
        """Moves the state to the device of the first tensor input when it differs."""
        for x in inputs:
            if isinstance(x, torch.Tensor):
                if x.device != self._device:
                    self._move_to(x.device)
                return

    def _move_to(self, device: torch.device) -> None:
        """Moves every variable in place (same Python objects) and the constants."""
        for variable in self._variables:
            _move_variable(variable, device)
        for name in self._constant_names:
            setattr(self, name, getattr(self, name).to(device))
        for metric in self._metrics:
            metric._move_to(device)
        self._device = device

    def _to_tensor(self, x, dtype=None) -> torch.Tensor:
        """`x` as a tensor on the state's device, detached from autograd."""
        if isinstance(x, torch.Tensor):
            if x.requires_grad:  # (detach is a dispatched op: skipped in the per-step case)
                x = x.detach()
            # Fast path for the per-step case: already in place, nothing to convert.
            if x.device == self._device and (x.dtype == dtype if dtype is not None
                                             else x.dtype != torch.float64):
                return x
        return backend.to_tensor(x, dtype=dtype, device=self._device)

    def update_state(self, *args, **kwargs) -> None:
        """Accumulates statistics from one batch."""
        raise NotImplementedError(f"{type(self).__name__} must implement `update_state`.")

    def result(self) -> torch.Tensor:
        """The current value, a 0-dim tensor on the state's device."""
        raise NotImplementedError(f"{type(self).__name__} must implement `result`.")

    def reset_state(self) -> None:
        """Sets every state variable back to zero, in place."""
        with torch.no_grad():
            for variable in self.variables:
                variable.zero_()

    def __call__(self, *args, **kwargs) -> torch.Tensor:
        """Updates the state with one batch, then returns `result()` (as Keras does)."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this metric."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Metric":
        """Builds a metric from `get_config()`'s dict."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


def _add_once(store: list, item) -> None:
    if not any(existing is item for existing in store):
        store.append(item)


def _move_variable(variable: Variable, device: torch.device) -> None:
    """Puts a variable's data on `device` while keeping the object (references stay valid)."""
    try:
        variable.data = variable.data.to(device)
    except RuntimeError:
        # `.data` cannot change the tensor type (e.g. to 'meta'); swap the whole object.
        moved = Variable(variable.detach().to(device), trainable=False, name=variable.name,
                         device=device)
        moved.path = variable.path
        torch.utils.swap_tensors(variable, moved)


def _auto_name(class_name: str) -> str:
    return naming.to_snake_case(re.sub(r"\W+", "", class_name))


def squeeze_or_expand_to_same_rank(x1: torch.Tensor, x2: torch.Tensor, expand_rank_1: bool = True):
    """Removes or adds a trailing axis of size 1 so that two tensors have the same rank.

    Keras' rule: when the ranks differ by one and the longer one ends in 1, a rank-1
    tensor is expanded (`(N,)` -> `(N, 1)`), otherwise the longer one is squeezed. So
    `(N,)` is never broadcast against `(N, 1)` into `(N, N)`.

    Returns:
        The pair `(x1, x2)`, adjusted.
    """
    rank1, rank2 = x1.dim(), x2.dim()
    if rank1 == rank2 + 1 and x1.shape[-1] == 1:
        if rank2 == 1 and expand_rank_1:
            x2 = x2.unsqueeze(-1)
        else:
            x1 = x1.squeeze(-1)
    elif rank2 == rank1 + 1 and x2.shape[-1] == 1:
        if rank1 == 1 and expand_rank_1:
            x1 = x1.unsqueeze(-1)
        else:
            x2 = x2.squeeze(-1)
    return x1, x2


def _weights_times_mask(sample_weight, mask: torch.Tensor) -> torch.Tensor:
    """`sample_weight * mask` with ranks matched as Keras' `apply_mask` does (the mask alone
    when there are no weights)."""
    if sample_weight is None:
        return mask
    mask, sample_weight = squeeze_or_expand_to_same_rank(mask, sample_weight)
    check_sample_weight_shape(sample_weight, mask.shape)
    return sample_weight * mask


def _reduce_to_samplewise(values: torch.Tensor, sample_weight, reduce_fn):
    """Weights `values` and reduces both to one entry per sample (Keras' reduction rule)."""
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_rank = sample_weight.dim()
        if values.dim() > weight_rank:
            values = reduce_fn(values, dim=tuple(range(weight_rank, values.dim())))
        check_sample_weight_shape(sample_weight, values.shape)
        sample_weight = sample_weight.broadcast_to(values.shape)
        values = values * sample_weight
        if weight_rank > 1:
            sample_weight = reduce_fn(sample_weight, dim=tuple(range(1, weight_rank)))
    if values.dim() > 1:
        values = reduce_fn(values, dim=tuple(range(1, values.dim())))
    return values, sample_weight


def divide_no_nan(numerator: torch.Tensor, denominator: torch.Tensor) -> torch.Tensor:
    """`numerator / denominator`, with 0 where the denominator is 0."""
    safe = torch.where(denominator == 0, torch.ones_like(denominator), denominator)
    return torch.where(denominator == 0, torch.zeros_like(numerator), numerator / safe)


class Sum(Metric):
    """The (weighted) sum of the values seen.

    Args:
        name: Defaults to 'sum'.
        dtype: Defaults to floatx.

    Example:
        >>> m = Sum()
        >>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
        >>> float(m.result())
        4.0
    """

    def __init__(self, name: str = "sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), name="total")

    def update_state(self, values, sample_weight=None) -> None:
        """Adds the (weighted) values of one batch to the total."""
        self._follow_device(values, sample_weight)
        values = self._to_tensor(values, self._torch_dtype)
        if sample_weight is not None:
            sample_weight = self._to_tensor(sample_weight, self._torch_dtype)
        values, _ = _reduce_to_samplewise(values, sample_weight, torch.sum)
        self.total.add_(values.sum())

    def result(self) -> torch.Tensor:
        """The total so far."""
        return self.total.clone()


class Mean(Metric):
    """The (weighted) mean of the values seen: `total / count`.

    Values of rank > 1 are first averaged to one value per sample; `count` grows by the
    number of samples (or by the sum of their weights).

    Args:
        name: Defaults to 'mean'.
        dtype: Defaults to floatx.

    Example:
        >>> m = Mean()
        >>> m.update_state([1, 3, 5, 7])
        >>> float(m.result())
        4.0
    """

    def __init__(self, name: str = "mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), name="total")
        self.count = self.add_variable((), name="count")

    def update_state(self, values, sample_weight=None) -> None:
        """Adds one batch of values (and their weights) to the running mean."""
        self._follow_device(values, sample_weight)
        values = self._to_tensor(values, self._torch_dtype)
        if isinstance(sample_weight, (int, float)):
            sample_weight = torch.full((), float(sample_weight), dtype=self._torch_dtype,
                                       device=self._device)
        elif sample_weight is not None:
            sample_weight = self._to_tensor(sample_weight, self._torch_dtype)
        values, sample_weight = _reduce_to_samplewise(values, sample_weight, torch.mean)
        self.total.add_(values.sum())
        if sample_weight is not None:
            self.count.add_(sample_weight.sum())
        else:
            self.count.add_(values.shape[0] if values.dim() else 1)

    def result(self) -> torch.Tensor:
        """`total / count`, or 0 before any sample was seen."""
        return divide_no_nan(self.total, self.count)


def _mismatch_reason(fn, y_true, y_pred, error: RuntimeError) -> str:
    """Why a metric function failed on these shapes: one-hot labels given to a sparse metric
    (the learner's usual slip), else torch's own first line."""
    one_hot = (y_true.ndim == y_pred.ndim and y_true.ndim > 1
               and y_true.shape[-1] == y_pred.shape[-1] > 1)
    if one_hot and "sparse" in getattr(fn, "__name__", ""):
        return ("the labels look one-hot encoded (one column per class), but a sparse metric "
                "expects integer class indices. Use 'categorical_accuracy' (or the "
                "categorical version of the metric), or pass integer labels: "
                "np.argmax(y, axis=-1).")
    return str(error).splitlines()[0]


class MeanMetricWrapper(Mean):
    """The running mean of a per-sample function `fn(y_true, y_pred, **kwargs)`.

    `fn` receives tensors on the metric's device and returns one value per sample (or
    per element; extra axes are averaged).

    Args:
        fn: The function to average, e.g. `binary_accuracy`.
        name: Defaults to 'mean_metric_wrapper' (made unique).
        dtype: Defaults to floatx.
        **kwargs: Passed on to `fn` at every call.

    Example:
        >>> def abs_error(y_true, y_pred):
        ...     return (y_true - y_pred).abs()
        >>> m = MeanMetricWrapper(abs_error, name="abs_error")
        >>> float(m([1.0, 2.0], [1.5, 2.0]))
        0.25
    """

    def __init__(self, fn: Callable, name: str | None = None, dtype=None, **kwargs):
        if not callable(fn):
            raise TypeError(f"Argument `fn` of MeanMetricWrapper must be a function "
                            f"fn(y_true, y_pred), but received {fn!r} of type {type(fn).__name__}.")
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Evaluates `fn` on one batch and adds its per-sample values to the mean."""
        self._follow_device(y_pred, y_true, sample_weight)
        prediction_mask = getattr(y_pred, "_keras_mask", None)
        y_true = self._to_tensor(y_true)
        y_pred = self._to_tensor(y_pred)
        try:
            values = self._fn(y_true, y_pred, **self._fn_kwargs)
        except RuntimeError as error:  # torch's shape mismatch from inside `fn`
            raise ValueError(f"Metric '{self.name}' cannot compare `y_true` of shape "
                             f"{tuple(y_true.shape)} with `y_pred` of shape {tuple(y_pred.shape)}: "
                             f"{_mismatch_reason(self._fn, y_true, y_pred, error)}") from None
        if prediction_mask is not None:
            # Keras weights by the predictions' mask (padded timesteps count for nothing).
            sample_weight = _weights_times_mask(
                None if sample_weight is None else self._to_tensor(sample_weight, values.dtype),
                self._to_tensor(prediction_mask, values.dtype))
        mask = getattr(values, "_keras_mask", None)
        if mask is not None and sample_weight is not None:
            # Keras drops masked entries (e.g. ignore_class) from the count only when
            # sample weights are given; without them they count as zeros.
            sample_weight = self._to_tensor(sample_weight) * mask.to(values.dtype)
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self) -> dict[str, Any]:
        """Name, dtype, `fn` (serialized by name, as Keras does) and `fn`'s kwargs."""
        fn_name = getattr(self._fn, "__name__", type(self._fn).__name__)
        fn_config = {"module": "builtins", "class_name": "function", "config": fn_name,
                     "registered_name": "function"}
        return {**super().get_config(), "fn": fn_config, **self._fn_kwargs}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "MeanMetricWrapper":
        """Rebuilds the wrapper; `fn` given by name is looked up among lamina's metric functions."""
        if "fn" not in config:
            return cls(**config)
        config = dict(config)
        fn = config.pop("fn")
        if isinstance(fn, dict):
            fn = fn.get("config")
        if isinstance(fn, str):
            from lamina.metrics.resolve import get_function

            fn = get_function(fn)
        return cls(fn, **config)
