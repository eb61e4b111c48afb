"""Merge layers: numbers against float64 NumPy, Keras' shape rules and messages, configs."""
import numpy as np
import pytest
import torch

import lamina as keras
from lamina import Input, layers

RNG = np.random.default_rng(0)

ELEMENTWISE = [
    (layers.Add, layers.add, lambda xs: sum(xs)),
    (layers.Multiply, layers.multiply, lambda xs: np.prod(xs, axis=0)),
    (layers.Average, layers.average, lambda xs: np.mean(xs, axis=0)),
    (layers.Maximum, layers.maximum, lambda xs: np.max(xs, axis=0)),
    (layers.Minimum, layers.minimum, lambda xs: np.min(xs, axis=0)),
]


def _f32(array):
    return torch.as_tensor(array, dtype=torch.float32)


@pytest.mark.parametrize("layer_class, function, reference", ELEMENTWISE)
def test_elementwise_merges_match_numpy(layer_class, function, reference):
    arrays = [RNG.normal(size=(4, 3, 2)) for _ in range(3)]
    expected = reference(np.stack(arrays))
    for merged in (layer_class()([_f32(a) for a in arrays]), function([_f32(a) for a in arrays])):
        np.testing.assert_allclose(merged.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_subtract_matches_numpy_and_takes_exactly_two_inputs():
    a, b = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 3))
    np.testing.assert_allclose(layers.subtract([_f32(a), _f32(b)]).numpy(), a - b, atol=1e-6)
    with pytest.raises(ValueError, match=r"A `Subtract` layer should be called on exactly 2 inputs"):
        layers.Subtract()([Input((3,))] * 3)
    with pytest.raises(ValueError, match=r"exactly 2 inputs\. Layer 'subtract_\d+' received 3"):
        layers.Subtract()([torch.ones(2, 3)] * 3)


@pytest.mark.parametrize("layer_class", [layers.Add, layers.Subtract, layers.Multiply,
                                         layers.Average, layers.Maximum, layers.Minimum])
def test_elementwise_merges_reject_incompatible_shapes_at_graph_build(layer_class):
    layer = layer_class(name="merge_me")
    with pytest.raises(ValueError) as error:
        layer([Input((3,)), Input((4,))])
    message = str(error.value)
    assert f"Inputs of layer 'merge_me' ({layer_class.__name__}) have incompatible shapes" in message
    assert "Received shapes (3,) and (4,)" in message
    assert "[(None, 3), (None, 4)]" in message


def test_elementwise_error_on_eager_tensors_is_the_same_valueerror():
    with pytest.raises(ValueError, match=r"incompatible shapes\. Received shapes \(3,\) and \(4,\)"):
        layers.Add()([torch.ones(2, 3), torch.ones(2, 4)])


@pytest.mark.parametrize("shapes, expected", [
    ([(3, 4), (1, 4)], (None, 3, 4)),
    ([(3, 4), (3, 1)], (None, 3, 4)),
    ([(3, 4), (4,)], (None, 3, 4)),
    ([(None, 4), (5, 4)], (None, None, 4)),
])
def test_elementwise_output_shapes_broadcast_as_keras(shapes, expected):
    assert layers.Add()([Input(s) for s in shapes]).shape == expected


def test_lower_rank_input_gains_axes_after_the_batch_axis():
    a, b = RNG.normal(size=(2, 3, 4)), RNG.normal(size=(2, 4))
    merged = layers.Add()([_f32(a), _f32(b)])
    np.testing.assert_allclose(merged.numpy(), a + b[:, None, :], atol=1e-6)


def test_merges_reject_different_batch_sizes_and_non_lists():
    with pytest.raises(ValueError, match="Cannot merge tensors with different batch sizes"):
        layers.Add().compute_output_shape([(2, 3), (5, 3)])
    with pytest.raises(ValueError, match="should be called on a list of inputs.*at least 2 inputs"):
        layers.Add()(Input((3,)))
    with pytest.raises(ValueError, match="received a single Tensor of shape \\(1, 2\\)"):
        layers.Multiply()(torch.ones(1, 2))


def test_concatenate_matches_numpy_and_infers_shapes():
    a, b = RNG.normal(size=(2, 2, 5)), RNG.normal(size=(2, 1, 5))
    merged = layers.Concatenate(axis=1)([_f32(a), _f32(b)])
    np.testing.assert_allclose(merged.numpy(), np.concatenate([a, b], axis=1), atol=1e-6)
    assert layers.concatenate([Input((3, 4)), Input((5, 4))], axis=1).shape == (None, 8, 4)
    assert layers.concatenate([Input((3,)), Input((None,))]).shape == (None, None)
    assert layers.concatenate([Input((None, 4)), Input((3, 4))], axis=-1).shape == (None, 3, 8)


@pytest.mark.parametrize("shapes, axis, fragment", [
    ([(3, 4), (5, 6)], -1, "axis 1 differs: [3, 5]"),
    ([(3, 4), (3, 4, 1)], -1, "differ in rank"),
    ([(3, 4), (3, 2)], 1, "axis 2 differs: [2, 4]"),
])
def test_concatenate_rejects_mismatched_shapes_at_graph_build(shapes, axis, fragment):
    layer = layers.Concatenate(axis=axis, name="cat")
    with pytest.raises(ValueError) as error:
        layer([Input(s) for s in shapes])
    message = str(error.value)
    assert ("A `Concatenate` layer requires inputs with matching shapes except for the "
            "concatenation axis") in message
    assert "Layer 'cat'" in message and fragment in message
    assert str([(None,) + s for s in shapes]) in message


