"""More of `keras.ops.nn`: shrink/threshold activations, pooling and convolution on
channels-last tensors, `dot_product_attention`, layer and RMS normalization, `psnr`.

Convolutions and pools take Keras' layouts: inputs `(batch, *spatial, channels)` (or
channels-first with `data_format="channels_first"`), kernels `(*spatial, in, out)`, and
`padding="same"` pads as TensorFlow does (the odd pixel on the bottom/right).

Example:
    >>> from lamina import ops
    >>> ops.max_pool(torch.arange(16.0).reshape(1, 4, 4, 1), 2).shape
    torch.Size([1, 2, 2, 1])
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from lamina import backend
from lamina.ops.core import tensor, tensors
from lamina.ops.unary import as_float
from lamina.utils.conv_utils import (convolve, convolve_transpose, spatial_paddings,
                                     standardize_data_format, standardize_padding,
                                     standardize_tuple)

__all__ = [
    "average_pool",
    "conv",
    "conv_transpose",
    "depthwise_conv",
    "dot_product_attention",
    "hard_shrink",
    "hard_tanh",
    "layer_normalization",
    "max_pool",
    "psnr",
    "rms_normalization",
    "separable_conv",
    "soft_shrink",
    "sparse_plus",
    "sparse_sigmoid",
    "sparsemax",
    "squareplus",
    "tanh_shrink",
    "threshold",
]


def hard_tanh(x) -> torch.Tensor:
    """`x` clipped to [-1, 1].

    Example:
        >>> hard_tanh(torch.tensor([-2.0, 0.5, 3.0]))
        tensor([-1.0000,  0.5000,  1.0000])
    """
    return F.hardtanh(as_float(x))


def hard_shrink(x, threshold: float = 0.5) -> torch.Tensor:
    """`x` where `|x| > threshold`, else 0.

    Example:
        >>> hard_shrink(torch.tensor([-1.0, 0.2, 0.8]))
        tensor([-1.0000,  0.0000,  0.8000])
    """
    return F.hardshrink(as_float(x), lambd=threshold)


def soft_shrink(x, threshold: float = 0.5) -> torch.Tensor:
    """`x` moved `threshold` towards 0, and 0 within `[-threshold, threshold]`.

    Example:
        >>> soft_shrink(torch.tensor([-1.0, 0.2, 0.8]))
        tensor([-0.5000,  0.0000,  0.3000])
    """
    return F.softshrink(as_float(x), lambd=threshold)


def tanh_shrink(x) -> torch.Tensor:
    """`x - tanh(x)`.

    Example:
        >>> tanh_shrink(torch.tensor([0.0]))
        tensor([0.])
    """
    return F.tanhshrink(as_float(x))


def sparse_plus(x) -> torch.Tensor:
    """0 for `x <= -1`, `x` for `x >= 1`, `(x + 1)**2 / 4` between.

    Example:
        >>> sparse_plus(torch.tensor([-2.0, 0.0, 2.0]))
        tensor([0.0000, 0.2500, 2.0000])
    """
    x = as_float(x)
    return torch.where(x <= -1, torch.zeros_like(x), torch.where(x >= 1, x, (x + 1) ** 2 / 4))


def squareplus(x, b: float = 4.0) -> torch.Tensor:
    """`(x + sqrt(x**2 + b)) / 2`, a smooth ReLU.

    Example:
        >>> squareplus(torch.tensor([0.0]))
        tensor([1.])
    """
    x = as_float(x)
    return (x + torch.sqrt(x * x + b)) / 2


def threshold(x, threshold: float, default_value: float) -> torch.Tensor:
    """`x` where `x > threshold`, else `default_value`.

    Example:
        >>> threshold(torch.tensor([0.5, 2.0]), 1.0, -1.0)
        tensor([-1.,  2.])
    """
    return F.threshold(as_float(x), threshold, default_value)


def sparse_sigmoid(x) -> torch.Tensor:
    """0 for `x <= -1`, 1 for `x >= 1`, `(x + 1) / 2` between.

    Example:
        >>> sparse_sigmoid(torch.tensor([-2.0, 0.0, 2.0]))
        tensor([0.0000, 0.5000, 1.0000])
    """
    return torch.clamp((as_float(x) + 1) / 2, 0.0, 1.0)


def sparsemax(x, axis: int = -1) -> torch.Tensor:
    """The Euclidean projection of `x` onto the probability simplex (sparse softmax).

    Example:
        >>> sparsemax(torch.tensor([1.0, 0.0, -1.0]))
        tensor([1., 0., 0.])
    """
    x = as_float(x)
    moved = torch.movedim(x, axis, -1)
    sorted_x, _ = torch.sort(moved, dim=-1, descending=True)
    ks = torch.arange(1, moved.shape[-1] + 1, device=x.device, dtype=x.dtype)
    cumulative = sorted_x.cumsum(-1)
    support = (1 + ks * sorted_x) > cumulative
    k = support.sum(-1, keepdim=True)
    tau = (torch.gather(cumulative, -1, k - 1) - 1) / k.to(x.dtype)
    return torch.movedim(torch.clamp(moved - tau, min=0.0), -1, axis)


# ------------------------------------------------------------------ pooling and convolution
def _channels_first(x: torch.Tensor, data_format) -> torch.Tensor:
    data_format = data_format or backend.image_data_format()
    return x if data_format == "channels_first" else torch.movedim(x, -1, 1)


def _back(x: torch.Tensor, data_format) -> torch.Tensor:
    data_format = data_format or backend.image_data_format()
    return x if data_format == "channels_first" else torch.movedim(x, 1, -1)


def _same_padding(x: torch.Tensor, window, strides, value=0.0):
    """Pads the spatial axes of a channels-first `x` as TensorFlow's 'same' does."""
    pads = spatial_paddings(x.shape[2:], window, strides, (1,) * len(window), "same")
    flat = [p for pair in reversed(pads) for p in pair]
    return F.pad(x, flat, value=value) if any(flat) else x


