"""Rescaling: `inputs * scale + offset`, e.g. pixels from [0, 255] to [0, 1]."""
from __future__ import annotations

import numpy as np
import torch

from lamina import backend
from lamina.layers.layer import Layer

__all__ = ["Rescaling"]


class Rescaling(Layer):
    """Multiplies the inputs by `scale` and adds `offset`, in training and inference alike.

    Args:
        scale: a number, or one number per channel (a list or array).
        offset: a number, or one per channel.

    Integer inputs (uint8 images) give float outputs. For channels_first images, a
    per-channel `scale` applies along the channel axis.

    Example:
        >>> Rescaling(1.0 / 127.5, offset=-1.0)(np.array([[0, 255]], dtype="uint8")).tolist()
        [[-1.0, 1.0]]
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True
        # Per-channel values live on the layer's device (moved by .to()), so a call copies
        # nothing from the host; plain numbers stay Python floats.
        self._scale = self._constant("_scale_values", scale)
        self._offset = self._constant("_offset_values", offset)

    def _constant(self, name: str, value):
        if np.ndim(value) == 0:
            return float(value)
        self.register_buffer(name, torch.as_tensor(np.asarray(value), dtype=self._dtype),
                             persistent=False)
        return name

    def _value(self, constant, inputs):
        if isinstance(constant, float):
            return constant
        return self._buffers[constant].to(inputs.dtype)

    def call(self, inputs):
        scale, offset = self._value(self._scale, inputs), self._value(self._offset, inputs)
        if not isinstance(scale, float) and backend.image_data_format() == "channels_first":
            scale = scale.reshape(scale.shape + (1,) * (3 - scale.dim()))
        return inputs * scale + offset

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "scale": _serialize(self.scale),
                "offset": _serialize(self.offset)}

    @classmethod
    def from_config(cls, config: dict) -> Rescaling:
        config = {**config, "scale": _deserialize(config["scale"]),
                  "offset": _deserialize(config["offset"])}
        return cls(**config)


def _serialize(value):
    """Keras' form of a number or array in a config: NumPy arrays as `__numpy__` dicts."""
    if isinstance(value, np.ndarray):
        return {"class_name": "__numpy__",
                "config": {"value": value.tolist(), "dtype": str(value.dtype)}}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, torch.Tensor):
        return _serialize(value.detach().cpu().numpy())
    return value


def _deserialize(value):
    if isinstance(value, dict) and value.get("class_name") == "__numpy__":
        return np.array(value["config"]["value"], dtype=value["config"]["dtype"])
    return value
