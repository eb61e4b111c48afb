"""Input signatures for export: the model's `Input` shapes, with a batch axis of any size.

An exported graph is traced once on sample tensors. The signature says which shapes and
dtypes those have and which axes stay free: the batch axis (and any other `None` axis) is
dynamic, so a graph exported from samples of 2 runs on batches of any size.

Example:
    >>> model = lamina.Sequential([lamina.Input((784,)), lamina.layers.Dense(10)])
    >>> get_input_signature(model)
    [InputSpec(dtype=float32, shape=(None, 784), ndim=2)]
"""
from __future__ import annotations

import contextlib

import numpy as np
import torch

from lamina import backend
from lamina.layers.input_spec import InputSpec
from lamina.ops.keras_tensor import KerasTensor

__all__ = ["ExportModule", "dynamic_shapes", "get_input_signature", "inference_mode",
           "input_names", "pack_inputs", "sample_inputs", "standardize_input_signature", "trace"]

# The size of a free axis in the samples: torch.export fixes axes of size 0 or 1 to constants.
SAMPLE_AXIS_SIZE = 2


def get_input_signature(model) -> list[InputSpec]:
    """One `InputSpec` (shape with `None` batch axis, dtype, name) per input of a built model.

    Raises:
        ValueError: the model has not been built (it has never seen an input shape).
    """
    if not model.built:
        raise ValueError(f"Model '{model.name}' cannot be exported before it is built: it does "
                         f"not know the shape of its inputs yet. Call it on data first (e.g. "
                         f"`model.predict(x)`), build it with `model.build((None, features))`, "
                         f"or start it with `lamina.Input(shape=...)`. You can also pass "
                         f"`input_signature=[InputSpec(shape=(None, features))]` (InputSpec from "
                         f"lamina.layers.input_spec).")
    tensors = getattr(model, "inputs", None)
    if tensors:
        return [InputSpec(shape=_batch_free(t.shape), dtype=t.dtype, name=t.name)
                for t in tensors]
    shapes = model._build_shapes
    nested = isinstance(shapes, (list, tuple)) and shapes and isinstance(shapes[0], (list, tuple))
    return [InputSpec(shape=_batch_free(shape), dtype=backend.floatx(), name=f"input_{index}")
            for index, shape in enumerate(shapes if nested else [shapes])]


def standardize_input_signature(model, input_signature) -> list[InputSpec]:
    """The user's `input_signature` (or the model's own, for None) as a flat list of InputSpecs.

    Accepts an `InputSpec`, an `Input(...)` tensor, or a tensor/array (its dtype and shape; the
    batch axis stays free), or a list, tuple or dict of them (one per model input).
    """
    if input_signature is None:
        specs = get_input_signature(model)
    elif isinstance(input_signature, dict):
        specs = [_as_spec(value, str(name)) for name, value in input_signature.items()]
    elif isinstance(input_signature, (list, tuple)) and not _is_shape(input_signature):
        specs = [_as_spec(value, f"input_{index}") for index, value in enumerate(input_signature)]
    else:
        specs = [_as_spec(input_signature, "input_0")]
    for spec in specs:
        _check_spec(spec)
    return specs


def sample_inputs(specs: list[InputSpec], device=None) -> list[torch.Tensor]:
    """Zero tensors of each spec's shape and dtype (free axes of size 2) to trace with."""
    return [torch.zeros([SAMPLE_AXIS_SIZE if size is None else size for size in spec.shape],
                        dtype=backend.torch_dtype(spec.dtype), device=device)
            for spec in specs]


def trace(model, specs: list[InputSpec], **options) -> torch.export.ExportedProgram:
    """`model`'s inference call captured by `torch.export.export` on samples of `specs`.

    Free axes stay free unless `options` gives `dynamic_shapes`; an axis the model fixes
    (a recurrent layer unrolled over a `None` time axis) is an error naming the input.
    """
    samples = pack_inputs(model, sample_inputs(specs, device=_device_of(model)))
    options.setdefault("dynamic_shapes", (pack_inputs(model, dynamic_shapes(specs)),))
    with inference_mode(model):
        module = ExportModule(model).eval()
        try:
            return torch.export.export(module, (samples,), **options)
        except Exception as error:
            if not _fixes_a_free_axis(error):
                raise RuntimeError(f"Could not export model '{model.name}': torch.export failed "
                                   f"({type(error).__name__}: {_first_lines(error)}).") from error
            fixed = ", ".join(f"InputSpec(shape={_fixed_axes(spec.shape)})" for spec in specs)
            raise ValueError(
                f"Could not export model '{model.name}' with the input shapes "
                f"{[spec.shape for spec in specs]}: its computation fixes an axis declared "
                f"None (free), such as the time axis of a recurrent layer. Give that axis a "
                f"size with `input_signature`, e.g. input_signature=[{fixed}] (InputSpec from "
                f"lamina.layers.input_spec). torch.export said: {_first_lines(error)}"
            ) from error


