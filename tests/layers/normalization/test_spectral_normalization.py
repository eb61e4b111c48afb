"""SpectralNormalization against real Keras 3 (tests/fixtures/layers/
spectral_normalization_reference.npz and keras_spectral_normalization.keras, from
make_spectral_normalization_reference.py): weights order and paths, inference and training
outputs, the kernel and vector_u after each training call, config and files."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.saving import deserialize_keras_object
from lamina.testing import run_layer_test

FIXTURES = Path(__file__).parents[2] / "fixtures" / "layers"
REFERENCE = np.load(FIXTURES / "spectral_normalization_reference.npz")
CASES = {case["name"]: case for case in json.loads(str(REFERENCE["cases"]))}
TOLERANCE = dict(rtol=1e-5, atol=1e-6)


def _weights(name, step):
    count = sum(key.startswith(f"{name}/w{step}_") for key in REFERENCE.files)
    return [REFERENCE[f"{name}/w{step}_{i}"] for i in range(count)]


def _layer(name):
    case = CASES[name]
    # Without its build_config, so that it builds inside the wrapper (and gets its paths).
    inner = deserialize_keras_object({k: v for k, v in case["layer"].items() if k != "build_config"})
    layer = layers.SpectralNormalization(inner, power_iterations=case["power_iterations"],
                                         name=name)
    x = REFERENCE[f"{name}/x"]
    layer.build_from_shape(x.shape)
    layer.set_weights(_weights(name, 0))
    return layer, x


def _numpy(tensor):
    return tensor.detach().numpy()


@pytest.mark.parametrize("name", sorted(CASES))
def test_weights_are_keras_weights(name):
    layer, _ = _layer(name)
    assert [w.path for w in layer.weights] == CASES[name]["weight_paths"]
    assert [w.name for w in layer.non_trainable_weights] == ["vector_u"]
    assert len(layer.weights) == len(_weights(name, 0))


@pytest.mark.parametrize("name", sorted(CASES))
def test_training_calls_match_keras(name):
    layer, x = _layer(name)
    outputs = [layer(x, training=False)]
    for step in (1, 2):
        outputs.append(layer(x, training=True))
        for got, want in zip(layer.get_weights(), _weights(name, step)):
            np.testing.assert_allclose(got, want, **TOLERANCE)
    if name == "embedding":
        # Keras casts the output to the inputs' dtype: integer ids give truncated integer
        # embeddings (all zeros here). lamina keeps the float embeddings.
        assert not REFERENCE[f"{name}/y_train2"].any()
        np.testing.assert_allclose(_numpy(outputs[-1]), _weights(name, 2)[0][x], **TOLERANCE)
        return
    for got, role in zip(outputs, ("y_inference", "y_train1", "y_train2")):
        np.testing.assert_allclose(_numpy(got), REFERENCE[f"{name}/{role}"], **TOLERANCE)


def test_config_is_keras_config():
    case = CASES["dense"]
    layer = layers.SpectralNormalization.from_config(case["keras_config"])
    assert json.loads(json.dumps(layer.get_config())) == case["keras_config"]


def test_keras_file_loads_and_predicts_as_keras_did(tmp_path):
    model = lamina.models.load_model(FIXTURES / "keras_spectral_normalization.keras")
    x, expected = REFERENCE["model/x"], REFERENCE["model/y"]
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-5)
    model.save(tmp_path / "again.keras")
    again = lamina.models.load_model(tmp_path / "again.keras")
    np.testing.assert_allclose(again.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-5)
    for got, want in zip(again.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(got, want)


def test_saved_file_has_keras_layout(tmp_path):
    import h5py

    inputs = lamina.Input((5,))
    model = lamina.Model(inputs, layers.SpectralNormalization(layers.Dense(3))(inputs))
    model.save_weights(tmp_path / "sn.weights.h5")
    with h5py.File(tmp_path / "sn.weights.h5") as file:
        shapes = {}
        file.visititems(lambda path, obj: shapes.__setitem__(path, obj.shape)
                        if isinstance(obj, h5py.Dataset) else None)
    assert shapes == {"layers/spectral_normalization/vars/0": (5, 3),
                      "layers/spectral_normalization/vars/1": (1, 3),
                      "layers/spectral_normalization/layer/vars/0": (5, 3),
                      "layers/spectral_normalization/layer/vars/1": (3,)}


def test_layer_harness():
    run_layer_test(layers.SpectralNormalization, {"layer": layers.Dense(3)}, input_shape=(4, 5),
                   expected_output_shape=(4, 3), expected_num_trainable_weights=2,
                   expected_num_non_trainable_weights=1, training_differs=True,
                   run_training_check=False)


def test_fit_keeps_the_kernel_spectral_norm_near_one():
    torch.manual_seed(0)
    inputs = lamina.Input((6,))
    dense = layers.Dense(4, kernel_initializer=lamina.initializers.RandomNormal(stddev=3.0))
    model = lamina.Model(inputs, layers.SpectralNormalization(dense, power_iterations=5)(inputs))
    model.compile(optimizer=lamina.optimizers.SGD(0.01), loss="mse")
    x = np.random.default_rng(0).standard_normal((64, 6)).astype("float32")
    model.fit(x, np.zeros((64, 4), "float32"), epochs=3, batch_size=16, verbose=0)
    sigma = torch.linalg.matrix_norm(dense.kernel.detach(), ord=2)
    assert abs(float(sigma) - 1.0) < 0.05


def test_keras_errors():
    with pytest.raises(ValueError, match="`power_iterations` should be greater than zero"):
        layers.SpectralNormalization(layers.Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="Flatten object has no attribute 'kernel' nor 'embeddings'"):
        layers.SpectralNormalization(layers.Flatten())(torch.ones(1, 3))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 5"):
        layer = layers.SpectralNormalization(layers.Dense(2))
        layer(torch.ones(2, 5))
        layer(torch.ones(2, 4))


def test_mixed_precision_normalizes_the_float32_kernel():
    torch.manual_seed(0)
    layer = layers.SpectralNormalization(layers.Dense(3, dtype="mixed_bfloat16"),
                                         power_iterations=30, dtype="mixed_bfloat16")
    x = torch.randn(4, 5)
    y = layer(x, training=True)
    kernel = layer.kernel.detach()
    assert y.dtype == torch.bfloat16 and kernel.dtype == torch.float32
    assert abs(float(torch.linalg.matrix_norm(kernel, ord=2)) - 1.0) < 1e-4
    # The call computed with the normalized kernel (its bfloat16 copy), not the old one.
    np.testing.assert_allclose(y.float().detach().numpy(), _numpy(x @ kernel + layer.layer.bias),
                               atol=2e-2)
