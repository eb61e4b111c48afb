"""The parts a `FeatureSpace` is made of: `Feature` and `Cross` specs, its two data layers,
and the dict of layers it keeps them in; each (de)serializes under the module name Keras
gives it, so `.keras` files move between lamina and Keras.

Example:
    >>> cross = Cross(("sex", "age"), crossing_dim=64)
    >>> cross.name, serialize_spec(cross)["registered_name"]
    ('sex_X_age', 'Cross')
"""
from __future__ import annotations

import torch
from torch import nn

from lamina.layers.layer import Layer

__all__ = ["Cross", "Feature", "LayerDict", "TFDConcat", "TFDIdentity", "deserialize_spec",
           "serialize_spec"]

# Where Keras defines these classes: its files name them so, and lamina writes the same.
_KERAS_MODULE = "keras.src.layers.preprocessing.feature_space"


class Cross:
    """A feature cross: the named features hashed together into `crossing_dim` bins."""

    def __init__(self, feature_names, crossing_dim, output_mode="one_hot"):
        if output_mode not in {"int", "one_hot"}:
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of "
                             f"{{'int', 'one_hot'}}. Received: output_mode={output_mode}")
        self.feature_names = tuple(feature_names)
        self.crossing_dim = crossing_dim
        self.output_mode = output_mode

    @property
    def name(self) -> str:
        return "_X_".join(self.feature_names)

    def get_config(self) -> dict:
        return {"feature_names": self.feature_names, "crossing_dim": self.crossing_dim,
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config: dict) -> Cross:
        return cls(**config)


class Feature:
    """A feature: its input dtype, its preprocessing layer, and how its output is encoded."""

    def __init__(self, dtype, preprocessor, output_mode):
        if output_mode not in {"int", "one_hot", "float"}:
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of "
                             f"{{'int', 'one_hot', 'float'}}. Received: output_mode={output_mode}")
        self.dtype = dtype
        if isinstance(preprocessor, dict):
            preprocessor = deserialize_spec(preprocessor)
        self.preprocessor = preprocessor
        self.output_mode = output_mode

    def get_config(self) -> dict:
        return {"dtype": self.dtype, "preprocessor": serialize_spec(self.preprocessor),
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config: dict) -> Feature:
        return cls(**config)


class TFDIdentity(Layer):
    """The preprocessor of a plain float feature: passes its values through."""

    def call(self, inputs):
        return inputs


class TFDConcat(Layer):
    """Joins the encoded features along `axis`."""

    def __init__(self, axis, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs):
        return torch.cat(list(inputs), dim=self.axis)

    def compute_output_shape(self, input_shape):
        shapes = [tuple(s) for s in input_shape]
        widths = [s[self.axis] for s in shapes]
        width = None if None in widths else sum(widths)
        axis = self.axis % len(shapes[0])
        return shapes[0][:axis] + (width,) + shapes[0][axis + 1:]

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


_LOCAL_CLASSES = {"Cross": Cross, "Feature": Feature, "TFDIdentity": TFDIdentity,
                  "TFDConcat": TFDConcat}


class LayerDict(nn.ModuleDict):
    """A dict of layers that torch and the `.keras` writer see; any column name is a key
    (a ModuleDict refuses names of its own attributes, such as 'type' or 'keys')."""

    def __setitem__(self, key: str, module: nn.Module) -> None:
        self._modules[key] = module

    def get(self, key: str, default=None):
        return self._modules.get(key, default)


def serialize_spec(obj) -> dict:
    """Keras' dict for `obj`; this module's classes under the module name Keras gives them."""
    from lamina.saving.serialization_lib import serialize_keras_object

    config = serialize_keras_object(obj)
    if type(obj).__name__ in _LOCAL_CLASSES and type(obj) is _LOCAL_CLASSES[type(obj).__name__]:
        config.update(module=_KERAS_MODULE, registered_name=type(obj).__name__)
    return config


def deserialize_spec(config: dict):
    """Rebuilds a Feature, Cross or TFDIdentity from Keras' dict (other objects as usual)."""
    from lamina.saving.serialization_lib import deserialize_keras_object

    local = _LOCAL_CLASSES.get(config.get("class_name"))
    if local is None or config.get("module") not in (_KERAS_MODULE, __name__):
        return deserialize_keras_object(config)
    instance = local.from_config(config["config"])
    if isinstance(instance, Layer) and config.get("build_config"):
        instance.build_from_config(config["build_config"])
    return instance
