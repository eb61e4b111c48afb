"""`summary(explain=True)`: each layer's parameter count as a formula with its numbers, and the
output-shape arithmetic of convolution and pooling — what learners otherwise work out by hand.

Formulas read the layer's Keras attributes (`units`, `filters`, `kernel_size`, ...) and its
weight shapes, so they hold for any configuration; a layer without a known formula lists its
weights one by one.

Example:
    >>> layer = lamina.layers.Dense(100)
    >>> layer.build((None, 784))
    >>> explain_params(layer)
    'Dense: 784 inputs × 100 units + 100 biases = 78,500'
"""
from __future__ import annotations

import math

__all__ = ["explain_lines", "explain_params", "explain_shape"]


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


def _dims(shape) -> str:
    return " × ".join(str(d) for d in shape) or "1"


def _projection(label: str, kernel, bias, is_output: bool) -> str:
    """One MultiHeadAttention projection: its kernel and bias, their axes named."""
    if is_output and kernel.ndim >= 3:
        words = f"{kernel.shape[0]} heads × {kernel.shape[1]} dims × {_dims(kernel.shape[2:])} units"
    elif not is_output and kernel.ndim == 3:
        words = f"{kernel.shape[0]} inputs × {kernel.shape[1]} heads × {kernel.shape[2]} dims"
    else:
        words = f"{_dims(kernel.shape)} kernel"
    biases = f" + {_dims(bias.shape)} biases" if bias is not None else ""
    return f"{label} ({words}{biases})"


def _multi_head_attention(layer) -> str:
    """MultiHeadAttention and GroupedQueryAttention: each projection (query, key, gate, value,
    output), found by the sublayer its weights belong to."""
    projections: dict = {}
    for weight in layer.weights:
        projection = weight.path.split("/")[-2]
        projections.setdefault(projection, {})[weight.path.rsplit("/", 1)[-1]] = weight
    parts = [_projection("output" if name == "attention_output" else name, weights["kernel"],
                         weights.get("bias"), name == "attention_output")
             for name, weights in projections.items()]
    return f"{type(layer).__name__}: {' + '.join(parts)} = {_n(_count(layer))}"


def _reversible_embedding(layer) -> str:
    reverse = ("" if layer.tie_weights else
               f" + reverse {_n(layer.output_dim)} dims × {_n(layer.input_dim)} words")
    return (f"ReversibleEmbedding: {_n(layer.input_dim)} words × {_n(layer.output_dim)} dims"
            f"{reverse} = {_n(_count(layer))}")


def _stft_spectrogram(layer) -> str:
    kernel = layer.real_kernel
    frames, _, bins = kernel.shape
    return (f"STFTSpectrogram: 2 kernels (real, imaginary) × {_n(frames)} frame samples × "
            f"{_n(bins)} frequency bins = {_n(_count(layer))}")


def _expression(layer) -> str:
    """A layer's formula without its name and result, to nest inside a wrapper's formula."""
    return explain_params(layer).split(": ", 1)[1].rsplit(" = ", 1)[0]


def _conv_lstm(layer) -> str:
    cell = getattr(layer, "cell", layer)
    kernel = _weight(cell, "kernel")
    spatial, channels, filters = _dims(kernel.shape[:-2]), kernel.shape[-2], cell.filters
    bias_text = f" + {_n(filters)} biases" if _weight(cell, "bias") is not None else ""
    return (f"{type(layer).__name__}: 4 gates × ({spatial} kernel × ({_n(channels)} channels + "
            f"{_n(filters)} filters) × {_n(filters)} filters{bias_text}) = {_n(_count(layer))}")


def _rnn(layer) -> str:
    cell = layer.cell
    return f"RNN: {type(cell).__name__} {_expression(cell)} = {_n(_count(layer))}"


def _stacked_cells(layer) -> str:
    parts = [f"{type(cell).__name__} ({_expression(cell)})" for cell in layer.cells]
    return f"StackedRNNCells: {' + '.join(parts)} = {_n(_count(layer))}"


def _bidirectional(layer) -> str:
    return (f"Bidirectional: forward {type(layer.forward_layer).__name__} "
            f"({_expression(layer.forward_layer)}) + backward "
            f"{type(layer.backward_layer).__name__} ({_expression(layer.backward_layer)}) = "
            f"{_n(_count(layer))}")


