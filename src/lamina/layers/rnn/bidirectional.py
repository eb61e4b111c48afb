"""Bidirectional: runs a recurrent layer forwards and a copy of it backwards, and merges the two.

Example:
    >>> layer = Bidirectional(lamina.layers.LSTM(4, return_sequences=True, name="lstm"))
    >>> layer(torch.ones(2, 10, 8)).shape
    torch.Size([2, 10, 8])
    >>> layer.forward_layer.name, layer.backward_layer.name
    ('forward_lstm', 'backward_lstm')
"""
from __future__ import annotations

import copy

import torch

from lamina.layers.layer import Layer

__all__ = ["Bidirectional"]

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


class Bidirectional(Layer):
    """Bidirectional wrapper for RNNs.

    Args:
        layer: an RNN layer (LSTM, GRU, SimpleRNN, RNN(...)) to copy for the forward direction.
        merge_mode: how the two directions combine: 'concat' (default), 'sum', 'mul', 'ave',
            or None (a list of both outputs).
        weights: initial weights, forward layer's then backward layer's.
        backward_layer: the backward layer (default: a copy of `layer` with go_backwards=True).

    Call arguments:
        sequences, mask, training: passed to both layers.
        initial_state: forward states then backward states (e.g. `[h_f, c_f, h_b, c_b]`).

    Example:
        >>> Bidirectional(lamina.layers.GRU(3), merge_mode="sum")(torch.ones(2, 5, 4)).shape
        torch.Size([2, 3])
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        from lamina.saving.serialization_lib import deserialize_keras_object, serialize_keras_object

        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `Bidirectional` layer with a `keras.layers.Layer` "
                             f"instance. Received: {layer!r}")
        if not hasattr(layer, "go_backwards") and backward_layer is None:
            raise TypeError(f"`Bidirectional` runs a recurrent layer over the sequence both ways, "
                            f"but received layer '{layer.name}' of type {type(layer).__name__}, "
                            f"which has no `go_backwards`. Wrap an RNN layer, e.g. "
                            f"`Bidirectional(LSTM(64))`, and put {type(layer).__name__} after it.")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(f"`backward_layer` need to be a `keras.layers.Layer` instance. "
                             f"Received: {backward_layer!r}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode!r}. Merge mode should be "
                             f'one of {{"sum", "mul", "ave", "concat", None}}')
        super().__init__(**kwargs)
        config = serialize_keras_object(layer)
        config["config"]["name"] = f"forward_{layer.name.removeprefix('forward_')}"
        self.forward_layer = deserialize_keras_object(config)
        if backward_layer is None:
            config = serialize_keras_object(layer)
            config["config"]["go_backwards"] = True
            config["config"]["name"] = f"backward_{layer.name.removeprefix('backward_')}"
            backward_layer = deserialize_keras_object(config)
        self.backward_layer = backward_layer
        if hasattr(layer, "use_cudnn"):
            self.forward_layer.use_cudnn = self.backward_layer.use_cudnn = layer.use_cudnn
        self._verify_layer_config()
        for direction in (self.forward_layer, self.backward_layer):
            # Keras zeroes masked outputs so the reversed sequence lines up with the forward one.
            if getattr(direction, "zero_output_for_mask", None) is not None:
                direction.zero_output_for_mask = direction.return_sequences
        self.merge_mode = merge_mode
        self._initial_weights = weights
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self.input_spec = layer.input_spec

    def _verify_layer_config(self) -> None:
        forward, backward = self.forward_layer, self.backward_layer
        if forward.go_backwards == backward.go_backwards:
            raise ValueError(f"Forward layer and backward layer should have different `go_backwards` "
                             f"value. Received: forward_layer.go_backwards {forward.go_backwards}, "
                             f"backward_layer.go_backwards={backward.go_backwards}")
        for attribute in ("stateful", "return_sequences", "return_state"):
            forward_value, backward_value = getattr(forward, attribute), getattr(backward, attribute)
            if forward_value != backward_value:
                raise ValueError(f"Forward layer and backward layer are expected to have the same "
                                 f'value for attribute "{attribute}", got "{forward_value}" for '
                                 f'forward layer and "{backward_value}" for backward layer')

    def build(self, sequences_shape, initial_state_shape=None) -> None:
        self.forward_layer.build_from_shape(sequences_shape)
        self.backward_layer.build_from_shape(sequences_shape)
        if self._initial_weights:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def call(self, sequences, initial_state=None, mask=None, training=None):
        forward_kwargs, backward_kwargs = {"training": training}, {"training": training}
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_kwargs["initial_state"] = list(initial_state[:half])
            backward_kwargs["initial_state"] = list(initial_state[half:])
        if mask is not None:
            forward_kwargs["mask"] = backward_kwargs["mask"] = mask
        y = self.forward_layer(sequences, **forward_kwargs)
        y_reversed = self.backward_layer(sequences, **backward_kwargs)
        states = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_reversed[1:])
            y, y_reversed = y[0], y_reversed[0]
        if self.return_sequences:
            y_reversed = y_reversed.flip(1)
        if self.merge_mode == "concat":
            output = (torch.cat([y, y_reversed], dim=-1),)
        elif self.merge_mode == "sum":
            output = (y + y_reversed,)
        elif self.merge_mode == "ave":
            output = ((y + y_reversed) / 2,)
        elif self.merge_mode == "mul":
            output = (y * y_reversed,)
        else:
            output = (y, y_reversed)
        result = output + states
        return result[0] if len(result) == 1 else result

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        output_shape = self.forward_layer.compute_output_shape(sequences_shape)
        state_shapes = ()
        if self.return_state:
            output_shape, state_shapes = output_shape[0], tuple(output_shape[1:])
        if self.merge_mode == "concat":
            output_shape = tuple(output_shape[:-1]) + (output_shape[-1] * 2,)
        outputs = (output_shape, output_shape) if self.merge_mode is None else (tuple(output_shape),)
        result = outputs + state_shapes + state_shapes
        return result[0] if len(result) == 1 else result

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        masks = [output_mask] * (2 if self.merge_mode is None else 1)
        if self.return_state:
            state_count = len(self.forward_layer.compute_mask(inputs, mask)) - 1
            masks += [None] * (2 * state_count)
        return masks[0] if len(masks) == 1 else masks

    @property
    def states(self):
        if self.forward_layer.states and self.backward_layer.states:
            return tuple(self.forward_layer.states + self.backward_layer.states)
        return None

    def reset_state(self) -> None:
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    reset_states = reset_state

    def get_config(self) -> dict:
        from lamina.saving.serialization_lib import serialize_keras_object

        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": serialize_keras_object(self.forward_layer),
                "backward_layer": serialize_keras_object(self.backward_layer)}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        from lamina.saving.serialization_lib import deserialize_keras_object

        config = copy.deepcopy(config)
        config["layer"] = deserialize_keras_object(config["layer"], custom_objects=custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = deserialize_keras_object(backward, custom_objects=custom_objects)
        return cls(**config)
