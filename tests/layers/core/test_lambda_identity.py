"""Lambda and Identity: calls, shapes, training flag, fit, and configs that never store code."""
import json

import numpy as np
import pytest
import torch

import lamina as keras
from lamina import Input, layers
from lamina.saving import deserialize_keras_object, serialize_keras_object


def square(x):
    return x ** 2


def scale(x, factor=1.0):
    return x * factor


def test_lambda_applies_function_with_arguments():
    x = np.random.default_rng(0).normal(size=(3, 4))
    out = layers.Lambda(scale, arguments={"factor": 2.5})(x)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float32
    np.testing.assert_allclose(out.numpy(), 2.5 * x, rtol=1e-6)
    np.testing.assert_allclose(layers.Lambda(square)(x).numpy(), x ** 2, rtol=1e-5)


def test_lambda_takes_a_list_of_inputs():
    a, b = torch.ones(2, 3), torch.full((2, 3), 2.0)
    torch.testing.assert_close(layers.Lambda(lambda xs: xs[0] * xs[1])([a, b]), a * b)
    assert layers.Lambda(lambda xs: xs[0] + xs[1])([Input((3,)), Input((3,))]).shape == (None, 3)


@pytest.mark.parametrize("output_shape, expected", [
    (None, (None, 2)),
    ((7,), (None, 7)),
    ([7], (None, 7)),
    (lambda shape: (shape[0], 9), (None, 9)),
    (lambda shape: [shape[0], 9], (None, 9)),
])
def test_lambda_output_shape_inferred_or_given(output_shape, expected):
    layer = layers.Lambda(lambda t: t[:, :2], output_shape=output_shape)
    assert layer(Input((3,))).shape == expected


def test_lambda_output_shape_for_several_outputs():
    outputs = layers.Lambda(lambda t: [t, t[:, :1]], output_shape=[(3,), (1,)])(Input((3,)))
    assert [o.shape for o in outputs] == [(None, 3), (None, 1)]
    inferred = layers.Lambda(lambda t: [t, t[:, :1]])(Input((3,)))
    assert [o.shape for o in inferred] == [(None, 3), (None, 1)]


def test_lambda_shape_inference_failure_asks_for_output_shape():
    layer = layers.Lambda(lambda t: t.numpy().item(), name="host_read")
    with pytest.raises(NotImplementedError, match=r"(?s)layer 'host_read'.*Please specify the "
                                                  r"`output_shape` argument"):
        layer(Input((3,)))


def test_lambda_rejects_non_callables():
    with pytest.raises(TypeError, match="Argument `function` of Lambda must be a callable.*"
                                        "received 3 of type int"):
        layers.Lambda(3)


def test_lambda_receives_the_training_flag():
    seen = []

    def noisy(x, training=None):
        seen.append(training)
        return x + 1.0 if training else x

    layer = layers.Lambda(noisy)
    x = torch.zeros(2, 2)
    torch.testing.assert_close(layer(x), x)
    torch.testing.assert_close(layer(x, training=True), x + 1.0)
    assert seen == [None, True]  # Keras passes the unset flag as None
    model = keras.Sequential([Input((2,)), layers.Lambda(noisy)])
    torch.testing.assert_close(model(x, training=True), x + 1.0)


