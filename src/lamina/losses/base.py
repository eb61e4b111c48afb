"""The `Loss` base class, reductions, and the rank matching every loss shares.

Example:
    >>> import torch
    >>> from lamina.losses import MeanSquaredError
    >>> MeanSquaredError()(torch.tensor([[0.0, 1.0]]), torch.tensor([[1.0, 1.0]]))
    tensor(0.5000)
"""
from __future__ import annotations

import torch

from lamina import backend
from lamina.utils.naming import to_snake_case, unique_name

__all__ = [
    "Loss", "LossFunctionWrapper", "REDUCTIONS", "standardize_reduction",
    "squeeze_or_expand_to_same_rank", "matched_targets", "reduce_values", "reduce_weighted_values",
    "prediction_tensor", "target_tensor", "check_sample_weight_shape",
]

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)

# Attributes lamina's layers and activations attach to an output tensor: the softmax/sigmoid
# logits (so cross-entropies can work from them) and the Keras mask.
_CARRIED_ATTRIBUTES = ("_keras_logits", "_keras_logits_kind", "_keras_logits_axis", "_keras_mask")


def standardize_reduction(reduction):
    """Checks `reduction` against Keras' names and returns it unchanged."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"Invalid value for argument `reduction`. Expected one of "
                         f"{list(REDUCTIONS)}. Received: reduction={reduction!r}")
    return reduction


def _carry_attributes(source: torch.Tensor, target: torch.Tensor, reshape=None) -> torch.Tensor:
    """Copies lamina's output attributes from `source` to `target`, reshaping logits alike."""
    if target is source:
        return target
    for name in _CARRIED_ATTRIBUTES:
        value = getattr(source, name, None)
        if value is None:
            continue
        if name == "_keras_logits":
            if reshape is None:
                value = value.to(target.dtype)
            else:
                value = reshape(value)
        elif name == "_keras_mask" and reshape is not None:
            continue
        setattr(target, name, value)
    return target


def prediction_tensor(y_pred, dtype=None) -> torch.Tensor:
    """`y_pred` as a floating tensor (of `dtype` when given), keeping lamina's logits attributes.

    Args:
        y_pred: tensor, NumPy array or nested list.
        dtype: target dtype; None keeps a floating tensor's dtype (integers become floatx).

    Returns:
        A floating torch tensor.
    """
    if not isinstance(y_pred, torch.Tensor):
        y_pred = backend.to_tensor(y_pred)
    target = backend.torch_dtype(dtype) if dtype is not None else y_pred.dtype
    if not target.is_floating_point:
        target = backend.torch_dtype(backend.floatx())
    if y_pred.dtype == target:
        return y_pred
    return _carry_attributes(y_pred, y_pred.to(target))


def target_tensor(y_true, like: torch.Tensor, dtype=None) -> torch.Tensor:
    """`y_true` as a tensor on `like`'s device, cast to `dtype` (None keeps its dtype)."""
    if not isinstance(y_true, torch.Tensor):
        y_true = backend.to_tensor(y_true, device=like.device)
    if y_true.device == like.device and (dtype is None or y_true.dtype == dtype):
        return y_true
    return y_true.to(device=like.device, dtype=dtype or y_true.dtype)


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1: bool = True):
    """Matches ranks that differ by one trailing axis of size 1, as Keras does.

    `(N,)` against `(N, 1)` becomes `(N, 1)` and `(N, 1)`, never a `(N, N)` broadcast.

    Args:
        x1: first tensor (usually y_true).
        x2: second tensor (usually y_pred).
        expand_rank_1: expand a rank-1 tensor instead of squeezing the other.

    Returns:
        The pair `(x1, x2)` with equal ranks when the rule applies, else unchanged.

    Example:
        >>> a, b = squeeze_or_expand_to_same_rank(torch.zeros(4), torch.zeros(4, 1))
        >>> tuple(a.shape), tuple(b.shape)
        ((4, 1), (4, 1))
    """
    rank1, rank2 = x1.dim(), x2.dim()
    if rank1 == rank2 + 1 and x1.shape[-1] == 1:
        if rank2 == 1 and expand_rank_1:
            x2 = _reshaped(x2, lambda t: t.unsqueeze(-1))
        else:
            x1 = _reshaped(x1, lambda t: t.squeeze(-1))
    elif rank2 == rank1 + 1 and x2.shape[-1] == 1:
        if rank1 == 1 and expand_rank_1:
            x1 = _reshaped(x1, lambda t: t.unsqueeze(-1))
        else:
            x2 = _reshaped(x2, lambda t: t.squeeze(-1))
    return x1, x2


