"""clone_model: same architecture, new layers and weights; copied weights give equal outputs."""
import numpy as np
import pytest
import torch

import lamina as keras
from lamina import Input, Model, Sequential, layers
from lamina.models import clone_model

X = np.random.default_rng(0).random((6, 4)).astype("float32")


def sequential_model():
    return Sequential([Input((4,)), layers.Dense(8, activation="relu", name="hidden"),
                       layers.Dropout(0.2), layers.Dense(3, activation="softmax", name="out")],
                      name="seq")


def functional_model():
    inputs = Input((4,), name="features")
    shared = layers.Dense(5, activation="tanh", name="shared")
    a = shared(inputs)
    b = shared(layers.Lambda(lambda t: t * 0.5, name="half")(inputs))
    merged = layers.concatenate([a, b, layers.dot([a, b], axes=1)])
    outputs = [layers.Dense(2, name="label")(merged), layers.Dense(1, name="score")(merged)]
    return Model(inputs, outputs, name="graph")


def _architecture(model):
    return [(type(layer).__name__, layer.name, [tuple(w.shape) for w in layer.weights])
            for layer in model.layers]


def _predict(model):
    outputs = model.predict(X, verbose=0)
    return outputs if isinstance(outputs, list) else [outputs]


@pytest.mark.parametrize("build", [sequential_model, functional_model])
def test_clone_has_equal_architecture_and_new_weights(build):
    model = build()
    clone = clone_model(model)
    assert type(clone) is type(model) and clone.name == model.name
    assert _architecture(clone) == _architecture(model)
    assert clone.count_params() == model.count_params()
    assert not any(a is b for a, b in zip(clone.layers, model.layers))
    model_ids = {id(w) for w in model.weights}
    assert not any(id(w) in model_ids for w in clone.weights)
    kernels = [(a, b) for a, b in zip(model.get_weights(), clone.get_weights()) if a.ndim == 2]
    assert kernels and all(not np.allclose(a, b) for a, b in kernels)


@pytest.mark.parametrize("build", [sequential_model, functional_model])
def test_copied_weights_give_identical_predictions(build):
    model = build()
    clone = clone_model(model)
    clone.set_weights(model.get_weights())
    for got, expected in zip(_predict(clone), _predict(model)):
        np.testing.assert_array_equal(got, expected)


def test_functional_clone_keeps_sharing_and_input_names():
    model = functional_model()
    clone = clone_model(model)
    assert clone.input_names == ["features"] and clone.output_names == ["label", "score"]
    shared = clone.get_layer("shared")
    assert len([n for n in shared._inbound_nodes if n is not None]) == 2
    assert len(clone.weights) == len(model.weights)


def test_clone_function_edits_each_layer_config():
    def wider(layer):
        config = layer.get_config()
        if isinstance(layer, layers.Dense) and layer.name == "hidden":
            config["units"] = 16
        return type(layer).from_config(config)

    clone = clone_model(sequential_model(), clone_function=wider)
    assert clone.get_layer("hidden").units == 16
    assert clone.count_params() == 4 * 16 + 16 + 16 * 3 + 3


def test_clone_function_returning_the_layer_shares_weights():
    model = functional_model()
    clone = clone_model(model, clone_function=lambda layer: layer)
    assert all(a is b for a, b in zip(clone.layers[1:], model.layers[1:]))
    for got, expected in zip(_predict(clone), _predict(model)):
        np.testing.assert_array_equal(got, expected)


def test_call_function_inserts_layers_in_a_functional_clone():
    def with_dropout(layer, *args, **kwargs):
        outputs = layer(*args, **kwargs)
        return layers.Dropout(0.5)(outputs) if layer.name == "label" else outputs

    clone = clone_model(functional_model(), call_function=with_dropout)
    assert [type(layer).__name__ for layer in clone.layers].count("Dropout") == 1


def test_input_tensors_build_the_clone_on_given_inputs():
    new_input = Input((4,), name="renamed")
    clone = clone_model(functional_model(), input_tensors=new_input)
    assert clone.inputs[0] is new_input and clone.input_names == ["renamed"]
    seq_clone = clone_model(sequential_model(), input_tensors=[Input((4,))])
    assert seq_clone.output_shape == (None, 3)


