"""Keras' `ops.math` names: `logsumexp`, `erf`, `erfinv`, `rsqrt`, `top_k`, `in_top_k`, and
the Fourier transforms `fft`, `fft2`, `ifft2`, `rfft`, `irfft`, `stft`, `istft`.

As in Keras, complex values travel as a `(real, imag)` pair of float tensors, in and out.

Example:
    >>> from lamina import ops
    >>> ops.top_k(torch.tensor([1.0, 3.0, 2.0]), k=2)
    (tensor([3., 2.]), tensor([1, 2], dtype=torch.int32))
    >>> ops.fft((torch.tensor([1.0, 2.0]), torch.tensor([0.0, 1.0])))
    (tensor([ 3., -1.]), tensor([ 1., -1.]))
"""
from __future__ import annotations

import math

import torch

from lamina import backend
from lamina.ops.core import normalize_axis, tensor

__all__ = ["logsumexp", "erf", "erfinv", "rsqrt", "top_k", "in_top_k", "fft", "fft2", "ifft2",
           "rfft", "irfft", "stft", "istft", "cdist", "extract_sequences"]


def _float(x) -> torch.Tensor:
    x = tensor(x)
    return x if x.is_floating_point() else x.to(backend.torch_dtype(backend.floatx()))


def logsumexp(x, axis=None, keepdims: bool = False) -> torch.Tensor:
    """`log(sum(exp(x)))` over `axis`, computed without overflow.

    Example:
        >>> logsumexp(torch.tensor([0.0, 0.0]))
        tensor(0.6931)
    """
    x = _float(x)
    return torch.logsumexp(x, dim=normalize_axis(axis, x.ndim), keepdim=keepdims)


def erf(x) -> torch.Tensor:
    """The Gauss error function.

    Example:
        >>> erf(torch.tensor([0.0]))
        tensor([0.])
    """
    return torch.erf(_float(x))


def erfinv(x) -> torch.Tensor:
    """The inverse of `erf`.

    Example:
        >>> erfinv(torch.tensor([0.0]))
        tensor([0.])
    """
    return torch.erfinv(_float(x))


def rsqrt(x) -> torch.Tensor:
    """`1 / sqrt(x)`.

    Example:
        >>> rsqrt(torch.tensor([4.0]))
        tensor([0.5000])
    """
    return torch.rsqrt(_float(x))


def top_k(x, k: int, sorted: bool = True):
    """The `k` largest values along the last axis and their indices (int32).

    Args:
        x: Input tensor.
        k: How many values to return.
        sorted: Return them in descending order.

    Returns:
        A tuple `(values, indices)`.

    Example:
        >>> top_k(torch.tensor([1.0, 3.0, 2.0]), k=1)
        (tensor([3.]), tensor([1], dtype=torch.int32))
    """
    values, indices = torch.topk(tensor(x), k, dim=-1, largest=True, sorted=sorted)
    return values, indices.to(torch.int32)


def in_top_k(targets, predictions, k: int) -> torch.Tensor:
    """Whether each target class is among the `k` highest predictions of its row.

    Args:
        targets: Integer class ids, shape (batch,).
        predictions: Scores, shape (batch, classes).
        k: How many top predictions count.

    Returns:
        A bool tensor of shape (batch,); ties with the k-th value count as in the top k.

    Example:
        >>> in_top_k(torch.tensor([1, 0]), torch.tensor([[0.1, 0.9], [0.2, 0.8]]), k=1)
        tensor([ True, False])
    """
    scores = tensor(predictions)
    labels = tensor(targets, scores.device).long().reshape(-1, 1)
    target_scores = torch.take_along_dim(scores, labels, dim=-1)
    higher = (scores > target_scores).sum(dim=-1)
    return (higher < k) & torch.isfinite(target_scores.squeeze(-1))


# ------------------------------------------------------------------------- Fourier transforms
def _complex(x) -> torch.Tensor:
    """The complex tensor of a `(real, imag)` pair, checked as Keras checks it."""
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"Input `x` should be a tuple of two tensors - real and imaginary. "
                         f"Received: x={x}")
    real = tensor(x[0])
    imag = tensor(x[1], real.device)
    if real.shape != imag.shape:
        raise ValueError(f"Input `x` should be a tuple of two tensors - real and imaginary. Both "
                         f"the real and imaginary parts should have the same shape. Received: "
                         f"x[0].shape = {tuple(real.shape)}, x[1].shape = {tuple(imag.shape)}")
    if not real.is_floating_point() or not imag.is_floating_point():
        raise ValueError(f"At least one tensor in input `x` is not of type float. Received: "
                         f"x[0].dtype={real.dtype}, x[1].dtype={imag.dtype}. Cast them with "
                         f"`ops.cast(x, 'float32')`.")
    return torch.complex(real, imag)


