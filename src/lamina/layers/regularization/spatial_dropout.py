"""SpatialDropout1D/2D/3D: drop whole feature maps (channels), not single values."""
from __future__ import annotations

from lamina import random
from lamina.layers.input_spec import InputSpec
from lamina.layers.regularization.dropout import Dropout
from lamina.layers.regularization.noise import check_seed
from lamina.utils.argument_validation import standardize_data_format

__all__ = ["SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"]


class _SpatialDropout(Dropout):
    """Dropout whose mask has size 1 on the spatial axes, so a channel is kept or dropped whole."""

    _rank = 1

    def __init__(self, rate: float, seed: int | None = None, **kwargs):
        super().__init__(rate, seed=check_seed(seed), **kwargs)
        self.input_spec = InputSpec(ndim=self._rank + 2)
        self.supports_masking = True

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        return random.dropout(inputs, self.rate, noise_shape=self._noise_shape(inputs),
                              seed=self.seed_generator)

    def _noise_shape(self, inputs) -> tuple[int, ...]:
        if getattr(self, "data_format", "channels_last") == "channels_first":
            return (inputs.shape[0], inputs.shape[1]) + (1,) * self._rank
        return (inputs.shape[0],) + (1,) * self._rank + (inputs.shape[-1],)

    def get_config(self) -> dict:
        # Keras' spatial dropouts list only these keys (no `trainable`, dtype as a name).
        return {"rate": self.rate, "seed": self.seed, "name": self.name, "dtype": self.dtype}


class SpatialDropout1D(_SpatialDropout):
    """Drops entire 1-D feature maps of `(batch, steps, channels)` inputs in training.

    Args:
        rate: fraction of the channels to drop, in [0, 1).
        seed: seed of the mask (None: torch's global generator).

    Example:
        >>> out = SpatialDropout1D(0.5, seed=1)(torch.ones(1, 4, 6), training=True)
        >>> bool((out == out[:, :1]).all())  # a channel is the same at every step
        True
    """


class _SpatialDropoutImages(_SpatialDropout):
    def __init__(self, rate: float, data_format: str | None = None, seed: int | None = None,
                 **kwargs):
        self.data_format = standardize_data_format(data_format)
        super().__init__(rate, seed=seed, **kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}


class SpatialDropout2D(_SpatialDropoutImages):
    """Drops entire 2-D feature maps of images in training.

    Args:
        rate: fraction of the channels to drop, in [0, 1).
        data_format: 'channels_last' (default) or 'channels_first'.
        seed: seed of the mask (None: torch's global generator).

    Example:
        >>> out = SpatialDropout2D(0.5, seed=1)(torch.ones(1, 3, 3, 8), training=True)
        >>> sorted(set(out[0].flatten().tolist()))
        [0.0, 2.0]
    """

    _rank = 2


class SpatialDropout3D(_SpatialDropoutImages):
    """Drops entire 3-D feature maps of volumes in training.

    Args:
        rate: fraction of the channels to drop, in [0, 1).
        data_format: 'channels_last' (default) or 'channels_first'.
        seed: seed of the mask (None: torch's global generator).

    Example:
        >>> SpatialDropout3D(0.5)(torch.ones(1, 2, 2, 2, 3)).shape
        torch.Size([1, 2, 2, 2, 3])
    """

    _rank = 3
