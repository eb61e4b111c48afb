"""Normalization: adapt on every kind of data, given statistics, invert, errors."""
import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.testing import run_layer_test
from lamina.utils.dataset import Dataset

RNG = np.random.default_rng(0)
DATA = (RNG.standard_normal((60, 4)) * [1.0, 2.0, 3.0, 4.0]
        + [0.0, 1.0, -2.0, 5.0]).astype("float32")


def _expected(x):
    return (x - DATA.mean(axis=0)) / DATA.std(axis=0)


def test_run_layer_test_given_statistics():
    mean, variance = [1.0, 2.0, 3.0], [4.0, 1.0, 0.25]
    x = RNG.standard_normal((5, 3)).astype("float32")
    run_layer_test(layers.Normalization, {"mean": mean, "variance": variance}, input_data=x,
                   expected_output=(x - np.array(mean)) / np.sqrt(variance),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                   supports_masking=True)


def test_run_layer_test_adaptable():
    run_layer_test(layers.Normalization, {"axis": -1}, input_shape=(5, 3),
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=3)


@pytest.mark.parametrize("kind", ["array", "float64_array", "tensor", "list_of_batches",
                                  "generator", "xy_tuples", "batch_size", "py_dataset", "dataset"])
def test_adapt_on_every_kind_of_data(kind):
    batches = [DATA[i:i + 16] for i in range(0, len(DATA), 16)]
    data, kwargs = {
        "array": (DATA, {}),
        "float64_array": (DATA.astype("float64"), {}),
        "tensor": (torch.as_tensor(DATA), {}),
        "list_of_batches": (batches, {}),
        "generator": ((b for b in batches), {}),
        "xy_tuples": ([(b, np.zeros(len(b))) for b in batches], {}),
        "batch_size": (DATA, {"batch_size": 7}),
        "py_dataset": (_Batches(batches), {}),
        "dataset": (Dataset.from_tensor_slices(DATA).batch(16), {}),
    }[kind]
    layer = layers.Normalization()
    layer.adapt(data, **kwargs)
    np.testing.assert_allclose(layer.adapt_mean.numpy(), DATA.astype("float64").mean(0), rtol=1e-5)
    np.testing.assert_allclose(layer.adapt_variance.numpy(), DATA.astype("float64").var(0),
                               rtol=1e-5)
    np.testing.assert_allclose(layer(DATA[:3]).numpy(), _expected(DATA[:3]), rtol=1e-5, atol=1e-5)


class _Batches(lamina.utils.PyDataset):
    def __init__(self, batches):
        super().__init__()
        self.batches = batches

    def __len__(self):
        return len(self.batches)

    def __getitem__(self, index):
        return self.batches[index], np.zeros(len(self.batches[index]))


def test_steps_reads_only_the_first_batches():
    layer = layers.Normalization()
    layer.adapt(DATA, batch_size=20, steps=2)
    np.testing.assert_allclose(layer.adapt_mean.numpy(), DATA[:40].mean(0), rtol=1e-5)


def test_axis_none_and_several_axes():
    layer = layers.Normalization(axis=None)
    layer.adapt(DATA)
    assert layer.adapt_mean.shape == ()
    np.testing.assert_allclose(layer(DATA).numpy(), (DATA - DATA.mean()) / DATA.std(), rtol=1e-5,
                               atol=1e-5)
    images = RNG.random((10, 3, 4, 2)).astype("float32")
    layer = layers.Normalization(axis=(1, -1))
    layer.adapt(images)
    assert tuple(layer.adapt_mean.shape) == (3, 2)
    expected = ((images - images.mean((0, 2), keepdims=True))
                / images.std((0, 2), keepdims=True))
    np.testing.assert_allclose(layer(images).numpy(), expected, rtol=1e-5, atol=1e-5)


def test_invert_undoes_normalization():
    forward, backward = layers.Normalization(), layers.Normalization(invert=True)
    forward.adapt(DATA)
    backward.adapt(DATA)
    np.testing.assert_allclose(backward(forward(DATA)).numpy(), DATA, rtol=1e-4, atol=1e-4)


def test_statistics_are_buffers_in_keras_weight_order():
    layer = layers.Normalization()
    layer.adapt(DATA)
    assert [w.path for w in layer.weights] == ["normalization/mean", "normalization/variance",
                                               "normalization/count"]
    assert not any(w.requires_grad for w in layer.weights)
    assert set(layer.state_dict()) == {"adapt_mean", "adapt_variance", "count"}
    assert layer.get_build_config() == {"input_shape": [60, 4]}
    clone = layers.Normalization.from_config(layer.get_config())
    clone.build_from_config(layer.get_build_config())
    clone.set_weights(layer.get_weights())
    torch.testing.assert_close(clone(DATA), layer(DATA))