def _pair(z: torch.Tensor):
    return z.real, z.imag


def fft(x):
    """The discrete Fourier transform over the last axis.

    Args:
        x: a `(real, imag)` pair of float tensors of one shape.

    Returns:
        The `(real, imag)` pair of the transform.
    """
    return _pair(torch.fft.fft(_complex(x)))


def fft2(x):
    """The 2-D discrete Fourier transform over the last two axes of a `(real, imag)` pair.

    Example:
        >>> fft2((torch.tensor([[1.0, 1.0], [1.0, -1.0]]), torch.zeros(2, 2)))[0]
        tensor([[ 2.,  2.],
                [ 2., -2.]])
    """
    return _pair(torch.fft.fft2(_complex(x)))


def ifft2(x):
    """The inverse of `fft2`, on a `(real, imag)` pair."""
    return _pair(torch.fft.ifft2(_complex(x)))


def rfft(x, fft_length: int | None = None):
    """The Fourier transform of a real signal over its last axis (the non-negative
    frequencies only, `fft_length // 2 + 1` of them).

    Args:
        x: real input.
        fft_length: the transform length; the last axis is cropped or zero-padded to it
            (default: its own length).

    Returns:
        The `(real, imag)` pair.

    Example:
        >>> rfft(torch.tensor([0.0, 1.0, 2.0, 3.0]))
        (tensor([ 6., -2., -2.]), tensor([0., 2., 0.]))
    """
    return _pair(torch.fft.rfft(_float(x), n=fft_length, dim=-1, norm="backward"))


def irfft(x, fft_length: int | None = None) -> torch.Tensor:
    """The inverse of `rfft`: a real signal of `fft_length` samples (default:
    `2 * (bins - 1)`) from a `(real, imag)` pair of non-negative frequencies."""
    return torch.fft.irfft(_complex(x), n=fft_length, dim=-1, norm="backward")


def _window(window, sequence_length: int, dtype, device):
    """Keras' analysis window: 'hann' or 'hamming' (periodic), an array, or None (ones)."""
    if window is None:
        return None
    if isinstance(window, str):
        make = torch.hann_window if window == "hann" else torch.hamming_window
        return make(sequence_length, periodic=True, dtype=dtype, device=device)
    win = tensor(window, device).to(dtype)
    if win.ndim != 1 or win.shape[-1] != sequence_length:
        raise ValueError(f"The shape of `window` must be equal to [sequence_length]. Received: "
                         f"window shape={tuple(win.shape)}")
    return win


def _check_stft_arguments(sequence_length: int, fft_length: int, window) -> None:
    if fft_length < sequence_length:
        raise ValueError(f"`fft_length` must equal or larger than `sequence_length`. Received: "
                         f"sequence_length={sequence_length}, fft_length={fft_length}")
    if isinstance(window, str) and window not in ("hann", "hamming"):
        raise ValueError(f'If a string is passed to `window`, it must be one of `"hann"`, '
                         f'`"hamming"`. Received: window={window}')


def stft(x, sequence_length: int, sequence_stride: int, fft_length: int, window="hann",
         center: bool = True):
    """The short-time Fourier transform of real signals along the last axis.

    Args:
        x: float32 or float64 signals, shape `(..., samples)`.
        sequence_length: the length of each frame (the window's length).
        sequence_stride: the hop between frames.
        fft_length: the transform length of each frame (>= `sequence_length`; the window is
            zero-padded on both sides to it).
        window: 'hann' (default) or 'hamming' (periodic), an array of `sequence_length`
            values, or None (no window).
        center: pad the signal by `fft_length // 2` on both sides (reflecting it), so frame
            `t` is centred on sample `t * sequence_stride`.

    Returns:
        The `(real, imag)` pair, shape `(..., frames, fft_length // 2 + 1)`.

    Example:
        >>> real, imag = stft(torch.ones(2, 16), sequence_length=8, sequence_stride=4,
        ...                   fft_length=8)
        >>> tuple(real.shape)
        (2, 5, 5)
    """
    x = tensor(x)
    if x.dtype not in (torch.float32, torch.float64):
        raise TypeError(f"Invalid input type. Expected `float32` or `float64`. Received: input "
                        f"type={str(x.dtype).replace('torch.', '')}")
    _check_stft_arguments(sequence_length, fft_length, window)
    win = _window(window, sequence_length, x.dtype, x.device)
    if win is None:
        win = torch.ones(sequence_length, dtype=x.dtype, device=x.device)
    *batch_shape, samples = x.shape
    frames = torch.stft(x.reshape(-1, samples), n_fft=fft_length, hop_length=sequence_stride,
                        win_length=sequence_length, window=win, center=center,
                        pad_mode="reflect", return_complex=True)
    frames = frames.reshape(*batch_shape, *frames.shape[-2:])
    return _pair(frames.transpose(-2, -1))


