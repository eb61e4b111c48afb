"""Keras' `ops.nn` names: activations, `one_hot`, cross-entropies, `moments`, `normalize`.

`gelu` defaults to the tanh approximation here (as `keras.ops.gelu` does), while
`keras.activations.gelu` defaults to the exact form. The cross-entropies return one value per
sample (no reduction), clip probabilities to `[epsilon, 1 - epsilon]` as Keras does, and start
from logits with `from_logits=True`.

Example:
    >>> from lamina import ops
    >>> ops.softmax(torch.tensor([0.0, 0.0]))
    tensor([0.5000, 0.5000])
"""
from __future__ import annotations

import warnings

import torch
import torch.nn.functional as F

from lamina import backend
from lamina.ops.core import tensor
from lamina.utils.errors import user_stacklevel

__all__ = [
    "relu", "relu6", "sigmoid", "softplus", "softsign", "silu", "swish", "log_sigmoid",
    "leaky_relu", "hard_sigmoid", "hard_silu", "hard_swish", "elu", "selu", "celu", "gelu",
    "glu", "softmax", "log_softmax", "one_hot", "multi_hot", "binary_crossentropy",
    "categorical_crossentropy", "sparse_categorical_crossentropy", "moments",
    "batch_normalization", "normalize",
]


def relu(x) -> torch.Tensor:
    """`max(x, 0)`.

    Example:
        >>> relu(torch.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """
    return torch.relu(tensor(x))


def relu6(x) -> torch.Tensor:
    """`min(max(x, 0), 6)`.

    Example:
        >>> relu6(torch.tensor([-1.0, 8.0]))
        tensor([0., 6.])
    """
    return F.relu6(tensor(x))


def sigmoid(x) -> torch.Tensor:
    """`1 / (1 + exp(-x))`.

    Example:
        >>> sigmoid(torch.tensor([0.0]))
        tensor([0.5000])
    """
    return torch.sigmoid(tensor(x))


def softplus(x) -> torch.Tensor:
    """`log(1 + exp(x))`, computed stably.

    Example:
        >>> softplus(torch.tensor([0.0]))
        tensor([0.6931])
    """
    return F.softplus(tensor(x))


def softsign(x) -> torch.Tensor:
    """`x / (1 + |x|)`.

    Example:
        >>> softsign(torch.tensor([1.0]))
        tensor([0.5000])
    """
    return F.softsign(tensor(x))


def silu(x) -> torch.Tensor:
    """`x * sigmoid(x)` (also called swish).

    Example:
        >>> silu(torch.tensor([0.0]))
        tensor([0.])
    """
    return F.silu(tensor(x))


swish = silu


def log_sigmoid(x) -> torch.Tensor:
    """`log(sigmoid(x))`, computed stably.

    Example:
        >>> log_sigmoid(torch.tensor([0.0]))
        tensor([-0.6931])
    """
    return F.logsigmoid(tensor(x))


def leaky_relu(x, negative_slope: float = 0.2) -> torch.Tensor:
    """`x` for `x >= 0`, `negative_slope * x` otherwise.

    Example:
        >>> leaky_relu(torch.tensor([-1.0, 1.0]))
        tensor([-0.2000,  1.0000])
    """
    return F.leaky_relu(tensor(x), negative_slope)


def hard_sigmoid(x) -> torch.Tensor:
    """`relu6(x + 3) / 6`, a piecewise-linear sigmoid.

    Example:
        >>> hard_sigmoid(torch.tensor([0.0]))
        tensor([0.5000])
    """
    return F.hardsigmoid(tensor(x))


def hard_silu(x) -> torch.Tensor:
    """`x * hard_sigmoid(x)` (also called hard swish).

    Example:
        >>> hard_silu(torch.tensor([3.0]))
        tensor([3.])
    """
    return F.hardswish(tensor(x))


hard_swish = hard_silu


