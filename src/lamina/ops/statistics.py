"""Statistics and NaN-ignoring reductions: `percentile`, `quantile`, `ptp`, `nanmean`, ...

They take Keras' `axis=None, keepdims=False` like every reduction and return tensors.

Example:
    >>> from lamina import ops
    >>> ops.nanmean(torch.tensor([1.0, float("nan"), 3.0]))
    tensor(2.)
"""
from __future__ import annotations

import torch

from lamina.ops.core import tensor
from lamina.ops.unary import as_float

__all__ = [
    "corrcoef",
    "histogram",
    "nanargmax",
    "nanargmin",
    "nancumprod",
    "nancumsum",
    "nanmax",
    "nanmean",
    "nanmedian",
    "nanmin",
    "nanpercentile",
    "nanprod",
    "nanquantile",
    "nanstd",
    "nansum",
    "nanvar",
    "percentile",
    "ptp",
    "quantile",
]

_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _axes(axis):
    if axis is None:
        return None
    return tuple(axis) if isinstance(axis, (list, tuple)) else (axis,)


def _over(x: torch.Tensor, axis, keepdims: bool, reduce):
    """Applies `reduce(values, dim)` over several axes by moving them to the end."""
    axes = _axes(axis)
    if axes is None:
        result = reduce(x.reshape(-1), 0)
        return result.reshape((1,) * x.dim()) if keepdims else result
    axes = tuple(a % x.dim() for a in axes)
    kept = [d for d in range(x.dim()) if d not in axes]
    moved = x.permute(*kept, *axes).reshape(*[x.shape[d] for d in kept], -1)
    result = reduce(moved, -1)
    if keepdims:
        for a in sorted(axes):
            result = result.unsqueeze(a)
    return result


def ptp(x, axis=None, keepdims: bool = False) -> torch.Tensor:
    """Peak to peak: `max - min` over `axis`.

    Example:
        >>> ptp(torch.tensor([[1, 5], [2, 9]]), axis=1)
        tensor([4, 7])
    """
    x = tensor(x)
    return _over(x, axis, keepdims, lambda v, d: v.amax(d) - v.amin(d))


def quantile(x, q, axis=None, method: str = "linear", keepdims: bool = False):
    """The `q`-th quantile(s) (`q` in [0, 1]) over `axis`; `method` as NumPy's.

    Example:
        >>> quantile(torch.tensor([1.0, 2.0, 3.0, 4.0]), 0.5)
        tensor(2.5000)
    """
    return _quantile(as_float(x), q, axis, method, keepdims, torch.quantile)


def _quantile(x, q, axis, method, keepdims, function):
    if method not in _METHODS:
        raise ValueError(f"Argument `method` must be one of {_METHODS}. Received: "
                         f"method={method!r}")
    q_tensor = tensor(q, x.device).to(x.dtype)
    if axis is None or isinstance(axis, int):
        flat = x.reshape(-1) if axis is None else x
        result = function(flat, q_tensor, dim=0 if axis is None else axis, keepdim=keepdims,
                          interpolation=method)
        if axis is None and keepdims:
            result = result.reshape(q_tensor.shape + (1,) * x.dim())
        return result
    axes = tuple(a % x.dim() for a in axis)
    kept = [d for d in range(x.dim()) if d not in axes]
    moved = x.permute(*kept, *axes).reshape(*[x.shape[d] for d in kept], -1)
    result = function(moved, q_tensor, dim=-1, interpolation=method)
    if keepdims:
        for a in sorted(axes):
            result = result.unsqueeze(a + (q_tensor.dim()))
    return result


def percentile(x, q, axis=None, method: str = "linear", keepdims: bool = False):
    """The `q`-th percentile(s) (`q` in [0, 100]) over `axis`.

    Example:
        >>> percentile(torch.tensor([1.0, 2.0, 3.0, 4.0]), 25)
        tensor(1.7500)
    """
    return quantile(x, tensor(q) / 100.0, axis=axis, method=method, keepdims=keepdims)


def nanquantile(x, q, axis=None, method: str = "linear", keepdims: bool = False):
    """`quantile` ignoring NaN.

    Example:
        >>> nanquantile(torch.tensor([1.0, float("nan"), 3.0]), 0.5)
        tensor(2.)
    """
    return _quantile(as_float(x), q, axis, method, keepdims, torch.nanquantile)


def nanpercentile(x, q, axis=None, method: str = "linear", keepdims: bool = False):
    """`percentile` ignoring NaN.

    Example:
        >>> nanpercentile(torch.tensor([1.0, float("nan"), 3.0]), 50)
        tensor(2.)
    """
    return nanquantile(x, tensor(q) / 100.0, axis=axis, method=method, keepdims=keepdims)


def _replaced(x, value):
    x = tensor(x)
    if not x.is_floating_point():
        return x
    return torch.where(torch.isnan(x), torch.as_tensor(value, dtype=x.dtype, device=x.device), x)


def nansum(x, axis=None, keepdims: bool = False) -> torch.Tensor:
    """Sum treating NaN as 0.

    Example:
        >>> nansum(torch.tensor([1.0, float("nan"), 3.0]))
        tensor(4.)
    """
    return _over(_replaced(x, 0.0), axis, keepdims, lambda v, d: v.sum(d))


def nanprod(x, axis=None, keepdims: bool = False) -> torch.Tensor:
    """Product treating NaN as 1.

    Example:
        >>> nanprod(torch.tensor([2.0, float("nan"), 3.0]))
        tensor(6.)
    """
    return _over(_replaced(x, 1.0), axis, keepdims, lambda v, d: v.prod(d))