def max_pool(inputs, pool_size, strides=None, padding: str = "valid", data_format=None):
    """Max pooling over the spatial axes of a 3-D, 4-D or 5-D tensor.

    Example:
        >>> max_pool(torch.arange(16.0).reshape(1, 4, 4, 1), 2)[0, :, :, 0]
        tensor([[ 5.,  7.],
                [13., 15.]])
    """
    x = _channels_first(as_float(inputs), data_format)
    rank = x.dim() - 2
    window = standardize_tuple(pool_size, rank, "pool_size")
    strides = window if strides is None else standardize_tuple(strides, rank, "strides")
    if standardize_padding(padding) == "same":
        x = _same_padding(x, window, strides, value=-math.inf)
    pool = (F.max_pool1d, F.max_pool2d, F.max_pool3d)[rank - 1]
    return _back(pool(x, window, strides), data_format)


def average_pool(inputs, pool_size, strides=None, padding: str = "valid", data_format=None):
    """Average pooling; with 'same' padding each window divides by its real (unpadded) cells.

    Example:
        >>> average_pool(torch.tensor([[[1.0], [2.0], [3.0]]]), 2, 2, "same")[0, :, 0]
        tensor([1.5000, 3.0000])
    """
    x = _channels_first(as_float(inputs), data_format)
    rank = x.dim() - 2
    window = standardize_tuple(pool_size, rank, "pool_size")
    strides = window if strides is None else standardize_tuple(strides, rank, "strides")
    pool = (F.avg_pool1d, F.avg_pool2d, F.avg_pool3d)[rank - 1]
    if standardize_padding(padding) == "valid":
        return _back(pool(x, window, strides), data_format)
    ones = torch.ones_like(x[:1, :1])
    sums = pool(_same_padding(x, window, strides), window, strides)
    counts = pool(_same_padding(ones, window, strides), window, strides)
    return _back(sums / counts, data_format)


