"""Fourier ops (`ops.fft`, `fft2`, `ifft2`, `rfft`, `irfft`, `stft`, `istft`) against Keras 3.15.

The reference (tests/fixtures/ops/fft_reference.npz, from make_fft_reference.py) holds Keras'
outputs on seeded inputs; complex values are `(real, imag)` pairs on both sides.
"""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

import lamina
from lamina import ops

REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "ops" / "fft_reference.npz"
ARRAYS = dict(np.load(REFERENCE))
CASES = json.loads(str(ARRAYS.pop("cases.json")))["cases"]


def _numbered(name, kind):
    keys = sorted(k for k in ARRAYS if k.startswith(f"{name}/{kind}_"))
    return [ARRAYS[k] for k in keys]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_keras(case):
    inputs = [torch.from_numpy(a) for a in _numbered(case["name"], "in")]
    kwargs = dict(case["kwargs"])
    if kwargs.get("window") == "array":
        kwargs["window"] = ARRAYS[f"{case['name']}/window"]
    result = getattr(ops, case["op"])(tuple(inputs) if len(inputs) == 2 else inputs[0], **kwargs)
    outputs = result if isinstance(result, tuple) else (result,)
    expected = _numbered(case["name"], "out")
    assert len(outputs) == len(expected)
    for got, want in zip(outputs, expected):
        assert isinstance(got, torch.Tensor) and got.dtype == inputs[0].dtype
        assert tuple(got.shape) == want.shape
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-4, atol=1e-4)


def test_stft_then_istft_gives_the_signal_back():
    x = torch.randn(3, 2, 100, dtype=torch.float64)
    for sequence_length, fft_length in ((16, 16), (12, 16)):
        frames = ops.stft(x, sequence_length, 4, fft_length)
        back = ops.istft(frames, sequence_length, 4, fft_length, length=100)
        np.testing.assert_allclose(back.numpy(), x.numpy(), atol=1e-10)


def test_gradients_flow_through_the_pair():
    real = torch.randn(8, requires_grad=True)
    spectrum = ops.rfft(real)
    (spectrum[0].square() + spectrum[1].square()).sum().backward()
    # Parseval: the gradient of the (one-sided) energy is finite and nonzero.
    assert torch.isfinite(real.grad).all() and real.grad.abs().sum() > 0


def test_arrays_and_lists_are_accepted():
    real, imag = ops.fft(([1.0, 2.0], np.array([0.0, 1.0], "float32")))
    np.testing.assert_allclose(real.numpy(), [3.0, -1.0])
    np.testing.assert_allclose(imag.numpy(), [1.0, -1.0])


def test_keras_errors():
    with pytest.raises(ValueError, match="tuple of two tensors"):
        ops.fft(torch.ones(4))
    with pytest.raises(ValueError, match="same shape"):
        ops.fft((torch.ones(4), torch.ones(3)))
    with pytest.raises(ValueError, match="not of type float"):
        ops.ifft2((torch.ones(2, 2, dtype=torch.int32), torch.ones(2, 2, dtype=torch.int32)))
    with pytest.raises(TypeError, match="Expected `float32` or `float64`. Received: input type=int64"):
        ops.stft(torch.ones(16, dtype=torch.int64), 8, 4, 8)
    with pytest.raises(ValueError, match="`fft_length` must equal or larger"):
        ops.stft(torch.ones(16), 8, 4, 4)
    with pytest.raises(ValueError, match='must be one of `"hann"`, `"hamming"`'):
        ops.stft(torch.ones(16), 8, 4, 8, window="blackman")
    with pytest.raises(ValueError, match=r"must be equal to \[sequence_length\]"):
        ops.stft(torch.ones(16), 8, 4, 8, window=np.ones(5))


def test_symbolic_stft_in_a_model():
    inputs = lamina.Input((64,))
    real, imag = ops.stft(inputs, 16, 8, 16)
    assert tuple(real.shape) == (None, 9, 9) and tuple(imag.shape) == (None, 9, 9)
    model = lamina.Model(inputs, ops.sqrt(real * real + imag * imag))
    x = np.random.default_rng(0).standard_normal((2, 64)).astype("float32")
    expected = np.abs(np.stack([np.fft.rfft(np.hanning(17)[:-1] * frame) for frame in
                                _reflect_frames(x[0], 16, 8)]))
    np.testing.assert_allclose(model.predict(x, verbose=0)[0], expected, rtol=1e-4, atol=1e-4)


def _reflect_frames(x, length, stride):
    padded = np.pad(x, length // 2, mode="reflect")
    return [padded[i:i + length] for i in range(0, len(padded) - length + 1, stride)]
