"""Wrapper: the base class of layers that take another layer and augment it.

`TimeDistributed` and `SpectralNormalization` are wrappers; as in Keras 3, `Bidirectional`
is a plain layer.

Example:
    >>> class Twice(Wrapper):
    ...     def call(self, inputs):
    ...         return 2 * self.layer(inputs)
    >>> Twice(lamina.layers.Dense(3))(torch.ones(2, 4)).shape
    torch.Size([2, 3])
"""
from __future__ import annotations

from lamina.layers.layer import Layer

__all__ = ["Wrapper"]


class Wrapper(Layer):
    """Abstract base of the layers that wrap another layer (`self.layer`).

    Subclasses write `call`; building builds the wrapped layer for the same input shape,
    and the config holds the wrapped layer's serialized config under "layer".

    Args:
        layer: the `keras.layers.Layer` to wrap.
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Layer {layer} supplied to Wrapper isn't a supported layer type. "
                             f"Please ensure wrapped layer is a valid Keras layer.")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None) -> None:
        if not self.layer.built:
            self.layer.build_from_shape(input_shape)

    def get_config(self) -> dict:
        from lamina.saving.serialization_lib import serialize_keras_object

        return {**super().get_config(), "layer": serialize_keras_object(self.layer)}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from lamina.saving.serialization_lib import deserialize_keras_object

        config = dict(config)
        layer = deserialize_keras_object(config.pop("layer"), custom_objects=custom_objects)
        return cls(layer, **config)