def nanmean(x, axis=None, keepdims: bool = False) -> torch.Tensor:
    """Mean over the non-NaN elements (NaN where all are NaN).

    Example:
        >>> nanmean(torch.tensor([1.0, float("nan"), 3.0]))
        tensor(2.)
    """
    x = as_float(x)
    return _over(x, axis, keepdims, lambda v, d: torch.nanmean(v, dim=d))


def nanmax(x, axis=None, keepdims: bool = False) -> torch.Tensor:
    """Maximum ignoring NaN.

    Example:
        >>> nanmax(torch.tensor([1.0, float("nan"), 3.0]))
        tensor(3.)
    """
    x = tensor(x)
    return _over(_replaced(x, -torch.inf) if x.is_floating_point() else x, axis, keepdims,
                 lambda v, d: v.amax(d))


def nanmin(x, axis=None, keepdims: bool = False) -> torch.Tensor:
    """Minimum ignoring NaN.

    Example:
        >>> nanmin(torch.tensor([1.0, float("nan"), 3.0]))
        tensor(1.)
    """
    x = tensor(x)
    return _over(_replaced(x, torch.inf) if x.is_floating_point() else x, axis, keepdims,
                 lambda v, d: v.amin(d))


def nanvar(x, axis=None, keepdims: bool = False) -> torch.Tensor:
    """Variance (biased, as NumPy's default) over the non-NaN elements.

    Example:
        >>> nanvar(torch.tensor([1.0, float("nan"), 3.0]))
        tensor(1.)
    """
    x = as_float(x)

    def variance(v, d):
        mean = torch.nanmean(v, dim=d, keepdim=True)
        return torch.nanmean((v - mean) ** 2, dim=d)

    return _over(x, axis, keepdims, variance)


def nanstd(x, axis=None, keepdims: bool = False) -> torch.Tensor:
    """Standard deviation over the non-NaN elements.

    Example:
        >>> nanstd(torch.tensor([1.0, float("nan"), 3.0]))
        tensor(1.)
    """
    return torch.sqrt(nanvar(x, axis=axis, keepdims=keepdims))


def nanmedian(x, axis=None, keepdims: bool = False) -> torch.Tensor:
    """Median ignoring NaN (the mean of the two middle values for an even count).

    Example:
        >>> nanmedian(torch.tensor([1.0, float("nan"), 3.0, 4.0]))
        tensor(3.)
    """
    return nanquantile(x, 0.5, axis=axis, keepdims=keepdims)


def nanargmax(x, axis=None, keepdims: bool = False) -> torch.Tensor:
    """Index of the maximum ignoring NaN (over the flattened tensor when `axis` is None).

    Example:
        >>> nanargmax(torch.tensor([1.0, float("nan"), 3.0]))
        tensor(2, dtype=torch.int32)
    """
    x = _replaced(x, -torch.inf)
    flat = x.reshape(-1) if axis is None else x
    return torch.argmax(flat, dim=0 if axis is None else axis, keepdim=keepdims).to(torch.int32)


def nanargmin(x, axis=None, keepdims: bool = False) -> torch.Tensor:
    """Index of the minimum ignoring NaN.

    Example:
        >>> nanargmin(torch.tensor([1.0, float("nan"), 0.5]))
        tensor(2, dtype=torch.int32)
    """
    x = _replaced(x, torch.inf)
    flat = x.reshape(-1) if axis is None else x
    return torch.argmin(flat, dim=0 if axis is None else axis, keepdim=keepdims).to(torch.int32)


def nancumsum(x, axis=None, dtype=None) -> torch.Tensor:
    """Cumulative sum treating NaN as 0 (over the flattened tensor when `axis` is None).

    Example:
        >>> nancumsum(torch.tensor([1.0, float("nan"), 3.0]))
        tensor([1., 1., 4.])
    """
    x = _replaced(x, 0.0)
    return torch.cumsum(x.reshape(-1) if axis is None else x, dim=0 if axis is None else axis)


def nancumprod(x, axis=None, dtype=None) -> torch.Tensor:
    """Cumulative product treating NaN as 1.

    Example:
        >>> nancumprod(torch.tensor([2.0, float("nan"), 3.0]))
        tensor([2., 2., 6.])
    """
    x = _replaced(x, 1.0)
    return torch.cumprod(x.reshape(-1) if axis is None else x, dim=0 if axis is None else axis)


def corrcoef(x) -> torch.Tensor:
    """Pearson correlation coefficients of the rows of `x` (each row a variable).

    Example:
        >>> corrcoef(torch.tensor([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]]))
        tensor([[ 1., -1.],
                [-1.,  1.]])
    """
    return torch.corrcoef(as_float(x))


def histogram(x, bins: int = 10, range=None):
    """`(counts, bin_edges)` of the values of a 1-D `x` in `bins` equal bins over `range`.

    Example:
        >>> histogram(torch.tensor([0.0, 0.5, 1.0, 1.0]), bins=2)
        (tensor([1., 3.]), tensor([0.0000, 0.5000, 1.0000]))
    """
    x = as_float(x)
    if x.dim() != 1:
        raise ValueError(f"`histogram` needs a 1-D tensor, but received shape {tuple(x.shape)}.")
    low, high = (x.min(), x.max()) if range is None else (torch.as_tensor(range[0]),
                                                          torch.as_tensor(range[1]))
    edges = torch.linspace(float(low), float(high), bins + 1, dtype=x.dtype, device=x.device)
    counts = torch.histc(x, bins=bins, min=float(low), max=float(high))
    return counts.to(torch.float32), edges  # Keras' counts are float32