def elu(x, alpha: float = 1.0) -> torch.Tensor:
    """`x` for `x > 0`, `alpha * (exp(x) - 1)` otherwise.

    Example:
        >>> elu(torch.tensor([0.0, 1.0]))
        tensor([0., 1.])
    """
    return F.elu(tensor(x), alpha)


def selu(x) -> torch.Tensor:
    """Scaled ELU with the self-normalising constants.

    Example:
        >>> selu(torch.tensor([0.0]))
        tensor([0.])
    """
    return F.selu(tensor(x))


def celu(x, alpha: float = 1.0) -> torch.Tensor:
    """Continuously differentiable ELU: `max(x, 0) + min(0, alpha * (exp(x / alpha) - 1))`.

    Example:
        >>> celu(torch.tensor([0.0]))
        tensor([0.])
    """
    return F.celu(tensor(x), alpha)


def gelu(x, approximate: bool = True) -> torch.Tensor:
    """Gaussian error linear unit; the tanh approximation unless `approximate=False`.

    Example:
        >>> gelu(torch.tensor([0.0]))
        tensor([0.])
    """
    return F.gelu(tensor(x), approximate="tanh" if approximate else "none")


def glu(x, axis: int = -1) -> torch.Tensor:
    """Gated linear unit: halves `a, b` of `x` along `axis` give `a * sigmoid(b)`.

    Example:
        >>> glu(torch.tensor([2.0, 0.0]))
        tensor([1.])
    """
    return F.glu(tensor(x), dim=axis)


def _over_axis(fn, x, axis):
    x = tensor(x)
    if not x.is_floating_point():
        x = x.to(backend.torch_dtype(backend.floatx()))
    if axis is None:
        return fn(x.reshape(-1), dim=0).reshape(x.shape)
    if isinstance(axis, (tuple, list)):
        # Move the axes last and flatten them: one softmax over all of them.
        axes = [a % x.ndim for a in axis]
        others = [d for d in range(x.ndim) if d not in axes]
        moved = x.permute(others + axes)
        flat = moved.reshape(moved.shape[:len(others)] + (-1,))
        inverse = [0] * x.ndim
        for position, dim in enumerate(others + axes):
            inverse[dim] = position
        return fn(flat, dim=-1).reshape(moved.shape).permute(inverse)
    return fn(x, dim=axis)


def softmax(x, axis=-1) -> torch.Tensor:
    """`exp(x) / sum(exp(x))` over `axis` (an int, a tuple, or None for all of `x`).

    Example:
        >>> softmax(torch.tensor([[0.0, 0.0]]))
        tensor([[0.5000, 0.5000]])
    """
    warn_if_single_class(x, axis)
    return _over_axis(torch.softmax, x, axis)


def warn_if_single_class(x, axis) -> None:
    """Keras' warning for a softmax over an axis of size 1 (it always outputs 1)."""
    if isinstance(axis, int) and -x.ndim <= axis < x.ndim and x.shape[axis] == 1:
        warnings.warn(f"You are using a softmax over axis {axis} of a tensor of shape "
                      f"{tuple(x.shape)}. This axis has size 1. The softmax operation will always "
                      f"return the value 1, which is likely not what you intended. Did you mean "
                      f"to use a sigmoid instead?", stacklevel=user_stacklevel())


def log_softmax(x, axis=-1) -> torch.Tensor:
    """`x - logsumexp(x)` over `axis`, computed stably.

    Example:
        >>> log_softmax(torch.tensor([0.0, 0.0]))
        tensor([-0.6931, -0.6931])
    """
    return _over_axis(torch.log_softmax, x, axis)