def istft(x, sequence_length: int, sequence_stride: int, fft_length: int,
          length: int | None = None, window="hann", center: bool = True) -> torch.Tensor:
    """The inverse of `stft`: real signals from a `(real, imag)` pair of frames.

    Args:
        x: the `(real, imag)` pair, shape `(..., frames, fft_length // 2 + 1)`.
        sequence_length, sequence_stride, fft_length, window, center: as given to `stft`.
        length: crop the output to this many samples (default: the whole signal).

    Returns:
        The signals, shape `(..., samples)`.
    """
    frames = _complex(x)
    if frames.ndim < 2:
        raise ValueError(f"Input `x` must have at least 2 dimensions. Received shape: "
                         f"{tuple(frames.shape)}")
    win = _window(window, sequence_length, frames.real.dtype, frames.device)
    if win is None:
        padded = frames.real.new_ones(fft_length)
        # Keras (JAX) scales a window-less inverse by fft_length / sequence_stride.
        gain = fft_length / sequence_stride
    else:
        left = (fft_length - sequence_length) // 2
        padded = torch.nn.functional.pad(win, (left, fft_length - sequence_length - left))
        gain = 1.0
    # Overlap-add of the windowed frames, divided by the summed squared windows where they
    # overlap (the exact envelope, also at the edges), as Keras' JAX (scipy) inverse does.
    segments = torch.fft.irfft(frames, n=fft_length, dim=-1) * (padded * gain)
    signal = _overlap_add(segments, sequence_stride)
    envelope = _overlap_add(padded.square().expand(frames.shape[-2], fft_length), sequence_stride)
    signal = signal / torch.where(envelope > 1e-10, envelope, torch.ones_like(envelope))
    start = fft_length // 2 if center else 0
    if length is not None:
        end = start + length
    elif center:
        end = signal.shape[-1] - fft_length // 2
    else:
        end = signal.shape[-1]
    return signal[..., start:end]


def _overlap_add(segments: torch.Tensor, stride: int) -> torch.Tensor:
    """Sums frames `(..., n, L)` placed `stride` apart into signals `(..., stride*(n-1) + L)`."""
    *batch_shape, count, frame_length = segments.shape
    batch_shape = batch_shape or [1]
    positions = (torch.arange(count, device=segments.device)[:, None] * stride
                 + torch.arange(frame_length, device=segments.device)).reshape(-1)
    flat = segments.reshape(math.prod(batch_shape), count * frame_length)
    output = flat.new_zeros(flat.shape[0], stride * (count - 1) + frame_length)
    return output.index_add(1, positions, flat).reshape(*segments.shape[:-2], -1)


def cdist(x, y) -> torch.Tensor:
    """Euclidean distances between the rows of `x` `(..., m, d)` and of `y` `(..., n, d)`.

    Returns:
        A tensor `(..., m, n)` (batch axes broadcast).

    Example:
        >>> cdist(torch.tensor([[0.0, 0.0], [1.0, 1.0]]), torch.tensor([[1.0, 0.0]]))
        tensor([[1.],
                [1.]])
    """
    x, y = tensor(x), tensor(y)
    if x.dim() < 2 or y.dim() < 2:
        raise ValueError(f"`cdist` inputs must have rank >= 2. Received: x.shape="
                         f"{tuple(x.shape)}, y.shape={tuple(y.shape)}")
    if x.shape[-1] != y.shape[-1]:
        raise ValueError(f"Last dimension of inputs to `cdist` must match. Received: x.shape="
                         f"{tuple(x.shape)}, y.shape={tuple(y.shape)}")
    # torch.cdist broadcasts batch axes differently, and Keras sums squared differences.
    difference = x.unsqueeze(-2) - y.to(x.device).unsqueeze(-3)
    return torch.sqrt(torch.sum(difference * difference, dim=-1))


def extract_sequences(x, sequence_length: int, sequence_stride: int) -> torch.Tensor:
    """Frames of `sequence_length` along the last axis, every `sequence_stride` steps.

    Returns:
        A tensor `(..., 1 + (N - sequence_length) // sequence_stride, sequence_length)`.

    Example:
        >>> extract_sequences(torch.tensor([1, 2, 3, 4, 5, 6]), 3, 2)
        tensor([[1, 2, 3],
                [3, 4, 5]])
    """
    return tensor(x).unfold(-1, sequence_length, sequence_stride).clone()
