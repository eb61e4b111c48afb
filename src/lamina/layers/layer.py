"""The `Layer` base class: a `torch.nn.Module` that builds its weights lazily, as Keras does.

Example:
    >>> class Scale(Layer):
    ...     def build(self, input_shape):
    ...         self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones")
    ...     def call(self, inputs):
    ...         return inputs * self.scale
    >>> Scale()(torch.ones(2, 3)).shape
    torch.Size([2, 3])
"""
from __future__ import annotations

import copy
import difflib
import functools
import inspect
import warnings

import numpy as np
import torch
from torch import nn
from torch.utils import _pytree as pytree

from lamina import backend, dtype_policies, initializers, regularizers, tree
from lamina.backend import eager_outputs
from lamina.dtype_policies.autocast import (autocast_torch_modules, autocast_variables,
                                            cast_outputs, outside_torch_autocast,
                                            torch_autocast_active)
from lamina.layers import auto_config, call_context
from lamina.layers.input_spec import assert_input_compatibility, shape_tuple
from lamina.layers.call_arguments import carried_mask, tensor_argument_names
from lamina.layers.symbolic_call import call_symbolic, is_symbolic, warn_if_mask_dropped
from lamina.layers.weight_paths import close_call_scope, layer_path, open_call_scope, path_scope
from lamina.ops.keras_tensor import KerasTensor
from lamina.utils import naming, tracking
from lamina.utils.errors import did_you_mean, user_stacklevel
from lamina.variables import Variable

__all__ = ["Layer"]

# Keyword arguments every layer accepts besides its own (Keras 3 plus the TF-2 spellings
# that learners' books print).
_BASE_KWARGS = frozenset({
    "name", "trainable", "dtype", "autocast", "activity_regularizer",
    "input_shape", "input_dim", "batch_input_shape", "batch_size", "input_length",
})


