"""compile(loss=...) paired with a multi-output model's outputs, as Keras 3.15 pairs them.

The expected numbers were measured on Keras 3.15 (JAX backend) with the same model: output
"z" is constantly 1 and output "a" constantly 10, targets 0, so mse gives 1 or 100 and mae
1 or 10, and each total says which loss went to which output.
"""
from collections import OrderedDict

import numpy as np
import pytest

import lamina as keras
from lamina import layers

_X = np.ones((4, 2), "float32")
_Y = np.zeros((4, 1), "float32")


def _model(structure):
    inputs = keras.Input((2,))
    hidden = layers.Dense(1, name="d")(inputs)
    z = layers.Lambda(lambda t: t[:, :1] * 0 + 1.0, name="z")(hidden)
    a = layers.Lambda(lambda t: t[:, :1] * 0 + 10.0, name="a")(hidden)
    return keras.Model(inputs, structure(z, a))


def _evaluate(model, y, **compile_args):
    model.compile(**compile_args)
    return model.evaluate(_X, y, verbose=0, return_dict=True)


@pytest.mark.parametrize("y", [{"z": _Y, "a": _Y}, [_Y, _Y]], ids=["dict_y", "list_y"])
def test_a_list_of_losses_pairs_with_dict_outputs_in_sorted_key_order(y):
    # Keras flattens {"z": ..., "a": ...} as ("a", "z"): mse -> a, mae -> z.
    model = _model(lambda z, a: {"z": z, "a": a})
    assert model.output_names == ["a", "z"]
    logs = _evaluate(model, y, loss=["mse", "mae"])
    assert logs == pytest.approx({"a_loss": 100.0, "z_loss": 1.0, "loss": 101.0})


def test_list_loss_weights_pair_with_dict_outputs_in_sorted_key_order():
    model = _model(lambda z, a: {"z": z, "a": a})
    logs = _evaluate(model, {"z": _Y, "a": _Y}, loss=["mse", "mae"], loss_weights=[2.0, 3.0])
    assert logs["loss"] == pytest.approx(203.0)


def test_dict_outputs_keep_an_ordered_dicts_order():
    model = _model(lambda z, a: OrderedDict([("z", z), ("a", a)]))
    assert model.output_names == ["z", "a"]
    logs = _evaluate(model, [_Y, _Y], loss=["mse", "mae"])
    assert logs == pytest.approx({"a_loss": 10.0, "z_loss": 1.0, "loss": 11.0})


@pytest.mark.parametrize("y", [[_Y, _Y], {"a": _Y, "z": _Y}], ids=["list_y", "dict_y"])
def test_a_dict_of_losses_pairs_with_list_outputs_by_output_name(y):
    model = _model(lambda z, a: [z, a])
    assert model.output_names == ["z", "a"]
    logs = _evaluate(model, y, loss={"a": "mse", "z": "mae"})
    assert logs == pytest.approx({"a_loss": 100.0, "z_loss": 1.0, "loss": 101.0})


@pytest.mark.filterwarnings("ignore:The model does not have any trainable weights")
def test_a_subclassed_models_dict_outputs_pair_in_sorted_key_order():
    class TwoHeads(keras.Model):
        def call(self, x):
            return {"z": x[:, :1] * 0 + 1.0, "a": x[:, :1] * 0 + 10.0}

    logs = _evaluate(TwoHeads(), {"z": _Y, "a": _Y}, loss=["mse", "mae"])
    assert logs == pytest.approx({"a_loss": 100.0, "z_loss": 1.0, "loss": 101.0})


def test_each_outputs_loss_is_logged_only_when_two_or_more_outputs_have_a_loss():
    # Keras 3.15: loss={"a": None, "z": "mse"} logs "loss" alone; with both, a_loss and z_loss.
    model = _model(lambda z, a: {"z": z, "a": a})
    logs = _evaluate(model, {"z": _Y, "a": _Y}, loss={"a": None, "z": "mse"})
    assert logs == pytest.approx({"loss": 1.0})
    logs = _evaluate(model, {"z": _Y, "a": _Y}, loss={"a": "mae", "z": "mse"})
    assert logs == pytest.approx({"a_loss": 10.0, "z_loss": 1.0, "loss": 11.0})


def _two_output_model():
    inputs = keras.Input((3,))
    return keras.Model(inputs, [layers.Dense(1, name="a")(inputs),
                                layers.Dense(1, name="b")(inputs)])


