"""The "Output Shape" that `summary()` shows for a layer called outside a graph.

A subclassed model's sublayers are called on tensors, not wired into a graph, so no node
holds their output. Keras' summary then asks `compute_output_shape` of the shapes recorded
when the layer was built by its first call, and prints "?" where there are none: for the
layers Keras marks built when they are constructed (weightless ones: Dropout, pooling,
Activation, Reshape...), and for a custom layer that does not implement `compute_output_shape`.

Example:
    >>> import torch, lamina
    >>> dense, pool = lamina.layers.Dense(3), lamina.layers.GlobalAveragePooling1D()
    >>> _ = pool(dense(torch.zeros(8, 5, 4)))
    >>> output_shape_from_build(dense), output_shape_from_build(pool)
    ((8, 5, 3), None)
"""
from __future__ import annotations

from lamina.layers.layer import Layer

__all__ = ["output_shape_from_build"]

# Keras 3.15's public layers that are built as soon as they are constructed (found by
# constructing each one and reading `built`): their summary row shows "?" outside a graph.
KERAS_BUILT_AT_CONSTRUCTION = frozenset("""
    Activation ActivityRegularization AlphaDropout AveragePooling1D AveragePooling2D
    AveragePooling3D Dropout ELU GaussianDropout GaussianNoise GlobalAveragePooling1D
    GlobalAveragePooling2D GlobalAveragePooling3D GlobalMaxPooling1D GlobalMaxPooling2D
    GlobalMaxPooling3D Identity InputLayer LeakyReLU Masking MaxPooling1D MaxPooling2D
    MaxPooling3D ReLU Reshape Softmax SpatialDropout1D SpatialDropout2D SpatialDropout3D
    UnitNormalization
""".split())


def output_shape_from_build(layer: Layer):
    """The output shape Keras' summary shows for `layer` from its build shapes, or None."""
    shapes = getattr(layer, "_build_shapes", None)
    if shapes is None or not _computes_output_shape(layer):
        return None
    try:
        if isinstance(shapes, dict):  # built from several tensors (query_shape=, value_shape=)
            return layer.compute_output_shape(**shapes)
        return layer.compute_output_shape(shapes)
    except Exception:  # noqa: BLE001 - a shape the summary cannot work out is shown as "?"
        return None


def _computes_output_shape(layer: Layer) -> bool:
    """Whether Keras would record build shapes and compute an output shape from them.

    The nearest of lamina's classes in the layer's ancestry stands for Keras' class of the
    same name (all of Keras' own layers implement `compute_output_shape`); above it, a
    user's class counts when it defines `compute_output_shape` itself.
    """
    for cls in type(layer).__mro__:
        if cls is Layer or not issubclass(cls, Layer):
            return False
        if _is_lamina_class(cls):
            return cls.__name__ not in KERAS_BUILT_AT_CONSTRUCTION
        if "compute_output_shape" in vars(cls):
            return True
    return False


def _is_lamina_class(cls) -> bool:
    return cls.__module__.startswith("lamina.")