class Layer(nn.Module):
    """Base class of all layers: weights are `nn.Parameter`s created by `build` on first call.

    Args:
        trainable: whether the layer's weights are updated by training.
        name: a unique name; default is the class name in snake case (`dense`, `dense_1`, ...).
        dtype: the dtype policy: a name ('float32', 'float64', 'mixed_bfloat16',
            'mixed_float16'), a `DTypePolicy`, or its config (default: the global policy,
            `keras.mixed_precision.set_global_policy`).
        autocast: whether floating inputs and weights are cast to the compute dtype.
        activity_regularizer: a penalty on the layer's output, added to the loss.
        input_shape: shape of one sample (no batch axis); builds the layer at once.

    Example:
        >>> layer = lamina.layers.Dense(3)
        >>> layer(torch.ones(2, 4)).shape
        torch.Size([2, 3])
        >>> [w.shape for w in layer.get_weights()]
        [(4, 3), (3,)]
    """

    # Layers whose inputs are indices (Embedding) set this: others cast integer inputs to float.
    _accepts_integer_inputs = False
    # Layers that compute on numbers cast integer inputs to their compute dtype; a model
    # sets this False, since its first layer may take the integers as indices.
    _casts_integer_inputs = True
    # Layers that take text (TextVectorization, StringLookup, Hashing) and models set this:
    # torch has no string tensors, so strings reach their `call` as NumPy arrays or lists.
    _accepts_string_inputs = False

    def __new__(cls, *args, **kwargs):
        if args or kwargs:  # copy and pickle make instances with cls.__new__(cls) alone
            _check_constructor_arguments(cls, args, kwargs)
        instance = super().__new__(cls)
        # Set past nn.Module.__setattr__, which needs Module.__init__ to have run.
        object.__setattr__(instance, "_auto_config",
                           auto_config.constructor_arguments(cls, args, kwargs))
        return instance

    def __init__(self, trainable: bool = True, name: str | None = None, dtype=None,
                 autocast: bool = True, activity_regularizer=None, **kwargs):
        super().__init__()
        self._set_input_shape_arg(kwargs)
        unknown = set(kwargs) - _BASE_KWARGS
        if unknown:
            hints = "".join(did_you_mean(k, _constructor_parameters(type(self))) for k in sorted(unknown))
            raise ValueError(f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                             f"{ {k: kwargs[k] for k in sorted(unknown)} }.{hints}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Argument `name` must be a string, but received {name!r}.")
        if name and "/" in name:
            raise ValueError(f"Argument `name` must be a string and cannot contain character `/`. "
                             f"Received: name={name} (of type {type(name)}). `/` separates the parts "
                             f"of weight paths ('dense/kernel'): use e.g. name={name.replace('/', '_')!r}.")
        self.name = name if name else naming.unique_name(naming.to_snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self._set_dtype_policy(dtype_policies.get(dtype))
        self.autocast = autocast
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.built = False
        self._build_shapes = None
        # (attribute key, trainable, is_buffer) per weight, in creation order; the tensors
        # themselves are looked up by key, since `.to()` replaces buffer objects.
        self._own_weights: list[list] = []
        self._weight_regularizers: list[tuple[object, nn.Parameter]] = []
        self._last_call_losses: list[torch.Tensor] = []
        call_parameters = inspect.signature(self.call).parameters
        self._call_accepts_training = "training" in call_parameters
        self._call_accepts_mask = "mask" in call_parameters
        self._call_parameter_names = [name for name, parameter in call_parameters.items()
                                      if parameter.kind is not parameter.VAR_POSITIONAL]
        self._computes_own_mask = type(self).compute_mask is not Layer.compute_mask
        # Keras' flag: False where a call's inputs reach `call` unconverted (nested models).
        self._convert_input_args = True
        # A subclass' class attribute (`supports_masking = True` in its body) holds, as in Keras.
        # Keras: a layer that writes its own compute_mask supports masking unless it says not.
        self.supports_masking = bool(getattr(type(self), "supports_masking", self._computes_own_mask))
        self.input_spec = None
        # Keras semantics: a layer runs in inference mode unless training is asked for;
        # plain-PyTorch users can still flip it with `module.train()`.
        self.training = False

    # Whether add_weight refuses once the layer is built (Keras' locked state); models made
    # of a graph or a stack stay open, as in Keras.
    _state_locked_when_built = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "build" in cls.__dict__:
            cls.build = _marks_built(cls.__dict__["build"])

    # ------------------------------------------------------------------ build and call
    def build(self, input_shape) -> None:
        """Creates the layer's weights for inputs of `input_shape` (batch axis included)."""
        self.built = True

    def _build_at_init(self) -> None:
        """Keras marks a weightless layer built when it is made (Dropout, pooling over all
        positions, activations), unless its class has a `build` of its own."""
        if type(self).build is Layer.build:
            self.built = True

    def call(self, inputs, *args, **kwargs):
        """The forward computation; subclasses override it."""
        raise NotImplementedError(f"Layer {type(self).__name__} does not have a `call` method "
                                  f"implemented.{misnamed_call_hint(type(self))}")

    def forward(self, *args, **kwargs):
        return self.call(*args, **kwargs)

    def __call__(self, *args, **kwargs):
        if is_symbolic(args, kwargs):
            return call_symbolic(self, args, kwargs)
        if args:
            args = (self._prepare_inputs(args[0]),) + tuple(self._prepare_argument(a)
                                                            for a in args[1:])
        if kwargs:
            kwargs = {key: self._prepare_argument(value) for key, value in kwargs.items()}
        inputs = args[0] if args else kwargs.get("inputs")
        if self.input_spec is not None:
            self.check_input_compatibility(inputs)
        if not self.built:
            with path_scope(self):
                self.build_from_call_arguments(args, kwargs)
        training = kwargs.pop("training", None)
        mask = self._input_mask(args, kwargs)
        if mask is not None:
            warn_if_mask_dropped(self, mask)
        scope = open_call_scope(self)  # sublayers built in this call get Keras' paths
        completed = False
        try:
            with call_context.enter(self, training) as context:
                if self._call_accepts_training:
                    kwargs["training"] = context.training
                if self._is_mixed:
                    outputs = self._mixed_precision_call(args, kwargs)
                elif torch_autocast_active():
                    with outside_torch_autocast(self):
                        outputs = super().__call__(*args, **kwargs)
                else:
                    outputs = super().__call__(*args, **kwargs)
                if self.activity_regularizer is not None:
                    self.add_loss(self.activity_regularizer(outputs) / max(outputs.shape[0], 1))
            completed = True
        finally:
            if scope is not None:
                close_call_scope(self, scope, completed)
        if context.owner is self and (context.losses or self._last_call_losses):
            self._last_call_losses = context.losses
        if mask is not None or self._computes_own_mask:
            _attach_mask(outputs, self.compute_mask(inputs, mask))
        if context.owner is self and context.outermost:
            outputs = eager_outputs(outputs)
        return outputs

    def _input_mask(self, args, kwargs):
        """The mask of this call: given as `mask=`, or carried by the inputs (`_keras_mask`).

        As in Keras, `mask=None` counts as not given (a node of a graph Keras saved records it
        so, and the layer still takes the mask its inputs carry when the graph runs), and a
        call with several tensor arguments gets `<argument>_mask=` where `call` takes those,
        never `mask=` (see `call_arguments`); the first input's mask is still the one the
        outputs' mask is computed from.
        """
        inputs = args[0] if args else kwargs.get("inputs")
        mask = kwargs.get("mask")
        if mask is not None:
            if not self._call_accepts_mask:
                raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) does not support "
                                 f"masking (its `call` takes no `mask` argument), but was passed "
                                 f"mask={_describe(mask)}. Drop `mask=`, or put the mask-aware "
                                 f"layer (an RNN, attention, pooling) where the mask is needed.")
            if isinstance(mask, np.ndarray):  # a NumPy mask, as Keras takes it
                device = inputs.device if isinstance(inputs, torch.Tensor) else None
                mask = kwargs["mask"] = torch.as_tensor(mask, device=device)
            return mask
        if "mask" in kwargs and not self._call_accepts_mask:
            kwargs.pop("mask")
        mask = carried_mask(inputs)
        if len(args) + len(kwargs) > 1:
            names = tensor_argument_names(self._call_parameter_names, args, kwargs)
            if len(names) > 1:
                self._fill_argument_masks(names, args, kwargs)
                return mask
        if mask is not None and self._call_accepts_mask:
            kwargs["mask"] = mask
        return mask

    def _fill_argument_masks(self, names: list, args: tuple, kwargs: dict) -> None:
        """Keras' `<argument>_mask=` from each tensor argument's mask, where `call` takes one."""
        values = {**dict(zip(self._call_parameter_names, args)), **kwargs}
        for name in names:
            key = f"{name}_mask"
            if key in self._call_parameter_names and kwargs.get(key) is None:
                argument_mask = carried_mask(values[name])
                if argument_mask is not None:
                    kwargs[key] = argument_mask

    def compute_mask(self, inputs, mask=None):
        """The mask of the outputs: the input mask if the layer supports masking, else None."""
        return mask if self.supports_masking else None

    def check_input_compatibility(self, inputs) -> None:
        """Checks `inputs` against `self.input_spec` (Keras' message, plus a hint for slips)."""
        if self.input_spec is not None:
            assert_input_compatibility(self.input_spec, inputs, self)

    def has_own_output_shape(self) -> bool:
        """Whether this layer computes output shapes itself (else `call` runs on meta tensors)."""
        return type(self).compute_output_shape is not Layer.compute_output_shape

    def build_from_call_arguments(self, args, kwargs) -> None:
        """Builds from the shapes of a call's tensors, as Keras' `_maybe_build` does.

        One tensor argument: `build(shape)`. Several: `build(<arg>_shape=...)` when `build`
        names them so, else `build(shape of the first)`.
        """
        if self.built:
            return
        shapes = _argument_shapes(self.call, args, kwargs)
        build_parameters = inspect.signature(self.build).parameters
        named = {f"{name}_shape": shape for name, shape in shapes.items()}
        if len(shapes) > 1 and all(key in build_parameters for key in named):
            self._build_shapes = next(iter(shapes.values()))
            self.build(**named)
            self.built = True
        elif shapes:
            self.build_from_shape(next(iter(shapes.values())))
        else:
            self.build_from_shape(None)

    def _prepare_inputs(self, inputs):
        """Arrays become tensors on the layer's device; float64/integer inputs become floatx.

        Nested inputs (a list or dict of arrays for a multi-input model) are converted leaf
        by leaf.
        """
        if isinstance(inputs, torch.Tensor):
            if type(inputs) is backend.DataTensor:  # a dataset's batch: the layers run on plain tensors
                inputs = inputs.as_subclass(torch.Tensor)
            return self._autocast(inputs)
        if backend.is_string_data(inputs):
            return self._string_inputs(inputs)
        if isinstance(inputs, (np.ndarray, np.generic)) or (
                isinstance(inputs, (list, tuple)) and not _is_nested(inputs)):
            return self._autocast(self._array_to_tensor(inputs))
        if isinstance(inputs, (list, tuple, dict)):
            return pytree.tree_map(self._prepare_leaf, inputs)
        return inputs

    def _prepare_leaf(self, leaf):
        if backend.is_string_data(leaf):
            return self._string_inputs(leaf)
        if isinstance(leaf, np.ndarray):
            return self._autocast(self._array_to_tensor(leaf))
        return self._autocast(leaf) if isinstance(leaf, torch.Tensor) else leaf

    def _prepare_argument(self, value):
        """An argument besides the inputs, converted as Keras converts every argument: arrays
        become tensors, and floating tensors (a cell's states, an `initial_state` list, an
        attention key) take the compute dtype."""
        if isinstance(value, torch.Tensor):
            return self._autocast_floating(value)
        if isinstance(value, np.ndarray):
            return self._autocast_floating(self._array_to_tensor(value))
        if type(value) in (list, tuple):  # a cell's states: cheaper than a pytree walk
            return type(value)(self._prepare_argument(item) for item in value)
        if isinstance(value, (tuple, dict)) and value:  # a namedtuple, a dict
            return pytree.tree_map(self._prepare_argument, value)
        return value

    def _autocast_floating(self, tensor: torch.Tensor) -> torch.Tensor:
        if (self.autocast and tensor.is_floating_point() and tensor.dtype != self._dtype
                and self._dtype.is_floating_point):
            return tensor.to(self._dtype)
        return tensor

    def _array_to_tensor(self, array) -> torch.Tensor:
        # to_tensor turns float64 into floatx; a float64 layer keeps its inputs' precision.
        keep = (self._dtype == torch.float64 and self.autocast
                and getattr(np.asarray(array), "dtype", None) == np.float64)
        return backend.to_tensor(array, dtype=torch.float64 if keep else None,
                                 device=self._device())

    def _string_inputs(self, inputs):
        if not self._accepts_string_inputs:
            shape = getattr(inputs, "shape", None)
            received = f"a {type(inputs).__name__}" if shape is None else f"an array of shape {shape}"
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) computes on numbers, but "
                             f"received strings ({received}). Turn text into numbers first: "
                             f"put a TextVectorization (or StringLookup) layer before it, e.g. right "
                             f"after Input(shape=(1,), dtype='string').")
        return inputs

    def _autocast(self, tensor: torch.Tensor) -> torch.Tensor:
        """Floating inputs in the compute dtype (Keras' rule); integers too for a layer that
        computes on numbers (a Dense given uint8 pixels), but not for a model, whose first
        layer may take them as indices."""
        if (not self.autocast or self._accepts_integer_inputs or tensor.dtype == self._dtype
                or not self._dtype.is_floating_point):
            return tensor
        if tensor.is_floating_point() or self._casts_integer_inputs:
            return tensor.to(self._dtype)
        return tensor

    def _mixed_precision_call(self, args, kwargs):
        """The call of a layer computing in another dtype than it stores its weights in."""
        with autocast_variables(self), autocast_torch_modules(self):
            outputs = nn.Module.__call__(self, *args, **kwargs)
        if next(iter(self._sublayers()), None) is None:
            # A container keeps its sublayers' dtypes (a float32 softmax ending a mixed
            # model); a layer of its own computes and returns its compute dtype.
            outputs = cast_outputs(outputs, self._dtype)
        return outputs

    def _device(self) -> torch.device:
        """Where this layer's weights live (new weights and array inputs go there too).

        Weights never go to a scoped device: shape inference runs on `meta` and must not
        leave a lazily built sublayer with meta weights.
        """
        for parameter in self.parameters():
            if parameter.device.type != "meta":
                return parameter.device
        return backend.get_device(scoped=False)

    def build_from_shape(self, input_shape) -> None:
        """Builds the layer for `input_shape` (as `build`, but records it and marks built)."""
        if self.built:
            return
        self._build_shapes = input_shape
        self.build(input_shape)
        self.built = True

    def _set_input_shape_arg(self, kwargs) -> None:
        input_dim = kwargs.pop("input_dim", None)
        input_shape = kwargs.pop("input_shape", None)
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        batch_size = kwargs.pop("batch_size", None)
        input_length = kwargs.pop("input_length", None)
        if input_dim is not None:
            input_shape = (input_length, input_dim) if input_length is not None else (input_dim,)
        if input_shape is not None:
            warnings.warn("Do not pass an `input_shape`/`input_dim` argument to a layer. When "
                          "using Sequential models, prefer using an `Input(shape)` object as the "
                          "first layer in the model instead.", stacklevel=user_stacklevel())
        if batch_input_shape is not None:
            self._batch_input_shape = tuple(batch_input_shape)
        elif input_shape is not None:
            self._batch_input_shape = (batch_size,) + shape_tuple(input_shape, "input_shape")
        else:
            self._batch_input_shape = None

    @property
    def path(self) -> str | None:
        """Keras' path of the layer ('sequential/dense': its weights' paths without the
        weight's name), known once it is built; None before."""
        if not self.built:
            return None
        parent = self.__dict__.get("_parent_path")
        return f"{parent}/{self.name}" if parent else self.name

    @property
    def output(self):
        """The symbolic output of this layer's (first) call in a functional graph."""
        return self._first_node("output").outputs

    @property
    def input(self):
        """The symbolic input of this layer's (first) call in a functional graph."""
        inputs = self._first_node("input").input_tensors
        return inputs[0] if len(inputs) == 1 else inputs

    def __getattr__(self, name):
        try:
            # A property raising AttributeError falls through to here; keep its message
            # instead of nn.Module's bare "'Dense' object has no attribute 'output'".
            if name in ("input", "output"):
                self._first_node(name)
            return super().__getattr__(name)
        except AttributeError:
            # Checked only on a miss (weights are read through here at every step): a layer
            # whose __init__ never reached Layer.__init__ lacks torch's state.
            if "_modules" not in self.__dict__ and not name.startswith("__"):
                raise _missing_super_init(self, " (`super().__init__(**kwargs)`.)") from None
            if name in _REMOVED_IN_KERAS_3:
                raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'. "
                                     f"{_REMOVED_IN_KERAS_3[name]}") from None
            raise

    def _first_node(self, what: str):
        nodes = [node for node in self.__dict__.get("_inbound_nodes", []) if node is not None]
        if not nodes:
            raise AttributeError(f"Layer '{self.name}' has never been called on symbolic inputs "
                                 f"and thus has no defined {what}.")
        return nodes[0]  # a shared layer's first call, as Keras 3 reads it

    def compute_output_shape(self, input_shape):
        """Output shape for `input_shape`, found by running `call` on PyTorch's meta device."""
        from lamina.layers.shape_inference import infer_output_spec

        symbolic = pytree.tree_map(lambda shape: KerasTensor(shape), input_shape,
                                   is_leaf=lambda value: isinstance(value, tuple))
        specs = infer_output_spec(self, (symbolic,), {})
        return pytree.tree_map(lambda spec: spec[0], specs,
                               is_leaf=lambda value: isinstance(value, tuple) and len(value) == 2
                               and isinstance(value[1], str))

    # ------------------------------------------------------------------ weights
    def add_weight(self, shape=None, initializer=None, dtype=None, trainable: bool = True,
                   autocast: bool = True, regularizer=None, constraint=None,
                   name: str | None = None, **kwargs) -> nn.Parameter:
        """Creates a weight of `shape`, registers it on the layer and returns it.

        Example:
            >>> layer = Layer()
            >>> layer.add_weight(shape=(784, 100), initializer="glorot_uniform").shape
            (784, 100)
        """
        if self.built and self._state_locked_when_built and not self.__dict__.get("_build_depth"):
            # Keras locks a layer's state once it is built: a weight made in `call` would be a
            # new, untrained one on every call.
            raise ValueError("You cannot add new elements of state (variables or sub-layers) "
                             "to a layer that is already built. All state must be created in "
                             "the `__init__()` method or in the `build()` method. (Layer "
                             f"'{self.name}' called add_weight after it was built, e.g. from "
                             "`call`: create the weight in `build(self, input_shape)`.)")
        if shape is not None and any(d is None for d in shape):
            raise ValueError(f"Shapes used to initialize variables must be fully-defined (no "
                             f"`None` dimensions). Received: shape={tuple(shape)} for variable "
                             f"path='{layer_path(self)}/{name or 'variable'}'. In `build`, take "
                             f"the sizes from `input_shape` past the batch axis, e.g. "
                             f"shape=(input_shape[-1], units).")
        shape = () if shape is None else tuple(int(d) for d in shape)
        dtype = (backend.torch_dtype(dtype) if dtype is not None
                 else backend.torch_dtype(self.variable_dtype))
        if initializer is None:
            initializer = "glorot_uniform" if dtype.is_floating_point else "zeros"
        value = initializers.initialize(initializer, shape, dtype=dtype, device=self._device())
        name = name or naming.unique_name("variable")  # Keras' one count: variable, variable_1, ...
        variable = Variable(value.to(dtype), dtype=dtype, autocast=autocast, name=name,
                            trainable=bool(trainable) and self._trainable)
        variable.path = f"{layer_path(self)}/{name}"
        variable.constraint = constraint
        key = self._free_attribute_name(name)
        if trainable:
            self.register_parameter(key, variable)
        else:
            # State that is not trained (moving statistics, counters) is a buffer: in
            # state_dict, moved by .to(), broadcast by DDP, never given to an optimizer.
            self.register_buffer(key, variable)
        self._own_weights.append([key, bool(trainable), not trainable])
        regularizer = regularizers.get(regularizer)
        if regularizer is not None:
            self._weight_regularizers.append((regularizer, variable))
        return variable

    def _own_weight_tensors(self, trainable: bool) -> list[torch.Tensor]:
        store = {False: self._parameters, True: self._buffers}
        return [store[is_buffer][key] for key, weight_trainable, is_buffer in self._own_weights
                if weight_trainable == trainable and store[is_buffer].get(key) is not None]

    def _apply(self, fn, recurse=True):
        # `.to()` / `.double()` replace buffers by plain tensors; keep them Variables.
        result = super()._apply(fn, recurse)
        for key, _, is_buffer in self._own_weights:
            buffer = self._buffers.get(key) if is_buffer else None
            if buffer is not None and not isinstance(buffer, Variable):
                self._buffers[key] = Variable.wrap(buffer, trainable=False, name=key,
                                                   path=f"{self.name}/{key}")
        return result

    def _free_attribute_name(self, name: str) -> str:
        base = name if name.isidentifier() else "variable"
        candidate, suffix = base, 1
        while hasattr(self, candidate):
            candidate, suffix = f"{base}_{suffix}", suffix + 1
        return candidate

    def __setattr__(self, name, value):
        if "_modules" not in self.__dict__ and (isinstance(value, (nn.Module, nn.Parameter))
                                                or tracking.holds_modules(value)):
            raise _missing_super_init(self, f" (`super().__init__(**kwargs)`, before assigning "
                                            f"`self.{name}`.)")
        # `self.w = self.add_weight(name="kernel")` keeps one state_dict entry, named `w`.
        if isinstance(value, torch.Tensor) and "_parameters" in self.__dict__ and self._adopt_own_weight(name, value):
            return
        if isinstance(value, Variable) and "_parameters" in self.__dict__ and \
                name not in self._parameters and name not in self._buffers:
            self._track_variable(name, value)  # `self.v = keras.Variable(...)`: a weight
            return
        # Keras tracks layers kept in lists and dicts (`self.blocks = [Dense(4), relu]`, or
        # filled later); PyTorch sees them only as modules (utils/tracking.py).
        if "_modules" in self.__dict__ and _tracks(name, value):
            self.__dict__.pop(name, None)
            object.__setattr__(self, name, tracking.track(self, name, value))
            return
        if isinstance(self.__dict__.get(name), (list, tuple, dict)):
            self._modules.pop(name, None)  # a tracked container replaced by something else
        if isinstance(value, nn.Module) and not isinstance(value, Layer) and "training" in self.__dict__:
            # A torch module starts in train mode; inside a layer it follows the layer's mode
            # (inference unless training), so nn.Dropout does not drop in predict.
            value.train(self.training)
        super().__setattr__(name, value)

    def __delattr__(self, name):
        if name in self.__dict__ and name in self.__dict__.get("_modules", {}):
            del self._modules[name]  # a tracked container: its modules go with it
            object.__delattr__(self, name)
            return
        super().__delattr__(name)

    def _track_variable(self, name: str, variable: Variable) -> None:
        """A Variable made outside `add_weight` and set as an attribute joins the layer's
        weights, as Keras tracks it (counted, saved, listed by `weights`)."""
        self.__dict__.pop(name, None)
        if variable.trainable:
            self.register_parameter(name, variable)
        else:
            self.register_buffer(name, variable)
        self._own_weights.append([name, variable.trainable, not variable.trainable])

    def _adopt_own_weight(self, name: str, value: torch.Tensor) -> bool:
        """Re-keys one of this layer's weights under attribute `name`; False if `value` is not one."""
        for slot in self.__dict__.get("_own_weights", []):
            key, _, is_buffer = slot
            store = self._buffers if is_buffer else self._parameters
            if store.get(key) is not value:
                continue
            if key != name:
                del store[key]
                slot[0] = name
                self.__dict__.pop(name, None)
            store[name] = value
            return True
        return False

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        # As in Keras, freezing a layer freezes every sublayer with it.
        for layer in self._flatten_layers():
            layer._trainable = bool(value)
            for parameter in layer._own_weight_tensors(trainable=True):
                parameter.trainable = bool(value)

    @property
    def weights(self) -> list[nn.Parameter]:
        """All weights in Keras order: own trainable, own non-trainable, then sublayers'."""
        seen, ordered = set(), []
        for layer in self._flatten_layers():
            own = layer._own_weight_tensors(trainable=True) + layer._own_weight_tensors(trainable=False)
            for parameter in own:
                if id(parameter) not in seen:
                    seen.add(id(parameter))
                    ordered.append(parameter)
        return ordered

    @property
    def trainable_weights(self) -> list[nn.Parameter]:
        return [w for w in self.weights if w.requires_grad]

    @property
    def non_trainable_weights(self) -> list[nn.Parameter]:
        return [w for w in self.weights if not w.requires_grad]

    @property
    def variables(self) -> list[nn.Parameter]:
        return self.weights

    @property
    def trainable_variables(self) -> list[nn.Parameter]:
        return self.trainable_weights

    @property
    def non_trainable_variables(self) -> list[nn.Parameter]:
        return self.non_trainable_weights

    def _flatten_layers(self):
        """This layer and its sublayers, depth first, each once."""
        seen = set()
        stack = [self]
        while stack:
            layer = stack.pop(0)
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            yield layer
            stack[:0] = [m for m in layer._sublayers()]

    @property
    def metrics(self) -> list:
        """The metrics kept as attributes of this layer and of its sublayers (Keras tracks
        them so; a model's `fit` logs and resets them with its own).

        Example:
            >>> class Scale(Layer):
            ...     def __init__(self):
            ...         super().__init__()
            ...         self.mean = lamina.metrics.Mean(name="mean_input")
            >>> [metric.name for metric in Scale().metrics]
            ['mean_input']
        """
        return tracked_metrics(self, within_models=True)

    def _sublayers(self) -> list["Layer"]:
        """Direct sublayers in assignment order, looking through ModuleList/ModuleDict."""
        found, pending = [], list(self.children())
        while pending:
            module = pending.pop(0)
            if isinstance(module, Layer):
                found.append(module)
            else:
                pending[:0] = list(module.children())
        return found

    def get_weights(self) -> list[np.ndarray]:
        """The weights as NumPy arrays, in Keras' shapes and order."""
        return [backend.to_numpy(w) for w in self.weights]

    def set_weights(self, weights) -> None:
        """Sets the weights from NumPy arrays in Keras' shapes and order.

        Raises:
            ValueError: if the number of arrays or a shape does not match, naming the layer.
        """
        own = self.weights
        weights = list(weights)
        if len(weights) != len(own):
            hint = (" It has no weights yet because it is not built: call it on data or "
                    "build it first." if not own and not self.built else "")
            raise ValueError(f"You called `set_weights(weights)` on layer '{self.name}' with a "
                             f"weight list of length {len(weights)}, but the layer was expecting "
                             f"{len(own)} weights.{hint}")
        owners = {id(w): layer for layer in self._flatten_layers() for w in layer._own_weight_tensors(True)
                  + layer._own_weight_tensors(False)}
        for parameter, value in zip(own, weights):
            value = np.asarray(value)
            if tuple(parameter.shape) != value.shape:
                owner = owners.get(id(parameter), self)
                where = f" of model '{self.name}'" if owner is not self else ""
                raise ValueError(f"Layer '{owner.name}' weight shape {tuple(parameter.shape)} is not "
                                 f"compatible with provided weight shape {value.shape} (weight "
                                 f"{getattr(parameter, 'name', '')!r}{where}).")
        with torch.no_grad():
            for parameter, value in zip(own, weights):
                parameter.copy_(backend.to_tensor(value, dtype=parameter.dtype,
                                                  device=parameter.device))

    def save_own_variables(self, store) -> None:
        """Keras' saving hook: this layer's own weights (not its sublayers') as `store["0"]`, ...

        Trainable weights come first, then non-trainable ones, each in creation order.
        """
        own = self._own_weight_tensors(True) + self._own_weight_tensors(False)
        for index, weight in enumerate(own):
            store[str(index)] = backend.to_numpy(weight)

    def load_own_variables(self, store) -> None:
        """Keras' loading hook: sets this layer's own weights from `store["0"]`, ...

        Raises:
            ValueError: the number of arrays or a shape differs, naming the layer.
        """
        own = self._own_weight_tensors(True) + self._own_weight_tensors(False)
        if len(store.keys()) != len(own):
            raise ValueError(f"Layer '{self.name}' expected {len(own)} variables, but received "
                             f"{len(store.keys())} variables during loading. Expected: "
                             f"{[getattr(w, 'name', '') for w in own]}")
        values = [np.asarray(store[str(index)]) for index in range(len(own))]
        for weight, value in zip(own, values):
            if tuple(weight.shape) != value.shape:
                raise ValueError(f"Layer '{self.name}' weight {getattr(weight, 'name', '')!r} has "
                                 f"shape {tuple(weight.shape)}, but the saved value has shape "
                                 f"{value.shape}.")
        with torch.no_grad():
            for weight, value in zip(own, values):
                weight.copy_(backend.to_tensor(value, dtype=weight.dtype, device=weight.device))

    def count_params(self) -> int:
        """Number of scalars in the layer's weights."""
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer '{self.name}', but the layer "
                             f"isn't built. Build it first: call it on data, give `input_shape=`, or "
                             f"call `layer.build(input_shape)`.")
        return sum(int(np.prod(w.shape)) for w in self.weights)

    # ------------------------------------------------------------------ losses
    def add_loss(self, loss) -> None:
        """Adds a loss term (a scalar tensor) computed in `call`; fit adds it to the training loss."""
        call_context.record_loss(self, loss)

    @property
    def losses(self) -> list[torch.Tensor]:
        """The losses of the last call (`add_loss`, activity regularizers), then the weights'
        regularization penalties: Keras' order."""
        penalties = []
        for layer in self._flatten_layers():
            penalties += [regularizer(weight) for regularizer, weight in layer._weight_regularizers]
        return list(self._last_call_losses) + penalties

    # ------------------------------------------------------------------ config
    @property
    def dtype_policy(self) -> dtype_policies.DTypePolicy:
        """The layer's `DTypePolicy`; settable with a name or a policy (new weights follow it)."""
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value) -> None:
        self._set_dtype_policy(dtype_policies.get(value))

    def _set_dtype_policy(self, policy: dtype_policies.DTypePolicy) -> None:
        self._dtype_policy = policy
        # `_dtype` is the compute dtype as a torch dtype: what inputs, outputs and states
        # created in `call` use.
        self._dtype = backend.torch_dtype(policy.compute_dtype)
        self._is_mixed = (policy.compute_dtype != policy.variable_dtype
                          and self._dtype.is_floating_point)

    @property
    def _casts_variables(self) -> bool:
        return self._is_mixed and self.autocast

    @property
    def dtype(self) -> str:
        """The dtype of the layer's weights (Keras' alias of `variable_dtype`)."""
        return self._dtype_policy.variable_dtype

    @property
    def compute_dtype(self) -> str:
        """The dtype of the layer's computations and outputs ('bfloat16' under 'mixed_bfloat16')."""
        return self._dtype_policy.compute_dtype

    @property
    def variable_dtype(self) -> str:
        """The dtype of the layer's weights (float32 under the mixed policies)."""
        return self._dtype_policy.variable_dtype

    @property
    def input_dtype(self) -> str:
        """The dtype floating inputs are cast to: the compute dtype."""
        return self._dtype_policy.compute_dtype

    @property
    def input_shape_arg(self):
        """The `(batch,) + input_shape` given at construction, or None."""
        return self._batch_input_shape

    @property
    def keras_class_name(self) -> str:
        """The class Keras shows for this layer in summaries and diagrams (operations, such
        as `x - 1`, name their Keras op class: `Subtract`)."""
        return type(self).__name__

    def get_config(self) -> dict:
        """The constructor arguments that recreate this layer (Keras' config dict).

        A subclass that does not define `get_config()` gets the plain-valued arguments it was
        constructed with, as in Keras; one made with other values (an array, a layer) must
        define it to be saved.
        """
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": dtype_policies.serialize(self._dtype_policy)}
        if type(self).get_config is Layer.get_config:
            arguments = self.__dict__.get("_auto_config")
            if arguments is None or arguments is auto_config.UNSUPPORTED_ARGUMENTS:
                raise auto_config.missing_config_error(type(self), arguments)
            kept = auto_config.accepted_keys(type(self), config)
            config = {**copy.deepcopy(arguments), **{key: config[key] for key in kept}}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict) -> "Layer":
        """Recreates a layer from `get_config()`'s output."""
        return cls(**config)

    def get_build_config(self) -> dict | None:
        # Keras records the shape of every layer built by a call (Flatten and a user's layer
        # without build() too); those built when made (Dropout, Activation) have none.
        if self._build_shapes is None:
            return None
        return {"input_shape": _shape_to_list(self._build_shapes)}

    def build_from_config(self, config: dict) -> None:
        if config and "input_shape" in config:
            self.build_from_shape(_list_to_shape(config["input_shape"]))

    def __repr__(self) -> str:
        # Keras' form, what `print(model.layers)` shows in books; PyTorch's module tree stays
        # one call away: `torch.nn.Module.__repr__(model)`.
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"

    def extra_repr(self) -> str:  # the line of this layer in PyTorch's module tree
        return f"name={self.name!r}, built={self.built}"


