"""KerasTensor: Python operators, methods and attributes behave as Keras 3's symbolic tensors."""
import numpy as np
import pytest

import lamina as keras
from lamina import ops

_DATA = np.arange(8.0, dtype="float32").reshape(2, 4) - 3.0  # -3 .. 4, a zero among them


def _expressions(x):
    """Each expression beside what NumPy computes for it on `_DATA`."""
    d = _DATA
    with np.errstate(divide="ignore"):
        floor = np.floor_divide(3, d)
    return [
        (3 // x, floor),  # inf where x is 0, as NumPy
        (3 % x, np.mod(3, d)),
        ((x > 0) ^ (x > 1), (d > 0) ^ (d > 1)),
        (True & (x > 0), d > 0),
        (False | (x > 0), d > 0),
        (round(x / 2), np.round(d / 2)),
        (x != 0, d != 0),
        (np.ones(4, "float32") + x, 1 + d),
        (x.reshape((-1, 2, 2)), d.reshape(-1, 2, 2)),
        (x[:, :1].squeeze(), d[:, 0]),
    ]


def test_operators_and_methods_record_graph_nodes_that_compute_numpys_values():
    x = keras.Input((4,))
    pairs = _expressions(x)
    model = keras.Model(x, [ops.cast(symbolic, "float32") for symbolic, _ in pairs])
    results = model.predict(_DATA, verbose=0)
    for (symbolic, expected), result in zip(pairs, results):
        assert symbolic.shape == (None,) + expected.shape[1:]
        np.testing.assert_allclose(result, expected.astype("float32"), equal_nan=True)


def test_not_equal_gives_a_tensor_while_equality_stays_identity_as_in_keras():
    x = keras.Input((4,))
    assert (x != 0).dtype == "bool" and (x != 0).shape == (None, 4)
    assert (x == x) is True and (x == keras.Input((4,))) is False
    assert len({x, x}) == 1


def test_reflected_and_new_operations_save_as_keras_operation_classes(tmp_path):
    x = keras.Input((4,), name="x")
    model = keras.Model(x, [2 // x, x != 1, (x > 0) ^ (x > 2)])
    entries = {entry["class_name"]: entry for entry in model.get_config()["layers"]}
    assert sorted(entries) == ["FloorDivide", "Greater", "InputLayer", "LogicalXor", "NotEqual"]
    floor = entries["FloorDivide"]["inbound_nodes"][0]["args"]
    assert floor[0] == 2 and floor[1]["class_name"] == "__keras_tensor__"  # Keras' order
    model.save(tmp_path / "ops.keras")
    loaded = keras.models.load_model(tmp_path / "ops.keras")
    for before, after in zip(model.predict(_DATA, verbose=0), loaded.predict(_DATA, verbose=0)):
        np.testing.assert_array_equal(before, after)


def test_attributes_and_repr_are_keras():
    x = keras.Input((3,), name="a")
    assert repr(x) == "<KerasTensor shape=(None, 3), dtype=float32, sparse=False, ragged=False, name=a>"
    assert (x.sparse, x.ragged) == (False, False)
    assert keras.Input((3,), sparse=True).sparse is True


@pytest.mark.parametrize("convert, what", [(int, "an int"), (float, "a float"),
                                           (np.asarray, "a NumPy array"), (np.mean, "a NumPy array")])
def test_a_keras_tensor_has_no_value_to_convert(convert, what):
    with pytest.raises(ValueError, match=f"^A KerasTensor is symbolic: it's a placeholder for a "
                                         f"shape an a dtype. It doesn't have any actual "
                                         f"numerical value. You cannot convert it to {what}.$"):
        convert(keras.Input((3,)))
