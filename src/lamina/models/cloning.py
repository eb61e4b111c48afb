"""`clone_model`: the same architecture with new layers (and so freshly initialized weights).

Example:
    >>> model = lamina.Sequential([lamina.Input(shape=(4,)), lamina.layers.Dense(2)])
    >>> clone = clone_model(model)
    >>> clone.layers[0] is model.layers[0], clone.count_params() == model.count_params()
    (False, True)
"""
from __future__ import annotations

from collections.abc import Callable

from torch.utils import _pytree as pytree

from lamina.layers.core.input_layer import Input
from lamina.ops.keras_tensor import KerasTensor
from lamina.layers.core.lambda_layer import Lambda
from lamina.models.functional import Functional
from lamina.models.sequential import Sequential

__all__ = ["clone_model"]


def clone_model(model, input_tensors=None, clone_function: Callable | None = None,
                call_function: Callable | None = None, recursive: bool = False, **kwargs):
    """Clones a Sequential or functional model: new layers, same architecture, new weights.

    Args:
        model: a `Sequential` or functional `Model` (another model is recreated from its
            config, which needs `get_config`).
        input_tensors: symbolic inputs (`keras.Input(...)`) to build the clone on, with the
            structure of `model.inputs`; default: new inputs of the same shapes and names.
        clone_function: `fn(layer) -> layer` applied to every layer (not to inputs); default
            `layer.__class__.from_config(layer.get_config())`. Return the layer itself to
            share it between the model and its clone.
        call_function: `fn(layer, *args, **kwargs) -> outputs` used to call each cloned layer
            of a functional model (e.g. to insert a layer after it); default `layer(*args,
            **kwargs)`. Not for Sequential models.
        recursive: whether nested Sequential/functional models are cloned with
            `clone_model` too (otherwise `clone_function` handles them like any layer).

    Returns:
        The new model. Copy the weights with `clone.set_weights(model.get_weights())`.

    Raises:
        ValueError: for `call_function` with a Sequential model, inputs that are not
            symbolic or do not match the model's, or unexpected keyword arguments.

    Example:
        >>> inputs = lamina.Input(shape=(3,))
        >>> model = lamina.Model(inputs, lamina.layers.Dense(1)(inputs))
        >>> clone = clone_model(model)
        >>> clone.set_weights(model.get_weights())
        >>> x = np.ones((2, 3), "float32")
        >>> bool(np.allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0)))
        True
    """
    cache = kwargs.pop("cache", None)
    if kwargs:
        raise ValueError(f"Unexpected keyword argument(s): {tuple(kwargs)}")
    if clone_function is not None and not callable(clone_function):
        raise ValueError(f"Expected `clone_function` argument to be a callable. Received: "
                         f"clone_function={clone_function!r}")
    if isinstance(model, Sequential):
        if call_function is not None:
            raise ValueError("`call_function` argument is not supported with Sequential models. In "
                             "a Sequential model, layers aren't called at model-construction time "
                             "(they're merely listed). Use `call_function` with Functional models "
                             f"only. Received model of type '{type(model).__name__}'.")
        clone_layer = _wrap_clone_function(clone_function, None, recursive, cache)
        return _copy_compile(model, _clone_sequential(model, clone_layer, input_tensors))
    if isinstance(model, Functional):
        clone_layer = _wrap_clone_function(clone_function, call_function, recursive, cache)
        return _copy_compile(model, _clone_functional(model, clone_layer, input_tensors,
                                                      call_function))
    if clone_function is not None or input_tensors is not None:
        raise ValueError(f"Arguments `clone_function` and `input_tensors` are only supported for "
                         f"Sequential models or Functional models. Received model of type "
                         f"'{type(model).__name__}'.")
    if call_function is not None:
        raise ValueError(f"Argument `call_function` is only supported for Functional models. "
                         f"Received model of type '{type(model).__name__}'.")
    return type(model).from_config(model.get_config())


def _clone_layer(layer):
    """The default clone: a new layer from the layer's config (no weights copied)."""
    if isinstance(layer, Lambda):
        # The config holds the function by name only; a clone in memory reuses the function
        # object itself, so Python lambdas clone too.
        config = {**layer.get_config(), "function": layer.function,
                  "arguments": dict(layer.arguments)}
        if layer._output_shape is not None:
            config["output_shape"] = layer._output_shape
        if layer.mask is not None:
            config["mask"] = layer.mask
        return Lambda(**config)
    return type(layer).from_config(layer.get_config())