def misnamed_call_hint(cls: type) -> str:
    """The fix for a layer whose computation sits under another name: PyTorch's `forward`,
    or a misspelling such as `Call` or `cal`."""
    if cls.forward is not Layer.forward:
        return (" It defines `forward()`, PyTorch's name for it: a Keras layer's computation "
                "goes in `call()`. Rename `forward` to `call`.")
    own = [name for klass in cls.__mro__ if not klass.__module__.startswith(("lamina", "torch"))
           and klass is not object for name, value in vars(klass).items() if callable(value)]
    close = difflib.get_close_matches("call", own, n=1, cutoff=0.6)
    return f" It defines `{close[0]}()`: rename it `call`." if close else ""


_GENERATOR_FIT = ("Keras 3 removed it: `{}()` takes generators, PyDatasets and datasets "
                  "directly, e.g. model.{}(generator, steps_per_epoch=...).")
# Keras 2 names that tutorials still use, with what Keras 3 has instead.
_REMOVED_IN_KERAS_3 = {
    "fit_generator": _GENERATOR_FIT.format("fit", "fit"),
    "evaluate_generator": _GENERATOR_FIT.format("evaluate", "evaluate").replace("steps_per_epoch",
                                                                              "steps"),
    "predict_generator": _GENERATOR_FIT.format("predict", "predict").replace("steps_per_epoch",
                                                                            "steps"),
    "predict_classes": ("Keras 3 removed it: use np.argmax(model.predict(x), axis=-1), or "
                        "(model.predict(x) > 0.5).astype('int32') for one sigmoid output."),
    "predict_proba": "Keras 3 removed it: model.predict(x) gives the probabilities.",
    "output_shape": ("Keras 3 layers have no `output_shape`: read `layer.output.shape`, or "
                     "call `layer.compute_output_shape(input_shape)`."),
    "input_shape": ("Keras 3 layers have no `input_shape`: read `layer.input.shape` (the "
                    "shape of the tensor the layer was called on)."),
}


