"""LayerNormalization: normalizes each sample over its feature axes (the same in training)."""
from __future__ import annotations

import warnings

import torch
import torch.nn.functional as F

from lamina import constraints, initializers, regularizers
from lamina.layers.layer import Layer
from lamina.layers.normalization.axes import (broadcastable, built_axis_config, check_axis_argument,
                                              require_known_sizes, resolve_axes)

__all__ = ["LayerNormalization"]


class LayerNormalization(Layer):
    """Normalizes each sample to mean 0 and variance 1 over `axis`, then scales and shifts it.

    Args:
        axis: the axis or axes to normalize over (default the last).
        epsilon: added to the variance before the square root.
        center, scale: whether to add `beta` / multiply by `gamma` (shaped like the axes).
        beta_initializer, gamma_initializer: initializers (zeros, ones).
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: as in Dense.
        rms_scaling: deprecated in Keras 3 (it divides by the standard deviation without
            centering); use `RMSNormalization` for RMS normalization.

    Example:
        >>> layer = LayerNormalization()
        >>> layer(torch.tensor([[1.0, 2.0, 3.0]])).detach()
        tensor([[-1.2238,  0.0000,  1.2238]])
    """

    def __init__(self, axis=-1, epsilon: float = 1e-3, center: bool = True, scale: bool = True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        rms_scaling = kwargs.pop("rms_scaling", False)
        if rms_scaling:
            warnings.warn("You passed `rms_scaling=True`, which is deprecated. This argument "
                          "incorrectly scales the input by the variance, not the root mean "
                          "square. To correctly use RMS Normalization, please use "
                          "`keras.layers.RMSNormalization` instead.", stacklevel=2)
        super().__init__(**kwargs)
        self.axis = check_axis_argument(f"LayerNormalization '{self.name}'", axis)
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.rms_scaling = rms_scaling
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True
        # Keras normalizes in float32 under mixed precision: the inputs are not cast down.
        self.autocast = False
        self.gamma = None
        self.beta = None
        self._axes = None

    def build(self, input_shape) -> None:
        self._axes = resolve_axes(self, input_shape)
        shape = require_known_sizes(self, self._axes, input_shape)
        if self.scale or self.rms_scaling:
            self.gamma = self.add_weight(shape=shape, name="gamma", initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint, autocast=False)
        if self.center and not self.rms_scaling:
            self.beta = self.add_weight(shape=shape, name="beta", initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint, autocast=False)

    def call(self, inputs):
        x = inputs.to(torch.promote_types(inputs.dtype, torch.float32))
        gamma = None if self.gamma is None else self.gamma.to(x.dtype)
        beta = None if self.beta is None else self.beta.to(x.dtype)
        if self.rms_scaling:
            variance = torch.var(x, dim=self._axes, correction=0, keepdim=True)
            outputs = x * torch.rsqrt(variance + self.epsilon)
            if gamma is not None:
                outputs = outputs * broadcastable(gamma, x.ndim, self._axes)
        elif self._axes == list(range(x.ndim - len(self._axes), x.ndim)):
            # The trailing axes: torch's fused kernel (one pass, fused backward).
            outputs = F.layer_norm(x, x.shape[x.ndim - len(self._axes):], gamma, beta, self.epsilon)
        else:
            variance, mean = torch.var_mean(x, dim=self._axes, correction=0, keepdim=True)
            inv = torch.rsqrt(variance + self.epsilon)
            if gamma is not None:
                inv = inv * broadcastable(gamma, x.ndim, self._axes)
            shift = -mean * inv
            if beta is not None:
                shift = shift + broadcastable(beta, x.ndim, self._axes)
            outputs = x * inv + shift
        return outputs.to(self._dtype)

    def compute_output_shape(self, input_shape):
        resolve_axes(self, input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(),
                "axis": built_axis_config(self),
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
                "rms_scaling": self.rms_scaling,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": constraints.serialize(self.beta_constraint),
                "gamma_constraint": constraints.serialize(self.gamma_constraint)}

