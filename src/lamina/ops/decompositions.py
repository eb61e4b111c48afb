"""Linear algebra with Keras' names (`ops.inv`, `ops.solve`, also as `ops.linalg.*`).

Example:
    >>> from lamina import ops
    >>> ops.det(torch.tensor([[2.0, 0.0], [0.0, 3.0]]))
    tensor(6.)
"""
from __future__ import annotations

import torch

from lamina.ops.core import tensors
from lamina.ops.unary import as_float

__all__ = [
    "cholesky",
    "cholesky_inverse",
    "cross",
    "det",
    "eig",
    "eigh",
    "inv",
    "logdet",
    "lstsq",
    "lu_factor",
    "matrix_rank",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "solve_triangular",
    "svd",
]


def det(x) -> torch.Tensor:
    """Determinant of (a batch of) square matrices.

    Example:
        >>> det(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
        tensor(-2.)
    """
    return torch.linalg.det(as_float(x))


def inv(x) -> torch.Tensor:
    """Inverse of (a batch of) square matrices.

    Example:
        >>> inv(torch.tensor([[2.0, 0.0], [0.0, 4.0]]))
        tensor([[0.5000, 0.0000],
                [0.0000, 0.2500]])
    """
    return torch.linalg.inv(as_float(x))


def solve(a, b) -> torch.Tensor:
    """`x` with `a @ x = b`.

    Example:
        >>> solve(torch.tensor([[2.0, 0.0], [0.0, 4.0]]), torch.tensor([2.0, 2.0]))
        tensor([1.0000, 0.5000])
    """
    a, b = tensors(a, b)
    return torch.linalg.solve(as_float(a), as_float(b))


def solve_triangular(a, b, lower: bool = False) -> torch.Tensor:
    """`x` with `a @ x = b` for a triangular `a` (upper unless `lower`).

    Example:
        >>> solve_triangular(torch.tensor([[2.0, 0.0], [1.0, 1.0]]),
        ...                  torch.tensor([[2.0], [2.0]]), lower=True)
        tensor([[1.],
                [1.]])
    """
    a, b = tensors(a, b)
    b = as_float(b)
    vector = b.dim() == a.dim() - 1
    result = torch.linalg.solve_triangular(as_float(a), b.unsqueeze(-1) if vector else b,
                                           upper=not lower)
    return result.squeeze(-1) if vector else result


def cholesky(x, upper: bool = False) -> torch.Tensor:
    """The Cholesky factor `L` (`x = L @ L.T`), or the upper one.

    Example:
        >>> cholesky(torch.tensor([[4.0, 2.0], [2.0, 2.0]]))
        tensor([[2., 0.],
                [1., 1.]])
    """
    return torch.linalg.cholesky(as_float(x), upper=upper)


def cholesky_inverse(x, upper: bool = False) -> torch.Tensor:
    """The inverse of `L @ L.T` given its Cholesky factor `x`.

    Example:
        >>> cholesky_inverse(torch.tensor([[2.0, 0.0], [0.0, 1.0]])).diagonal()
        tensor([0.2500, 1.0000])
    """
    return torch.cholesky_inverse(as_float(x), upper=upper)


def qr(x, mode: str = "reduced"):
    """`(q, r)` with `x = q @ r`; mode 'reduced' or 'complete'.

    Example:
        >>> q, r = qr(torch.tensor([[3.0, 0.0], [4.0, 5.0]]))
        >>> torch.allclose(q @ r, torch.tensor([[3.0, 0.0], [4.0, 5.0]]), atol=1e-6)
        True
    """
    if mode not in ("reduced", "complete"):
        raise ValueError(f"Argument `mode` of qr must be 'reduced' or 'complete'. Received: "
                         f"mode={mode!r}")
    return torch.linalg.qr(as_float(x), mode=mode)


def svd(x, full_matrices: bool = True, compute_uv: bool = True):
    """`(u, s, v)` with `x = u @ diag(s) @ v` (or only `s` without `compute_uv`).

    Example:
        >>> svd(torch.tensor([[3.0, 0.0], [0.0, 2.0]]), compute_uv=False)
        tensor([3., 2.])
    """
    x = as_float(x)
    if not compute_uv:
        return torch.linalg.svdvals(x)
    return torch.linalg.svd(x, full_matrices=full_matrices)