def _marks_built(build):
    """Wraps a subclass' `build` so that calling it directly also marks the layer built, and
    the weights it (and the sublayers it builds) creates get Keras' paths."""
    @functools.wraps(build)
    def wrapper(self, *args, **kwargs):
        depth = self.__dict__.get("_build_depth", 0)
        self.__dict__["_build_depth"] = depth + 1  # add_weight is open while any build runs
        try:
            with path_scope(self):
                build(self, *args, **kwargs)
        finally:
            self.__dict__["_build_depth"] = depth
        if self._build_shapes is None and args:
            self._build_shapes = args[0]
        self.built = True

    return wrapper


def _missing_super_init(layer, fix: str) -> RuntimeError:
    return RuntimeError(f"In layer '{type(layer).__name__}', you forgot to call "
                        f"`super().__init__()` as the first statement in the `__init__()` "
                        f"method. Go add it!{fix}")


def _tracks(name: str, value) -> bool:
    """Whether attribute `name` keeps `value` as a tracked container: one that holds layers,
    or an empty public list/dict that may be filled with them later."""
    if isinstance(value, nn.Module) or not isinstance(value, (list, tuple, dict)):
        return False
    if tracking.holds_modules(value):
        return True
    return not value and not isinstance(value, tuple) and not name.startswith("_")


