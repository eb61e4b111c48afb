"""Functional models: graphs with branches, several inputs and outputs; config round trip."""
import json

import numpy as np
import pytest
import torch

import lamina as keras
from lamina import Input, Model, layers


def branching_model():
    inputs = Input(shape=(64,), name="features")
    hidden = layers.Dense(32, activation="relu")(inputs)
    a = layers.Dense(16, activation="relu")(hidden)
    b = layers.Dense(16, activation="tanh")(hidden)
    merged = layers.concatenate([a, b])
    label = layers.Dense(3, activation="softmax", name="label")(merged)
    score = layers.Dense(1, name="score")(merged)
    return Model(inputs=inputs, outputs=[label, score])


def test_symbolic_calls_give_shapes_and_model_runs_the_graph():
    model = branching_model()
    assert model.output_names == ["label", "score"]
    assert model.output_shape == [(None, 3), (None, 1)]
    label, score = model(np.random.rand(5, 64).astype("float32"))
    assert label.shape == (5, 3) and score.shape == (5, 1)
    torch.testing.assert_close(label.sum(1), torch.ones(5))


def test_graph_output_equals_manual_composition():
    inputs = Input(shape=(4,))
    first = layers.Dense(3, activation="relu")
    second = layers.Dense(2)
    model = Model(inputs, second(first(inputs)))
    x = torch.randn(6, 4)
    torch.testing.assert_close(model(x), second(first(x)))


def test_multi_output_fit_with_loss_and_metric_dicts():
    model = branching_model()
    model.compile(optimizer="adam", loss={"label": "sparse_categorical_crossentropy", "score": "mse"},
                  metrics={"label": "accuracy"})
    x = np.random.rand(128, 64).astype("float32")
    history = model.fit(x, {"label": np.random.randint(0, 3, 128), "score": x.sum(1, keepdims=True)},
                        epochs=2, verbose=0)
    assert set(history.history) == {"loss", "label_loss", "score_loss", "label_accuracy"}
    logs = history.history
    np.testing.assert_allclose(logs["loss"][-1], logs["label_loss"][-1] + logs["score_loss"][-1], rtol=1e-5)


def test_two_inputs_by_list_and_by_name():
    left, right = Input(shape=(3,), name="left"), Input(shape=(2,), name="right")
    model = Model([left, right], layers.Dense(1)(layers.concatenate([left, right])))
    a, b = np.ones((4, 3), "float32"), np.ones((4, 2), "float32")
    torch.testing.assert_close(model([a, b]), model({"left": a, "right": b}))
    with pytest.raises(ValueError, match="missing"):
        model({"left": a})


def test_summary_has_connected_to_column(capsys):
    branching_model().summary()
    out = capsys.readouterr().out
    assert "Connected to" in out and "(InputLayer)" in out
    assert "│ dense_1[0][0],    │" in out and "│ features[0][0]    │" in out


# Printed by Keras 3.15.1 (JAX) for the same program: operations on Keras tensors are rows.
EXPECTED_SUMMARY_WITH_OPERATIONS = """\
Model: "functional"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ input_layer (InputLayer)        │ (None, 8)              │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense (Dense)                   │ (None, 4)              │            36 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ multiply (Multiply)             │ (None, 4)              │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ add (Add)                       │ (None, 4)              │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ relu (Relu)                     │ (None, 4)              │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 1)              │             5 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 41 (164.00 B)
 Trainable params: 41 (164.00 B)
 Non-trainable params: 0 (0.00 B)
"""


def test_summary_lists_tensor_operations_as_keras_does(capsys):
    x = Input((8,))
    hidden = keras.ops.relu(layers.Dense(4)(x) * 2 + 1)
    model = Model(x, layers.Dense(1)(hidden))
    model.summary()
    assert capsys.readouterr().out == EXPECTED_SUMMARY_WITH_OPERATIONS
    assert [layer.name for layer in model.layers] == ["input_layer", "dense", "dense_1"]


