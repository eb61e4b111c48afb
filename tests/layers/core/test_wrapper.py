"""Wrapper: the base of Keras' layer wrappers (TimeDistributed, SpectralNormalization)."""
import pytest

from lamina import layers


def test_wrapper_is_the_base_of_keras_wrappers():
    assert issubclass(layers.SpectralNormalization, layers.Wrapper)
    assert issubclass(layers.TimeDistributed, layers.Wrapper)
    assert not issubclass(layers.Bidirectional, layers.Wrapper)  # as in Keras 3
    with pytest.raises(ValueError, match="Layer 3 supplied to Wrapper isn't a supported layer"):
        layers.Wrapper(3)
    wrapper = layers.Wrapper(layers.Dense(2, name="inner"), name="outer")
    wrapper.build_from_shape((None, 3))
    assert wrapper.layer.kernel.shape == (3, 2)
    config = wrapper.get_config()
    assert config["layer"]["class_name"] == "Dense" and config["name"] == "outer"
    clone = layers.Wrapper.from_config(config)
    assert clone.layer.name == "inner" and config["layer"]["config"]["name"] == "inner"
