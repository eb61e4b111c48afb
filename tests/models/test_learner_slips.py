"""Keras' errors (type and wording, plus the fix) for slips in building and inspecting models."""
import numpy as np
import pytest

import lamina as keras
from lamina import layers


def _mlp():
    return keras.Sequential([keras.Input((2,)), layers.Dense(1)])


def test_input_and_output_for_inputs_and_outputs_names_the_plural():
    inputs = keras.Input((3,))
    outputs = layers.Dense(2)(inputs)
    with pytest.raises(ValueError, match=r"takes `inputs` and `outputs` \(plural\)"):
        keras.Model(input=inputs, output=outputs)


def test_two_inputs_with_one_name_are_refused():
    first, second = keras.Input((2,), name="a"), keras.Input((2,), name="a")
    with pytest.raises(ValueError, match='The name "a" is used 2 times in the model'):
        keras.Model([first, second], layers.add([first, second]))


def test_a_sublayer_before_super_init_says_to_call_it():
    class Block(layers.Layer):
        def __init__(self):
            self.dense = layers.Dense(3)

    with pytest.raises(RuntimeError, match=r"In layer 'Block', you forgot to call "
                                           r"`super\(\).__init__\(\)`"):
        Block()


def test_a_plain_attribute_before_super_init_still_works():
    class Block(layers.Layer):
        def __init__(self, units, **kwargs):
            self.units = units
            super().__init__(**kwargs)

    assert Block(4).units == 4


def test_a_weight_with_a_none_dimension_is_refused():
    class Scale(layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(None, 3))

        def call(self, x):
            return x

    with pytest.raises(ValueError, match=r"must be fully-defined \(no `None` dimensions\). "
                                         r"Received: shape=\(None, 3\)"):
        Scale()(np.ones((2, 3), "float32"))


@pytest.mark.parametrize("arguments, message", [
    ({"index": 10}, "Was asked to retrieve layer at index 10 but model only has 1 layers."),
    ({}, "Provide either a layer name or layer index at `get_layer`."),
    ({"name": "dense", "index": 0}, "Provide only a layer name or a layer index."),
])
def test_get_layer_slips(arguments, message):
    with pytest.raises(ValueError, match=message):
        _mlp().get_layer(**arguments)


def test_validation_freq_zero_is_refused():
    model = _mlp()
    model.compile("adam", "mse")
    x, y = np.ones((4, 2), "float32"), np.ones((4, 1), "float32")
    with pytest.raises(ValueError, match="`validation_freq` must be a positive integer"):
        model.fit(x, y, validation_data=(x, y), validation_freq=0, verbose=0)


def test_a_verbose_above_two_trains_quietly(capsys):
    model = _mlp()
    model.compile("adam", "mse")
    history = model.fit(np.ones((4, 2)), np.ones((4, 1)), verbose=3)
    assert len(history.history["loss"]) == 1 and capsys.readouterr().out == ""


def test_whole_float_filters_are_taken_as_keras_takes_them():
    assert layers.Conv2D(8.0, 3).filters == 8
    with pytest.raises(ValueError, match="Expected a strictly positive integer"):
        layers.Conv2D(8.5, 3)


def test_recompiling_with_only_a_new_optimizer_keeps_loss_and_metrics_as_keras_does():
    model = _mlp()
    x, y = np.ones((4, 2), "float32"), np.ones((4, 1), "float32")
    model.compile("adam", "mse", metrics=["mae"])
    model.fit(x, y, verbose=0)
    model.compile(keras.optimizers.Adam(1e-5))  # fine-tuning: a smaller learning rate
    assert sorted(model.fit(x, y, verbose=0).history) == ["loss", "mae"]


class _NoSuperInit(layers.Layer):
    def __init__(self, units):
        self.units = units

    def call(self, x):
        return x


@pytest.mark.parametrize("use", [lambda layer: layer(np.zeros((2, 3), "float32")),
                                 lambda layer: keras.Sequential([keras.Input((3,)), layer])],
                         ids=["called", "in_a_sequential"])
def test_a_layer_that_never_called_super_init_says_so_when_used(use):
    # Keras 3.15: RuntimeError "you forgot to call super().__init__()" (lamina gave a bare
    # AttributeError from torch's Module).
    with pytest.raises(RuntimeError, match=r"In layer '_NoSuperInit', you forgot to call "
                                           r"`super\(\).__init__\(\)`"):
        use(_NoSuperInit(4))


def test_a_layer_returning_two_tensors_inside_a_sequential_is_named():
    class Two(layers.Layer):
        def call(self, x):
            return x, x

    with pytest.raises(ValueError, match=r'^Layer "dense\w*" expects 1 input\(s\), but it received '
                                         r"2 input tensors"):
        keras.Sequential([keras.Input((4,)), Two(), layers.Dense(1)])


def test_a_dict_given_to_a_sequential_model_is_refused_with_the_fix():
    with pytest.raises(ValueError, match=r"^The structure of `inputs` doesn't match the expected "
                                         r"structure: .* x is a dict with keys \['x'\]\. Pass "
                                         r"the array itself \(x\['x'\]\)"):
        _mlp().predict({"x": np.zeros((2, 2))}, verbose=0)


@pytest.mark.parametrize("make", [lambda: layers.Conv2D("8", 3),
                                  lambda: keras.Sequential(layers.Dense(8), layers.Dense(1))],
                         ids=["string_filters", "layers_without_a_list"])
def test_wrong_kinds_of_arguments_are_type_and_value_errors(make):
    # Keras raises TypeError for the first and ValueError for the second; lamina's one error
    # is both, so code catching either keeps working.
    with pytest.raises(TypeError) as error:
        make()
    assert isinstance(error.value, ValueError)


def test_a_variable_assigned_before_super_init_says_to_call_it_first():
    class Early(layers.Layer):
        def __init__(self):
            self.scale = keras.Variable(np.ones(2, "float32"), name="scale")
            super().__init__()

    with pytest.raises(RuntimeError, match=r"In layer 'Early', you forgot to call "
                                           r"`super\(\).__init__\(\)`.*before assigning "
                                           r"`self.scale`"):
        Early()
