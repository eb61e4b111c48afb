"""More array manipulation with Keras' names: `hstack`, `vstack`, `diff`, `rot90`, `isin`, ...

Example:
    >>> from lamina import ops
    >>> ops.hstack([torch.ones(2, 1), torch.zeros(2, 2)]).shape
    torch.Size([2, 3])
"""
from __future__ import annotations

import torch

from lamina.ops.core import tensor, tensors

__all__ = [
    "append",
    "argpartition",
    "array_split",
    "bincount",
    "diagflat",
    "diff",
    "digitize",
    "dsplit",
    "dstack",
    "fliplr",
    "flipud",
    "hsplit",
    "hstack",
    "isin",
    "kron",
    "nonzero",
    "rot90",
    "searchsorted",
    "select",
    "unique",
    "unravel_index",
    "vander",
    "vsplit",
    "vstack",
]


def hstack(xs) -> torch.Tensor:
    """Joins tensors column-wise (along axis 1; axis 0 for 1-D tensors).

    Example:
        >>> hstack([torch.tensor([1, 2]), torch.tensor([3])])
        tensor([1, 2, 3])
    """
    return torch.hstack(tensors(*xs))


def vstack(xs) -> torch.Tensor:
    """Joins tensors row-wise (1-D tensors become rows).

    Example:
        >>> vstack([torch.tensor([1, 2]), torch.tensor([3, 4])])
        tensor([[1, 2],
                [3, 4]])
    """
    return torch.vstack(tensors(*xs))


def dstack(xs) -> torch.Tensor:
    """Joins tensors depth-wise (along axis 2).

    Example:
        >>> dstack([torch.ones(2, 2), torch.zeros(2, 2)]).shape
        torch.Size([2, 2, 2])
    """
    return torch.dstack(tensors(*xs))


def append(x1, x2, axis=None) -> torch.Tensor:
    """`x2` appended to `x1` along `axis` (both flattened when `axis` is None).

    Example:
        >>> append(torch.tensor([1, 2]), torch.tensor([[3]]))
        tensor([1, 2, 3])
    """
    a, b = tensors(x1, x2)
    common = torch.promote_types(a.dtype, b.dtype)  # Keras promotes, as concatenate does
    if axis is None:
        return torch.cat([a.reshape(-1).to(common), b.reshape(-1).to(common)])
    return torch.cat([a.to(common), b.to(common)], dim=axis)


def _split(x, indices_or_sections, axis: int, name: str):
    x = tensor(x)
    if isinstance(indices_or_sections, int) and x.shape[axis] % indices_or_sections:
        raise ValueError(f"`{name}` cannot split axis {axis} of size {x.shape[axis]} into "
                         f"{indices_or_sections} equal parts; use `array_split` for unequal "
                         f"parts.")
    return list(torch.tensor_split(x, indices_or_sections, dim=axis))


def hsplit(x, indices_or_sections) -> list:
    """Splits into equal parts (or at indices) along axis 1 (axis 0 for 1-D).

    Example:
        >>> [p.shape for p in hsplit(torch.ones(2, 4), 2)]
        [torch.Size([2, 2]), torch.Size([2, 2])]
    """
    x = tensor(x)
    return _split(x, indices_or_sections, 0 if x.dim() == 1 else 1, "hsplit")


def vsplit(x, indices_or_sections) -> list:
    """Splits into equal parts (or at indices) along axis 0.

    Example:
        >>> [p.shape for p in vsplit(torch.ones(4, 2), 2)]
        [torch.Size([2, 2]), torch.Size([2, 2])]
    """
    return _split(x, indices_or_sections, 0, "vsplit")


def dsplit(x, indices_or_sections) -> list:
    """Splits into equal parts (or at indices) along axis 2.

    Example:
        >>> [p.shape for p in dsplit(torch.ones(1, 1, 4), 2)]
        [torch.Size([1, 1, 2]), torch.Size([1, 1, 2])]
    """
    return _split(x, indices_or_sections, 2, "dsplit")


def array_split(x, indices_or_sections, axis: int = 0) -> list:
    """Splits into parts that may differ in size by one (the first ones are longer).

    Example:
        >>> [p.tolist() for p in array_split(torch.arange(5), 2)]
        [[0, 1, 2], [3, 4]]
    """
    return list(torch.tensor_split(tensor(x), indices_or_sections, dim=axis))


def fliplr(x) -> torch.Tensor:
    """Reverses axis 1 (left-right).

    Example:
        >>> fliplr(torch.tensor([[1, 2], [3, 4]]))
        tensor([[2, 1],
                [4, 3]])
    """
    return torch.fliplr(tensor(x))


