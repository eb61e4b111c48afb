"""AdditiveAttention: Bahdanau-style attention, scores `sum(scale * tanh(query + key))`."""
from __future__ import annotations

import torch

from lamina.layers.attention.attention import Attention

__all__ = ["AdditiveAttention"]


class AdditiveAttention(Attention):
    """Additive attention: like `Attention`, with scores `sum(scale * tanh(q + k), axis=-1)`.

    Args:
        use_scale: whether to learn a per-feature `scale` of shape `(dim,)` (glorot_uniform);
            without it the scale is 1.
        dropout: dropout rate on the attention weights (training only).
        seed: seed of the dropout.

    Call arguments are those of `Attention`.

    Example:
        >>> layer = AdditiveAttention()
        >>> layer([torch.ones(2, 3, 4), torch.ones(2, 5, 4)]).shape, tuple(layer.scale.shape)
        (torch.Size([2, 3, 4]), (4,))
    """

    def __init__(self, use_scale: bool = True, dropout: float = 0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape) -> None:
        self._validate_inputs(input_shape)
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(input_shape[0][-1],),
                                         initializer="glorot_uniform")

    def _calculate_scores(self, query, key):
        features = torch.tanh(query.unsqueeze(-2) + key.unsqueeze(-3))
        if self.scale is not None:
            features = self.scale * features
        return features.sum(dim=-1)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["score_mode"]
        return config