def one_hot(x, num_classes: int, axis: int = -1, dtype=None, sparse: bool = False):
    """One-hot encodes integer class ids; ids outside `[0, num_classes)` give all-zero rows.

    Args:
        x: Integer tensor of class ids.
        num_classes: Depth of the encoding.
        axis: Where the new class axis goes.
        dtype: Output dtype (default float32).
        sparse: Unsupported: must be False.

    Returns:
        A tensor with one more axis than `x`.

    Example:
        >>> one_hot(torch.tensor([0, 2]), 3)
        tensor([[1., 0., 0.],
                [0., 0., 1.]])
    """
    if sparse:
        raise ValueError("`sparse=True` is not supported by lamina. Received: sparse=True.")
    labels = tensor(x)
    classes = torch.arange(num_classes, device=labels.device)
    # A comparison instead of F.one_hot: no range check that would read the device.
    encoded = (labels.long().unsqueeze(-1) == classes).to(backend.torch_dtype(dtype))
    return encoded if axis in (-1, labels.ndim) else torch.movedim(encoded, -1, axis)


def multi_hot(inputs, num_classes: int | None = None, axis: int = -1, dtype=None,
              sparse: bool = False, **kwargs):
    """Multi-hot encodes each row of class ids (the last axis is reduced). `num_tokens` is
    Keras' older name of `num_classes`.

    Example:
        >>> multi_hot(torch.tensor([[0, 2]]), 3)
        tensor([[1., 0., 1.]])
    """
    if num_classes is None and "num_tokens" in kwargs:
        num_classes = kwargs.pop("num_tokens")
    if kwargs or num_classes is None:
        raise TypeError(f"multi_hot() takes `num_classes` (or the older `num_tokens`). "
                        f"Received: {sorted(kwargs) or 'neither'}")
    labels = tensor(inputs)
    if labels.ndim <= 1:
        labels = labels.unsqueeze(0)
        encoded = one_hot(labels, num_classes, dtype=dtype, sparse=sparse).amax(dim=-2)[0]
        return encoded
    encoded = one_hot(labels, num_classes, dtype=dtype, sparse=sparse).amax(dim=-2)
    return encoded if axis == -1 else torch.movedim(encoded, -1, axis)


def _clipped(probabilities: torch.Tensor) -> torch.Tensor:
    eps = backend.epsilon()
    return torch.clamp(probabilities, eps, 1.0 - eps)


def binary_crossentropy(target, output, from_logits: bool = False) -> torch.Tensor:
    """Element-wise binary cross-entropy (no reduction).

    Args:
        target: Labels in [0, 1], the shape of `output`.
        output: Probabilities, or logits with `from_logits=True`.
        from_logits: Whether `output` holds logits.

    Returns:
        A tensor of `output`'s shape.

    Example:
        >>> binary_crossentropy(torch.tensor([1.0]), torch.tensor([0.5]))
        tensor([0.6931])
    """
    output = tensor(output)
    target = tensor(target, output.device).to(output.dtype)
    if target.shape != output.shape:
        raise ValueError("Arguments `target` and `output` must have the same shape. Received: "
                         f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}")
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target, reduction="none")
    return F.binary_cross_entropy(_clipped(output), target, reduction="none")


def _log_probabilities(output: torch.Tensor, from_logits: bool, axis: int) -> torch.Tensor:
    if from_logits:
        return torch.log_softmax(output, dim=axis)
    normalized = output / torch.sum(output, dim=axis, keepdim=True)
    return torch.log(_clipped(normalized))


def categorical_crossentropy(target, output, from_logits: bool = False,
                             axis: int = -1) -> torch.Tensor:
    """Per-sample categorical cross-entropy between one-hot `target` and `output`.

    Args:
        target: One-hot (or soft) labels, the shape of `output`.
        output: Probabilities (renormalised to sum to 1), or logits with `from_logits=True`.
        from_logits: Whether `output` holds logits.
        axis: The class axis.

    Returns:
        A tensor of `output`'s shape without `axis`.

    Example:
        >>> categorical_crossentropy(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.5, 0.5]]))
        tensor([0.6931])
    """
    output = tensor(output)
    target = tensor(target, output.device)
    if target.shape != output.shape:
        raise ValueError("Arguments `target` and `output` must have the same shape. Received: "
                         f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}")
    log_prob = _log_probabilities(output, from_logits, axis)
    return -torch.sum(target.to(log_prob.dtype) * log_prob, dim=axis)