def flipud(x) -> torch.Tensor:
    """Reverses axis 0 (up-down).

    Example:
        >>> flipud(torch.tensor([[1, 2], [3, 4]]))
        tensor([[3, 4],
                [1, 2]])
    """
    return torch.flipud(tensor(x))


def rot90(array, k: int = 1, axes=(0, 1)) -> torch.Tensor:
    """Rotates by 90 degrees `k` times in the plane of `axes` (counter-clockwise).

    Example:
        >>> rot90(torch.tensor([[1, 2], [3, 4]]))
        tensor([[2, 4],
                [1, 3]])
    """
    return torch.rot90(tensor(array), k, list(axes))


def diff(a, n: int = 1, axis: int = -1) -> torch.Tensor:
    """The `n`-th discrete difference along `axis`.

    Example:
        >>> diff(torch.tensor([1, 4, 9, 16]))
        tensor([3, 5, 7])
    """
    return torch.diff(tensor(a), n=n, dim=axis)


def kron(x1, x2) -> torch.Tensor:
    """The Kronecker product.

    Example:
        >>> kron(torch.tensor([1, 2]), torch.tensor([1, 10]))
        tensor([ 1, 10,  2, 20])
    """
    a, b = tensors(x1, x2)
    return torch.kron(a, b)


def diagflat(x, k: int = 0) -> torch.Tensor:
    """A 2-D tensor with the flattened `x` on diagonal `k`.

    Example:
        >>> diagflat(torch.tensor([1, 2]))
        tensor([[1, 0],
                [0, 2]])
    """
    return torch.diagflat(tensor(x), offset=k)


def select(condlist, choicelist, default=0) -> torch.Tensor:
    """Per element, the choice of the first true condition (`default` where none is).

    Example:
        >>> x = torch.tensor([-1.0, 0.5, 3.0])
        >>> select([x < 0, x > 1], [torch.zeros(3), x * 10], default=x)
        tensor([ 0.0000,  0.5000, 30.0000])
    """
    if len(condlist) != len(choicelist):
        raise ValueError(f"`select` needs one choice per condition, but received "
                         f"{len(condlist)} conditions and {len(choicelist)} choices.")
    choices = tensors(*choicelist)
    result = tensor(default, choices[0].device) if choices else tensor(default)
    if choices:
        result = torch.broadcast_to(result.to(choices[0].dtype), choices[0].shape)
    for condition, choice in reversed(list(zip(condlist, choices))):
        result = torch.where(tensor(condition, choice.device), choice, result)
    return result


def isin(x1, x2, assume_unique: bool = False, invert: bool = False) -> torch.Tensor:
    """Whether each element of `x1` is among the elements of `x2`.

    Example:
        >>> isin(torch.tensor([1, 2, 3]), torch.tensor([2, 5]))
        tensor([False,  True, False])
    """
    a, b = tensors(x1, x2)
    return torch.isin(a, b, assume_unique=assume_unique, invert=invert)


def nonzero(x) -> tuple:
    """The indices of the non-zero elements, one tensor per axis (reads the data: eager only).

    Example:
        >>> nonzero(torch.tensor([[0, 3], [4, 0]]))
        (tensor([0, 1], dtype=torch.int32), tensor([1, 0], dtype=torch.int32))
    """
    return tuple(index.to(torch.int32) for index in torch.nonzero(tensor(x), as_tuple=True))


def unique(x, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,
           axis=None, size=None, fill_value=None):
    """The distinct elements (with the inverse indices and counts on request).

    `size` pads (with `fill_value`, default the smallest element) or truncates the result to a
    fixed length, as Keras does for jit-compiled code.

    Example:
        >>> unique(torch.tensor([3, 1, 3, 2]))
        tensor([1, 2, 3])
    """
    x = tensor(x)
    result = torch.unique(x, sorted=True, return_inverse=return_inverse,
                          return_counts=return_counts, dim=axis)
    if size is None:
        return result
    parts = list(result) if isinstance(result, tuple) else [result]
    values = parts[0]
    fill = values.min() if fill_value is None else fill_value
    padded = torch.full((size,), fill, dtype=values.dtype, device=values.device)
    padded[:min(size, values.shape[0])] = values[:size]
    parts[0] = padded
    if return_counts:
        counts = torch.zeros(size, dtype=parts[-1].dtype, device=values.device)
        counts[:min(size, values.shape[0])] = parts[-1][:size]
        parts[-1] = counts
    return parts[0] if len(parts) == 1 else tuple(parts)


