"""MelSpectrogram: audio signals to (log-)mel spectrograms, with `keras.ops.stft`."""
from __future__ import annotations

import math

import torch

from lamina import backend
from lamina.layers.layer import Layer
from lamina.ops.math import stft

__all__ = ["MelSpectrogram"]

# HTK's mel scale: mel(f) = 1127 ln(1 + f / 700).
_MEL_BREAK_FREQUENCY_HERTZ = 700.0
_MEL_HIGH_FREQUENCY_Q = 1127.0


def hertz_to_mel(frequencies: torch.Tensor) -> torch.Tensor:
    return _MEL_HIGH_FREQUENCY_Q * torch.log(1.0 + frequencies / _MEL_BREAK_FREQUENCY_HERTZ)


def linear_to_mel_weight_matrix(num_mel_bins: int = 20, num_spectrogram_bins: int = 129,
                                sampling_rate=8000, lower_edge_hertz=125.0,
                                upper_edge_hertz=3800.0, dtype=torch.float32) -> torch.Tensor:
    """`(num_spectrogram_bins, num_mel_bins)` triangular filters with peaks of 1 (HTK's mel
    scale), mapping linear frequency bins of `[0, sampling_rate / 2]` onto mel bands between
    the edges; the first (DC) bin gets no weight. Built on the host.

    Example:
        >>> linear_to_mel_weight_matrix(4, 9, 8000, 100.0, 4000.0).shape
        torch.Size([9, 4])
    """
    nyquist = float(torch.tensor(float(sampling_rate), dtype=dtype) / 2.0)
    frequencies = torch.linspace(0.0, nyquist, num_spectrogram_bins, dtype=dtype)[1:]
    bins_mel = hertz_to_mel(frequencies)[:, None]
    low, high = (float(hertz_to_mel(torch.tensor(float(edge), dtype=dtype)))
                 for edge in (lower_edge_hertz, upper_edge_hertz))
    edges = torch.linspace(low, high, num_mel_bins + 2, dtype=dtype)
    lower, center, upper = edges[None, :-2], edges[None, 1:-1], edges[None, 2:]
    lower_slopes = (bins_mel - lower) / (center - lower)
    upper_slopes = (upper - bins_mel) / (upper - center)
    weights = torch.clamp(torch.minimum(lower_slopes, upper_slopes), min=0.0)
    return torch.nn.functional.pad(weights, (0, 0, 1, 0))


class MelSpectrogram(Layer):
    """The power spectrogram `|stft(x)| ** mag_exp` mapped onto `num_mel_bins` mel bands, in
    decibels when `power_to_db` (`10 log10(max(S, min_power) / ref_power)`, floored at
    `top_db` below the batch's maximum), as Keras computes it.

    Args:
        fft_length: the FFT size. Defaults to 2048.
        sequence_stride: the hop between frames. Defaults to 512.
        sequence_length: the window's length (default: `fft_length`).
        window: "hann" (default), "hamming", or None.
        sampling_rate: the signals' sample rate. Defaults to 16000.
        num_mel_bins: the number of mel bands. Defaults to 128.
        min_freq, max_freq: the lowest and highest band edges in Hz (default max: Nyquist).
        power_to_db: return decibels. Defaults to True.
        top_db: the dynamic range kept in decibels. Defaults to 80.0.
        mag_exp: the magnitude's exponent (1: magnitude, 2: power). Defaults to 2.0.
        min_power: the floor before the logarithm. Defaults to 1e-10.
        ref_power: the power of 0 dB. Defaults to 1.0.

    Input: `(samples,)` or `(batch, samples)` signals. Output: `(num_mel_bins, frames)` or
    `(batch, num_mel_bins, frames)`, with `frames = 1 + samples // sequence_stride`.

    Example:
        >>> layer = MelSpectrogram(fft_length=256, sequence_stride=64, num_mel_bins=16)
        >>> layer(torch.randn(2, 1024)).shape
        torch.Size([2, 16, 17])
    """

    def __init__(self, fft_length: int = 2048, sequence_stride: int = 512,
                 sequence_length: int | None = None, window="hann", sampling_rate: int = 16000,
                 num_mel_bins: int = 128, min_freq: float = 20.0, max_freq=None,
                 power_to_db: bool = True, top_db: float = 80.0, mag_exp: float = 2.0,
                 min_power: float = 1e-10, ref_power: float = 1.0, **kwargs):
        self.fft_length = fft_length
        self.sequence_stride = sequence_stride
        self.sequence_length = sequence_length or fft_length
        if self.fft_length < self.sequence_length:
            raise ValueError("`fft_length` must be greater than or equal to   `sequence_length`. "
                             f"Received: `sequence_length`={self.sequence_length}, "
                             f"`fft_length`={self.fft_length}.")
        self.window = window
        self.sampling_rate = sampling_rate
        self.num_mel_bins = num_mel_bins
        self.min_freq = min_freq
        self.max_freq = max_freq or int(sampling_rate / 2)
        self.power_to_db = power_to_db
        self.top_db = top_db
        self.mag_exp = mag_exp
        self.min_power = min_power
        self.ref_power = ref_power
        super().__init__(**kwargs)

    def call(self, inputs):
        dtype = self.compute_dtype if self.compute_dtype in ("float32", "float64") else "float32"
        signals = torch.as_tensor(inputs).to(backend.torch_dtype(dtype))
        real, imag = stft(signals, sequence_length=self.sequence_length,
                          sequence_stride=self.sequence_stride, fft_length=self.fft_length,
                          window=self.window, center=True)
        spectrum = torch.sqrt(real.square() + imag.square()) ** self.mag_exp
        matrix = linear_to_mel_weight_matrix(self.num_mel_bins, spectrum.shape[-1],
                                             self.sampling_rate, self.min_freq, self.max_freq)
        outputs = torch.tensordot(spectrum, matrix.to(spectrum.device, spectrum.dtype), dims=1)
        if self.power_to_db:
            outputs = self._decibels(outputs)
        return outputs.transpose(-1, -2).to(backend.torch_dtype(self.compute_dtype))

    def _decibels(self, power: torch.Tensor) -> torch.Tensor:
        decibels = 10.0 * torch.log10(torch.clamp(power, min=self.min_power))
        decibels = decibels - 10.0 * math.log10(max(abs(self.ref_power), self.min_power))
        return torch.maximum(decibels, decibels.max() - self.top_db)

    def compute_output_shape(self, input_shape):
        samples = input_shape[-1]
        frames = None if samples is None else (samples + self.sequence_stride + 1) // (
            self.sequence_stride)
        if len(input_shape) == 1:
            return (self.num_mel_bins, frames)
        return (input_shape[0], self.num_mel_bins, frames)

    def get_config(self) -> dict:
        return {**super().get_config(), "fft_length": self.fft_length,
                "sequence_stride": self.sequence_stride, "sequence_length": self.sequence_length,
                "window": self.window, "sampling_rate": self.sampling_rate,
                "num_mel_bins": self.num_mel_bins, "min_freq": self.min_freq,
                "max_freq": self.max_freq, "power_to_db": self.power_to_db,
                "top_db": self.top_db, "mag_exp": self.mag_exp, "min_power": self.min_power,
                "ref_power": self.ref_power}
