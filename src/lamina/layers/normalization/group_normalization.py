"""GroupNormalization: normalizes each sample over groups of channels (instance norm at -1)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from lamina import constraints, initializers, regularizers
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.layers.normalization.axes import check_axis_argument, require_known_sizes, resolve_axes

__all__ = ["GroupNormalization"]


class GroupNormalization(Layer):
    """Splits the channels of `axis` into `groups` and normalizes each group of each sample.

    `groups=1` is layer normalization over all non-batch axes; `groups=-1` (one group per
    channel) is instance normalization.

    Args:
        groups: number of groups; must divide the number of channels (-1: one per channel).
        axis: the channel axis.
        epsilon: added to the variance before the square root.
        center, scale: whether to add `beta` / multiply by `gamma` (one per channel).
        beta_initializer, gamma_initializer: initializers (zeros, ones).
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: as in Dense.

    Example:
        >>> layer = GroupNormalization(groups=2)
        >>> layer(torch.tensor([[1.0, 3.0, 10.0, 20.0]])).detach()
        tensor([[-0.9995,  0.9995, -1.0000,  1.0000]])
    """

    def __init__(self, groups: int = 32, axis: int = -1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer="zeros", gamma_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        if isinstance(groups, bool) or not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ValueError(f"Received an invalid value for argument `groups`, expected a "
                             f"positive integer (or `-1` for instance normalization). "
                             f"Received: groups={groups!r}")
        super().__init__(**kwargs)
        self.groups = groups
        self.axis = check_axis_argument(f"GroupNormalization '{self.name}'", axis, allow_list=False)
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
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
        self._axis = None
        self._groups = None

    def build(self, input_shape) -> None:
        self._axis = resolve_axes(self, input_shape)[0]
        (channels,) = require_known_sizes(self, [self._axis], input_shape)
        groups = channels if self.groups == -1 else self.groups
        if channels < groups:
            raise ValueError(f"GroupNormalization '{self.name}': number of groups ({groups}) cannot "
                             f"be more than the number of channels ({channels}) of axis "
                             f"{self.axis} in input shape {tuple(input_shape)}.")
        if channels % groups:
            divisors = [d for d in range(1, channels + 1) if channels % d == 0]
            raise ValueError(f"GroupNormalization '{self.name}': number of groups ({groups}) must "
                             f"divide the number of channels ({channels}) of axis {self.axis} in "
                             f"input shape {tuple(input_shape)}. Choose groups from {divisors}.")
        self._groups = groups
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self._axis: channels})
        if self.scale:
            self.gamma = self.add_weight(shape=(channels,), name="gamma",
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint, autocast=False)
        if self.center:
            self.beta = self.add_weight(shape=(channels,), name="beta",
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint, autocast=False)

    def call(self, inputs):
        x = inputs.to(torch.promote_types(inputs.dtype, torch.float32))
        gamma = None if self.gamma is None else self.gamma.to(x.dtype)
        beta = None if self.beta is None else self.beta.to(x.dtype)
        # torch's fused kernel groups consecutive channels of dim 1, as Keras' reshape into
        # (groups, channels // groups) does; moving the channel axis there is a view.
        moved = x.movedim(self._axis, 1)
        outputs = F.group_norm(moved, self._groups, gamma, beta, self.epsilon)
        return outputs.movedim(1, self._axis).to(self._dtype)

    def compute_output_shape(self, input_shape):
        resolve_axes(self, input_shape)
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(),
                # Keras' build resolves groups=-1 to one group per channel; its config shows it.
                "groups": self._groups if self.groups == -1 and self._groups else self.groups,
                "axis": self.axis,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": constraints.serialize(self.beta_constraint),
                "gamma_constraint": constraints.serialize(self.gamma_constraint)}
