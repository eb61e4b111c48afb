"""STFTSpectrogram: spectrograms of multi-channel signals by a convolution with Fourier kernels."""
from __future__ import annotations

import math
import warnings

import torch
import torch.nn.functional as F

from lamina import backend, initializers
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.utils.argument_validation import standardize_data_format

__all__ = ["STFTSpectrogram"]

_MODES = ["log", "magnitude", "psd", "real", "imag", "angle", "stft"]


class STFTSpectrogram(Layer):
    """The short-time Fourier transform of each channel, as a strided 1D convolution with the
    cosine and sine kernels of `keras.initializers.STFT` (weights `real_kernel` and
    `imag_kernel`, trainable as in Keras).

    Args:
        mode: "log" (default: log magnitude), "magnitude", "psd" (power spectral density),
            "real", "imag", "angle" or "stft" (real and imaginary parts side by side).
        frame_length: the window's length. Defaults to 256.
        frame_step: the hop between frames (default: `frame_length // 2`).
        fft_length: the FFT size (default: the next power of two of `frame_length`).
        window: "hann" (default), "hamming", "blackman", "bartlett", "boxcar", an array of
            `frame_length` values, or None.
        periodic: use the periodic window instead of the symmetric one. Defaults to False.
        scaling: "density" (default), "spectrum" or None.
        padding: "valid" (default) or "same".
        expand_dims: keep frequencies and channels on separate axes. Defaults to False.
        data_format: "channels_last" (`(batch, time, channels)`) or "channels_first".

    Output (channels_last): `(batch, frames, channels * bins)`, or
    `(batch, frames, bins, channels)` with `expand_dims`; `bins = fft_length // 2 + 1`
    (twice that for "stft").

    Example:
        >>> layer = STFTSpectrogram(frame_length=16, frame_step=8)
        >>> layer(torch.randn(2, 64, 1)).shape
        torch.Size([2, 7, 9])
    """

    def __init__(self, mode: str = "log", frame_length: int = 256, frame_step: int | None = None,
                 fft_length: int | None = None, window="hann", periodic: bool = False,
                 scaling: str | None = "density", padding: str = "valid",
                 expand_dims: bool = False, data_format=None, **kwargs):
        if frame_step is not None and (frame_step > frame_length or frame_step < 1):
            raise ValueError("`frame_step` should be a positive integer not greater than "
                             f"`frame_length`. Received frame_step={frame_step}, "
                             f"frame_length={frame_length}")
        if fft_length is not None and fft_length < frame_length:
            raise ValueError("`fft_length` should be not less than `frame_length`. "
                             f"Received fft_length={fft_length}, frame_length={frame_length}")
        if fft_length is not None and (fft_length & -fft_length) != fft_length:
            warnings.warn(f"`fft_length` is recommended to be a power of two. "
                          f"Received fft_length={fft_length}", stacklevel=2)
        if mode not in _MODES:
            raise ValueError(f"Output mode is invalid, it must be one of {', '.join(_MODES)}. "
                             f"Received: mode={mode}")
        if scaling is not None and scaling not in ("density", "spectrum"):
            raise ValueError("Scaling is invalid, it must be `None`, 'density' or 'spectrum'. "
                             f"Received scaling={scaling}")
        if padding not in ("valid", "same"):
            raise ValueError(f"Padding is invalid, it should be 'valid', 'same'. "
                             f"Received: padding={padding}")
        initializers.STFT("real", window, scaling, periodic)  # checks the window's name
        super().__init__(**kwargs)
        self.mode = mode
        self.frame_length = frame_length
        self.frame_step = frame_step
        self._frame_step = frame_step or frame_length // 2
        self.fft_length = fft_length
        self._fft_length = fft_length or 2 ** math.ceil(math.log2(frame_length))
        self.window = window
        self.periodic = periodic
        self.scaling = scaling
        self.padding = padding
        self.expand_dims = expand_dims
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=3)

    def build(self, input_shape):
        shape = (self.frame_length, 1, self._fft_length // 2 + 1)
        if self.mode != "imag":
            self.real_kernel = self.add_weight(
                name="real_kernel", shape=shape,
                initializer=initializers.STFT("real", self.window, self.scaling, self.periodic))
        if self.mode != "real":
            self.imag_kernel = self.add_weight(
                name="imag_kernel", shape=shape,
                initializer=initializers.STFT("imag", self.window, self.scaling, self.periodic))

    def _convolve(self, inputs: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
        """`(batch, channels, bins, frames)`: every channel convolved with `kernel`."""
        signals = inputs.transpose(1, 2) if self.data_format == "channels_last" else inputs
        batch, channels, samples = signals.shape
        signals = signals.reshape(batch * channels, 1, samples)
        if self.padding == "same":
            frames = -(-samples // self._frame_step)
            total = max((frames - 1) * self._frame_step + self.frame_length - samples, 0)
            signals = F.pad(signals, (total // 2, total - total // 2))
        weight = kernel.to(signals.dtype).permute(2, 1, 0)
        outputs = F.conv1d(signals, weight, stride=self._frame_step)
        return outputs.reshape(batch, channels, *outputs.shape[1:])

    def _arrange(self, outputs: torch.Tensor) -> torch.Tensor:
        batch, channels, bins, frames = outputs.shape
        if self.data_format == "channels_last":
            if self.expand_dims:
                return outputs.permute(0, 3, 2, 1)
            return outputs.reshape(batch, channels * bins, frames).transpose(1, 2)
        if self.expand_dims:
            return outputs.transpose(2, 3)
        return outputs.reshape(batch, channels * bins, frames)

    def call(self, inputs):
        if inputs.dtype not in (torch.float16, torch.float32, torch.float64):
            raise TypeError("Invalid input type. Expected `float16`, `float32` or `float64`. "
                            f"Received: input type={str(inputs.dtype).replace('torch.', '')}")
        real = None if self.mode == "imag" else self._convolve(inputs, self.real_kernel)
        imag = None if self.mode == "real" else self._convolve(inputs, self.imag_kernel)
        if self.mode == "real":
            return self._arrange(real)
        if self.mode == "imag":
            return self._arrange(imag)
        if self.mode == "angle":
            return self._arrange(torch.atan2(imag, real))
        if self.mode == "stft":
            return self._arrange(torch.cat([real, imag], dim=2))
        power = real.square() + imag.square()
        if self.mode == "psd":
            # One-sided density: every bin but DC and Nyquist counts twice.
            return self._arrange(power + F.pad(power[:, :, 1:-1, :], (0, 0, 1, 1)))
        magnitude = self._arrange(torch.sqrt(torch.clamp(power, min=backend.epsilon())))
        if self.mode == "magnitude":
            return magnitude
        return torch.log(torch.clamp(magnitude, min=backend.epsilon()))

    def compute_output_shape(self, input_shape):
        channels_last = self.data_format == "channels_last"
        batch = input_shape[0]
        channels = input_shape[-1] if channels_last else input_shape[1]
        samples = input_shape[1] if channels_last else input_shape[-1]
        bins = (self._fft_length // 2 + 1) * (2 if self.mode == "stft" else 1)
        frames = None
        if samples is not None:
            frames = (-(-samples // self._frame_step) if self.padding == "same"
                      else (samples - self.frame_length) // self._frame_step + 1)
        if self.expand_dims:
            return (batch, frames, bins, channels) if channels_last else (batch, channels,
                                                                         frames, bins)
        features = None if channels is None else bins * channels
        return (batch, frames, features) if channels_last else (batch, features, frames)

    def get_config(self) -> dict:
        return {**super().get_config(), "mode": self.mode, "frame_length": self.frame_length,
                "frame_step": self.frame_step, "fft_length": self.fft_length,
                "window": self.window, "periodic": self.periodic, "scaling": self.scaling,
                "padding": self.padding, "data_format": self.data_format,
                "expand_dims": self.expand_dims}
