"""Model construction slips and subclassing rules from the Keras guides."""
import numpy as np
import pytest

import lamina
from lamina import layers


class VariationalAutoEncoder(lamina.Model):
    """The Keras guide's subclassed model: positional constructor arguments of its own."""

    def __init__(self, original_dim, intermediate_dim=64, latent_dim=32, name="autoencoder", **kwargs):
        super().__init__(name=name, **kwargs)
        self.encoder = layers.Dense(intermediate_dim, activation="relu")
        self.latent = layers.Dense(latent_dim)
        self.decoder = layers.Dense(original_dim, activation="sigmoid")

    def call(self, inputs):
        return self.decoder(self.latent(self.encoder(inputs)))


@pytest.mark.parametrize("args", [(784, 64, 32), (784, 64), (784,)])
def test_subclassed_model_with_positional_arguments(args):
    model = VariationalAutoEncoder(*args)
    assert model.name == "autoencoder"
    assert tuple(model(np.zeros((2, 784), dtype="float32")).shape) == (2, 784)


def test_subclass_passing_inputs_and_outputs_becomes_functional():
    class WithStep(lamina.Model):
        pass

    inputs = lamina.Input((3,))
    model = WithStep(inputs, layers.Dense(2)(inputs))
    assert isinstance(model, WithStep) and model.output_shape == (None, 2)


def test_sequential_layers_not_in_a_list():
    with pytest.raises(TypeError) as error:
        lamina.Sequential(layers.Dense(8), layers.Dense(2))
    assert "Put them in square brackets: `Sequential([Dense(8), Dense(2)])`" in str(error.value)


def test_input_shape_with_the_batch_axis_says_to_drop_it():
    x = np.zeros((100, 28, 28), dtype="float32")
    model = lamina.Sequential([layers.Flatten(input_shape=x.shape), layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"includes the batch axis .*input_shape=\(28, 28\).*x_train\.shape\[1:\]"):
        model.fit(x, np.zeros(100), verbose=0)


def test_set_weights_names_the_layer_not_the_model():
    model = lamina.Sequential([layers.Dense(4, input_shape=(3,), name="hidden"), layers.Dense(2)])
    with pytest.raises(ValueError) as error:
        model.set_weights([np.zeros((3, 5)), np.zeros(4), np.zeros((4, 2)), np.zeros(2)])
    assert str(error.value).startswith("Layer 'hidden' weight shape (3, 4) is not compatible with "
                                       "provided weight shape (3, 5) (weight 'kernel' of model")


@lamina.saving.register_keras_serializable(package="lamina_tests")
class _FunctionalSubclass(lamina.Model):
    """Keras' functional subclassing: the graph made in __init__, passed to super()."""

    def __init__(self, units=2, **kwargs):
        inputs = lamina.Input((4,))
        super().__init__(inputs=inputs, outputs=lamina.layers.Dense(units)(inputs), **kwargs)
        self.units = units

    def get_config(self):
        return {"units": self.units, "name": self.name}


def test_a_functional_subclass_stays_its_own_class_and_saves_registered(tmp_path):
    from lamina.models.functional import Functional

    model = _FunctionalSubclass()
    assert type(model) is _FunctionalSubclass and isinstance(model, Functional)
    assert type(model).__mro__[1] is Functional  # as Keras injects Functional for Model
    model.save(tmp_path / "sub.keras")
    loaded = lamina.models.load_model(tmp_path / "sub.keras")
    assert type(loaded) is _FunctionalSubclass
    x = np.ones((1, 4), "float32")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