def test_lambda_in_sequential_fit_matches_numpy_forward():
    model = keras.Sequential([
        Input((4,)),
        layers.Lambda(lambda t: t * 2.0 - 1.0),
        layers.Dense(3, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(1)
    x, y = rng.random((32, 4)).astype("float32"), rng.integers(0, 3, 32)
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert len(history.history["loss"]) == 2
    kernel, bias = (w.astype(np.float64) for w in model.layers[1].get_weights())
    logits = (2.0 * x.astype(np.float64) - 1.0) @ kernel + bias
    expected = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_lambda_in_functional_graph_with_two_inputs():
    a, b = Input((3,), name="a"), Input((3,), name="b")
    diff = layers.Lambda(lambda xs: torch.abs(xs[0] - xs[1]), name="l1")([a, b])
    model = keras.Model([a, b], layers.Dense(1)(diff))
    assert diff.shape == (None, 3)
    xa, xb = np.random.rand(5, 3).astype("float32"), np.random.rand(5, 3).astype("float32")
    kernel, bias = model.layers[-1].get_weights()
    expected = np.abs(xa.astype(np.float64) - xb) @ kernel + bias
    np.testing.assert_allclose(model.predict([xa, xb], verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_named_function_config_and_round_trip():
    layer = layers.Lambda(square, output_shape=(3,), name="sq")
    config = layer.get_config()
    assert config["function"] == {"module": __name__, "class_name": "function",
                                  "config": "square", "registered_name": "square"}
    assert config["output_shape"] == (3,) and config["arguments"] == {}
    assert "mask" not in config
    loaded_config = json.loads(json.dumps(config))
    clone = layers.Lambda.from_config(loaded_config, custom_objects={"square": square})
    assert clone.function is square and clone.name == "sq"
    assert clone.compute_output_shape((None, 5)) == (None, 3)


def test_named_function_without_custom_objects_is_refused_with_the_fix():
    config = layers.Lambda(square).get_config()
    with pytest.raises(TypeError, match=r"Could not locate function 'square'.*never loads code "
                                        r"from a file.*custom_objects=\{'square': square\}"):
        layers.Lambda.from_config(config)


def test_python_lambda_is_saved_as_bytecode_and_loaded_only_unsafe():
    config = json.loads(json.dumps(layers.Lambda(lambda x: x * 2).get_config()))
    assert config["function"]["class_name"] == "__lambda__"
    assert set(config["function"]["config"]) == {"code", "defaults", "closure"}
    for safe_mode in (None, True):
        with pytest.raises(ValueError, match=r"Python lambda.*arbitrary code.*safe_mode=False"):
            layers.Lambda.from_config(config, safe_mode=safe_mode)
    loaded = layers.Lambda.from_config(config, safe_mode=False)
    torch.testing.assert_close(loaded(torch.ones(1, 2)), torch.full((1, 2), 2.0))


def test_keras_lambda_bytecode_config_is_refused():
    keras_config = {"name": "lambda", "trainable": True, "arguments": {},
                    "function": {"class_name": "__lambda__",
                                 "config": {"code": "4wEAAAAAAAAA", "defaults": None,
                                            "closure": None}}}
    with pytest.raises(ValueError, match="whose `function` is a Python lambda"):
        layers.Lambda.from_config(keras_config)


def test_registered_function_loads_without_custom_objects():
    @keras.saving.register_keras_serializable(package="lamina_tests")
    def cube(x):
        return x ** 3

    entry = serialize_keras_object(layers.Lambda(cube, arguments={}))
    assert entry["config"]["function"]["config"] == "lamina_tests>cube"
    loaded = deserialize_keras_object(json.loads(json.dumps(entry)))
    assert isinstance(loaded, layers.Lambda) and loaded.function is cube
    torch.testing.assert_close(loaded(torch.full((1, 2), 2.0)), torch.full((1, 2), 8.0))


@pytest.mark.parametrize("function, module", [
    (keras.activations.relu, "keras.activations"),
    (keras.ops.mean, "keras.ops"),
])
def test_builtin_functions_are_saved_under_keras_module_names(function, module):
    config = layers.Lambda(function).get_config()
    assert config["function"]["module"] == module
    assert layers.Lambda.from_config(config).function is function


def test_callable_output_shape_and_mask_are_saved_by_name():
    def shape_fn(shape):
        return shape

    def mask_fn(inputs, mask=None):
        return mask

    config = layers.Lambda(square, output_shape=shape_fn, mask=mask_fn).get_config()
    assert config["output_shape"]["config"] == "shape_fn"
    assert config["mask"]["config"] == "mask_fn"
    clone = layers.Lambda.from_config(
        config, custom_objects={"square": square, "shape_fn": shape_fn, "mask_fn": mask_fn})
    assert clone.compute_output_shape((None, 4)) == (None, 4)
    assert clone.compute_mask(None, "m") == "m"


def test_identity_passes_inputs_through_and_is_built():
    layer = layers.Identity(name="same")
    assert layer.built and layer.weights == []
    x = torch.randn(2, 3)
    assert layer(x) is x
    assert layer(Input((4, 5))).shape == (None, 4, 5)
    config = layer.get_config()
    assert config == {"name": "same", "trainable": True,
                      "dtype": {"module": "keras", "class_name": "DTypePolicy",
                                "config": {"name": "float32"}, "registered_name": None}}
    assert layers.Identity.from_config(config).get_config() == config


def test_identity_in_a_model_keeps_predictions():
    model = keras.Sequential([Input((3,)), layers.Identity(), layers.Dense(2)])
    x = np.random.rand(4, 3).astype("float32")
    kernel, bias = model.layers[-1].get_weights()
    np.testing.assert_allclose(model.predict(x, verbose=0), x @ kernel + bias, rtol=1e-5, atol=1e-6)


def test_a_lambda_function_taking_mask_receives_the_inputs_mask():
    # Keras 3.15: Lambda.call(inputs, mask=None, training=None) hands the mask on.
    embedding = keras.layers.Embedding(5, 2, mask_zero=True, embeddings_initializer="ones")

    def zero_padding(t, mask=None):
        return t if mask is None else t * keras.ops.expand_dims(keras.ops.cast(mask, t.dtype), -1)

    tokens = np.array([[3, 1, 0, 0]])
    eager = keras.layers.Lambda(zero_padding)(embedding(tokens))
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(eager)[..., 0], [[1, 1, 0, 0]])
    inputs = keras.Input((4,), dtype="int32")
    model = keras.Model(inputs, keras.layers.Lambda(zero_padding)(embedding(inputs)))
    np.testing.assert_array_equal(model.predict(tokens, verbose=0)[..., 0], [[1, 1, 0, 0]])