def test_config_round_trip():
    model = branching_model()
    clone = Model.from_config(model.get_config())
    assert clone.output_names == ["label", "score"]
    assert clone.count_params() == model.count_params()
    clone.set_weights(model.get_weights())
    x = torch.rand(2, 64)
    for got, expected in zip(clone(x), model(x)):
        torch.testing.assert_close(got, expected)


def test_disconnected_graph_is_reported():
    a, b = Input(shape=(2,)), Input(shape=(2,))
    with pytest.raises(ValueError, match="Graph disconnected"):
        Model(a, layers.Dense(1)(b))


def test_feature_extractor_from_a_sequential_models_layer_outputs():
    model = keras.Sequential([layers.Dense(8, activation="relu", input_shape=(4,), name="h1"),
                              layers.Dense(6, activation="relu", name="h2"),
                              layers.Dense(2, name="out")])
    extractor = Model(inputs=model.inputs, outputs=model.get_layer("h2").output)
    x = torch.rand(3, 4)
    torch.testing.assert_close(extractor(x), model.layers[1](model.layers[0](x)))
    every = Model(inputs=model.inputs, outputs=[layer.output for layer in model.layers])
    assert [tuple(t.shape) for t in every(x)] == [(3, 8), (3, 6), (3, 2)]
    clone = Model.from_config(extractor.get_config())
    assert clone.output_shape == (None, 6)


def test_layer_output_is_that_of_its_first_call():
    layer = layers.Dense(2)
    with pytest.raises(AttributeError, match="never been called"):
        layer.output
    a, b = Input(shape=(3,)), Input(shape=(3,))
    first, _ = layer(a), layer(b)
    # Keras 3 reads a shared layer's input and output at its first call (the guide's shared
    # Embedding); Keras 2 refused them.
    assert layer.output is first and layer.input is a