def _wrap_clone_function(clone_function, call_function, recursive: bool, cache: dict | None):
    """`clone_function` with a cache (a layer used twice is cloned once) and recursion."""
    clone_function = clone_function or _clone_layer
    cache = {} if cache is None else cache

    def clone_once(layer):
        if id(layer) not in cache:
            if recursive and isinstance(layer, (Sequential, Functional)):
                cache[id(layer)] = clone_model(
                    layer, clone_function=clone_function, recursive=True, cache=cache,
                    call_function=call_function if isinstance(layer, Functional) else None)
            else:
                cache[id(layer)] = clone_function(layer)
        return cache[id(layer)]

    return clone_once


def _clone_sequential(model: Sequential, clone_layer, input_tensors) -> Sequential:
    layers = [clone_layer(layer) for layer in model.layers]
    if input_tensors is not None:
        flat = input_tensors if isinstance(input_tensors, (list, tuple)) else [input_tensors]
        if len(flat) != 1:
            raise ValueError("Argument `input_tensors` must contain a single tensor.")
        if not isinstance(flat[0], KerasTensor):
            raise ValueError(f"Argument `input_tensors` must be a KerasTensor. Received invalid "
                             f"value: input_tensors={input_tensors!r}")
        layers = [Input(batch_shape=flat[0].shape, dtype=flat[0].dtype)] + layers
    elif model.inputs:
        source = model.inputs[0]
        layers = [Input(batch_shape=source.shape, dtype=source.dtype)] + layers
    return Sequential(layers, name=model.name, trainable=model.trainable)


def _clone_functional(model: Functional, clone_layer, input_tensors, call_function):
    new_inputs = _new_inputs(model, input_tensors)
    values = {id(old): new for old, new in zip(model.inputs, new_inputs)}

    def replace(structure):
        return pytree.tree_map(lambda t: values[id(t)] if isinstance(t, KerasTensor) else t,
                               structure, is_leaf=lambda t: isinstance(t, KerasTensor))

    for node in model._nodes:
        layer = clone_layer(node.layer)
        args, kwargs = replace((node.call_args, node.call_kwargs))
        outputs = (call_function(layer, *args, **kwargs) if call_function is not None
                   else layer(*args, **kwargs))
        for old, new in zip(_as_list(node.outputs), _as_list(outputs)):
            values[id(old)] = new
    inputs, outputs = replace(model._inputs_struct), replace(model._outputs_struct)
    model_class = type(model) if _functional_like_constructor(type(model)) else Functional
    return model_class(inputs, outputs, name=model.name)


def _new_inputs(model: Functional, input_tensors) -> list[KerasTensor]:
    if input_tensors is None:
        return [Input(batch_shape=t.shape, dtype=t.dtype, name=t.name) for t in model.inputs]
    flat = pytree.tree_leaves(input_tensors, is_leaf=lambda t: isinstance(t, KerasTensor))
    if not all(isinstance(t, KerasTensor) for t in flat):
        raise ValueError(f"All entries in `input_tensors` must be KerasTensors. Received invalid "
                         f"values: input_tensors={input_tensors!r}")
    if len(flat) != len(model.inputs):
        raise ValueError(f"`input_tensors` must have the same structure as model.input\n"
                         f"Reference structure: {model._inputs_struct}\n"
                         f"Received structure: {input_tensors}")
    return flat


def _functional_like_constructor(cls: type) -> bool:
    """Whether `cls(inputs, outputs, name=...)` builds the graph (a custom __init__ may not)."""
    from lamina.models.model import Model

    init = getattr(cls, "__init__")
    return init in (Functional.__init__, Model.__init__)


def _copy_compile(model, clone):
    """Compiles the clone as the model was, as Keras does, where the model can say how."""
    get_compile_config = getattr(model, "get_compile_config", None)
    if get_compile_config is None or not getattr(model, "_compiled", False):
        return clone
    config = get_compile_config()
    if config is not None:
        clone.compile_from_config(config)
    return clone


def _as_list(value) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]