def test_concatenate_eager_mismatch_and_bad_axis_are_valueerrors():
    with pytest.raises(ValueError, match="matching shapes except for the concatenation axis"):
        layers.Concatenate()([torch.ones(2, 3, 1), torch.ones(2, 4, 2)])
    with pytest.raises(ValueError, match="axis=3, which is out of range for inputs of rank 2"):
        layers.Concatenate(axis=3)([Input((3,)), Input((3,))])


def _numpy_batch_dot(x, y, axes):
    """Per-sample tensordot of x's axes[0] with y's axes[1] (axes counted with the batch)."""
    out = np.stack([np.tensordot(x[i], y[i], axes=(axes[0] - 1, axes[1] - 1))
                    for i in range(x.shape[0])])
    return out.reshape(-1, 1) if out.ndim == 1 else out


@pytest.mark.parametrize("x_shape, y_shape, axes, positive", [
    ((4, 3), (4, 3), 1, (1, 1)),
    ((4, 3), (4, 3), -1, (1, 1)),
    ((2, 5, 2), (2, 2, 5), (1, 2), (1, 2)),
    ((2, 3, 5), (2, 6, 5), -1, (2, 2)),
    ((2, 3, 5), (2, 6, 5), (-1, 2), (2, 2)),
    ((2, 3, 4, 5), (2, 4, 6), (2, 1), (2, 1)),
    ((2, 3), (2, 4, 3), (1, 2), (1, 2)),
])
def test_dot_matches_numpy_batch_dot(x_shape, y_shape, axes, positive):
    x, y = RNG.normal(size=x_shape), RNG.normal(size=y_shape)
    expected = _numpy_batch_dot(x, y, positive)
    result = layers.Dot(axes=axes)([_f32(x), _f32(y)])
    np.testing.assert_allclose(result.numpy(), expected, rtol=1e-5, atol=1e-5)
    symbolic = layers.Dot(axes=axes)([Input(x_shape[1:]), Input(y_shape[1:])])
    assert symbolic.shape == (None,) + expected.shape[1:]


def test_dot_keras_example_and_functional_form():
    x = np.arange(10.0).reshape(1, 5, 2)
    y = np.arange(10.0, 20.0).reshape(1, 2, 5)
    np.testing.assert_array_equal(layers.Dot(axes=(1, 2))([x, y]).numpy(),
                                  [[[260.0, 360.0], [320.0, 445.0]]])
    np.testing.assert_array_equal(layers.dot([np.ones((2, 3)), np.ones((2, 3))], axes=1).numpy(),
                                  [[3.0], [3.0]])


def test_dot_normalize_gives_cosine_similarity():
    x, y = RNG.normal(size=(5, 4)), RNG.normal(size=(5, 4))
    cosine = (x * y).sum(1) / (np.linalg.norm(x, axis=1) * np.linalg.norm(y, axis=1))
    result = layers.dot([_f32(x), _f32(y)], axes=-1, normalize=True)
    np.testing.assert_allclose(result.numpy(), cosine[:, None], rtol=1e-5, atol=1e-6)


def test_dot_validates_axes_and_shapes():
    with pytest.raises(ValueError, match=r"Incompatible input shapes in layer 'dot_me' \(Dot\): "
                                         r"axis values 3 \(at axis 1\) != 4 \(at axis 1\)"):
        layers.Dot(axes=1, name="dot_me")([Input((3,)), Input((4,))])
    with pytest.raises(ValueError, match="axis values 3 \\(at axis 1\\) != 4"):
        layers.Dot(axes=1)([torch.ones(2, 3), torch.ones(2, 4)])
    with pytest.raises(ValueError, match="cannot take the dot product over axis 0"):
        layers.Dot(axes=0)([Input((3,)), Input((3,))])
    with pytest.raises(ValueError, match="A `Dot` layer should be called on exactly 2 inputs"):
        layers.Dot(axes=1)([Input((3,))] * 3)
    with pytest.raises(ValueError, match="needs inputs of rank 2 or more"):
        layers.Dot(axes=1)([torch.ones(3), torch.ones(3)])
    with pytest.raises(TypeError, match="Invalid type for argument `axes`"):
        layers.Dot(axes="1")
    with pytest.raises(ValueError, match="it should contain two elements"):
        layers.Dot(axes=(1, 2, 3))
    with pytest.raises(ValueError, match="list elements should be integers"):
        layers.Dot(axes=(1, 2.0))


def test_merge_errors_surface_while_building_a_model_not_in_fit():
    left, right = Input((3,)), Input((4,))
    with pytest.raises(ValueError, match="incompatible shapes"):
        keras.Model([left, right], layers.Dense(1)(layers.add([left, right])))


def test_dot_trains_in_a_functional_model():
    a, b = Input((4,)), Input((4,))
    score = layers.Dense(1, activation="sigmoid")(layers.Dot(axes=1, normalize=True)(
        [layers.Dense(8)(a), layers.Dense(8)(b)]))
    model = keras.Model([a, b], score)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    x = [np.random.rand(16, 4).astype("float32") for _ in range(2)]
    history = model.fit(x, np.ones((16, 1)), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()


@pytest.mark.parametrize("layer", [
    layers.Add(name="a"), layers.Subtract(), layers.Multiply(), layers.Average(),
    layers.Maximum(), layers.Minimum(), layers.Concatenate(axis=1),
    layers.Dot(axes=(1, 2), normalize=True), layers.Dot(axes=-1),
], ids=lambda layer: type(layer).__name__)
def test_config_round_trip(layer):
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config


def test_dot_config_matches_keras():
    config = layers.Dot(axes=1, name="dot").get_config()
    assert config == {"name": "dot", "trainable": True,
                      "dtype": {"module": "keras", "class_name": "DTypePolicy",
                                "config": {"name": "float32"}, "registered_name": None},
                      "axes": 1, "normalize": False}