def _constructor_parameters(cls) -> list[str]:
    names = set(_BASE_KWARGS)
    for klass in cls.__mro__:
        if "__init__" in vars(klass):
            names |= {p for p in inspect.signature(klass.__init__).parameters if p != "self"}
    return sorted(n for n in names if n not in ("args", "kwargs"))


def _check_constructor_arguments(cls, args, kwargs) -> None:
    """Turns Python's bare 'missing argument' error for `Dense(unit=10)` into a helpful one."""
    signature = inspect.signature(cls.__init__)
    try:
        signature.bind(None, *args, **kwargs)
    except TypeError as error:
        known = _constructor_parameters(cls)
        hints = "".join(f" Received the unknown argument {k!r}.{did_you_mean(k, known)}"
                        for k in kwargs if k not in known)
        raise TypeError(f"{cls.__name__}{str(signature).replace('(self, ', '(', 1)}: {error}.{hints}") from None


def _argument_shapes(call, args, kwargs) -> dict:
    """`{argument name: shape}` for the tensor arguments of a call, in signature order."""
    try:
        bound = inspect.signature(call).bind_partial(*args, **kwargs).arguments
    except TypeError:
        bound = {"inputs": args[0] if args else kwargs.get("inputs")}
    return {name: _shape_of(value) for name, value in bound.items()
            if name not in ("training", "mask") and _holds_tensors(value)}