def _time_distributed(layer) -> str:
    return (f"TimeDistributed: {type(layer.layer).__name__} {_expression(layer.layer)} = "
            f"{_n(_count(layer))} (one set of weights shared by every time step)")


def _einsum_dense(layer) -> str:
    kernel = _weight(layer, "kernel")
    bias = _weight(layer, "bias")
    terms = f"kernel {' × '.join(str(d) for d in kernel.shape)}"
    if bias is not None:
        terms += f" + bias {' × '.join(str(d) for d in bias.shape) or 1}"
    return f"EinsumDense: {terms} = {_n(_count(layer))} (equation {layer.equation})"


def _spectral_normalization(layer) -> str:
    inner = layer.layer
    vector = _weight(layer, "vector_u")
    return (f"SpectralNormalization: {type(inner).__name__} {_expression(inner)} + "
            f"{_n(vector.numel())} power-iteration vector entries (non-trainable) = "
            f"{_n(_count(layer))}")


def _wrapper(layer) -> str:
    inner = layer.layer
    return f"{type(layer).__name__}: {type(inner).__name__} {_expression(inner)} = {_n(_count(layer))}"


def _torch_module(layer) -> str:
    terms = " + ".join(f"{name} {' × '.join(str(d) for d in p.shape) or 1}"
                       for name, p in layer.module.named_parameters())
    return f"TorchModuleWrapper: {terms or 'no weights'} = {_n(_count(layer))}"


def _per_feature(layer, names: tuple, feature_word: str) -> str:
    """Normalization layers: one value per feature for each of the weights `names`."""
    present = [name for name in names if _weight(layer, name) is not None]
    features = _dims(_weight(layer, present[0]).shape)
    listed = " and ".join(present)
    return (f"{type(layer).__name__}: {len(present)} × {features} {feature_word} ({listed}) = "
            f"{_n(_count(layer))}")


def _normalization(layer) -> str:
    features = _dims(_weight(layer, "mean").shape)
    count = " + 1 count" if _weight(layer, "count") is not None else ""
    return (f"Normalization: 2 × {features} features (mean and variance){count} = "
            f"{_n(_count(layer))} (all non-trainable: set by adapt)")


def _prelu(layer) -> str:
    return (f"PReLU: {_dims(_weight(layer, 'alpha').shape)} alphas (one learned slope for "
            f"negative inputs per position) = {_n(_count(layer))}")


def _attention_scale(layer) -> str:
    terms = [f"{_dims(w.shape)} {w.name.replace('_', ' ')}{'s' if w.numel() > 1 else ''}"
             for w in layer.weights]
    return f"{type(layer).__name__}: {' + '.join(terms)} (learned score scaling) = {_n(_count(layer))}"


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
    "LSTMCell": lambda layer: _recurrent(layer, 4, "LSTMCell"),
    "GRUCell": lambda layer: _recurrent(layer, 3, "GRUCell"),
    "SimpleRNNCell": lambda layer: _recurrent(layer, 1, "SimpleRNNCell"),
    "ConvLSTM1D": _conv_lstm, "ConvLSTM2D": _conv_lstm, "ConvLSTM3D": _conv_lstm,
    "ConvLSTM2DCell": _conv_lstm,
    "RNN": _rnn, "StackedRNNCells": _stacked_cells,
    "Bidirectional": _bidirectional, "TimeDistributed": _time_distributed, "Wrapper": _wrapper,
    "EinsumDense": _einsum_dense, "SpectralNormalization": _spectral_normalization,
    "TorchModuleWrapper": _torch_module,
    "BatchNormalization": _batch_norm,
    "LayerNormalization": lambda layer: _per_feature(layer, ("gamma", "beta"), "features"),
    "GroupNormalization": lambda layer: _per_feature(layer, ("gamma", "beta"), "channels"),
    "RMSNormalization": lambda layer: _per_feature(layer, ("scale",), "features"),
    "Normalization": _normalization,
    "PReLU": _prelu,
    "Attention": _attention_scale, "AdditiveAttention": _attention_scale,
    "Embedding": _embedding,
    "MultiHeadAttention": _multi_head_attention, "GroupedQueryAttention": _multi_head_attention,
    "ReversibleEmbedding": _reversible_embedding, "STFTSpectrogram": _stft_spectrogram,
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
