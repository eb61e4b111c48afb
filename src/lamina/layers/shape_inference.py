"""Output shapes without data: run a layer's `call` on PyTorch's meta device."""
from __future__ import annotations

import itertools

import torch

from lamina import backend

__all__ = ["infer_output_shape"]

# Stand-in for unknown (None) dimensions while running on the meta device.
_UNKNOWN_DIM = 1


def infer_output_shape(layer, input_shape, dtype=None):
    """Shape (batch axis None) of `layer`'s output for inputs of `input_shape`.

    Builds the layer first if needed. The weights are swapped for meta tensors so nothing
    is computed or allocated.
    """
    if not layer.built:
        layer.build_from_shape(input_shape)
    try:
        outputs = _run_on_meta(layer, input_shape, dtype)
    except (RuntimeError, NotImplementedError, TypeError, ValueError):
        # Some calls cannot run on meta tensors (a sublayer built lazily inside `call` gets
        # real weights, a kernel lacks a meta implementation): run once on a tiny real batch.
        outputs = _run_on_zeros(layer, input_shape, dtype)
    return _symbolic_shape(outputs, input_shape)


def _run_on_meta(layer, input_shape, dtype):
    meta_inputs = _placeholder(input_shape, dtype, "meta")
    meta_weights = {name: torch.empty_like(t, device="meta")
                    for name, t in itertools.chain(layer.named_parameters(), layer.named_buffers())}
    # Constants a layer creates in `call` (ops.ones, ops.arange, ...) must be meta tensors too.
    with torch.no_grad(), backend.device_scope("meta"):
        return torch.func.functional_call(layer, meta_weights, (meta_inputs,))


def _run_on_zeros(layer, input_shape, dtype):
    with torch.no_grad():
        return layer(_placeholder(input_shape, dtype, layer._device()))


def _placeholder(shape, dtype, device):
    if isinstance(shape, list) and shape and isinstance(shape[0], (tuple, list)):
        return [_placeholder(s, dtype, device) for s in shape]
    concrete = tuple(_UNKNOWN_DIM if d is None else d for d in shape)
    return torch.zeros(concrete, device=device, dtype=dtype or torch.float32)


def _symbolic_shape(outputs, input_shape):
    if isinstance(outputs, (list, tuple)):
        return [_symbolic_shape(o, input_shape) for o in outputs]
    shape = tuple(outputs.shape)
    batch_unknown = _first_shape(input_shape)[0] is None
    return ((None,) + shape[1:]) if batch_unknown and shape else shape


def _first_shape(shape):
    if isinstance(shape, list) and shape and isinstance(shape[0], (tuple, list)):
        return _first_shape(shape[0])
    return tuple(shape) if shape else (None,)
