"""`Sequential`: a plain stack of layers, each with one input and one output."""
from __future__ import annotations

import torch
from torch import nn

from lamina import backend, dtype_policies
from lamina.layers.core.input_layer import (Input, InputLayer, adjust_input_rank,
                                            check_input_rank, unwrap_single_input)
from lamina.layers.layer import Layer
from lamina.models.functional import check_input_shapes, with_batch
from lamina.models.model import Model
from lamina.ops.keras_tensor import KerasTensor
from lamina.utils.errors import ArgumentKindError
from lamina.utils.naming import unique_name

__all__ = ["Sequential"]


class Sequential(Model):
    """A linear stack of layers.

    The model builds as soon as the input shape is known: from an `Input`/`InputLayer`, from
    the first layer's `input_shape=`, or else from the first batch of data.

    Args:
        layers: the layers, in order.
        name: the model's name (any Unicode text).

    Example:
        >>> model = Sequential([
        ...     lamina.Input((28, 28)),
        ...     lamina.layers.Flatten(),
        ...     lamina.layers.Dense(100, activation="relu"),
        ...     lamina.layers.Dense(10, activation="softmax"),
        ... ])
        >>> model.count_params()
        79510
    """

    _state_locked_when_built = False  # mutable after build, as Keras' is

    def __init__(self, layers=None, trainable: bool = True, name: str | None = None, **kwargs):
        _check_layers_argument(layers, trainable, name, kwargs)
        super().__init__(trainable=trainable, name=name, **kwargs)
        self._stack = nn.ModuleList()
        self._input_batch_shape = None
        self._input_layer = None
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_build_from_declared_shape()

    @property
    def layers(self) -> list[Layer]:
        return list(self._stack)

    def _sublayers(self) -> list[Layer]:
        return list(self._stack)

    def add(self, layer, rebuild: bool = True) -> None:
        """Appends a layer (an `Input(...)` tensor declares the input shape instead).

        Example:
            >>> model = Sequential()
            >>> model.add(lamina.Input((784,)))
            >>> model.add(lamina.layers.Dense(10))
        """
        if isinstance(layer, KerasTensor):
            layer = layer.history[0]
        if isinstance(layer, InputLayer):
            if self._stack or self._input_batch_shape is not None:
                raise ValueError("An Input/InputLayer must be the first thing added to a Sequential "
                                 "model; this model already has layers or an input. Put it first: "
                                 "`Sequential([keras.Input(shape), Dense(...), ...])`.")
            self._input_batch_shape = layer.batch_shape
            self._input_layer = layer
        elif not isinstance(layer, Layer):
            hint = (f" `{layer.__name__}` is the layer class: add an instance, e.g. "
                    f"`model.add({layer.__name__}(...))`." if isinstance(layer, type) else
                    " The layers are nested in a second list: pass one flat list, "
                    "`Sequential([Dense(4), Dense(1)])`." if isinstance(layer, (list, tuple)) else "")
            raise ValueError(f"Only instances of `lamina.layers.Layer` can be added to a Sequential "
                             f"model. Received: {layer!r} (of type {type(layer).__name__}).{hint}")
        else:
            if any(existing is layer for existing in self._stack):
                raise ValueError(f"Layer '{layer.name}' is already in this model; create a new "
                                 f"layer to use it twice.")
            if any(existing.name == layer.name for existing in self._stack):
                raise ValueError(f"All layers added to a Sequential model should have unique names. "
                                 f"Name '{layer.name}' is already the name of a layer in this model. "
                                 f"Update the `name` argument to pass a unique name.")
            self._stack.append(layer)
        if rebuild:
            self._maybe_build_from_declared_shape()

    def pop(self) -> Layer:
        """Removes and returns the last layer."""
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        layer = self._stack[-1]
        del self._stack[-1]
        self.built = False
        self._maybe_build_from_declared_shape()
        return layer

    def _declared_input_shape(self):
        if self._input_batch_shape is not None:
            return self._input_batch_shape
        if self._stack and self._stack[0].input_shape_arg is not None:
            return self._stack[0].input_shape_arg
        first = self._stack[0] if self._stack else None
        if isinstance(first, Model) and first.built and len(getattr(first, "inputs", []) or []) == 1:
            # A built model as the first layer declares its input, as Keras' _maybe_rebuild
            # reads it: the stack builds with a None batch, not the first data's.
            return tuple(first.inputs[0].shape)
        return None

    def _maybe_build_from_declared_shape(self) -> None:
        shape = self._declared_input_shape()
        if shape is not None and self._stack:
            self.built = False
            self.build_from_shape(shape)

    def build(self, input_shape=None) -> None:
        """Builds every layer in turn by calling the stack on a symbolic `Input`.

        This records the graph, so `model.inputs`, `model.outputs` and `layer.output` work
        as in Keras (e.g. for a feature extractor `Model(model.inputs, layer.output)`).
        """
        if not self._stack and self._input_layer is None:
            raise ValueError(f"Sequential model {self.name} cannot be built because it has no "
                             "layers. Call `model.add(layer)`.")
        input_shape = input_shape or self._declared_input_shape()
        if input_shape is None:
            raise ValueError(f"Sequential model '{self.name}' cannot build without an input shape: "
                             f"call model.build((None, features)) or add an Input(shape=...) first.")
        self._forget_graph()
        shape = tuple(input_shape)  # a build from data keeps its batch size, as in Keras
        if self._input_layer is not None and self._input_layer.batch_shape[1:] == shape[1:]:
            inputs = self._input_layer.output  # the user's own Input keeps its name
        else:
            inputs = Input(batch_shape=shape, dtype=getattr(self, "_call_input_dtype", None))
        outputs = inputs
        for layer in self._stack:
            try:
                outputs = layer(outputs)
            except ValueError as error:
                if isinstance(outputs, (list, tuple)):  # the layer before returned several
                    raise
                raise _same_kind(error, f"Layer '{layer.name}' of model '{self.name}' cannot take "
                                        f"inputs of shape {outputs.shape}: {error}") from error
        self._graph_inputs, self._graph_outputs = [inputs], [outputs]
        self._output_shape = outputs.shape
        # Keras' Sequential wraps each build in a `Functional`, which takes the next automatic
        # model name: a later `keras.Model(...)` is "functional_1", not "functional".
        unique_name("functional")

    def build_from_call_arguments(self, args, kwargs) -> None:
        """Builds on the first call; text data gives the InputLayer dtype 'string'."""
        inputs = args[0] if args else kwargs.get("inputs")
        self._call_input_dtype = "string" if backend.is_string_data(inputs) else None
        super().build_from_call_arguments(args, kwargs)

    def _forget_graph(self) -> None:
        """Drops the nodes a previous build recorded, so `layer.output` stays unambiguous."""
        for output in getattr(self, "_graph_outputs", []):
            node = output.node
            while node is not None and not isinstance(node.layer, InputLayer):
                parents = node.parent_nodes
                node.detach()
                node = parents[0] if parents else None
        self._graph_inputs, self._graph_outputs = [], []

    @property
    def inputs(self) -> list:
        return list(getattr(self, "_graph_inputs", []))

    @property
    def outputs(self) -> list:
        return list(getattr(self, "_graph_outputs", []))

    @property
    def input(self):
        """The symbolic input of the built model (an AttributeError before it is built)."""
        return self.inputs[0] if self.inputs else Layer.input.fget(self)

    @property
    def output(self):
        """The symbolic output of the built model."""
        return self.outputs[0] if self.outputs else Layer.output.fget(self)

    @property
    def input_shape(self):
        return self._declared_input_shape() or self._build_shapes

    @property
    def output_shape(self):
        return getattr(self, "_output_shape", None)

    def call(self, inputs, training=None):
        inputs = unwrap_single_input(inputs)
        declared = self._declared_input_shape()
        if declared is not None and isinstance(inputs, torch.Tensor):
            inputs = adjust_input_rank(inputs, declared)
            check_input_rank(inputs, declared, self._input_name())
        for layer in self._stack:
            inputs = layer(inputs, training=training)
        return inputs

    def _input_name(self) -> str:
        return self.inputs[0].history[0].name if self.inputs else "input_layer"

    def compute_output_shape(self, input_shape):
        if not self.built:
            self.build_from_shape(input_shape)
        declared = self._declared_input_shape()
        if declared is not None:
            check_input_shapes(self, [tuple(declared)], input_shape)
        # A model built on a batch of data keeps that batch size; a call keeps the caller's.
        batch = tuple(input_shape)[0] if input_shape else None
        return with_batch(self._output_shape, batch)

    def get_config(self) -> dict:
        """Keras' Sequential config: the InputLayer (once built) and each layer, serialized."""
        from lamina.saving.serialization_lib import serialize_keras_object

        layers = [serialize_keras_object(layer) for layer in self._stack]
        if self.inputs:
            input_layer = serialize_keras_object(self.inputs[0].history[0])
            input_layer.pop("build_config", None)
            layers.insert(0, input_layer)
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": dtype_policies.serialize(self.dtype_policy),
                  "layers": layers}
        if self.built and self._build_shapes is not None:
            config["build_input_shape"] = [None] + list(self._build_shapes)[1:]
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Sequential":
        from lamina.saving.serialization_lib import deserialize_keras_object

        layers = [deserialize_keras_object(c, custom_objects) for c in config.get("layers", [])]
        model = cls(layers=layers, name=config.get("name"), trainable=config.get("trainable", True))
        if not model.built and config.get("build_input_shape"):
            model.build(tuple(config["build_input_shape"]))
        return model


def _check_layers_argument(layers, trainable, name, kwargs) -> None:
    """`Sequential(Dense(8), Dense(2))` is a common slip: the layers must come as one list."""
    extra = [value for value in (trainable, name, *kwargs.values()) if isinstance(value, (Layer, KerasTensor))]
    if isinstance(layers, (Layer, KerasTensor)) or extra:
        count = 1 + len(extra) if isinstance(layers, (Layer, KerasTensor)) else len(extra)
        raise ArgumentKindError(f"Sequential takes its layers as one list, but received {count} "
                                f"separate layer argument(s). Put them in square brackets: "
                                f"`Sequential([Dense(8), Dense(2)])`.")
    if layers is not None and not isinstance(layers, (list, tuple)):
        raise TypeError(f"Argument `layers` of Sequential must be a list of layers, but received "
                        f"{layers!r} (of type {type(layers).__name__}).")


def _same_kind(error: ValueError, message: str) -> ValueError:
    """`message` in an error of `error`'s class (an OutOfRangeError stays one), else a ValueError."""
    try:
        return type(error)(message)
    except Exception:  # noqa: BLE001 - a class whose constructor wants other arguments
        return ValueError(message)