def searchsorted(sorted_sequence, values, side: str = "left") -> torch.Tensor:
    """Where `values` would be inserted into the 1-D `sorted_sequence` to keep it sorted.

    Example:
        >>> searchsorted(torch.tensor([1, 3, 5]), torch.tensor([0, 3, 6]))
        tensor([0, 1, 3], dtype=torch.int32)
    """
    if side not in ("left", "right"):
        raise ValueError(f"Argument `side` of searchsorted must be 'left' or 'right'. "
                         f"Received: side={side!r}")
    sequence, values = tensors(sorted_sequence, values)
    if sequence.dim() != 1:
        raise ValueError(f"`searchsorted` needs a 1-D sorted_sequence, but received shape "
                         f"{tuple(sequence.shape)}.")
    return torch.searchsorted(sequence, values.to(sequence.dtype), side=side).to(torch.int32)


def digitize(x, bins) -> torch.Tensor:
    """The index of the bin each element falls in (NumPy's `digitize`, increasing `bins`).

    Example:
        >>> digitize(torch.tensor([0.2, 1.5, 3.0]), torch.tensor([1.0, 2.0]))
        tensor([0, 1, 2], dtype=torch.int32)
    """
    x, bins = tensors(x, bins)
    return torch.bucketize(x, bins.to(x.dtype), right=True).to(torch.int32)


def bincount(x, weights=None, minlength: int = 0, sparse: bool = False) -> torch.Tensor:
    """How often each non-negative integer occurs (weighted by `weights`), along the last axis.

    A 2-D `x` counts each row separately, as in Keras.

    Example:
        >>> bincount(torch.tensor([0, 2, 2, 3]))
        tensor([1, 0, 2, 1], dtype=torch.int32)
    """
    if sparse:
        raise ValueError("lamina.ops.bincount does not support sparse=True; use sparse=False.")
    x = tensor(x)
    if x.dim() == 1:
        if weights is None:
            return torch.bincount(x, minlength=minlength).to(torch.int32)
        return torch.bincount(x, tensor(weights, x.device), minlength=minlength)
    length = max(int(x.max()) + 1 if x.numel() else 0, minlength)
    if weights is None:
        out = torch.zeros(x.shape[0], length, dtype=torch.int32, device=x.device)
        return out.scatter_add_(1, x.long(), torch.ones_like(x, dtype=torch.int32))
    w = tensor(weights, x.device)
    out = torch.zeros(x.shape[0], length, dtype=w.dtype, device=x.device)
    return out.scatter_add_(1, x.long(), w)


def unravel_index(indices, shape) -> tuple:
    """Flat indices turned into a tuple of index tensors for an array of `shape`.

    Example:
        >>> unravel_index(torch.tensor([5, 7]), (2, 4))
        (tensor([1, 1], dtype=torch.int32), tensor([1, 3], dtype=torch.int32))
    """
    flat = tensor(indices)
    return tuple(index.to(torch.int32) for index in torch.unravel_index(flat, tuple(shape)))


def vander(x, N=None, increasing: bool = False) -> torch.Tensor:
    """The Vandermonde matrix: columns are powers of `x` (decreasing unless `increasing`).

    Example:
        >>> vander(torch.tensor([1, 2, 3]), 3)
        tensor([[1, 1, 1],
                [4, 2, 1],
                [9, 3, 1]])
    """
    return torch.vander(tensor(x), N=N, increasing=increasing)


def argpartition(x, kth: int, axis=-1) -> torch.Tensor:
    """Indices that put the `kth` smallest element of each slice in its sorted place.

    The `kth + 1` smallest come first, in ascending order, then the others in their original
    order (as JAX's argpartition, so results match Keras'); `axis=None` flattens `x`.

    Example:
        >>> argpartition(torch.tensor([3.0, 1.0, 2.0, 0.0]), 1)
        tensor([3, 1, 0, 2], dtype=torch.int32)
    """
    x = tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    moved = torch.movedim(x, axis, -1)
    size = moved.shape[-1]
    if not -size <= kth < size:
        raise ValueError(f"`kth` must be a valid index into axis {axis} of size {size}. "
                         f"Received: kth={kth}")
    kth = kth % size
    smallest = torch.argsort(moved, dim=-1, stable=True)[..., :kth + 1]
    chosen = torch.zeros(moved.shape, dtype=torch.int8, device=x.device)
    chosen.scatter_(-1, smallest, 1)
    others = torch.argsort(chosen, dim=-1, stable=True)[..., :size - kth - 1]
    order = torch.cat([smallest, others], dim=-1)
    return torch.movedim(order, -1, axis).to(torch.int32)