def sparse_categorical_crossentropy(target, output, from_logits: bool = False,
                                    axis: int = -1) -> torch.Tensor:
    """Per-sample categorical cross-entropy from integer class ids.

    Args:
        target: Integer class ids of `output`'s shape without `axis` (a trailing size-1
            axis is dropped).
        output: Probabilities, or logits with `from_logits=True`.
        from_logits: Whether `output` holds logits.
        axis: The class axis.

    Returns:
        A tensor of `target`'s shape; ids outside the class range cost 0.

    Example:
        >>> sparse_categorical_crossentropy(torch.tensor([1]), torch.tensor([[0.5, 0.5]]))
        tensor([0.6931])
    """
    output = tensor(output)
    target = tensor(target, output.device)
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = target.squeeze(-1)
    expected = list(output.shape)
    del expected[axis]
    if list(target.shape) != expected:
        raise ValueError("Arguments `target` and `output` must have the same shape up until the "
                         f"class axis: target.shape={tuple(target.shape)}, "
                         f"output.shape={tuple(output.shape)}")
    log_prob = _log_probabilities(output, from_logits, axis)
    labels = one_hot(target, output.shape[axis], axis=axis, dtype=log_prob.dtype)
    return -torch.sum(labels * log_prob, dim=axis)


def moments(x, axes, keepdims: bool = False, synchronized: bool = False):
    """Mean and (population) variance of `x` over `axes`.

    float16 inputs are reduced in float32 and cast back, as in Keras.

    Example:
        >>> moments(torch.tensor([1.0, 3.0]), axes=[0])
        (tensor(2.), tensor(1.))
    """
    if synchronized:
        raise NotImplementedError("`synchronized=True` is not supported by lamina.")
    x = tensor(x)
    dims = tuple(axes) if isinstance(axes, (tuple, list)) else (axes,)
    original = x.dtype
    if original in (torch.float16, torch.bfloat16) or not x.is_floating_point():
        x = x.to(torch.float32)
    variance, mean = torch.var_mean(x, dim=dims, keepdim=keepdims, correction=0)
    if original in (torch.float16, torch.bfloat16):
        return mean.to(original), variance.to(original)
    return mean, variance


def batch_normalization(x, mean, variance, axis: int, offset=None, scale=None,
                        epsilon: float = 1e-3) -> torch.Tensor:
    """`(x - mean) / sqrt(variance + epsilon) * scale + offset`, with the stats along `axis`.

    Example:
        >>> batch_normalization(torch.tensor([[1.0, 3.0]]), torch.tensor([1.0, 3.0]),
        ...                     torch.tensor([1.0, 1.0]), axis=-1, epsilon=0.0)
        tensor([[0., 0.]])
    """
    x = tensor(x)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]

    def along_axis(value):
        return tensor(value, x.device).reshape(shape)

    inverse = torch.rsqrt(along_axis(variance) + epsilon)
    if scale is not None:
        inverse = inverse * along_axis(scale)
    out = (x - along_axis(mean)) * inverse
    return out if offset is None else out + along_axis(offset)


def normalize(x, axis: int = -1, order: int = 2, epsilon: float | None = None):
    """`x` divided by its `order`-norm along `axis` (the norm floored at `epsilon`).

    For order 2, Keras floors the squared norm at `epsilon` (default 1e-7); other orders
    floor the norm itself.

    Example:
        >>> normalize(torch.tensor([3.0, 4.0]))
        tensor([0.6000, 0.8000])
    """
    x = tensor(x)
    eps = backend.epsilon() if epsilon is None else epsilon
    if order == 2:
        squared = torch.sum(torch.square(x), dim=axis, keepdim=True)
        return x * torch.rsqrt(torch.clamp_min(squared, eps))
    norms = torch.linalg.vector_norm(x, ord=order, dim=axis, keepdim=True)
    return x / torch.clamp_min(norms, eps)
