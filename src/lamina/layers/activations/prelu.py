"""PReLU: a leaky ReLU whose negative slope is learned, per unit or shared over axes."""
from __future__ import annotations

import torch

from lamina import constraints, initializers, regularizers
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer

__all__ = ["PReLU"]


class PReLU(Layer):
    """`x` for `x >= 0`, `alpha * x` otherwise, with `alpha` a weight shaped like one sample.

    Args:
        alpha_initializer: initializer of `alpha` (zeros: starts as a ReLU).
        alpha_regularizer, alpha_constraint: as for Dense's kernel.
        shared_axes: axes (numbered from 1) along which `alpha` is shared, e.g. `[1, 2]` for one
            slope per channel of `(batch, height, width, channels)` images.

    Example:
        >>> layer = PReLU(shared_axes=[1, 2])
        >>> layer.build((None, 28, 28, 32))
        >>> tuple(layer.alpha.shape)
        (1, 1, 32)
    """

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = list(shared_axes)
        else:
            self.shared_axes = [shared_axes]
        self.supports_masking = True
        self.alpha = None

    def build(self, input_shape) -> None:
        shape = list(input_shape[1:])
        shared = self.shared_axes or []
        for axis in shared:
            if isinstance(axis, bool) or not isinstance(axis, int) or not 1 <= axis < len(input_shape):
                raise ValueError(f"PReLU '{self.name}': `shared_axes` must number axes from 1 to "
                                 f"{len(input_shape) - 1} for input shape {tuple(input_shape)} "
                                 f"(axis 0 is the batch). Received: shared_axes={self.shared_axes!r}")
            shape[axis - 1] = 1
        unknown = [axis for axis, size in enumerate(shape, start=1) if size is None]
        if unknown:
            fix = sorted(set(shared) | set(unknown))
            raise ValueError(f"PReLU '{self.name}' needs a known size on every axis that does not "
                             f"share `alpha`, but axes {unknown} of input shape {tuple(input_shape)} "
                             f"are unknown. Share alpha along them: shared_axes={fix}.")
        self.alpha = self.add_weight(shape=shape, name="alpha", initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        self.input_spec = InputSpec(ndim=len(input_shape), axes={
            axis: input_shape[axis] for axis in range(1, len(input_shape)) if axis not in shared})

    def call(self, inputs):
        # One select instead of Keras' relu(x) - alpha * relu(-x): the same values, and the same
        # gradients everywhere but at exactly 0.
        return torch.where(inputs >= 0, inputs, inputs * self.alpha)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(),
                "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
                "alpha_constraint": constraints.serialize(self.alpha_constraint),
                "shared_axes": self.shared_axes}