def test_layers_in_lists_and_dicts_are_tracked_and_trained():
    class Blocks(keras.Model):
        def __init__(self):
            super().__init__()
            self.blocks = [layers.Dense(4, activation="relu"), layers.Dense(4, activation="relu")]
            self.heads = {"a": layers.Dense(1)}

        def call(self, x):
            for block in self.blocks:
                x = block(x)
            return self.heads["a"](x)

    model = Blocks()
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.rand(16, 3).astype("float32")
    model.fit(x, x.sum(1), epochs=1, verbose=0)
    assert len(model.layers) == 3 and model.count_params() == 16 + 20 + 5
    before = [w.copy() for w in model.get_weights()]
    model.fit(x, x.sum(1), epochs=1, verbose=0)
    assert all(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_calling_build_directly_marks_the_model_built():
    model = keras.Sequential([layers.Dense(3), layers.Dense(1)])
    model.build((None, 5))
    assert model.built and model.count_params() == 18 + 4


def test_models_and_merge_layers_take_nested_numpy_directly():
    left, right = Input(shape=(3,), name="left"), Input(shape=(2,), name="right")
    model = Model({"left": left, "right": right}, layers.Dense(1)(layers.concatenate([left, right])))
    out = model({"left": np.ones((4, 3)), "right": np.zeros((4, 2), "float32")})
    assert out.shape == (4, 1) and out.dtype == torch.float32
    merged = layers.Concatenate()([np.ones((1, 2), "float32"), np.zeros((1, 3))])
    assert merged.shape == (1, 5)


def test_model_subclass_built_from_inputs_and_outputs_keeps_its_train_step():
    calls = []

    class Counting(keras.Model):
        def train_step(self, data):
            calls.append(1)
            return super().train_step(data)

    inputs = Input(shape=(3,))
    model = Counting(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(np.ones((8, 3)), np.zeros(8), batch_size=4, epochs=2, verbose=0)
    assert len(calls) == 4 and len(history.history["loss"]) == 2


class _GuideTrainStep(keras.Model):
    """keras.io's "Customizing fit() with PyTorch" first model: its logs nest compile_metrics."""

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def test_custom_train_step_in_the_keras_io_torch_style():
    inputs = Input(shape=(32,))
    model = _GuideTrainStep(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    x, y = np.random.random((256, 32)), np.random.random((256, 1))
    history = model.fit(x, y, epochs=3, verbose=0)
    # Keras sorts the step's nested logs ({"loss", "compile_metrics": {"mae"}}) once: the
    # compiled metrics come first (Keras 3.15 on torch: ['mae', 'loss']).
    assert list(history.history) == ["mae", "loss"]
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_a_user_steps_epoch_logs_take_keras_order_with_validation():
    inputs = Input((4,))
    model = _GuideTrainStep(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer="adam", loss="mse", metrics=["mae", "mse"])
    x, y = np.random.rand(16, 4), np.random.rand(16, 1)
    history = model.fit(x, y, epochs=1, verbose=0, validation_data=(x, y))
    # Keras 3.15 (torch backend) on this program: the nested dict sorted once, then flattened.
    assert list(history.history) == ["mae", "mse", "loss", "val_loss", "val_mae", "val_mse"]


def test_add_loss_model_compiles_without_loss_and_fits_without_y():
    class Autoencoder(keras.Model):
        def __init__(self):
            super().__init__()
            self.encode, self.decode = layers.Dense(2), layers.Dense(4)

        def call(self, x):
            reconstruction = self.decode(self.encode(x))
            self.add_loss(((reconstruction - x) ** 2).mean())
            return reconstruction

    model = Autoencoder()
    model.compile(optimizer="adam")
    history = model.fit(np.random.rand(64, 4).astype("float32"), epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_frozen_model_reports_loss_with_a_warning():
    model = keras.Sequential([layers.Dense(1, input_shape=(2,))])
    model.trainable = False
    model.compile(optimizer="sgd", loss="mse")
    with pytest.warns(UserWarning, match="does not have any trainable weights"):
        loss = model.train_on_batch(np.ones((4, 2)), np.zeros(4))
    assert loss >= 0


@pytest.mark.parametrize("wrap", [list, tuple])
def test_a_one_element_output_list_computes_a_tensor_and_keeps_its_structure(wrap):
    # Keras 3: Model([x], [y]) is called and predicts as Model(x, y), while model.input,
    # model.output and the config keep the lists it was given.
    inputs = Input(shape=(3,), name="x")
    outputs = layers.Dense(2, name="y")(inputs)
    model = Model(inputs=wrap([inputs]), outputs=wrap([outputs]))
    data = np.ones((4, 3), "float32")
    assert isinstance(model(data), torch.Tensor) and tuple(model(data).shape) == (4, 2)
    assert isinstance(model.predict(data, verbose=0), np.ndarray)
    assert tuple(model([data]).shape) == (4, 2)  # a one-element list of inputs is flattened
    assert model.input == wrap([inputs]) and model.output == wrap([outputs])
    assert model.output_shape == (None, 2)
    config = json.loads(json.dumps(model.get_config()))
    assert (config["input_layers"], config["output_layers"]) == ([["x", 0, 0]], [["y", 0, 0]])
    restored = Model.from_config(config)
    assert isinstance(restored.output, list) and len(restored.output) == 1
    assert Model(inputs, outputs).get_config()["output_layers"] == ["y", 0, 0]


def test_layers_at_the_same_depth_come_in_keras_discovery_order():
    # Keras 3.15's order for the keras.io seq2seq model: both inputs, then both LSTMs. Its walk
    # back from the output numbers the decoder's input before the encoder LSTM, so at equal
    # depth the input comes first (a numbering after each layer's inputs put the LSTM first).
    encoder_inputs = Input(shape=(None, 3), name="encoder_in")
    _, state_h, state_c = layers.LSTM(4, return_state=True, name="encoder")(encoder_inputs)
    decoder_inputs = Input(shape=(None, 5), name="decoder_in")
    decoded = layers.LSTM(4, return_sequences=True, name="decoder")(
        decoder_inputs, initial_state=[state_h, state_c])
    outputs = layers.Dense(5, name="dense")(decoded)
    model = Model([encoder_inputs, decoder_inputs], outputs)
    assert [layer.name for layer in model.layers] == [
        "encoder_in", "decoder_in", "encoder", "decoder", "dense"]
    assert len(model.layers[2].output) == 3  # the encoder's outputs and states


def test_a_chain_with_a_second_output_keeps_the_sequential_summary(capsys):
    inputs = keras.Input((4,))
    hidden = layers.Dense(3)(inputs)
    keras.Model(inputs, [layers.Dense(2)(hidden), hidden]).summary()
    assert "Connected to" not in capsys.readouterr().out  # as Keras 3.15 prints it


def test_two_branches_get_the_connected_to_column(capsys):
    inputs = keras.Input((4,))
    keras.Model(inputs, [layers.Dense(2)(inputs), layers.Dense(3)(inputs)]).summary()
    assert "Connected to" in capsys.readouterr().out


def test_calling_a_model_on_keras_tensors_of_another_shape_is_refused():
    inputs = keras.Input((10,))
    functional = keras.Model(inputs, layers.Dense(2)(inputs), name="f")
    sequential = keras.Sequential([keras.Input((10,)), layers.Dense(2)], name="s")
    for model in (functional, sequential):
        with pytest.raises(ValueError, match=f'Input 0 of layer "{model.name}" is incompatible '
                                             r"with the layer: expected shape=\(None, 10\), "
                                             r"found shape=\(None, 5\)"):
            model(keras.Input((5,)))
        assert model(keras.Input((10,), batch_size=4)).shape == (4, 2)


def test_a_built_dense_checks_symbolic_inputs_too():
    dense = layers.Dense(3, name="d")
    dense(keras.Input((4,)))
    with pytest.raises(ValueError, match=r"Layer 'd' expects inputs with last dimension 4, but "
                                         r"received shape \(None, 5\)"):
        dense(keras.Input((5,)))


def test_a_model_with_dict_outputs_called_in_a_graph_gives_a_dict():
    inputs = keras.Input((3,))
    heads = keras.Model(inputs, {"b": layers.Dense(2)(inputs), "a": layers.Dense(1)(inputs)})
    outer_inputs = keras.Input((3,))
    outputs = heads(outer_inputs)
    assert sorted(outputs) == ["a", "b"] and outputs["b"].shape == (None, 2)
    outer = keras.Model(outer_inputs, layers.Concatenate()([outputs["a"], outputs["b"]]))
    x = np.ones((2, 3), "float32")
    direct = heads(x)
    expected = np.concatenate([direct["a"].detach().numpy(), direct["b"].detach().numpy()], -1)
    np.testing.assert_allclose(outer.predict(x, verbose=0), expected, rtol=1e-6)


def test_inputs_nested_one_level_too_deep_match_by_flat_order_with_keras_warning():
    first, second = keras.Input((3,), name="a"), keras.Input((3,), name="b")
    model = keras.Model([first, second], layers.Add()([first, second]))
    ones = np.ones((2, 3), "float32")
    with pytest.warns(UserWarning, match=r"doesn't match the expected structure.*\(\[\*, \*\],\)"):
        total = model(([ones, ones],))
    assert float(total.sum()) == 12.0


def test_dict_inputs_read_data_by_the_dicts_keys_when_inputs_are_named_otherwise():
    # Géron's wide & deep: Model(inputs={"wide": a, "deep": b}) with unnamed Inputs. Keras
    # warns that the keys differ from the names, then reads dict data by the keys and list
    # data in sorted key order (deep, wide).
    wide, deep = Input((2,)), Input((3,))
    with pytest.warns(UserWarning, match=r"Received key 'wide' mapping to value .* Change the "
                                         r"tensor name to 'wide' \(via `Input\(\.\.\., "
                                         r"name='wide'\)`\)"):
        model = Model(inputs={"wide": wide, "deep": deep},
                      outputs=layers.Concatenate()([wide, deep * 10.0]))
    x_wide, x_deep = np.ones((2, 2), "float32"), np.full((2, 3), 2.0, "float32")
    expected = [[1, 1, 20, 20, 20]] * 2
    np.testing.assert_allclose(model.predict({"deep": x_deep, "wide": x_wide}, verbose=0),
                               expected)
    np.testing.assert_allclose(model.predict([x_deep, x_wide], verbose=0), expected)
    assert model.inputs == [deep, wide]
    assert list(model.get_config()["input_layers"]) == ["wide", "deep"]