def matched_targets(y_true: torch.Tensor, y_pred: torch.Tensor, same_shape: bool = False):
    """`squeeze_or_expand_to_same_rank(y_true, y_pred)`, with Keras' error for shapes that
    do not go together (instead of torch's from inside the loss): broadcastable ones, or the
    same shape where `same_shape` (binary cross-entropy).

    Example:
        >>> matched_targets(torch.zeros(2, 3), torch.zeros(2, 4))
        Traceback (most recent call last):
        ValueError: Arguments `y_true` and `y_pred` have incompatible shapes for broadcasting: y_true.shape=(2, 3), y_pred.shape=(2, 4).
    """
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    if y_true.shape == y_pred.shape:
        return y_true, y_pred
    shapes = f"y_true.shape={tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}"
    if same_shape:
        raise ValueError(f"Arguments `target` and `output` must have the same shape. "
                         f"Received: {shapes.replace('y_true', 'target').replace('y_pred', 'output')}.")
    try:
        torch.broadcast_shapes(y_true.shape, y_pred.shape)
    except RuntimeError:
        raise ValueError(f"Arguments `y_true` and `y_pred` have incompatible shapes for "
                         f"broadcasting: {shapes}.") from None
    return y_true, y_pred


def _reshaped(x: torch.Tensor, reshape) -> torch.Tensor:
    return _carry_attributes(x, reshape(x), reshape=reshape)


def reduce_values(values: torch.Tensor, sample_weight=None, reduction="sum_over_batch_size"):
    """Sums `values`, then divides as `reduction` says; 'none' returns them unchanged.

    'sum_over_batch_size' and 'mean' divide by the number of elements (weighted or not),
    'mean_with_sample_weight' by the sum of the weights.
    """
    if reduction in (None, "none") or values.dim() == 0 or tuple(values.shape) == (0,):
        return values
    if reduction == "sum":
        return values.sum()
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        total = values.sum()
        divisor = sample_weight.sum().to(total.dtype)
        return torch.where(divisor != 0, total / torch.where(divisor != 0, divisor, 1.0), 0.0)
    # 'sum_over_batch_size', 'mean' (and unweighted 'mean_with_sample_weight'): sum / count.
    return values.mean() if values.numel() else values.sum()


def _weights_like(weights, values: torch.Tensor) -> torch.Tensor:
    """Weights as a tensor of `values`' dtype and device that broadcast from the batch axis."""
    if not isinstance(weights, torch.Tensor):
        weights = backend.to_tensor(weights, device=values.device)
    weights = weights.to(device=values.device, dtype=values.dtype)
    if 0 < weights.dim() < values.dim():
        weights = weights.reshape(tuple(weights.shape) + (1,) * (values.dim() - weights.dim()))
    return weights


def check_sample_weight_shape(sample_weight: torch.Tensor, values_shape, per_sample: bool = True):
    """Raises a ValueError naming `sample_weight` when it cannot broadcast against the values.

    A bare broadcasting error from deep inside a loss or metric does not say which argument
    was wrong; a weight vector of the wrong length is the usual slip.

    Args:
        sample_weight: the weights, already a tensor.
        values_shape: shape of the values they weigh (batch axis first).
        per_sample: whether one weight per sample is accepted (IoU metrics need one per label).

    Example:
        >>> check_sample_weight_shape(torch.ones(7), (16,))
        Traceback (most recent call last):
        ValueError: `sample_weight` has shape (7,), which does not broadcast against ...
    """
    # Compared as tuples: torch.broadcast_shapes costs ~50 us, and this runs in every weighted
    # or masked step, for the loss and each metric.
    pairs = zip(reversed(sample_weight.shape), reversed(values_shape))
    if not all(w == v or w == 1 or v == 1 for w, v in pairs):
        values_shape = tuple(values_shape)
        expected = "a scalar or weights shaped like `y_true`"
        if per_sample and values_shape:
            expected = f"one weight per sample (shape ({values_shape[0]},)), {expected}"
        raise ValueError(f"`sample_weight` has shape {tuple(sample_weight.shape)}, which does not "
                         f"broadcast against the values it weighs, of shape {values_shape}. "
                         f"Pass {expected}.")


def reduce_weighted_values(values, sample_weight=None, mask=None,
                           reduction="sum_over_batch_size") -> torch.Tensor:
    """Applies the mask and sample weights to per-sample losses, then reduces them.

    A mask (from `ignore_class` or a masking layer) makes 'sum_over_batch_size' average over
    the unmasked entries only, as Keras does.

    Args:
        values: per-sample (or per-element) losses.
        sample_weight: None or weights broadcastable from the batch axis.
        mask: None or a boolean tensor of `values`' shape.
        reduction: one of `REDUCTIONS`.

    Returns:
        A 0-dim tensor, or `values` weighted when the reduction is None/'none'.
    """
    reduction = standardize_reduction(reduction)
    if mask is not None:
        mask = mask.to(values.dtype)
        if reduction in ("mean", "sum_over_batch_size"):
            valid = mask.sum()
            scale = mask.numel() / torch.where(valid > 0, valid, 1.0)
            mask = mask * torch.where(valid > 0, scale, 0.0)
        if sample_weight is None:
            sample_weight = mask
        else:
            mask, weights = squeeze_or_expand_to_same_rank(mask, _weights_like(sample_weight, mask))
            check_sample_weight_shape(weights, mask.shape)
            sample_weight = weights * mask
    if sample_weight is not None:
        sample_weight = _weights_like(sample_weight, values)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        check_sample_weight_shape(sample_weight, values.shape)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