def conv(inputs, kernel, strides=1, padding: str = "valid", data_format=None,
         dilation_rate=1) -> torch.Tensor:
    """N-D convolution with a Keras kernel `(*spatial, in_channels / groups, out_channels)`.

    Example:
        >>> conv(torch.ones(1, 4, 4, 1), torch.ones(3, 3, 1, 2)).shape
        torch.Size([1, 2, 2, 2])
    """
    inputs, kernel = tensors(inputs, kernel)
    x = as_float(inputs)
    rank = x.dim() - 2
    data_format = standardize_data_format(data_format)
    # (*spatial, in, out) -> torch's (out, in, *spatial)
    weight = torch.movedim(torch.movedim(kernel.to(x.dtype), -1, 0), -1, 1)
    channels = x.shape[-1] if data_format == "channels_last" else x.shape[1]
    return convolve(x, weight, None, strides=standardize_tuple(strides, rank, "strides"),
                    padding=standardize_padding(padding),
                    dilation_rate=standardize_tuple(dilation_rate, rank, "dilation_rate"),
                    groups=channels // weight.shape[1], data_format=data_format)


def depthwise_conv(inputs, kernel, strides=1, padding: str = "valid", data_format=None,
                   dilation_rate=1) -> torch.Tensor:
    """Depthwise convolution, kernel `(*spatial, in_channels, depth_multiplier)`.

    Example:
        >>> depthwise_conv(torch.ones(1, 4, 4, 3), torch.ones(3, 3, 3, 2)).shape
        torch.Size([1, 2, 2, 6])
    """
    inputs, kernel = tensors(inputs, kernel)
    *spatial, channels, multiplier = kernel.shape
    grouped = kernel.reshape(*spatial, 1, channels * multiplier)
    return conv(inputs, grouped, strides, padding, data_format, dilation_rate)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1,
                   padding: str = "valid", data_format=None, dilation_rate=1) -> torch.Tensor:
    """A depthwise convolution followed by a 1x1 (pointwise) one.

    Example:
        >>> separable_conv(torch.ones(1, 4, 4, 3), torch.ones(3, 3, 3, 1),
        ...                torch.ones(1, 1, 3, 5)).shape
        torch.Size([1, 2, 2, 5])
    """
    depthwise = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format,
                               dilation_rate)
    return conv(depthwise, pointwise_kernel, 1, "valid", data_format)


def conv_transpose(inputs, kernel, strides=1, padding: str = "valid", output_padding=None,
                   data_format=None, dilation_rate=1) -> torch.Tensor:
    """Transposed convolution, kernel `(*spatial, out_channels, in_channels)` as Keras'.

    The output length per axis is Keras': 'valid' `(n - 1) * s + k`, 'same' `n * s`.

    Example:
        >>> conv_transpose(torch.ones(1, 3, 3, 2), torch.ones(3, 3, 4, 2), 2, "same").shape
        torch.Size([1, 6, 6, 4])
    """
    inputs, kernel = tensors(inputs, kernel)
    x = as_float(inputs)
    rank = x.dim() - 2
    # (*spatial, out, in) -> torch's (in, out, *spatial)
    weight = torch.movedim(torch.movedim(kernel.to(x.dtype), -1, 0), -1, 1)
    extra = (None if output_padding is None
             else standardize_tuple(output_padding, rank, "output_padding", allow_zero=True))
    return convolve_transpose(x, weight, None, strides=standardize_tuple(strides, rank, "strides"),
                              padding=standardize_padding(padding), output_padding=extra,
                              dilation_rate=standardize_tuple(dilation_rate, rank,
                                                              "dilation_rate"),
                              data_format=standardize_data_format(data_format))


