"""`summary(explain=True)`: each layer's parameter count as a formula with its numbers, and the
output-shape arithmetic of convolution and pooling — what learners otherwise work out by hand.

Formulas read the layer's Keras attributes (`units`, `filters`, `kernel_size`, ...) and its
weight shapes, so they hold for any configuration; a layer without a known formula lists its
weights one by one.

Example:
    >>> layer = lamina.layers.Dense(100, input_shape=(784,))
    >>> explain_params(layer)
    'Dense: 784 inputs × 100 units + 100 biases = 78,500'
"""
from __future__ import annotations

import math

__all__ = ["explain_params", "explain_shape", "explain_lines"]


def _n(value: int) -> str:
    return f"{int(value):,}"


def _count(layer) -> int:
    return sum(math.prod(w.shape) for w in layer.weights)


def _weight(layer, name: str):
    for weight in layer.weights:
        if getattr(weight, "name", None) == name:
            return weight
    return None


def _bias_term(layer, count: int, word: str = "biases") -> str:
    return f" + {_n(count)} {word}" if getattr(layer, "use_bias", True) and _weight(layer, "bias") is not None else ""


def _dense(layer) -> str:
    kernel = _weight(layer, "kernel")
    inputs = kernel.shape[0]
    return (f"Dense: {_n(inputs)} inputs × {_n(layer.units)} units"
            f"{_bias_term(layer, layer.units)} = {_n(_count(layer))}")


def _conv(layer) -> str:
    kernel = _weight(layer, "kernel")
    spatial = " × ".join(str(k) for k in layer.kernel_size)
    name = type(layer).__name__
    if "Transpose" in name:
        channels_in, filters = kernel.shape[-1], kernel.shape[-2]
    else:
        channels_in, filters = kernel.shape[-2], kernel.shape[-1]
    channel_word = "channel" if channels_in == 1 else "channels"
    groups = getattr(layer, "groups", 1)
    per_group = " per group" if groups > 1 else ""
    note = f" ({groups} groups)" if groups > 1 else ""
    return (f"{name}: {spatial} kernel × {_n(channels_in)} {channel_word}{per_group} × "
            f"{_n(filters)} filters{_bias_term(layer, filters)} = {_n(_count(layer))}{note}")


def _depthwise(layer) -> str:
    kernel = _weight(layer, "kernel")
    spatial = " × ".join(str(k) for k in layer.kernel_size)
    channels, multiplier = kernel.shape[-2], kernel.shape[-1]
    return (f"{type(layer).__name__}: {spatial} kernel × {_n(channels)} channels × "
            f"{multiplier} depth multiplier{_bias_term(layer, channels * multiplier)} = {_n(_count(layer))}")


def _separable(layer) -> str:
    depthwise, pointwise = _weight(layer, "depthwise_kernel"), _weight(layer, "pointwise_kernel")
    spatial = " × ".join(str(k) for k in layer.kernel_size)
    channels, multiplier = depthwise.shape[-2], depthwise.shape[-1]
    filters = pointwise.shape[-1]
    return (f"{type(layer).__name__}: depthwise {spatial} × {_n(channels)} channels × {multiplier} "
            f"+ pointwise {_n(channels * multiplier)} × {_n(filters)} filters"
            f"{_bias_term(layer, filters)} = {_n(_count(layer))}")


def _recurrent(layer, gates: int, label: str) -> str:
    cell = getattr(layer, "cell", layer)
    kernel = _weight(cell, "kernel")
    units, inputs = cell.units, kernel.shape[0]
    bias = _weight(cell, "bias")
    gate_text = f"{gates} gates × " if gates > 1 else ""
    if bias is not None and bias.ndim == 2:  # GRU with reset_after: two biases per gate
        bias_text = f" + 2 × {_n(units)} biases"
    elif bias is not None:
        bias_text = f" + {_n(units)} biases"
    else:
        bias_text = ""
    note = " (reset_after: input and recurrent biases)" if bias is not None and bias.ndim == 2 else ""
    return (f"{label}: {gate_text}({_n(units)} units × ({_n(inputs)} inputs + {_n(units)} units)"
            f"{bias_text}) = {_n(_count(layer))}{note}")


def _batch_norm(layer) -> str:
    channels = _weight(layer, "moving_mean").shape[0]
    per_channel = len(layer.weights)
    frozen = len(layer.non_trainable_weights)
    return (f"BatchNormalization: {per_channel} × {_n(channels)} channels = {_n(_count(layer))} "
            f"({frozen} × {_n(channels)} non-trainable: the moving mean and variance)")


def _embedding(layer) -> str:
    return (f"Embedding: {_n(layer.input_dim)} words × {_n(layer.output_dim)} dims = "
            f"{_n(_count(layer))}")


