"""Activation functions with Keras 3 names and defaults, over torch tensors.

`softmax` and `sigmoid` attach their input to their output as `_keras_logits`, as Keras
does, so that cross-entropy losses can start from the logits for numerical stability; they
also set `_keras_logits_kind` ('softmax' / 'sigmoid') and, for softmax, `_keras_logits_axis`,
so a loss never mistakes one activation's logits for the other's.

Example:
    >>> import torch, lamina as keras
    >>> keras.activations.get("relu")(torch.tensor([-1.0, 2.0]))
    tensor([0., 2.])
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

import torch
import torch.nn.functional as F

from lamina import backend
from lamina.ops.nn import warn_if_single_class
from lamina.ops.symbolic import accept_keras_tensors
from lamina.saving.object_registration import get_registered_name, visible_custom_objects
from lamina.utils.errors import unknown_name_error

__all__ = [
    "relu", "leaky_relu", "relu6", "elu", "selu", "celu", "gelu", "silu", "swish",
    "hard_silu", "hard_swish", "mish", "sigmoid", "hard_sigmoid", "sparse_sigmoid",
    "log_sigmoid", "tanh", "hard_tanh", "tanh_shrink", "hard_shrink", "soft_shrink",
    "softmax", "log_softmax", "sparsemax", "softplus", "softsign", "sparse_plus",
    "squareplus", "glu", "threshold", "exponential", "linear",
    "get", "serialize", "deserialize",
]


def _tensor(x) -> torch.Tensor:
    # Activations are called on tensors in every step: keep the common case one isinstance.
    return x if isinstance(x, torch.Tensor) else backend.to_tensor(x)


def relu(x, negative_slope: float = 0.0, max_value: float | None = None,
         threshold: float = 0.0) -> torch.Tensor:
    """Rectified linear unit, `max(x, 0)`, with Keras' optional slope, cap and threshold.

    Args:
        x: Input tensor.
        negative_slope: Slope for values below `threshold`.
        max_value: Largest value returned (None: no cap).
        threshold: Values at or below it are damped (or zeroed).

    Returns:
        A tensor of the same shape and dtype as `x`.

    Example:
        >>> relu(torch.tensor([-10.0, -5.0, 0.0, 5.0, 10.0]), max_value=5.0)
        tensor([0., 0., 0., 5., 5.])
    """
    x = _tensor(x)
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return torch.relu(x)
    if negative_slope != 0.0:
        if max_value is None and threshold == 0.0:
            return F.leaky_relu(x, negative_slope)
        negative_part = torch.relu(threshold - x)
    if threshold != 0.0:
        out = x * (x > threshold).to(x.dtype)
    else:
        out = torch.relu(x)
    if max_value is not None:
        out = out.clamp(0.0, max_value)
    if negative_slope != 0.0:
        out = out - negative_slope * negative_part
    return out


def leaky_relu(x, negative_slope: float = 0.2) -> torch.Tensor:
    """Leaky ReLU: `x` for `x >= 0`, `negative_slope * x` otherwise.

    Example:
        >>> leaky_relu(torch.tensor([-1.0, 1.0]))
        tensor([-0.2000,  1.0000])
    """
    return F.leaky_relu(_tensor(x), negative_slope)


def relu6(x) -> torch.Tensor:
    """ReLU capped at 6: `min(max(x, 0), 6)`.

    Example:
        >>> relu6(torch.tensor([-1.0, 8.0]))
        tensor([0., 6.])
    """
    return F.relu6(_tensor(x))


def elu(x, alpha: float = 1.0) -> torch.Tensor:
    """Exponential linear unit: `x` for `x > 0`, `alpha * (exp(x) - 1)` otherwise.

    Example:
        >>> elu(torch.tensor([0.0, 1.0]))
        tensor([0., 1.])
    """
    return F.elu(_tensor(x), alpha)


def selu(x) -> torch.Tensor:
    """Scaled ELU with alpha=1.67326324 and scale=1.05070098 (use with lecun_normal).

    Example:
        >>> selu(torch.tensor([0.0]))
        tensor([0.])
    """
    return F.selu(_tensor(x))


def celu(x, alpha: float = 1.0) -> torch.Tensor:
    """Continuously differentiable ELU: `x` for `x >= 0`, `alpha * (exp(x / alpha) - 1)`.

    Example:
        >>> celu(torch.tensor([0.0, 2.0]))
        tensor([0., 2.])
    """
    return F.celu(_tensor(x), alpha)


def gelu(x, approximate: bool = False) -> torch.Tensor:
    """Gaussian error linear unit: `0.5 * x * (1 + erf(x / sqrt(2)))` (tanh form if approximate).

    Example:
        >>> gelu(torch.tensor([0.0]))
        tensor([0.])
    """
    return F.gelu(_tensor(x), approximate="tanh" if approximate else "none")


def silu(x) -> torch.Tensor:
    """Swish / SiLU: `x * sigmoid(x)`.

    Example:
        >>> silu(torch.tensor([0.0]))
        tensor([0.])
    """
    return F.silu(_tensor(x))


swish = silu


def hard_silu(x) -> torch.Tensor:
    """Hard SiLU / hard swish: `x * relu6(x + 3) / 6`.

    Example:
        >>> hard_silu(torch.tensor([-4.0, 4.0]))
        tensor([-0., 4.])
    """
    return F.hardswish(_tensor(x))


hard_swish = hard_silu


def mish(x) -> torch.Tensor:
    """Mish: `x * tanh(softplus(x))`.

    Example:
        >>> mish(torch.tensor([0.0]))
        tensor([0.])
    """
    return F.mish(_tensor(x))


def sigmoid(x) -> torch.Tensor:
    """Logistic sigmoid `1 / (1 + exp(-x))`; the output carries `_keras_logits = x`.

    The output also carries `_keras_logits_kind = 'sigmoid'`.

    Example:
        >>> sigmoid(torch.tensor([0.0]))
        tensor([0.5000])
    """
    x = _tensor(x)
    out = torch.sigmoid(x)
    out._keras_logits = x
    out._keras_logits_kind = "sigmoid"
    return out


def hard_sigmoid(x) -> torch.Tensor:
    """Keras 3 hard sigmoid: `relu6(x + 3) / 6` (0 below -3, 1 above 3).

    Example:
        >>> hard_sigmoid(torch.tensor([-4.0, 0.0, 4.0]))
        tensor([0.0000, 0.5000, 1.0000])
    """
    return F.hardsigmoid(_tensor(x))


def sparse_sigmoid(x) -> torch.Tensor:
    """Sparse sigmoid: 0 for `x <= -1`, 1 for `x >= 1`, `(x + 1) / 2` between.

    Example:
        >>> sparse_sigmoid(torch.tensor([-2.0, 0.0, 2.0]))
        tensor([0.0000, 0.5000, 1.0000])
    """
    return ((_tensor(x) + 1.0) * 0.5).clamp(0.0, 1.0)


def log_sigmoid(x) -> torch.Tensor:
    """Logarithm of the sigmoid, `-softplus(-x)`, computed stably.

    Example:
        >>> log_sigmoid(torch.tensor([0.0]))
        tensor([-0.6931])
    """
    return F.logsigmoid(_tensor(x))


def tanh(x) -> torch.Tensor:
    """Hyperbolic tangent.

    Example:
        >>> tanh(torch.tensor([0.0]))
        tensor([0.])
    """
    return torch.tanh(_tensor(x))


def hard_tanh(x) -> torch.Tensor:
    """Hard tanh: `x` clipped to [-1, 1].

    Example:
        >>> hard_tanh(torch.tensor([-2.0, 0.5]))
        tensor([-1.0000,  0.5000])
    """
    return F.hardtanh(_tensor(x), -1.0, 1.0)


def tanh_shrink(x) -> torch.Tensor:
    """Tanh shrink: `x - tanh(x)`.

    Example:
        >>> tanh_shrink(torch.tensor([0.0]))
        tensor([0.])
    """
    return F.tanhshrink(_tensor(x))


def hard_shrink(x, threshold: float = 0.5) -> torch.Tensor:
    """Hard shrink: `x` where `|x| > threshold`, else 0.

    Example:
        >>> hard_shrink(torch.tensor([-1.0, 0.2]))
        tensor([-1.,  0.])
    """
    return F.hardshrink(_tensor(x), threshold)


def soft_shrink(x, threshold: float = 0.5) -> torch.Tensor:
    """Soft shrink: `x - threshold` above it, `x + threshold` below `-threshold`, else 0.

    Example:
        >>> soft_shrink(torch.tensor([-1.0, 0.2]))
        tensor([-0.5000,  0.0000])
    """
    return F.softshrink(_tensor(x), threshold)


def threshold(x, threshold: float, default_value: float) -> torch.Tensor:
    """`x` where `x > threshold`, else `default_value`.

    Example:
        >>> threshold(torch.tensor([-1.0, 2.0]), 0.0, -5.0)
        tensor([-5.,  2.])
    """
    return F.threshold(_tensor(x), threshold, default_value)


def softmax(x, axis: int | tuple[int, ...] = -1) -> torch.Tensor:
    """Softmax `exp(x) / sum(exp(x))` along `axis`; the output carries `_keras_logits = x`.

    The output also carries `_keras_logits_kind = 'softmax'` and `_keras_logits_axis = axis`.

    Args:
        x: Input tensor (the logits).
        axis: Axis (or tuple of axes) to normalise over.

    Returns:
        Probabilities summing to 1 along `axis`.

    Example:
        >>> softmax(torch.tensor([0.0, 0.0]))
        tensor([0.5000, 0.5000])
    """
    x = _tensor(x)
    warn_if_single_class(x, axis)
    if isinstance(axis, int):
        out = torch.softmax(x, axis)
    else:
        out = torch.exp(x - torch.logsumexp(x, dim=axis, keepdim=True))
    out._keras_logits = x
    out._keras_logits_kind = "softmax"
    out._keras_logits_axis = axis
    return out


def log_softmax(x, axis: int | tuple[int, ...] = -1) -> torch.Tensor:
    """Logarithm of the softmax along `axis`, computed stably.

    Example:
        >>> log_softmax(torch.tensor([0.0, 0.0]))
        tensor([-0.6931, -0.6931])
    """
    x = _tensor(x)
    if isinstance(axis, int):
        return torch.log_softmax(x, axis)
    return x - torch.logsumexp(x, dim=axis, keepdim=True)


def sparsemax(x, axis: int = -1) -> torch.Tensor:
    """Sparsemax: the Euclidean projection of `x` onto the probability simplex.

    Example:
        >>> sparsemax(torch.tensor([2.0, 0.0]))
        tensor([1., 0.])
    """
    x = _tensor(x)
    sorted_x = torch.sort(x, dim=axis, descending=True).values
    cumsum = torch.cumsum(sorted_x, dim=axis)
    shape = [1] * x.ndim
    shape[axis] = -1
    ranks = torch.arange(1, x.shape[axis] + 1, device=x.device, dtype=x.dtype).view(shape)
    support = (1.0 + ranks * sorted_x) > cumsum
    support_size = support.sum(dim=axis, keepdim=True).to(x.dtype)
    tau = ((sorted_x * support).sum(dim=axis, keepdim=True) - 1.0) / support_size
    return torch.clamp(x - tau, min=0.0)


def softplus(x) -> torch.Tensor:
    """Softplus: `log(exp(x) + 1)`.

    Example:
        >>> softplus(torch.tensor([0.0]))
        tensor([0.6931])
    """
    return F.softplus(_tensor(x))


def softsign(x) -> torch.Tensor:
    """Softsign: `x / (|x| + 1)`.

    Example:
        >>> softsign(torch.tensor([1.0]))
        tensor([0.5000])
    """
    return F.softsign(_tensor(x))


def sparse_plus(x) -> torch.Tensor:
    """SparsePlus: 0 for `x <= -1`, `x` for `x >= 1`, `(x + 1)**2 / 4` between.

    Example:
        >>> sparse_plus(torch.tensor([-2.0, 0.0, 2.0]))
        tensor([0.0000, 0.2500, 2.0000])
    """
    x = _tensor(x)
    middle = 0.25 * (x + 1.0) ** 2
    return torch.where(x <= -1.0, torch.zeros_like(x), torch.where(x < 1.0, middle, x))


def squareplus(x, b: float = 4) -> torch.Tensor:
    """Squareplus: `(x + sqrt(x**2 + b)) / 2`.

    Example:
        >>> squareplus(torch.tensor([0.0]))
        tensor([1.])
    """
    x = _tensor(x)
    return (x + torch.sqrt(x * x + b)) / 2


def glu(x, axis: int = -1) -> torch.Tensor:
    """Gated linear unit: splits `x` in two halves `a, b` along `axis`, returns `a * sigmoid(b)`.

    Example:
        >>> glu(torch.tensor([1.0, 0.0]))
        tensor([0.5000])
    """
    return F.glu(_tensor(x), axis)


def exponential(x) -> torch.Tensor:
    """Exponential: `exp(x)`.

    Example:
        >>> exponential(torch.tensor([0.0]))
        tensor([1.])
    """
    return torch.exp(_tensor(x))


def linear(x):
    """Identity: returns the input unchanged (the activation of `activation=None`).

    Example:
        >>> linear(torch.tensor([3.0]))
        tensor([3.])
    """
    return x


# On a Keras tensor an activation records a graph node, as `keras.activations.relu(x)` does
# in a functional model; on data the wrapper only adds a type check.
accept_keras_tensors(globals(), [name for name in __all__
                                 if name not in ("get", "serialize", "deserialize")])
swish, hard_swish = silu, hard_silu

_BUILTINS: dict[str, Callable] = {
    fn.__name__: fn for fn in (
        relu, leaky_relu, relu6, elu, selu, celu, gelu, silu, hard_silu, mish, sigmoid,
        hard_sigmoid, sparse_sigmoid, log_sigmoid, tanh, hard_tanh, tanh_shrink, hard_shrink,
        soft_shrink, threshold, softmax, log_softmax, sparsemax, softplus, softsign,
        sparse_plus, squareplus, glu, exponential, linear,
    )
}
_ALIASES = {"swish": silu, "hard_swish": hard_silu}
_BY_NAME: dict[str, Callable] = {**_BUILTINS, **_ALIASES}
_NAME_OF: dict[Callable, str] = {fn: name for name, fn in _BUILTINS.items()}


def get(identifier) -> Callable:
    """Resolves an activation identifier to a function.

    Args:
        identifier: None (linear), a name such as 'relu' or 'swish', a Keras-serialized
            dict, or any callable (returned as is).

    Returns:
        A callable taking and returning a tensor.

    Raises:
        ValueError: for an unknown name (with close-match suggestions).
        ValueError: for anything else that is not callable (as Keras).

    Example:
        >>> get("swish") is silu
        True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        return _lookup(identifier)
    if isinstance(identifier, Mapping):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation identifier: expected None, a name such as "
                     f"'relu', a config dict or a callable, but received {identifier!r} "
                     f"(type {type(identifier).__name__}).")


