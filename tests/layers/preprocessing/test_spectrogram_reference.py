"""MelSpectrogram and STFTSpectrogram against real Keras 3.15
(tests/fixtures/layers/spectrogram_reference.npz and keras_stft_spectrogram.keras, made by
make_spectrogram_reference.py): outputs on fixed signals, configs, shapes and the model file."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

import lamina
from lamina import layers

FIXTURES = Path(__file__).parents[2] / "fixtures" / "layers"
REFERENCE = np.load(FIXTURES / "spectrogram_reference.npz")
CASES = {case["name"]: case for case in json.loads(str(REFERENCE["cases"]))}


def _tuples(config):
    return {k: tuple(v) if isinstance(v, list) else v for k, v in config.items()}


def _tolerance(expected) -> dict:
    # float32 FFTs and convolutions: a few ulps of the largest magnitude (decibels reach ~40;
    # angles near +-pi jump where the real part crosses zero, so they are compared by sine
    # and cosine).
    return {"rtol": 1e-5, "atol": 2e-5 * max(1.0, float(np.abs(expected).max()))}


@pytest.mark.parametrize("source", ["constructor", "keras_config", "numpy"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_keras(name, source):
    case = CASES[name]
    cls = getattr(layers, case["class_name"])
    layer = (cls.from_config(case["keras_config"]) if source == "keras_config"
             else cls(**_tuples(case["config"])))
    inputs = REFERENCE[f"input/{case['input']}"]
    output = layer(inputs if source == "numpy" else torch.from_numpy(inputs))
    expected = REFERENCE[f"{name}/output"]
    assert output.dtype == torch.float32 and tuple(output.shape) == expected.shape
    assert tuple(layer.compute_output_shape(inputs.shape)) == expected.shape
    got = output.detach().numpy()
    if case["config"].get("mode") == "angle":
        got, expected = np.stack([np.sin(got), np.cos(got)]), np.stack([np.sin(expected),
                                                                        np.cos(expected)])
    np.testing.assert_allclose(got, expected, **_tolerance(expected))


@pytest.mark.parametrize("name", sorted(CASES))
def test_config_matches_keras(name):
    case = CASES[name]
    layer = getattr(layers, case["class_name"])(**_tuples(case["config"]))
    config = json.loads(json.dumps(layer.get_config()))
    keras_config = case["keras_config"]
    assert list(config) == list(keras_config)
    assert ({k: v for k, v in config.items() if k != "name"}
            == {k: v for k, v in keras_config.items() if k != "name"})


def test_stft_spectrogram_weights_follow_keras():
    layer = layers.STFTSpectrogram(frame_length=32, frame_step=16)
    layer.build((None, 512, 2))
    assert [w.name for w in layer.weights] == ["real_kernel", "imag_kernel"]
    assert [tuple(w.shape) for w in layer.trainable_weights] == [(32, 1, 17), (32, 1, 17)]
    real_only = layers.STFTSpectrogram(mode="real", frame_length=32)
    real_only.build((None, 512, 2))
    assert [w.name for w in real_only.weights] == ["real_kernel"]


def test_keras_file_loads_and_predicts_as_keras_did(tmp_path):
    model = lamina.models.load_model(FIXTURES / "keras_stft_spectrogram.keras")
    x, expected = REFERENCE["model/x"], REFERENCE["model/y"]
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, **_tolerance(expected))
    model.save(tmp_path / "again.keras")
    again = lamina.models.load_model(tmp_path / "again.keras")
    np.testing.assert_allclose(again.predict(x, verbose=0), expected, **_tolerance(expected))


@pytest.mark.parametrize("kwargs, message", [
    ({"frame_step": 0}, "`frame_step` should be a positive integer"),
    ({"frame_length": 64, "fft_length": 32}, "`fft_length` should be not less than"),
    ({"mode": "power"}, "Received: mode=power"),
    ({"scaling": "energy"}, "Received scaling=energy"),
    ({"padding": "causal"}, "Received: padding=causal"),
    ({"window": "kaiser-bessel"}, "window"),
])
def test_stft_spectrogram_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.STFTSpectrogram(**kwargs)


def test_stft_spectrogram_warns_for_a_fft_length_not_a_power_of_two():
    with pytest.warns(UserWarning, match="power of two"):
        layers.STFTSpectrogram(frame_length=32, fft_length=48)


def test_mel_spectrogram_bad_lengths():
    with pytest.raises(ValueError, match="`fft_length` must be greater than or equal to"):
        layers.MelSpectrogram(fft_length=256, sequence_length=512)


def test_mel_spectrogram_in_a_functional_model():
    inputs = lamina.Input((1024,))
    model = lamina.Model(inputs, layers.MelSpectrogram(fft_length=256, sequence_stride=64,
                                                       sampling_rate=8000,
                                                       num_mel_bins=20)(inputs))
    assert model.output_shape == (None, 20, 17)
    np.testing.assert_allclose(model.predict(REFERENCE["input/signals"], verbose=0),
                               REFERENCE["mel/output"], rtol=1e-5, atol=1e-3)
