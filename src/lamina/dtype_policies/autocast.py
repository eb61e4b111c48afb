"""Casting at the layer boundary for mixed precision (Keras' `AutocastScope`, done explicitly).

A layer whose policy computes in another float dtype than it stores (`'mixed_bfloat16'`)
reads its float32 weights as bfloat16 copies during its call: `autocast_variables` swaps
each weight in the module's parameter table for `weight.to(compute_dtype)` and puts the
original back afterwards. The cast is part of the autograd graph, so gradients arrive in
float32 on the float32 weights; `state_dict`, saved files and optimizer slots never see
the copies. Non-trainable state kept in buffers (moving statistics) is never swapped, so
in-place updates in `call` still reach it.

Plain torch modules held by a layer (a `torch.nn.Linear` in a custom layer) keep float32
weights that lamina does not swap: `autocast_torch_modules` runs such a layer's call under
`torch.autocast` for the compute dtype, so they compute as under torch's own AMP (gradients
still arrive in float32). A lamina layer with a float32 policy called inside that region
computes in float32 (`outside_torch_autocast`).

Example:
    >>> layer = lamina.layers.Dense(2, dtype="mixed_bfloat16")
    >>> layer(torch.ones(1, 3)).dtype, layer.kernel.dtype
    (torch.bfloat16, torch.float32)
"""
from __future__ import annotations

import contextlib

import torch

__all__ = ["autocast_torch_modules", "autocast_variables", "cast_outputs",
           "outside_torch_autocast", "split_low_precision_bias", "stored_weight",
           "torch_autocast_active"]

# Set on a layer (in its __dict__) while its parameters are swapped for cast copies.
_SWAPPED = "_autocast_originals"
# How many `autocast_torch_modules` regions are open (user-entered torch.autocast not counted).
_torch_autocast_depth = 0


@contextlib.contextmanager
def autocast_variables(layer):
    """Within the block, `layer` and its mixed sublayers read their weights in compute dtype.

    Sublayers are included because some layers read their sublayers' weights without
    calling them (an RNN reads its cell's kernels); each casts to its own compute dtype,
    and layers already swapped by an enclosing call are left as they are.
    """
    swapped = []
    try:
        for sublayer in layer._flatten_layers():
            if sublayer._casts_variables and _SWAPPED not in sublayer.__dict__:
                sublayer.__dict__[_SWAPPED] = _swap_in_casts(sublayer)
                swapped.append(sublayer)
        yield
    finally:
        for sublayer in swapped:
            sublayer._parameters.update(sublayer.__dict__.pop(_SWAPPED))


def stored_weight(layer, key: str) -> torch.Tensor:
    """`layer`'s parameter `key` as stored (its float32 Variable), also while a mixed call has
    swapped it for a cast copy (a layer updating a weight in place writes there)."""
    return layer.__dict__.get(_SWAPPED, {}).get(key, layer._parameters.get(key))


def _swap_in_casts(layer) -> dict:
    """Replaces each float weight of `layer` that autocasts by its cast; returns the originals."""
    target = layer._dtype
    originals = {}
    for key, weight in layer._parameters.items():
        if (weight is not None and weight.is_floating_point() and weight.dtype != target
                and getattr(weight, "_autocast", True)):
            originals[key] = weight
    for key, weight in originals.items():
        layer._parameters[key] = weight.to(target)
    return originals


@contextlib.contextmanager
def autocast_torch_modules(layer):
    """`torch.autocast` to the compute dtype when `layer` holds plain torch modules with weights."""
    global _torch_autocast_depth
    device_type = layer._device().type if _holds_torch_modules(layer) else None
    if device_type is None or not torch.amp.is_autocast_available(device_type):
        yield
        return
    _torch_autocast_depth += 1
    try:
        with torch.autocast(device_type, dtype=layer._dtype):
            yield
    finally:
        _torch_autocast_depth -= 1


def torch_autocast_active() -> bool:
    """Whether a call runs inside an `autocast_torch_modules` region."""
    return _torch_autocast_depth > 0


@contextlib.contextmanager
def outside_torch_autocast(layer):
    """Turns lamina's torch.autocast off for a layer that computes in full precision."""
    device_type = layer._device().type
    if not torch.amp.is_autocast_available(device_type):
        yield
        return
    with torch.autocast(device_type, enabled=False):
        yield


def _holds_torch_modules(layer) -> bool:
    """Whether `layer` (not its lamina sublayers) holds torch modules with float weights."""
    from lamina.layers.layer import Layer

    pending = list(layer.children())
    while pending:
        module = pending.pop()
        if isinstance(module, Layer):
            continue
        if any(p is not None and p.is_floating_point() for p in module._parameters.values()):
            return True
        pending.extend(module.children())
    return False


def cast_outputs(outputs, dtype: torch.dtype):
    """Floating tensors in `outputs` (a tensor, list or tuple) cast to `dtype`; others kept."""
    if isinstance(outputs, torch.Tensor):
        if outputs.is_floating_point() and outputs.dtype != dtype:
            cast = outputs.to(dtype)
            mask = getattr(outputs, "_keras_mask", None)
            if mask is not None:
                cast._keras_mask = mask
            return cast
        return outputs
    if isinstance(outputs, (list, tuple)):
        return (list if isinstance(outputs, list) else tuple)(
            cast_outputs(item, dtype) for item in outputs)
    return outputs


def split_low_precision_bias(inputs, bias):
    """(bias for the fused kernel, bias to add after it): in float16/bfloat16 Keras rounds the
    convolution (or matmul) before adding the bias, so the bias is added as its own op there,
    for the same numbers; float32 keeps the fused, faster kernel."""
    if bias is not None and inputs.dtype in (torch.float16, torch.bfloat16):
        return None, bias
    return bias, None
