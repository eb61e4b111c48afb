"""Keras' top-level name_scope, StatelessScope, SymbolicScope, remat, RematScope, Operation and
Function."""
import numpy as np
import pytest
import torch

import lamina as keras
from lamina.utils import remat as remat_module
from lamina.utils import scopes


def test_name_scope_prefixes_weight_paths_and_nests():
    with keras.name_scope("outer"):
        first = keras.layers.Dense(2)
        first.build((None, 3))
        with keras.name_scope("inner"):
            second = keras.layers.Dense(2, name="head")
            second.build((None, 3))
    third = keras.layers.Dense(2)
    third.build((None, 3))
    assert first.kernel.path == "outer/dense/kernel"
    assert second.bias.path == "outer/inner/head/bias"
    assert third.kernel.path == "dense_1/kernel"


def test_name_scope_override_parent_reuse_and_errors():
    scope = keras.name_scope("block", override_parent="root")
    with keras.name_scope("ignored"), scope:
        layer = keras.layers.Dense(1, name="d")
        layer.build((None, 1))
    assert layer.kernel.path == "root/block/d/kernel"
    with pytest.raises(ValueError, match="cannot contain character `/`. Received: name=a/b"):
        keras.name_scope("a/b")


def test_name_scope_prefixes_a_sequential_built_inside():
    with keras.name_scope("tower"):
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    assert model.weights[0].path.startswith("tower/")


def test_stateless_scope_keeps_variables_unchanged():
    variable = keras.Variable(np.ones(2), name="v")
    with keras.StatelessScope(state_mapping=[(variable, np.zeros(2))]) as scope:
        assert scopes.in_stateless_scope() and scopes.get_stateless_scope() is scope
        assert variable.numpy().tolist() == [0.0, 0.0]
        variable.assign(variable + 5)
        assert scope.get_current_value(variable).tolist() == [5.0, 5.0]
        scope.add_loss(torch.tensor(1.0))
    assert not scopes.in_stateless_scope()
    assert variable.numpy().tolist() == [1.0, 1.0]
    assert scope.get_current_value(variable).tolist() == [5.0, 5.0]
    assert scope.get_current_value(keras.Variable(np.ones(1))) is None
    assert scope.losses == []
    collecting = keras.StatelessScope(collect_losses=True)
    collecting.add_loss(3.0)
    collecting.add_update(variable, [7.0, 7.0])
    assert collecting.losses == [3.0] and collecting.get_current_value(variable).tolist() == [
        7.0, 7.0]


def test_symbolic_scope_nests():
    assert not scopes.in_symbolic_scope()
    with keras.SymbolicScope(), keras.SymbolicScope():
        assert scopes.in_symbolic_scope()
    assert not scopes.in_symbolic_scope()


def test_remat_recomputes_with_the_same_gradients():
    layer = keras.layers.Dense(4, activation="tanh")
    x = torch.randn(3, 5, requires_grad=True)
    expected = torch.autograd.grad(layer(x).sum(), x)[0]
    checkpointed = keras.remat(layer)
    assert checkpointed(x).grad_fn is not None
    torch.testing.assert_close(torch.autograd.grad(checkpointed(x).sum(), x)[0], expected)
    inputs = keras.Input((5,))
    assert keras.remat(keras.layers.Dense(2))(inputs).shape == (None, 2)


def test_remat_inside_a_trained_layer():
    class Block(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(4, activation="relu")
            self.run = keras.remat(self.dense)

        def call(self, x):
            return self.run(x)

    model = keras.Sequential([keras.Input((3,)), Block(), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(np.ones((8, 3)), np.ones((8, 1)), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_remat_scope_records_modes_and_validates():
    assert remat_module.get_current_remat_mode() is None
    with keras.RematScope(mode="full"):
        with keras.RematScope(mode="list_of_layers", layer_names=["dense_1"]):
            assert remat_module.get_current_remat_mode().layer_names == ["dense_1"]
        assert remat_module.get_current_remat_mode().mode == "full"
    with pytest.raises(ValueError, match="Invalid mode 'everything'"):
        keras.RematScope(mode="everything")


def test_layers_are_operations_and_functional_models_are_functions():
    inputs = keras.Input((3,))
    outputs = keras.layers.Dense(2)(inputs)
    model = keras.Model(inputs, outputs)
    assert isinstance(keras.layers.Dense(1), keras.Operation)
    assert isinstance(model, keras.Operation) and isinstance(model, keras.Function)
    assert not isinstance(keras.Sequential(), keras.Function)
    assert not isinstance(object(), keras.Operation)


def test_function_runs_its_graph_and_keeps_the_output_structure():
    a, b = keras.Input((2,), name="a"), keras.Input((2,), name="b")
    total = keras.layers.Add()([a, b])
    function = keras.Function([a, b], [total], name="fn")
    assert function.name == "fn" and function.inputs == [a, b] and function.outputs == [total]
    assert [op.name for op in function.operations] == ["a", "b", "add"]
    result = function([np.ones((1, 2), "float32"), np.full((1, 2), 2.0, "float32")])
    assert isinstance(result, list) and result[0].tolist() == [[3.0, 3.0]]
    single = keras.Function(a, keras.layers.Dense(3)(a))
    assert single.name == "function" and single(torch.ones(4, 2)).shape == (4, 3)
    assert keras.Function(a, a * 2)(torch.ones(1, 2)).tolist() == [[2.0, 2.0]]


def test_operation_subclass_runs_eagerly_and_symbolically():
    class Square(keras.Operation):
        def call(self, x):
            return x * x

    square = Square()
    assert square.name == "square" and Square().name == "square_1"
    assert square(torch.tensor([3.0])).tolist() == [9.0]
    inputs = keras.Input((4,))
    model = keras.Model(inputs, square(inputs))
    assert model(torch.full((2, 4), 2.0)).tolist() == [[4.0] * 4] * 2
    assert square.get_config() == {"name": "square"}
    with pytest.raises(NotImplementedError, match="must implement `call`"):
        keras.Operation()(1)
