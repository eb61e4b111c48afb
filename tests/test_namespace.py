"""The top-level names a Keras program reaches through `import lamina as keras`."""
import pytest

import lamina


@pytest.mark.parametrize("name, module", [
    ("Sequential", "lamina.models"), ("Model", "lamina.models"), ("Input", "lamina.layers"),
    ("Layer", "lamina.layers"), ("InputSpec", "lamina.layers"), ("Loss", "lamina.losses"),
    ("Metric", "lamina.metrics"), ("Optimizer", "lamina.optimizers"),
    ("Initializer", "lamina.initializers"), ("Regularizer", "lamina.regularizers"),
    ("DTypePolicy", "lamina.dtype_policies")])
def test_top_level_classes_are_the_family_classes(name, module):
    import importlib

    assert getattr(lamina, name) is getattr(importlib.import_module(module), name)


def test_every_listed_name_resolves():
    for name in lamina.__all__:
        assert getattr(lamina, name) is not None, name


def test_keras_tensor_is_what_input_returns():
    assert isinstance(lamina.Input((3,)), lamina.KerasTensor)


def test_version_function_and_export_submodule():
    assert lamina.version() == lamina.__version__
    assert callable(lamina.export.export_model)


def test_unknown_name_is_an_attribute_error_naming_it():
    with pytest.raises(AttributeError, match="has no attribute 'Dense'"):
        getattr(lamina, "Dense")


def test_get_source_inputs_walks_back_to_the_inputs_depth_first_as_keras():
    a, b = lamina.Input((2,), name="a"), lamina.Input((2,), name="b")
    shared = lamina.layers.Dense(2)(b)
    total = lamina.layers.Add()([shared, a, lamina.layers.Dense(2)(b)])
    assert [t.name for t in lamina.utils.get_source_inputs(total)] == ["b", "a"]
    assert lamina.utils.get_source_inputs(a) == [a]
    assert lamina.backend.is_keras_tensor(total) and not lamina.backend.is_keras_tensor(1.0)


def test_ops_numpy_imports_as_a_module_too():
    import importlib

    module = importlib.import_module("lamina.ops.numpy")
    assert module.mean is lamina.ops.mean
    assert float(module.mean([1.0, 3.0])) == 2.0
