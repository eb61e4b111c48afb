"""Argument checks and window arithmetic shared by the convolution and pooling layers.

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

from lamina import backend
from lamina.utils.errors import did_you_mean

__all__ = ["standardize_tuple", "standardize_padding", "standardize_data_format", "same_padding",
           "output_length", "check_window_fits", "channel_axis_hint"]


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
    """The fix for a learner's slip: images without their channel axis (e.g. (None, 28, 28))."""
    if len(shape) != rank + 1 or any(d is None for d in shape[1:]):
        return ""
    spatial = tuple(int(d) for d in shape[1:])
    if data_format == "channels_first":
        fix, target = "x[:, None]", (1,) + spatial
    else:
        fix, target = "x[..., None]", spatial + (1,)
    return f". For single-channel data, add a channel axis: `{fix}` or `Reshape({target})`."