def _multi_head_attention(layer) -> str:
    per_projection = 2 if getattr(layer, "use_bias", True) else 1
    weights = layer.weights
    groups = [weights[i:i + per_projection] for i in range(0, len(weights), per_projection)]
    parts = []
    for label, group in zip(("query", "key", "value", "output"), groups):
        terms = " + ".join(" × ".join(str(d) for d in w.shape) for w in group)
        parts.append(f"{label} {terms} = {_n(sum(math.prod(w.shape) for w in group))}")
    return (f"MultiHeadAttention ({layer.num_heads} heads × {layer.key_dim} key dims): "
            f"{'; '.join(parts)}; total {_n(_count(layer))}")


def _flatten(layer) -> str:
    shape = getattr(layer, "_build_shapes", None)
    if isinstance(shape, tuple) and all(d is not None for d in shape[1:]):
        dims = " × ".join(str(d) for d in shape[1:])
        return f"Flatten: {dims} = {_n(math.prod(shape[1:]))} values per sample, no weights = 0"
    return "Flatten: no weights = 0"


def _generic(layer) -> str:
    if not layer.weights:
        return f"{type(layer).__name__}: no weights = 0"
    terms = " + ".join(f"{getattr(w, 'name', 'weight')} {' × '.join(str(d) for d in w.shape) or 1}"
                       for w in layer.weights)
    return f"{type(layer).__name__}: {terms} = {_n(_count(layer))}"


_FORMULAS = {
    "Dense": _dense,
    "Flatten": _flatten,
    "Conv1D": _conv, "Conv2D": _conv, "Conv3D": _conv,
    "Conv1DTranspose": _conv, "Conv2DTranspose": _conv, "Conv3DTranspose": _conv,
    "DepthwiseConv1D": _depthwise, "DepthwiseConv2D": _depthwise,
    "SeparableConv1D": _separable, "SeparableConv2D": _separable,
    "LSTM": lambda layer: _recurrent(layer, 4, "LSTM"),
    "GRU": lambda layer: _recurrent(layer, 3, "GRU"),
    "SimpleRNN": lambda layer: _recurrent(layer, 1, "SimpleRNN"),
    "BatchNormalization": _batch_norm,
    "Embedding": _embedding,
    "MultiHeadAttention": _multi_head_attention,
}


def explain_params(layer) -> str:
    """The parameter count of a built `layer` as a formula with its numbers."""
    formula = _FORMULAS.get(type(layer).__name__, _generic)
    try:
        return formula(layer)
    except (AttributeError, IndexError, TypeError):
        # A user's subclass may rename attributes; its weights still explain the count.
        return _generic(layer)


def explain_shape(layer) -> str | None:
    """For convolution and pooling: how each spatial output size follows from the input."""
    window = getattr(layer, "kernel_size", None) or getattr(layer, "pool_size", None)
    input_shape = getattr(layer, "_build_shapes", None)
    if window is None or not isinstance(input_shape, tuple):
        return None
    strides = getattr(layer, "strides", (1,) * len(window))
    dilation = getattr(layer, "dilation_rate", (1,) * len(window))
    padding = getattr(layer, "padding", "valid")
    channels_first = getattr(layer, "data_format", "channels_last") == "channels_first"
    spatial = input_shape[2:] if channels_first else input_shape[1:-1]
    if "Transpose" in type(layer).__name__ or len(spatial) != len(window):
        return None
    steps = [_axis_arithmetic(size, k, s, d, padding) for size, k, s, d in
             zip(spatial, window, strides, dilation)]
    return "output size: " + "; ".join(step for step in steps if step)


def _axis_arithmetic(size, kernel, stride, dilation, padding) -> str | None:
    if size is None:
        return None
    if padding == "same":
        return f"⌈{size} / {stride}⌉ = {math.ceil(size / stride)} ('same' padding)"
    span = dilation * (kernel - 1) + 1
    span_text = f"{kernel}" if dilation == 1 else f"({dilation} × ({kernel} − 1) + 1)"
    result = (size - span) // stride + 1
    return f"⌊({size} − {span_text}) / {stride}⌋ + 1 = {result}"


def explain_lines(layers) -> list[str]:
    """One explanation line per layer (plus one for shape arithmetic where it applies)."""
    lines = []
    for layer in layers:
        if not layer.built:
            lines.append(f"{layer.name}: not built yet — call the model on data or give input_shape.")
            continue
        lines.append(f"{layer.name}: {explain_params(layer)}")
        shape = explain_shape(layer)
        if shape:
            lines.append(f"{' ' * len(layer.name)}  {shape}")
    return lines
