"""Output specs without data: run a layer's `call` on PyTorch's meta device.

Unknown (None) dimensions are found by running twice with two different stand-in sizes:
an output dimension that changes between the runs depends on an unknown input dimension and
stays None; one that does not is known. This keeps `Input((None, 8))` through any layer
variable-length, and infers the output dtype from what `call` really returns.
"""
from __future__ import annotations

import itertools

import torch
from torch.utils import _pytree as pytree

from lamina import backend
from lamina.ops.keras_tensor import KerasTensor
from lamina.utils.errors import OpArgumentError
from lamina.utils.scopes import SymbolicScope
from lamina.variables import Variable

__all__ = ["infer_mask_spec", "infer_output_spec", "placeholder"]

# Stand-ins for unknown dimensions: far apart, so strided layers (conv, pooling) map them to
# different sizes; the batch axis uses small ones so a run on real zeros stays cheap.
_BATCH_STAND_INS = (2, 3)
_DIM_STAND_INS = (61, 97)


def infer_output_spec(layer, args, kwargs):
    """`KerasTensor`-like specs `(shape, dtype)` of `layer(*args, **kwargs)` on symbolic inputs.

    Returns the structure of `call`'s result with each tensor replaced by `(shape, dtype)`.
    """
    runs = [_run(layer, args, kwargs, variant) for variant in (0, 1)]
    return pytree.tree_map(_merge_runs, runs[0], runs[1])


def infer_mask_spec(layer, inputs, mask):
    """`(shape, dtype)` of `layer.compute_mask(inputs, mask)` on symbolic tensors (a list for
    several masks), or None when the layer gives no mask or its `compute_mask` cannot run on
    stand-ins."""
    runs = []
    for variant in (0, 1):
        try:
            meta_inputs, meta_mask = _placeholders((inputs, mask), variant, "meta")
            with torch.no_grad(), backend.device_scope("meta"), SymbolicScope():
                runs.append(layer.compute_mask(meta_inputs, meta_mask))
        except Exception:  # noqa: BLE001 - a mask only describes; the graph recomputes it
            return None
    if runs[0] is None:
        return None
    if isinstance(runs[0], (list, tuple)):
        return [None if a is None else _merge_runs(a, b) for a, b in zip(*runs)]
    return _merge_runs(*runs)


def _run(layer, args, kwargs, variant: int):
    with SymbolicScope():  # metrics a layer updates in `call` skip these runs
        return _run_in_scope(layer, args, kwargs, variant)


def _run_in_scope(layer, args, kwargs, variant: int):
    try:
        return _run_on_meta(layer, args, kwargs, variant)
    except (RuntimeError, NotImplementedError, TypeError, ValueError, IndexError,
            AttributeError):
        # Some calls cannot run on meta tensors (a sublayer built lazily inside `call` gets
        # real weights, a kernel lacks a meta implementation, `.item()`): run on real zeros.
        # As Keras' symbolic pass, it leaves no trace: what `call` assigns is undone.
        device = layer._device()
        state = list(itertools.chain(layer.parameters(), layer.buffers()))
        saved = [t.detach().clone() for t in state]
        try:
            with torch.no_grad():
                real_args, real_kwargs = _placeholders((args, kwargs), variant, device)
                return layer.call(*real_args, **real_kwargs)
        except (RuntimeError, OpArgumentError) as error:  # torch's or an op's, inside `call`
            raise _inference_error(layer, args, error) from error
        finally:
            with torch.no_grad():
                for tensor, value in zip(state, saved):
                    if tensor.shape == value.shape:
                        tensor.copy_(value)


def _inference_error(layer, args, error: Exception) -> Exception:
    """Keras' error for a `call` that fails on symbolic inputs, with the inputs' shapes (the
    error itself shows the stand-in batch size used to run it)."""
    name = type(layer).__name__
    shapes = [tuple(a.shape) for a in pytree.tree_leaves(args) if hasattr(a, "shape")]
    if getattr(layer, "_is_operation", False):  # `x + y`, `ops.matmul(x, y)` on Keras tensors
        return ValueError(f"`{layer.name}` cannot take Keras tensors of shapes "
                          f"{', '.join(map(str, shapes))}: {str(error).splitlines()[0]} (shapes "
                          f"here use a stand-in batch size for None)")
    return TypeError(
        f"Could not automatically infer the output shape / dtype of '{layer.name}' (of type "
        f"{name}) called on inputs of shape {', '.join(map(str, shapes))}. Either the "
        f"`{name}.call()` method is incorrect, or you need to implement the "
        f"`{name}.compute_output_spec() / compute_output_shape()` method. Error encountered:"
        f"\n\n{error}")


def _run_on_meta(layer, args, kwargs, variant: int):
    meta_args, meta_kwargs = _placeholders((args, kwargs), variant, "meta")
    meta_state = {name: _meta_like(t)
                  for name, t in itertools.chain(layer.named_parameters(), layer.named_buffers())}
    # Constants a layer creates in `call` (ops.ones, ops.arange, ...) must be meta tensors too.
    with torch.no_grad(), backend.device_scope("meta"):
        return torch.func.functional_call(layer, meta_state, meta_args, meta_kwargs)


def _meta_like(tensor: torch.Tensor) -> torch.Tensor:
    """A data-less stand-in; a Variable stays a Variable, so `call` may `assign` to it."""
    meta = torch.empty_like(tensor, device="meta")
    if isinstance(tensor, Variable):
        return Variable.wrap(meta, trainable=tensor.trainable, name=tensor.name,
                             path=tensor.path)
    return meta


def _placeholders(structure, variant: int, device):
    return pytree.tree_map(lambda t: placeholder(t.shape, t.dtype, device, variant)
                           if isinstance(t, KerasTensor) else t, structure,
                           is_leaf=lambda t: isinstance(t, KerasTensor))


def placeholder(shape, dtype, device, variant: int = 0) -> torch.Tensor:
    """Zeros of `shape` with each None replaced by a stand-in size (batch axis: a small one)."""
    concrete = tuple((_BATCH_STAND_INS if axis == 0 else _DIM_STAND_INS)[variant] if d is None else d
                     for axis, d in enumerate(shape))
    dtype = backend.torch_dtype(dtype)
    if dtype == torch.bool:  # a stand-in mask keeps every step
        return torch.ones(concrete, device=device, dtype=dtype)
    return torch.zeros(concrete, device=device, dtype=dtype)


def _merge_runs(first, second):
    if not isinstance(first, torch.Tensor):
        return first
    shape = tuple(a if a == b else None for a, b in zip(first.shape, second.shape))
    return shape, str(first.dtype).replace("torch.", "")