def _lookup(name: str, custom_objects: Mapping | None = None) -> Callable:
    custom_objects = visible_custom_objects(dict(custom_objects or {}))
    if name in custom_objects:
        return custom_objects[name]
    fn = _BY_NAME.get(name)
    if fn is None:
        raise unknown_name_error("activation", name, _BY_NAME)
    return fn


def serialize(activation: Callable) -> str | dict:
    """Returns the Keras config of an activation: its name for built-ins ('relu').

    Aliases serialize under their canonical name (`swish` -> 'silu'), as in Keras. Other
    named functions give Keras' custom-function dict; objects with `get_config` give
    their class dict; a lambda gives a `__lambda__` marker that `deserialize` refuses.

    Example:
        >>> serialize(relu)
        'relu'
    """
    name = _NAME_OF.get(activation)
    if name is not None:
        return name
    if hasattr(activation, "get_config"):
        return {"module": type(activation).__module__, "class_name": type(activation).__name__,
                "config": activation.get_config(), "registered_name": type(activation).__name__}
    fn_name = get_registered_name(activation)
    if fn_name is None or fn_name == "<lambda>":
        # Keras stores a lambda's bytecode; lamina never loads code from a file, so only a
        # marker is written (a model holding it saves, but loading asks for custom_objects).
        return {"module": "builtins", "class_name": "__lambda__", "config": {"code": None},
                "registered_name": None}
    return {"module": getattr(activation, "__module__", None), "class_name": "function",
            "config": fn_name, "registered_name": fn_name}