def eig(x):
    """`(eigenvalues, eigenvectors)` of square matrices (complex in general).

    Example:
        >>> eig(torch.tensor([[2.0, 0.0], [0.0, 3.0]]))[0].real
        tensor([2., 3.])
    """
    return torch.linalg.eig(as_float(x))


def eigh(x):
    """`(eigenvalues, eigenvectors)` of symmetric matrices, eigenvalues ascending.

    Example:
        >>> eigh(torch.tensor([[2.0, 0.0], [0.0, 1.0]]))[0]
        tensor([1., 2.])
    """
    return torch.linalg.eigh(as_float(x))


def pinv(x, rcond: float = 1e-15) -> torch.Tensor:
    """The Moore-Penrose pseudo-inverse.

    Example:
        >>> pinv(torch.tensor([[2.0, 0.0], [0.0, 0.0]]))
        tensor([[0.5000, 0.0000],
                [0.0000, 0.0000]])
    """
    return torch.linalg.pinv(as_float(x), rtol=rcond)


def lstsq(a, b, rcond=None) -> torch.Tensor:
    """The least-squares solution `x` of `a @ x = b`.

    Example:
        >>> lstsq(torch.tensor([[1.0], [1.0]]), torch.tensor([1.0, 3.0])).round(decimals=4)
        tensor([2.])
    """
    a, b = tensors(a, b)
    b = as_float(b)
    vector = b.dim() == 1
    solution = torch.linalg.lstsq(as_float(a), b.unsqueeze(-1) if vector else b,
                                  rcond=rcond).solution
    return solution.squeeze(-1) if vector else solution


def slogdet(x):
    """`(sign, log|det|)` of square matrices.

    Example:
        >>> slogdet(torch.tensor([[-2.0, 0.0], [0.0, 1.0]]))
        (tensor(-1.), tensor(0.6931))
    """
    result = torch.linalg.slogdet(as_float(x))
    return result.sign, result.logabsdet


def logdet(x) -> torch.Tensor:
    """`log(det(x))` of positive-definite matrices.

    Example:
        >>> logdet(torch.tensor([[1.0, 0.0], [0.0, 1.0]]))
        tensor(0.)
    """
    return torch.logdet(as_float(x))


def lu_factor(x):
    """`(lu, pivots)`: the packed LU factorization, pivots 0-based as in Keras (JAX).

    Example:
        >>> lu, pivots = lu_factor(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
        >>> pivots
        tensor([1, 1], dtype=torch.int32)
    """
    lu, pivots = torch.linalg.lu_factor(as_float(x))
    return lu, (pivots - 1).to(torch.int32)


def matrix_rank(x, tol=None) -> torch.Tensor:
    """The rank of matrices (singular values above `tol`).

    Example:
        >>> matrix_rank(torch.tensor([[1.0, 2.0], [2.0, 4.0]]))
        tensor(1, dtype=torch.int32)
    """
    return torch.linalg.matrix_rank(as_float(x), atol=tol).to(torch.int32)


def cross(x1, x2, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis=None):
    """The cross product of 3-vectors along the given axes.

    Example:
        >>> cross(torch.tensor([1.0, 0.0, 0.0]), torch.tensor([0.0, 1.0, 0.0]))
        tensor([0., 0., 1.])
    """
    a, b = tensors(x1, x2)
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = torch.movedim(as_float(a), axisa, -1), torch.movedim(as_float(b), axisb, -1)
    if a.shape[-1] != 3 or b.shape[-1] != 3:
        raise ValueError(f"`cross` needs vectors of 3 elements along the axes, but received "
                         f"shapes {tuple(a.shape)} and {tuple(b.shape)} (vector axis last).")
    a, b = torch.broadcast_tensors(a, b)
    return torch.movedim(torch.linalg.cross(a, b, dim=-1), -1, axisc)