# ------------------------------------------------------------------ attention, normalization
def dot_product_attention(query, key, value, bias=None, mask=None, scale=None,
                          is_causal: bool = False, flash_attention=None,
                          attn_logits_soft_cap=None) -> torch.Tensor:
    """Scaled dot-product attention on `(batch, seq, heads, head_dim)` tensors (Keras' layout).

    `mask` is True where attention is allowed; `scale` defaults to `1 / sqrt(head_dim)`.

    Example:
        >>> q = torch.ones(2, 5, 4, 8)
        >>> dot_product_attention(q, q, q).shape
        torch.Size([2, 5, 4, 8])
    """
    query, key, value = tensors(query, key, value)
    q, k, v = (t.transpose(1, 2) for t in (as_float(query), as_float(key), as_float(value)))
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    logits = torch.matmul(q, k.transpose(-1, -2)) * scale
    if attn_logits_soft_cap is not None:
        logits = attn_logits_soft_cap * torch.tanh(logits / attn_logits_soft_cap)
    if bias is not None:
        logits = logits + tensor(bias, logits.device).to(logits.dtype)
    allowed = None
    if mask is not None:
        allowed = tensor(mask, logits.device).to(torch.bool)
    if is_causal:
        causal = torch.ones(logits.shape[-2], logits.shape[-1], dtype=torch.bool,
                            device=logits.device).tril()
        allowed = causal if allowed is None else allowed & causal
    if allowed is not None:
        logits = logits.masked_fill(~allowed, torch.finfo(logits.dtype).min)
    weights = torch.softmax(logits, dim=-1)
    return torch.matmul(weights, v).transpose(1, 2)


def layer_normalization(x, gamma=None, beta=None, axis: int = -1, epsilon=None,
                        rms_scaling: bool = False) -> torch.Tensor:
    """Normalizes `x` to mean 0 and variance 1 over `axis`, then scales and shifts.

    Example:
        >>> layer_normalization(torch.tensor([[1.0, 3.0]]), epsilon=0.0)
        tensor([[-1.,  1.]])
    """
    x = as_float(x)
    epsilon = backend.epsilon() if epsilon is None else epsilon  # Keras' default, 1e-7
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    if rms_scaling:
        out = x * torch.rsqrt(x.pow(2).mean(dim=axes, keepdim=True) + epsilon)
    else:
        mean = x.mean(dim=axes, keepdim=True)
        variance = (x - mean).pow(2).mean(dim=axes, keepdim=True)
        out = (x - mean) * torch.rsqrt(variance + epsilon)
    if gamma is not None:
        out = out * tensor(gamma, x.device).to(x.dtype)
    if beta is not None:
        out = out + tensor(beta, x.device).to(x.dtype)
    return out


def rms_normalization(x, scale=None, axis: int = -1, epsilon=None) -> torch.Tensor:
    """`x / sqrt(mean(x**2) + epsilon)` over `axis`, times `scale`.

    Example:
        >>> rms_normalization(torch.tensor([[3.0, 4.0]]), epsilon=0.0)
        tensor([[0.8485, 1.1314]])
    """
    x = as_float(x)
    epsilon = backend.epsilon() if epsilon is None else epsilon
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    out = x * torch.rsqrt(x.pow(2).mean(dim=axes, keepdim=True) + epsilon)
    return out if scale is None else out * tensor(scale, x.device).to(x.dtype)


def psnr(x1, x2, max_val: float) -> torch.Tensor:
    """Peak signal-to-noise ratio `20 log10(max_val) - 10 log10(mse)` in dB.

    Example:
        >>> psnr(torch.ones(4), torch.zeros(4), 1.0)
        tensor(0.)
    """
    a, b = tensors(x1, x2)
    if a.shape != b.shape:
        raise ValueError(f"`psnr` needs inputs of the same shape, but received {tuple(a.shape)} "
                         f"and {tuple(b.shape)}.")
    mse = torch.mean((as_float(a) - as_float(b)) ** 2)
    return 20 * math.log10(max_val) - 10 * torch.log10(mse)