def test_unbuilt_and_data_built_sequential_models_clone():
    lazy = Sequential([layers.Dense(2)])
    assert not clone_model(lazy).built
    lazy.compile(optimizer="sgd", loss="mse")
    lazy.fit(X, np.zeros((6, 2)), epochs=1, verbose=0)
    clone = clone_model(lazy)
    assert clone.built and clone.count_params() == lazy.count_params() == 10


def test_recursive_clone_copies_nested_models():
    inner = Sequential([Input((4,)), layers.Dense(3, name="inner_dense")], name="inner")
    inputs = Input((4,))
    outer = Model(inputs, layers.Dense(1)(inner(inputs)))
    shallow = clone_model(outer)
    deep = clone_model(outer, recursive=True)
    assert isinstance(deep.layers[1], Sequential) and deep.layers[1] is not inner
    assert shallow.layers[1] is not inner
    deep.set_weights(outer.get_weights())
    np.testing.assert_array_equal(deep.predict(X, verbose=0), outer.predict(X, verbose=0))


def test_cloned_model_trains_independently():
    model = sequential_model()
    clone = clone_model(model)
    clone.set_weights(model.get_weights())
    before = [w.copy() for w in model.get_weights()]
    clone.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    clone.fit(X, np.array([0, 1, 2, 0, 1, 2]), epochs=1, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, b) for a, b in zip(before, clone.get_weights()))


@pytest.mark.parametrize("kwargs, fragment", [
    ({"call_function": lambda layer, *a, **k: layer(*a, **k)},
     "`call_function` argument is not supported with Sequential models"),
    ({"input_tensors": np.ones((2, 4))}, "must be a KerasTensor"),
    ({"input_tensors": [Input((4,)), Input((4,))]}, "must contain a single tensor"),
    ({"clone_function": 3}, "Expected `clone_function` argument to be a callable"),
    ({"foo": 1}, r"Unexpected keyword argument\(s\): \('foo',\)"),
])
def test_sequential_clone_argument_errors(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        clone_model(sequential_model(), **kwargs)


def test_functional_clone_input_errors():
    with pytest.raises(ValueError, match="must have the same structure as model.input"):
        clone_model(functional_model(), input_tensors=[Input((4,)), Input((4,))])
    with pytest.raises(ValueError, match="All entries in `input_tensors` must be KerasTensors"):
        clone_model(functional_model(), input_tensors=torch.ones(2, 4))


def test_clone_model_is_exported_like_keras():
    assert keras.models.clone_model is clone_model


def test_deepcopy_and_torch_save_give_a_model_that_trains_on_independently():
    """copy.deepcopy / torch.save+load copy weights and optimizer state; the copy keeps training."""
    import copy
    import io

    model = Sequential([Input((4,)), layers.Dense(3, activation="relu"),
                               layers.Dense(2)])
    model.compile("adam", "mse")
    rng = np.random.default_rng(0)
    x, y = rng.random((16, 4), dtype="float32"), rng.random((16, 2), dtype="float32")
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    buffer = io.BytesIO()
    torch.save(model, buffer)
    buffer.seek(0)
    copies = [copy.deepcopy(model), torch.load(buffer, weights_only=False)]
    model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    for twin in copies:
        assert twin.layers[0].kernel is not model.layers[0].kernel
        twin.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
        assert int(twin.optimizer.iterations) == 6
        np.testing.assert_allclose(twin.predict(x, verbose=0), model.predict(x, verbose=0),
                                   rtol=0, atol=1e-6)


def test_a_clone_keeps_each_slice_of_a_tensor_operation():
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.ops.concatenate([inputs * 2, inputs[:, :1]], axis=-1))
    clone = keras.models.clone_model(model)
    assert clone.output.shape == (None, 5)
    np.testing.assert_array_equal(clone.predict(np.arange(4.0)[None], verbose=0),
                                  [[0, 2, 4, 6, 0]])
