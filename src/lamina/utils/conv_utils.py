"""Argument checks, window arithmetic and the convolution kernels shared by the convolution and
pooling layers and by `keras.ops` (`conv`, `conv_transpose`, the pools).

Keras' (TensorFlow's) 'same' padding is asymmetric: the total padding
`max((out - 1) * stride + window - size, 0)` is split with the odd cell at the end.

Example:
    >>> same_padding(8, 3, 2)
    (0, 1)
    >>> output_length(8, 3, "same", 2), output_length(8, 3, "valid", 2)
    (4, 3)
"""
from __future__ import annotations

import math

import torch.nn.functional as F

from lamina import backend
from lamina.dtype_policies.autocast import split_low_precision_bias
from lamina.utils.errors import did_you_mean

__all__ = ["standardize_tuple", "standardize_padding", "standardize_data_format", "same_padding",
           "output_length", "check_window_fits", "channel_axis_hint", "spatial_paddings",
           "convolve", "transpose_output_length", "transpose_crops", "convolve_transpose"]

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_CONV_TRANSPOSE = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def standardize_tuple(value, n: int, name: str, allow_zero: bool = False) -> tuple:
    """`value` (an int or `n` ints) as a tuple of `n` ints, each > 0 (>= 0 with `allow_zero`).

    Example:
        >>> standardize_tuple(3, 2, "kernel_size")
        (3, 3)
    """
    message = f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value!r}"
    if isinstance(value, int) and not isinstance(value, bool):
        values = (value,) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            raise ValueError(message) from None
        if len(values) != n or any(isinstance(v, bool) or not _is_integer(v) for v in values):
            raise ValueError(message)
        values = tuple(int(v) for v in values)
    bad = [v for v in values if v < 0 or (v == 0 and not allow_zero)]
    if bad:
        raise ValueError(f"{message}, including values {bad} that do not satisfy "
                         f"`value {'>= 0' if allow_zero else '> 0'}`")
    return values


def _is_integer(value) -> bool:
    return isinstance(value, int) or (hasattr(value, "__index__") and not isinstance(value, float))


def standardize_padding(value, allow_causal: bool = False) -> str:
    """'valid', 'same' (or 'causal' where allowed), accepted in any case as Keras does.

    Example:
        >>> standardize_padding("Same")
        'same'
    """
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    padding = value.strip().lower() if isinstance(value, str) else value
    if padding not in allowed:
        hint = (" Causal padding exists only for 1-D convolutions (Conv1D)."
                if padding == "causal" else did_you_mean(padding, allowed))
        raise ValueError(f"The `padding` argument must be one of {', '.join(map(repr, allowed))} "
                         f"(case-insensitive). Received: padding={value!r}.{hint}")
    return padding


def standardize_data_format(value) -> str:
    """'channels_last' or 'channels_first'; None means `keras.backend.image_data_format()`.

    Example:
        >>> standardize_data_format(None)
        'channels_last'
    """
    if value is None:
        return backend.image_data_format()
    data_format = str(value).lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("The `data_format` argument must be one of "
                         "{'channels_first', 'channels_last'}. "
                         f"Received: data_format={value!r}. 'channels_last' means inputs "
                         "(batch, ..., channels), e.g. NHWC images; 'channels_first' means "
                         "(batch, channels, ...), e.g. NCHW.")
    return data_format