# Log keys measured on Keras 3.15 (JAX) for a two-output model compiled with these metrics;
# ["mae"] and ["mae", "mse", "acc"] fail there, and apply to both outputs here (tf.keras).
@pytest.mark.parametrize("metrics, keys", [
    (["mae", "mse"], ["a_loss", "a_mae", "b_loss", "b_mse", "loss"]),
    (("mae", "mse"), ["a_loss", "a_mae", "b_loss", "b_mse", "loss"]),
    ([["mae"], "mse"], ["a_loss", "a_mae", "b_loss", "b_mse", "loss"]),
    ([None, ["mae", "mse"]], ["a_loss", "b_loss", "b_mae", "b_mse", "loss"]),
    (["mae"], ["a_loss", "a_mae", "b_loss", "b_mae", "loss"]),
    (["mae", "mse", "acc"], ["a_acc", "a_loss", "a_mae", "a_mse", "b_acc", "b_loss", "b_mae",
                             "b_mse", "loss"]),
])
def test_a_metrics_list_as_long_as_the_outputs_gives_one_entry_per_output(metrics, keys):
    model = _two_output_model()
    model.compile(optimizer="sgd", loss=["mse", "mse"], metrics=metrics)
    logs = model.evaluate(np.ones((4, 3), "float32"), [np.zeros((4, 1), "float32")] * 2,
                          verbose=0, return_dict=True)
    assert sorted(logs) == keys


def test_nested_metric_lists_of_the_wrong_length_are_refused():
    model = _two_output_model()
    model.compile(optimizer="sgd", loss=["mse", "mse"], weighted_metrics=[["mae"], [], ["mse"]])
    with pytest.raises(ValueError, match="`weighted_metrics` nests lists in 3 entries"):
        model.evaluate(np.ones((4, 3), "float32"), [np.zeros((4, 1), "float32")] * 2, verbose=0)


def test_one_loss_with_a_weight_per_output_is_refused_as_keras_refuses_it():
    model = _model(lambda z, a: [z, a])
    with pytest.raises(ValueError, match=r"^`loss_weights` must match the number of losses, "
                                         r"got 1 losses and 2 weights\. .*loss=\['mse', 'mse'\]"):
        _evaluate(model, [_Y, _Y], loss="mse", loss_weights=[0.9, 0.1])


@pytest.mark.parametrize("loss_weights", [0.5, [0.5]], ids=["scalar", "list_of_one"])
def test_one_loss_and_one_weight_weigh_every_output(loss_weights):
    # Keras 3.15: total = 0.5 * (1 + 100), the broadcast loss carrying the one weight.
    model = _model(lambda z, a: [z, a])
    logs = _evaluate(model, [_Y, _Y], loss="mse", loss_weights=loss_weights)
    assert logs["loss"] == pytest.approx(50.5)


@pytest.mark.parametrize("labels, units, loss", [
    (np.array([0, 2, 1, 1]), 3, 1.09861),          # sparse
    (np.eye(3)[[0, 2, 1, 1]], 3, 1.09861),         # one-hot: categorical
    (np.array([[0.0], [1.0], [1.0], [0.0]]), 1, 0.72408),  # one unit: binary
], ids=["sparse", "categorical", "binary"])
@pytest.mark.parametrize("alias", ["crossentropy", "CE"])
def test_a_crossentropy_loss_alias_follows_the_shapes_as_keras_3(labels, units, loss, alias):
    # Keras 3.15 (jax), same model: sigmoid/softmax of a ones-kernel Dense on ones.
    model = keras.Sequential([keras.Input((2,)), layers.Dense(
        units, activation="softmax" if units > 1 else "sigmoid", kernel_initializer="ones")])
    model.compile(optimizer="sgd", loss=alias)
    logs = model.evaluate(np.full((4, 2), 0.25, "float32"), labels, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(loss, rel=1e-5)


def _two_outputs():
    inputs = keras.Input((4,))
    return keras.Model(inputs, [layers.Dense(1, name="a")(inputs), layers.Dense(1, name="b")(inputs)])


def test_a_metric_object_compiled_again_is_not_prefixed_twice():
    # Keras 3.15 keys: ['a_loss', 'a_mean_absolute_error', 'b_loss', 'loss'] after a recompile.
    model, mae = _two_outputs(), keras.metrics.MeanAbsoluteError()
    x, ys = np.ones((4, 4), "float32"), [np.ones((4, 1), "float32")] * 2
    for _ in range(3):
        model.compile("sgd", ["mse", "mse"], metrics=[[mae], []])
        history = model.fit(x, ys, verbose=0)
    assert sorted(history.history) == ["a_loss", "a_mean_absolute_error", "b_loss", "loss"]


def test_a_weighted_repeat_of_a_metric_is_named_after_its_output_first():
    model = _two_outputs()
    model.compile("sgd", ["mse", "mse"], metrics=[["mae"], ["mae"]],
                  weighted_metrics=[["mae"], ["mse"]])
    history = model.fit(np.ones((4, 4), "float32"), [np.ones((4, 1), "float32")] * 2, verbose=0)
    assert sorted(history.history) == ["a_loss", "a_mae", "a_weighted_mae", "b_loss", "b_mae",
                                       "b_mse", "loss"]
