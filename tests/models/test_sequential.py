"""Sequential: construction, add/pop, lazy and eager build, summary text, config round trip."""
import numpy as np
import pytest
import torch

import lamina as keras
from lamina import layers


def tutorial_model(name=None):
    return keras.Sequential([
        layers.Dense(100, activation="sigmoid", input_shape=(784,), name="hidden"),
        layers.Dense(10, activation="softmax", name="output"),
    ], name=name)


def test_builds_eagerly_from_the_first_layers_input_shape():
    model = tutorial_model()
    assert model.built and model.count_params() == 79_510
    assert [layer.name for layer in model.layers] == ["hidden", "output"]
    assert model.output_shape == (None, 10)


def test_add_and_pop():
    model = keras.Sequential()
    model.add(layers.Dense(32, input_shape=(784,)))
    model.add(layers.Dense(10))
    assert model.count_params() == 784 * 32 + 32 + 32 * 10 + 10
    popped = model.pop()
    assert popped.units == 10 and len(model.layers) == 1
    with pytest.raises(ValueError, match="Only instances of `lamina.layers.Layer`"):
        model.add("dense")


def test_input_tensor_declares_the_shape():
    model = keras.Sequential([keras.Input(shape=(28, 28)), layers.Flatten(), layers.Dense(10)])
    assert model.count_params() == 7850 and len(model.layers) == 2


def test_without_input_shape_builds_on_first_data():
    model = keras.Sequential([layers.Dense(64, activation="relu"), layers.Dense(10)])
    assert not model.built
    out = model(np.zeros((3, 20), dtype=np.float32))
    assert out.shape == (3, 10) and model.count_params() == 20 * 64 + 64 + 650


def test_sequential_is_a_plain_torch_module():
    model = tutorial_model()
    names = list(model.state_dict())
    assert names == ["_stack.0.kernel", "_stack.0.bias", "_stack.1.kernel", "_stack.1.bias"]
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss = model(torch.ones(2, 784)).sum()
    loss.backward()
    optimizer.step()


EXPECTED_SUMMARY = """\
Model: "패션 MNIST 모델"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ hidden (Dense)                  │ (None, 100)            │        78,500 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ output (Dense)                  │ (None, 10)             │         1,010 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 79,510 (310.59 KB)
 Trainable params: 79,510 (310.59 KB)
 Non-trainable params: 0 (0.00 B)
"""


def test_summary_matches_keras_table_for_tutorial_01(capsys):
    tutorial_model("패션 MNIST 모델").summary(line_length=76)
    assert capsys.readouterr().out == EXPECTED_SUMMARY


def test_summary_with_flatten_and_auto_names(capsys):
    model = keras.Sequential([layers.Flatten(input_shape=(28, 28)), layers.Dense(100, activation="relu"),
                              layers.Dense(10, activation="softmax")])
    model.summary(line_length=76)
    out = capsys.readouterr().out
    assert 'Model: "sequential"' in out
    assert "│ flatten (Flatten)               │ (None, 784)            │             0 │" in out
    assert "│ dense (Dense)                   │ (None, 100)            │        78,500 │" in out
    assert " Total params: 79,510 (310.59 KB)" in out


def test_summary_adds_optimizer_params_after_training(capsys):
    model = keras.Sequential([layers.Dense(2, input_shape=(3,))])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)
    model.summary()
    out = capsys.readouterr().out
    assert " Total params: 26 (104.00 B)" in out
    assert " Trainable params: 8 (32.00 B)" in out
    assert " Optimizer params: 18 (72.00 B)" in out


def test_summary_of_unbuilt_model_marks_layers(capsys):
    keras.Sequential([layers.Dense(3)]).summary()
    assert "0 (unbuilt)" in capsys.readouterr().out


def test_config_round_trip_rebuilds_same_architecture():
    model = tutorial_model("m")
    clone = keras.Sequential.from_config(model.get_config())
    assert clone.name == "m" and clone.count_params() == 79_510
    assert [type(l).__name__ for l in clone.layers] == ["Dense", "Dense"]
    assert clone.get_config() == model.get_config()


def test_a_one_element_list_of_inputs_is_the_input_as_in_keras():
    x = np.random.default_rng(0).random((32, 10), dtype=np.float32)
    y = np.arange(32) % 3
    model = keras.Sequential([keras.Input((10,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit([x], y, epochs=1, verbose=0)
    np.testing.assert_array_equal(model.predict([x[:4]], verbose=0),
                                  model.predict(x[:4], verbose=0))
    assert model.evaluate((x,), y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))


# Keras 3.15's summary of a Sequential without an Input, after `fit(batch_size=32)`: the build
# from the first batch keeps its size.
EXPECTED_SUMMARY_BUILT_BY_FIT = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense (Dense)                   │ (32, 8)                │            40 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (32, 1)                │             9 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 51 (204.00 B)
 Trainable params: 49 (196.00 B)
 Non-trainable params: 0 (0.00 B)
 Optimizer params: 2 (8.00 B)
"""


def test_a_build_from_data_keeps_the_batch_size_as_keras_does(capsys):
    model = keras.Sequential([layers.Dense(8), layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(np.zeros((100, 4)), np.zeros((100, 1)), batch_size=32, verbose=0)
    model.summary()
    assert capsys.readouterr().out == EXPECTED_SUMMARY_BUILT_BY_FIT
    assert model.predict(np.zeros((5, 4)), verbose=0).shape == (5, 1)
    # Called on a Keras tensor, the output keeps the caller's batch axis.
    assert model(keras.Input((4,))).shape == (None, 1)


@pytest.mark.parametrize("use", ["predict", "call", "fit"])
def test_an_empty_sequential_says_to_add_layers(use):
    model = keras.Sequential(name="empty")
    x = np.ones((2, 3), "float32")
    with pytest.raises(ValueError, match="Sequential model empty cannot be built because it has "
                                         r"no layers. Call `model.add\(layer\)`."):
        if use == "predict":
            model.predict(x, verbose=0)
        elif use == "call":
            model(x)
        else:
            model.compile("adam", "mse")
            model.fit(x, x, verbose=0)


def test_a_built_model_as_first_layer_gives_the_stack_a_none_batch():
    inner = keras.Sequential([layers.Flatten(input_shape=(2, 2)), layers.Dense(3)])
    probabilities = keras.Sequential([inner, layers.Softmax()])  # the TF tutorial's pattern
    probabilities.predict(np.zeros((5, 2, 2), "float32"), verbose=0)
    assert probabilities.layers[1].output.shape == (None, 3)