def dynamic_shapes(specs: list[InputSpec]) -> list[dict]:
    """`{axis: torch.export.Dim}` per input: one shared batch Dim, one Dim per other None axis."""
    batch = torch.export.Dim("batch")
    shapes = []
    for index, spec in enumerate(specs):
        name = _name(spec, index)
        shapes.append({axis: batch if axis == 0 else torch.export.Dim(f"{name}_{axis}")
                       for axis, size in enumerate(spec.shape) if size is None})
    return shapes


def input_names(specs: list[InputSpec]) -> list[str]:
    """The graph's input names: the `Input` layers' names, else `input_<i>`."""
    return [_name(spec, index) for index, spec in enumerate(specs)]


def pack_inputs(model, flat: list):
    """`flat` (one value per input) in the structure `model` is called with.

    A functional model built on a dict of inputs takes a dict; several inputs, a list; one
    input, the value itself.
    """
    structure = getattr(model, "_inputs_struct", None)
    if isinstance(structure, dict):
        return dict(zip(model.input_keys, flat))  # the keys in the order of model.inputs
    return list(flat) if len(flat) > 1 else flat[0]


@contextlib.contextmanager
def inference_mode(model):
    """Runs the block with every module of `model` in eval mode, then restores each one's mode."""
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        yield
    finally:
        for module, training in modes:
            module.training = training


class ExportModule(torch.nn.Module):
    """The model's inference call (`training=False`) as a plain module to trace.

    Its `forward` takes the inputs the way the model does: one tensor, a list, or a dict.
    """

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, inputs):
        return self.model(inputs, training=False)


def _device_of(model) -> torch.device:
    for tensor in (*model.parameters(), *model.buffers()):
        return tensor.device
    return torch.device("cpu")


def _fixes_a_free_axis(error: BaseException | None) -> bool:
    """Whether torch.export failed because the computation fixed an axis marked dynamic."""
    while error is not None:
        if (isinstance(error, torch.fx.experimental.symbolic_shapes.ConstraintViolationError)
                or "Constraints violated" in str(error)):
            return True
        error = error.__cause__ or error.__context__
    return False


def _fixed_axes(shape: tuple, size: int = 50) -> tuple:
    """`shape` with its batch axis free and any other free axis given `size` (for a hint)."""
    return (None,) + tuple(size if axis is None else axis for axis in shape[1:])


def _first_lines(error: Exception, count: int = 4) -> str:
    return " ".join(line.strip() for line in str(error).strip().splitlines()[:count])


def _batch_free(shape) -> tuple:
    shape = tuple(shape)
    return (None,) + shape[1:] if shape else shape


def _as_spec(value, name: str) -> InputSpec:
    if isinstance(value, InputSpec):
        if value.shape is None:
            raise ValueError(f"`input_signature` entry {name!r} is {value!r}, which has no "
                             f"shape. Give it one, e.g. InputSpec(shape=(None, 784)).")
        return InputSpec(shape=value.shape, dtype=value.dtype or backend.floatx(),
                         name=value.name or name)
    if isinstance(value, KerasTensor):
        return InputSpec(shape=value.shape, dtype=value.dtype, name=value.name or name)
    if isinstance(value, (torch.Tensor, np.ndarray)):
        dtype = str(value.dtype).removeprefix("torch.")
        return InputSpec(shape=_batch_free(value.shape), dtype=dtype, name=name)
    raise TypeError(f"`input_signature` expects an InputSpec, an Input(...) tensor or a "
                    f"tensor/array for each model input (or a list or dict of them), but received "
                    f"{value!r} for {name!r}. For a shape, write "
                    f"lamina.layers.input_spec.InputSpec(shape=(None, 784)).")


def _is_shape(value) -> bool:
    return bool(value) and all(isinstance(size, int) or size is None for size in value)


def _check_spec(spec: InputSpec) -> None:
    if spec.dtype == "string":
        raise ValueError(f"Input {spec.name!r} takes strings, which an exported graph cannot: "
                         f"export a model that starts after the TextVectorization/StringLookup "
                         f"layer, and run that layer on the text before calling the graph.")
    backend.torch_dtype(spec.dtype)


def _name(spec: InputSpec, index: int) -> str:
    return spec.name or f"input_{index}"