def _holds_tensors(value) -> bool:
    return any(hasattr(leaf, "shape") and not isinstance(leaf, (int, float))
               for leaf in pytree.tree_leaves(value))


def tracked_metrics(layer: "Layer", within_models: bool) -> list:
    """The `Metric`s held by `layer` and the layers inside it (in a list or directly), each
    once; `within_models=False` leaves out those of nested models, as Keras' `Model.metrics`."""
    from lamina.metrics.base import Metric  # the metrics sit beside the layers, not below

    found = []
    for module in layer.modules():
        if module is not layer and not within_models and getattr(module, "_is_model", False):
            continue
        for value in vars(module).values():
            candidates = value if isinstance(value, (list, tuple)) else (value,)
            found += [m for m in candidates if isinstance(m, Metric)
                      and all(m is not seen for seen in found)]
    return found


def _attach_mask(outputs, mask) -> None:
    """Keras keeps a tensor's mask on the tensor itself (`_keras_mask`).

    As Keras' `_set_mask_metadata`: outputs and masks are flattened and paired in order, so a
    single mask goes to the first output only (Attention's scores, an RNN's states get none)
    and a layer taking `[x, y]` that passes its masks on gives its one output `x`'s mask; an
    output that already carries a mask (one the call set) keeps it.
    """
    if mask is None:
        return
    for output, output_mask in zip(pytree.tree_leaves(outputs), tree.flatten(mask)):
        if (output_mask is not None and isinstance(output, torch.Tensor)
                and getattr(output, "_keras_mask", None) is None):
            output._keras_mask = output_mask


def _describe(value) -> str:
    shape = getattr(value, "shape", None)
    return f"a tensor of shape {tuple(shape)}" if shape is not None else repr(value)


def _is_nested(inputs) -> bool:
    """Whether a list holds arrays (one per input), at any depth, rather than numbers."""
    return isinstance(inputs, (list, tuple)) and any(
        (isinstance(x, (torch.Tensor, np.ndarray)) and getattr(x, "ndim", 0) > 0)
        or isinstance(x, dict) or _is_nested(x) for x in inputs)


def _shape_of(inputs):
    if isinstance(inputs, (list, tuple)):
        return [_shape_of(x) for x in inputs]
    if isinstance(inputs, dict):
        return {k: _shape_of(v) for k, v in inputs.items()}
    return tuple(inputs.shape)


def _shape_to_list(shape):
    if isinstance(shape, list) and shape and isinstance(shape[0], (tuple, list)):
        return [_shape_to_list(s) for s in shape]
    return list(shape)


def _list_to_shape(shape):
    if isinstance(shape, list) and shape and isinstance(shape[0], (tuple, list)):
        return [_list_to_shape(s) for s in shape]
    return tuple(shape)
