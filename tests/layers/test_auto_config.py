"""Keras' automatic config: a custom layer without get_config() saves and reloads with the
plain-valued arguments it was built with; other arguments make saving fail with Keras' error."""
import numpy as np
import pytest

import lamina as keras
from lamina import layers


class Project(layers.Layer):
    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units, self.activation = units, activation

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units))

    def call(self, x):
        return x @ self.w


class Keyworded(layers.Layer):
    def __init__(self, units=2, **kw):
        super().__init__(**kw)
        self.units = units


class Variadic(layers.Layer):
    def __init__(self, *sizes, **kwargs):
        super().__init__(**kwargs)
        self.sizes = sizes


def test_the_config_holds_the_arguments_with_their_defaults():
    config = Project(3, name="p", trainable=False).get_config()
    assert config["units"] == 3 and config["activation"] is None
    assert config["name"] == "p" and config["trainable"] is False


class Plain(layers.Layer):
    def __init__(self, units=2):
        super().__init__()
        self.units = units


def test_the_config_keeps_only_what_init_can_take_back():
    assert Keyworded(5, name="k").get_config()["name"] == "k"
    config = Plain(5).get_config()
    assert config == {"units": 5}
    assert Plain.from_config(config).units == 5


def test_a_subclassed_model_without_get_config_reloads(tmp_path):
    class Head(keras.Model):
        def __init__(self, units):
            super().__init__()
            self.dense = layers.Dense(units)

        def call(self, x):
            return self.dense(x)

    model = Head(2)
    x = np.ones((1, 3), "float32")
    model(x)
    model.save(tmp_path / "head.keras")
    loaded = keras.models.load_model(tmp_path / "head.keras", custom_objects={"Head": Head})
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_a_custom_layer_without_get_config_reloads_with_its_weights(tmp_path):
    model = keras.Sequential([keras.Input((4,)), Project(3)])
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras", custom_objects={"Project": Project})
    assert loaded.layers[0].units == 3
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_unserializable_arguments_stop_the_save_with_keras_error(tmp_path):
    model = keras.Sequential([keras.Input((4,)), Project(np.int64(3))])
    with pytest.raises(NotImplementedError, match="non-serializable argument values"):
        model.save(tmp_path / "m.keras")
    assert not (tmp_path / "m.keras").exists()


def test_variadic_positional_arguments_are_reported():
    with pytest.raises(NotImplementedError, match="variadic positional arguments"):
        Variadic(2, 3).get_config()


def test_a_subclass_of_a_keras_layer_keeps_that_layers_config():
    class Wider(layers.Dense):
        def __init__(self, factor, **kwargs):
            super().__init__(units=4 * factor, **kwargs)

    config = Wider(2).get_config()
    assert config["units"] == 8 and "factor" not in config
