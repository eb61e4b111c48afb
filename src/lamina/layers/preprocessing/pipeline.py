"""Pipeline: applies a list of layers in turn, outside the model graph (Keras' `Pipeline`)."""
from __future__ import annotations

import inspect

from lamina.layers.layer import Layer

__all__ = ["Pipeline"]


class Pipeline(Layer):
    """Calls `layers` one after the other on images (or Keras' `{"images", "labels"}` dicts).

    Unlike a Sequential model it is a plain layer: it builds no graph, so it can chain
    preprocessing layers on dicts, e.g. `Pipeline([RandomFlip(), MixUp()])`. `training`
    (True by default, as for the image layers) is passed to each layer that takes it.

    Args:
        layers: the layers, in the order they apply.
        name: the layer's name.

    Example:
        >>> pipeline = Pipeline([lamina.layers.AutoContrast(),
        ...                      lamina.layers.RandomInvert(factor=(1.0, 1.0))])
        >>> pipeline(torch.tensor([50.0, 150.0]).reshape(1, 1, 2, 1)).flatten().tolist()
        [255.0, 0.0]
    """

    def __init__(self, layers, name: str | None = None):
        super().__init__(name=name)
        self._pipeline_layers = list(layers)

    @property
    def layers(self) -> list:
        """The layers of the pipeline, in order."""
        return list(self._pipeline_layers)

    def call(self, inputs, training=True):
        for layer in self._pipeline_layers:
            if training is not None and _takes_training(layer):
                inputs = layer(inputs, training=training)
            else:
                inputs = layer(inputs)
        return inputs

    def compute_output_shape(self, input_shape):
        for layer in self._pipeline_layers:
            input_shape = layer.compute_output_shape(input_shape)
        return input_shape

    def get_config(self) -> dict:
        from lamina.saving.serialization_lib import serialize_keras_object

        return {"layers": [serialize_keras_object(layer) for layer in self._pipeline_layers],
                "name": self.name}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None) -> "Pipeline":
        from lamina.saving.serialization_lib import deserialize_keras_object

        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError("`Pipeline` config must contain a `layers` key mapping to a list of "
                             f"serialized layers. Received config with layers={layers}.")
        config = {**config, "layers": [deserialize_keras_object(layer, custom_objects)
                                       for layer in layers]}
        return cls(**config)


def _takes_training(layer) -> bool:
    parameters = inspect.signature(layer.call).parameters
    return "training" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())
