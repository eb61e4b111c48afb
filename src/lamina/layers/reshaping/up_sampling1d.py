"""UpSampling1D: repeats each step of a sequence `size` times."""
from __future__ import annotations

from lamina.layers.reshaping.base_up_sampling import BaseUpSampling

__all__ = ["UpSampling1D"]


class UpSampling1D(BaseUpSampling):
    """Repeats each step along axis 1 of `(batch, steps, features)` inputs.

    Args:
        size: the number of repetitions, a positive integer.

    Example:
        >>> UpSampling1D(2)(torch.tensor([[[1.0], [2.0]]])).flatten()
        tensor([1., 1., 2., 2.])
    """

    def __init__(self, size: int = 2, **kwargs):
        if isinstance(size, bool) or not isinstance(size, int):
            raise TypeError(f"Expected an integer value for `size`, got {type(size).__name__} "
                            f"(size={size!r}).")
        if size <= 0:
            raise ValueError(f"Argument `size` should be a positive integer. Received: size={size}")
        super().__init__(1, (size,), "channels_last", **kwargs)
        self.size = size

    def call(self, inputs):
        return self._upsample(inputs)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size}