def same_padding(size: int, window: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """(before, after) cells of TensorFlow's 'same' padding; the odd cell goes after."""
    effective = (window - 1) * dilation + 1
    total = max((math.ceil(size / stride) - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


def output_length(size, window: int, padding: str, stride: int, dilation: int = 1):
    """Output length of a window sliding over `size` cells (None stays None)."""
    if size is None:
        return None
    if padding in ("same", "causal"):
        return math.ceil(size / stride)
    return (size - (window - 1) * dilation - 1) // stride + 1


def check_window_fits(layer, input_shape, spatial, window, window_name: str, padding: str,
                      strides, dilation=None) -> None:
    """Raises a ValueError naming `layer` when a 'valid' window does not fit its known input.

    Keras raises "Computed output size would be zero or negative" here; this message also
    names the layer, the sizes involved and the ways out.
    """
    if padding != "valid":
        return
    dilation = dilation or (1,) * len(window)
    for axis, (size, w, s, d) in enumerate(zip(spatial, window, strides, dilation)):
        if size is not None and output_length(size, w, padding, s, d) <= 0:
            reach = f"{w}" if d == 1 else f"{(w - 1) * d + 1} ({w} taps with dilation_rate={d})"
            raise ValueError(
                f"Layer '{layer.name}' ({type(layer).__name__}) cannot apply "
                f"{window_name}={tuple(window)} with padding='valid' to inputs of shape "
                f"{tuple(input_shape)}: spatial axis {axis} has {size} cells, fewer than the "
                f"window's {reach}, so the output would have a zero or negative dimension. "
                f"Use padding='same', a smaller {window_name}, or larger inputs (fewer pooling "
                f"or strided layers before this one).")


def channel_axis_hint(layer, shape, rank: int, data_format: str) -> str:
    """The fix for a learner's slip: images without their channel axis (e.g. (None, 28, 28)),
    channels-first images into a channels-last layer, or an input_shape holding the batch axis."""
    if len(shape) == rank + 3:
        axes = {1: "steps", 2: "rows, cols", 3: "depth, rows, cols"}.get(rank, "...")
        return (f". That is one axis more than (batch, {axes}, channels): if the model's "
                f"input_shape includes the number of samples, drop it, "
                f"input_shape={tuple(shape[2:])} (`x_train.shape[1:]`).")
    spec = getattr(layer, "input_spec", None)
    channels = spec.axes.get(-1) if spec is not None and data_format == "channels_last" else None
    if len(shape) == rank + 2 and channels is not None and shape[1] == channels != shape[-1]:
        order = (0, *range(2, rank + 2), 1)
        return (f". These look like channels-first images {tuple(shape)}: move the channel axis "
                f"last with `np.transpose(x, {order})`, or pass data_format='channels_first'.")
    if len(shape) != rank + 1 or any(d is None for d in shape[1:]):
        return ""
    spatial = tuple(int(d) for d in shape[1:])
    if data_format == "channels_first":
        fix, target = "x[:, None]", (1,) + spatial
    else:
        fix, target = "x[..., None]", spatial + (1,)
    return f". For single-channel data, add a channel axis: `{fix}` or `Reshape({target})`."


def spatial_paddings(spatial, kernel_size, strides, dilation_rate, padding):
    """(before, after) padding of each spatial axis: Keras' 'same' puts the odd cell after."""
    if padding == "valid":
        return [(0, 0)] * len(spatial)
    if padding == "causal":
        return [((kernel_size[0] - 1) * dilation_rate[0], 0)]
    return [same_padding(size, k, s, d)
            for size, k, s, d in zip(spatial, kernel_size, strides, dilation_rate)]


def add_channel_bias(outputs, bias, channels_last: bool):
    """`outputs` (N, C, *spatial) back in Keras' layout, plus a bias left unfused."""
    if channels_last:
        outputs = outputs.movedim(1, -1)
        return outputs if bias is None else outputs + bias
    if bias is None:
        return outputs
    return outputs + bias.reshape((-1,) + (1,) * (outputs.ndim - 2))


def convolve(inputs, weight, bias, *, strides, padding, dilation_rate, groups, data_format):
    """Keras' convolution of `inputs` with a torch-layout `weight` (out, in/groups, *kernel).

    channels_last inputs (N, *spatial, C) are handed to torch as the permuted view
    (N, C, *spatial): its memory is torch's channels_last format, which the CPU (oneDNN) and
    cuDNN kernels take as is, so neither the inputs nor the outputs are copied to change
    layout, and the result goes back to (N, *spatial, C) as a view too.
    """
    rank = weight.ndim - 2
    channels_last = data_format == "channels_last"
    spatial = inputs.shape[1:-1] if channels_last else inputs.shape[2:]
    pads = spatial_paddings(spatial, weight.shape[2:], strides, dilation_rate, padding)
    if all(before == after for before, after in pads):
        torch_padding = tuple(before for before, _ in pads)
    else:
        # torch pads symmetrically; Keras' odd 'same' cell (and causal padding) is explicit.
        # Padding the (N, *spatial, C) tensor keeps the padded copy in channels_last memory.
        flat = [amount for pair in reversed(pads) for amount in pair]
        inputs = F.pad(inputs, ([0, 0] + flat) if channels_last else flat)
        torch_padding = 0
    if all(k == 1 for k in weight.shape[2:]) and any(s > 1 for s in strides):
        inputs, strides = _subsampled(inputs, strides, channels_last), (1,) * rank
    if channels_last:
        inputs = inputs.movedim(-1, 1)
    fused_bias, bias = split_low_precision_bias(inputs, bias)
    outputs = _CONV[rank](inputs, weight, fused_bias, strides, torch_padding, dilation_rate, groups)
    return add_channel_bias(outputs, bias, channels_last)


def _subsampled(inputs, strides, channels_last: bool):
    """The cells a strided 1x1 convolution reads, as a view: it equals the stride-1 convolution
    of them. Computing it so reads 1/stride² of the input, and it avoids torch 2.13's CPU kernel
    for strided 1x1 convolutions of channels_last memory, whose backward corrupts the heap with
    one intra-op thread (a ResNet shortcut, tests/utils/test_conv_utils.py)."""
    first = 1 if channels_last else 2
    cells = [slice(None)] * inputs.ndim
    for axis, stride in enumerate(strides, start=first):
        cells[axis] = slice(None, None, stride)
    return inputs[tuple(cells)]


def transpose_output_length(size, kernel: int, stride: int, padding: str, output_padding,
                            dilation: int):
    """Keras' (TensorFlow's) output length of a transposed convolution (None stays None)."""
    if size is None:
        return None
    effective = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(effective, stride) - effective if output_padding is None else output_padding
        return (size - 1) * stride + effective + extra
    if output_padding is None:
        return size * stride
    return (size - 1) * stride + effective % 2 + output_padding


def transpose_crops(kernel: int, stride: int, padding: str, output_padding, dilation: int):
    """(left, right) cells to remove from torch's full output `(size - 1) * stride + k_eff`.

    Keras (like JAX and TensorFlow) pads the dilated input by (left_pad, right_pad) before a
    stride-1 convolution; torch's full output corresponds to `k_eff - 1` on both sides.
    `right` may be negative: Keras' output is then longer than torch's full output.
    """
    effective = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(effective, stride) - effective if output_padding is None else output_padding
        left_pad, right_pad = effective - 1, effective - 1 + extra
    else:
        total = (stride + effective - 2 if output_padding is None
                 else effective + effective % 2 - 2 + output_padding)
        left_pad = min(total // 2 + total % 2, effective - 1)
        right_pad = total - left_pad
    return effective - 1 - left_pad, effective - 1 - right_pad


def convolve_transpose(inputs, weight, bias, *, strides, padding, output_padding, dilation_rate,
                       data_format):
    """Keras' transposed convolution of `inputs` with a torch-layout `weight` (in, out, *kernel).

    `output_padding` is None or one int per spatial axis; channels_last inputs go to torch as
    a permuted view in channels_last memory, as in `convolve`.
    """
    rank = weight.ndim - 2
    channels_last = data_format == "channels_last"
    output_padding = output_padding or (None,) * rank
    crops = [transpose_crops(k, s, padding, extra, d) for k, s, extra, d in
             zip(weight.shape[2:], strides, output_padding, dilation_rate)]
    # torch crops symmetrically (`padding`) and extends on the right (`output_padding`);
    # what is left of Keras' asymmetric crop is a slice, i.e. a view.
    symmetric = [max(min(left, right), 0) for left, right in crops]
    extend = [max(-right, 0) for _, right in crops]
    x = inputs.movedim(-1, 1) if channels_last else inputs
    fused_bias, bias = split_low_precision_bias(x, bias)
    outputs = _CONV_TRANSPOSE[rank](x, weight, fused_bias, strides, symmetric, extend, 1,
                                    dilation_rate)
    slices = [slice(None), slice(None)]
    for (left, right), sym in zip(crops, symmetric):
        stop = outputs.shape[len(slices)] - (max(right, 0) - sym)
        slices.append(slice(left - sym, stop))
    outputs = outputs[tuple(slices)]
    return add_channel_bias(outputs, bias, channels_last)