def test_integer_inputs_become_floats_and_zero_variance_is_safe():
    layer = layers.Normalization(mean=2.0, variance=0.0, axis=None)
    out = layer(np.array([2, 3], dtype="int64"))
    assert out.dtype == torch.float32
    assert out.tolist() == [0.0, 1e7]


@pytest.mark.parametrize("kwargs, message", [
    ({"mean": 1.0}, "both `mean` and `variance` must be set"),
    ({"mean": [1.0, 2.0], "variance": [1.0]}, "`mean` and `variance` must have the same shape"),
    ({"axis": -1, "mean": [[1.0]], "variance": [[1.0]]}, "The rank of `mean` must be less than"),
])
def test_bad_statistics(kwargs, message):
    with pytest.raises(ValueError, match=message):
        layers.Normalization(**kwargs)


def test_adapt_errors():
    with pytest.raises(ValueError, match="was given `mean` and `variance`; adapt"):
        layers.Normalization(mean=0.0, variance=1.0).adapt(DATA)
    with pytest.raises(ValueError, match="adapt\\(\\) received an empty iterable"):
        layers.Normalization().adapt([])
    with pytest.raises(TypeError, match="yields arrays or tensors with a `.shape`.*type str"):
        layers.Normalization().adapt(["abc"])
    with pytest.raises(TypeError, match="Unsupported data type: <class 'int'>"):
        layers.Normalization().adapt(3)
    layer = layers.Normalization()
    layer.adapt(DATA)
    with pytest.raises(ValueError, match=r"built with input_shape=\(60, 4\), but adapt\(\) is "
                                         r"being called with data with an incompatible shape, "
                                         r"data.shape=\(5, 3\)"):
        layer.adapt(DATA[:5, :3])


def test_axis_out_of_range():
    with pytest.raises(ValueError, match=r"All `axis` values must be in the range \[-ndim, ndim\). "
                                         r"Received inputs with ndim=2, while axis=\(2,\)"):
        layers.Normalization(axis=2).adapt(DATA)


def test_adapt_with_axis_none_on_a_column_after_input_shape_gives_one_mean_and_variance():
    # TensorFlow's regression tutorial: Normalization(input_shape=[1,], axis=None) adapted on a
    # 1-D column of horsepower values, then used in Sequential([normalizer, Dense(1)]).
    column = np.random.default_rng(0).uniform(45, 230, size=318)
    normalizer = layers.Normalization(input_shape=[1], axis=None)
    normalizer.adapt(column)
    np.testing.assert_allclose(float(normalizer.mean), column.mean(), rtol=1e-6)
    np.testing.assert_allclose(float(normalizer.variance), column.var(), rtol=1e-6)
    model = lamina.Sequential([normalizer, layers.Dense(1)])
    out = normalizer(column[:3].reshape(3, 1).astype("float32"))
    np.testing.assert_allclose(out.numpy().ravel(), (column[:3] - column.mean()) / column.std(),
                               rtol=1e-5)
    assert model(column[:3].reshape(3, 1).astype("float32")).shape == (3, 1)


def test_adapt_reads_a_dataframes_mixed_object_array():
    features = np.array([[6, 250.5, True], [4, 90.0, False], [8, 400.0, False]], dtype=object)
    normalizer = layers.Normalization(axis=-1)
    normalizer.adapt(features)
    numbers = features.astype(np.float64)
    np.testing.assert_allclose(normalizer.mean.numpy().ravel(), numbers.mean(0), rtol=1e-6)
    np.testing.assert_allclose(normalizer(features).numpy(),
                               (numbers - numbers.mean(0)) / numbers.std(0), rtol=1e-5, atol=1e-6)


def test_inputs_with_other_features_than_adapted_name_the_layer_and_both_shapes():
    layer = layers.Normalization()
    layer.adapt(np.random.default_rng(0).random((10, 3)))
    with pytest.raises(ValueError, match=r"Layer 'normalization\w*' \(Normalization\) holds a mean "
                                         r"of shape \(1, 3\) .*inputs of shape \(2, 4\)"):
        layer(np.ones((2, 4), "float32"))
