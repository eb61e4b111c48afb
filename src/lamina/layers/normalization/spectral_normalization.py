"""SpectralNormalization: divides a layer's kernel by its largest singular value (power iteration).

Each call with `training=True` runs `power_iterations` steps of the power method from the
stored `vector_u`, estimates the kernel's spectral norm `sigma`, and writes `kernel / sigma`
and the new `vector_u` back in place, as Keras does; inference calls use the kernel as stored.
Gradients reach the kernel as the wrapped layer uses it (as in Keras' torch backend, the
in-place update is not differentiated).

Example:
    >>> layer = SpectralNormalization(lamina.layers.Dense(4), power_iterations=20)
    >>> _ = layer(torch.randn(8, 5), training=True)
    >>> round(float(torch.linalg.matrix_norm(layer.kernel.detach(), ord=2)), 3)
    1.0
"""
from __future__ import annotations

import torch

from lamina import backend, initializers
from lamina.dtype_policies.autocast import stored_weight
from lamina.layers.core.wrapper import Wrapper
from lamina.layers.input_spec import InputSpec

__all__ = ["SpectralNormalization"]


class SpectralNormalization(Wrapper):
    """Performs spectral normalization on the weights of a target layer.

    Controls the Lipschitz constant of the layer by constraining the spectral norm of its
    kernel, which can stabilize the training of GANs (Miyato et al., 2018).

    Args:
        layer: a layer with a `kernel` (Dense, Conv2D, ...) or an `embeddings` weight
            (Embedding).
        power_iterations: the number of power-method steps per training call (> 0).

    Example:
        >>> conv = SpectralNormalization(lamina.layers.Conv2D(2, 2))
        >>> conv(torch.rand(1, 10, 10, 1)).shape
        torch.Size([1, 9, 9, 2])
    """

    def __init__(self, layer, power_iterations: int = 1, **kwargs):
        super().__init__(layer, **kwargs)
        if power_iterations <= 0:
            raise ValueError(f"`power_iterations` should be greater than zero. Received: "
                             f"`power_iterations={power_iterations}`")
        self.power_iterations = power_iterations
        self.vector_u = None

    @property
    def kernel(self) -> torch.Tensor:
        """The wrapped layer's kernel (or embeddings): the weight that is normalized."""
        return getattr(self.layer, self._kernel_name())

    def _kernel_name(self) -> str:
        for name in ("kernel", "embeddings"):
            if isinstance(getattr(self.layer, name, None), torch.Tensor):
                return name
        raise ValueError(f"{type(self.layer).__name__} object has no attribute 'kernel' nor "
                         f"'embeddings'")

    def _stored_kernel(self) -> torch.Tensor:
        """The kernel's Variable, also inside a mixed-precision call, where the layer reads a
        cast copy of it."""
        name = self._kernel_name()
        return stored_weight(self.layer, name) if name in self.layer._parameters else self.kernel

    def build(self, input_shape) -> None:
        super().build(input_shape)
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        kernel = self.kernel
        self.vector_u = self.add_weight(shape=(1, kernel.shape[-1]), name="vector_u",
                                        initializer=initializers.TruncatedNormal(stddev=0.02),
                                        trainable=False, dtype=kernel.dtype)

    def _own_weight_tensors(self, trainable: bool) -> list[torch.Tensor]:
        # Keras tracks the wrapped kernel as this layer's own weight too: the weights are
        # [kernel, vector_u, <the wrapped layer's others>], and a saved file holds the kernel
        # under this layer's vars as well as under its `layer`.
        own = super()._own_weight_tensors(trainable)
        if trainable and self.built:
            return [self._stored_kernel(), *own]
        return own

    def call(self, inputs, training=False):
        if training:
            self._normalize_kernel()
        outputs = self.layer(inputs)
        return outputs.to(inputs.dtype) if inputs.is_floating_point() else outputs

    def normalized_weights(self):
        """The new `(vector_u, kernel)`: the power method's estimate and `kernel / sigma`."""
        kernel = self._stored_kernel()
        weights = kernel.reshape(-1, kernel.shape[-1])
        vector_u = self.vector_u
        for _ in range(self.power_iterations):
            vector_v = _l2_normalize(vector_u @ weights.T)
            vector_u = _l2_normalize(vector_v @ weights)
        vector_u, vector_v = vector_u.detach(), vector_v.detach()
        sigma = (vector_v @ weights) @ vector_u.T
        return vector_u.to(self.vector_u.dtype), (kernel / sigma).reshape(kernel.shape)

    @torch.no_grad()
    def _normalize_kernel(self) -> None:
        kernel, in_use = self._stored_kernel(), self.kernel
        vector_u, normalized = self.normalized_weights()
        # An all-zero kernel stays as it is (Keras' cond), chosen on the device: no host sync.
        keep = (kernel == 0).all()
        self.vector_u.copy_(torch.where(keep, self.vector_u, vector_u))
        kernel.copy_(torch.where(keep, kernel, normalized))
        if in_use is not kernel:  # the compute-dtype copy this (mixed-precision) call reads
            in_use.copy_(kernel)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "power_iterations": self.power_iterations}


def _l2_normalize(x: torch.Tensor) -> torch.Tensor:
    """`x / ||x||` over all its entries, as Keras' `normalize(x, axis=None)`: the inverse norm
    is capped at 1 / epsilon, so a zero vector stays zero."""
    inverse_norm = torch.rsqrt(x.square().sum()).clamp(max=1.0 / backend.epsilon())
    return x * inverse_norm