def _compute_dtype(dtype) -> torch.dtype:
    """A torch dtype from a name, a torch dtype, 'mixed_float16'-style names or a policy object."""
    if dtype is None:
        return backend.torch_dtype(backend.floatx())
    compute = getattr(dtype, "compute_dtype", None)
    if compute is not None:
        return backend.torch_dtype(compute)
    if isinstance(dtype, str) and dtype.startswith("mixed_"):
        return backend.torch_dtype(dtype[len("mixed_"):])
    return backend.torch_dtype(dtype)


class Loss:
    """Base class of losses: `call` gives per-sample values, `__call__` weights and reduces them.

    Args:
        name: the loss's name; defaults to the class name in snake case.
        reduction: 'sum_over_batch_size' (default), 'sum', 'mean', 'mean_with_sample_weight',
            or None/'none' for per-sample values.
        dtype: dtype of the computation; defaults to floatx ('float32').

    Example:
        >>> class Squares(Loss):
        ...     def call(self, y_true, y_pred):
        ...         return torch.mean((y_pred - y_true) ** 2, dim=-1)
        >>> Squares()(torch.zeros(2, 3), torch.ones(2, 3))
        tensor(1.)
    """

    # Sparse cross-entropy keeps integer labels; every other loss sees y_true in its dtype.
    _integer_labels = False

    def __init__(self, name: str | None = None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self.reduction = standardize_reduction(reduction)
        self._dtype = _compute_dtype(dtype)

    @property
    def dtype(self) -> str:
        """The computation dtype's name, e.g. 'float32'."""
        return str(self._dtype).replace("torch.", "")

    def __call__(self, y_true, y_pred, sample_weight=None) -> torch.Tensor:
        """The reduced loss of a batch: a 0-dim tensor (per-sample values for reduction None).

        Args:
            y_true: labels (tensor or array).
            y_pred: model outputs.
            sample_weight: optional weights per sample.

        Returns:
            A tensor on y_pred's device; no host synchronisation happens here.
        """
        y_pred = prediction_tensor(y_pred, self._dtype)
        y_true = target_tensor(y_true, y_pred, None if self._integer_labels else self._dtype)
        losses = self.call(y_true, y_pred)
        mask = _merge_masks(getattr(y_pred, "_keras_mask", None),
                            getattr(losses, "_keras_mask", None))
        if sample_weight is None and mask is None:
            return reduce_values(losses, None, self.reduction)
        return reduce_weighted_values(losses, sample_weight, mask, self.reduction)

    def call(self, y_true: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor:
        """Per-sample losses; subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} must implement `call(y_true, y_pred)`.")

    def get_config(self) -> dict:
        """The constructor arguments that rebuild this loss."""
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict):
        """Rebuilds a loss from `get_config()`'s dict."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} reduction={self.reduction!r}>"


def _merge_masks(in_mask, out_mask):
    """The mask of y_pred (masking layers) and of the losses (ignore_class), combined."""
    if in_mask is None or out_mask is None:
        return out_mask if in_mask is None else in_mask
    return in_mask.bool() & out_mask.bool()


class LossFunctionWrapper(Loss):
    """Turns a function `fn(y_true, y_pred, **kwargs)` into a `Loss`.

    Args:
        fn: a per-sample loss function.
        reduction: as `Loss`.
        name: the loss's name (default 'loss_function_wrapper').
        dtype: as `Loss`.
        **kwargs: passed to `fn` on every call.

    Example:
        >>> def absolute(y_true, y_pred):
        ...     return torch.mean(torch.abs(y_pred - y_true), dim=-1)
        >>> LossFunctionWrapper(absolute)(torch.zeros(2, 1), torch.ones(2, 1))
        tensor(1.)
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name: str | None = None, dtype=None,
                 **kwargs):
        if not callable(fn):
            raise TypeError(f"LossFunctionWrapper expects a callable `fn(y_true, y_pred)`. "
                            f"Received: fn={fn!r} of type {type(fn).__name__}")
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs
        self._integer_labels = bool(getattr(fn, "_integer_labels", False))

    def call(self, y_true, y_pred):
        """Matches ranks, then returns `fn(y_true, y_pred, **kwargs)`."""
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        """Name, reduction, the serialized `fn` and its keyword arguments."""
        from lamina.losses.registry import serialize_function

        config = super().get_config()
        config["fn"] = serialize_function(self.fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: dict):
        """Rebuilds the wrapper, resolving a serialized `fn`."""
        from lamina.losses.registry import deserialize

        config = dict(config)
        if isinstance(config.get("fn"), (str, dict)):
            config["fn"] = deserialize(config["fn"])
        return cls(**config)

    def __repr__(self) -> str:
        return f"<LossFunctionWrapper({self.fn}, kwargs={self._fn_kwargs})>"