def deserialize(config, custom_objects: Mapping | None = None) -> Callable:
    """Inverse of `serialize`: a name or Keras config dict -> the activation function.

    Args:
        config: 'relu', or a dict such as `{"class_name": "function", "config": "relu"}`.
        custom_objects: optional mapping of names to user functions.

    Returns:
        The activation function.

    Example:
        >>> deserialize("relu") is relu
        True
    """
    if isinstance(config, str):
        return _lookup(config, custom_objects)
    if not isinstance(config, Mapping):
        raise TypeError(f"Could not deserialize activation: expected a name or a config dict, "
                        f"but received {config!r}.")
    class_name = config.get("class_name")
    if class_name == "__lambda__":
        raise ValueError("Cannot load a lambda activation: lamina never runs code stored in a "
                         "file. Define a named function and pass it in `custom_objects`.")
    if class_name in ("function", "__function__"):
        # A function is saved by name: Keras puts it in "config" (and "registered_name").
        name = config.get("registered_name") or config.get("config")
        custom_objects = visible_custom_objects(dict(custom_objects or {}))
        if name in custom_objects:
            return custom_objects[name]
        return _lookup(str(config.get("config")), custom_objects)
    if isinstance(class_name, str):
        target = _lookup(class_name, custom_objects)
        inner = config.get("config")
        if isinstance(target, type) and isinstance(inner, Mapping):
            return target.from_config(inner)
        return target
    raise ValueError(f"Could not deserialize activation: the config dict needs a 'class_name' "
                     f"key, but received {dict(config)!r}.")
