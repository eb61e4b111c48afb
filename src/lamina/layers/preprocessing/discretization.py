"""`Discretization`: numbers -> bin indices, with boundaries given or learned by `adapt`.

`adapt` uses Keras' approximate quantiles (a weighted summary compressed to `1 / epsilon`
points per batch, merged across batches), so the boundaries equal Keras' for the same data
and batches.

Example:
    >>> layer = lamina.layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
    >>> layer(np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]]))
    tensor([[0, 2, 3, 1],
            [1, 3, 2, 1]], dtype=torch.int32)
"""
from __future__ import annotations

import numpy as np
import torch

from lamina.layers.layer import Layer
from lamina.layers.preprocessing.adapt_data import adapt_batches
from lamina.layers.preprocessing.arguments import refuse_sparse, validate_string_arg
from lamina.layers.preprocessing.encoding import categorical_output_shape, encode_categorical

__all__ = ["Discretization"]


class Discretization(Layer):
    """Buckets each value: bin i holds `bin_boundaries[i-1] <= x < bin_boundaries[i]`.

    Args:
        bin_boundaries: the sorted boundaries (n boundaries make n + 1 bins).
        num_bins: the number of bins to learn with `adapt` (instead of `bin_boundaries`).
        epsilon: the error tolerance of the learned quantiles (smaller: more memory).
        output_mode: 'int' (bin ids, int32 as in Keras), 'one_hot', 'multi_hot' or 'count'.
        sparse: not supported (lamina returns dense tensors).
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, dtype=None, name=None, **kwargs):
        super().__init__(name=name, dtype=dtype, **kwargs)
        refuse_sparse(sparse, "Discretization")
        validate_string_arg(output_mode, ("int", "one_hot", "multi_hot", "count"),
                            "Discretization", "output_mode")
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"`num_bins` must be greater than or equal to 0. Received: "
                             f"`num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(f"Both `num_bins` and `bin_boundaries` should not be set. Received: "
                             f"`num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        self.bin_boundaries = None if bin_boundaries is None else list(bin_boundaries)
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = False
        self.summary = None if self.bin_boundaries else _empty_summary()

    def adapt(self, data, steps=None) -> None:
        """Learns `num_bins - 1` boundaries at the quantiles of `data` (an array or a dataset)."""
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized with "
                             "`bin_boundaries`, use `num_bins` instead.")
        self.reset_state()
        for batch in adapt_batches(data, "Discretization", steps=steps):
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data) -> None:
        """Merges one batch into the quantile summary."""
        if isinstance(data, torch.Tensor):
            data = data.detach().cpu().numpy()
        values = np.array(data).astype("float32")
        self.summary = _merge_summaries(_summarize(values, self.epsilon), self.summary, self.epsilon)

    def finalize_state(self) -> None:
        if self.num_bins is not None:
            self.bin_boundaries = _bin_boundaries(self.summary, self.num_bins).tolist()

    def reset_state(self) -> None:
        if self.num_bins is not None:
            self.summary = _empty_summary()

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at "
                             "construction time or call `adapt(dataset)` before you can start "
                             "using the `Discretization` layer.")
        boundaries = torch.tensor(self.bin_boundaries, dtype=inputs.dtype, device=inputs.device)
        indices = torch.bucketize(inputs, boundaries, right=True)  # NumPy's digitize
        return encode_categorical(indices, self.output_mode, len(self.bin_boundaries) + 1,
                                  self._output_dtype())

    def _output_dtype(self) -> torch.dtype:
        return torch.int32 if self.output_mode == "int" else self._dtype

    @property
    def compute_dtype(self) -> str:
        return str(self._output_dtype()).replace("torch.", "")

    def _depth(self):
        return len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins

    def compute_output_shape(self, input_shape):
        return categorical_output_shape(input_shape, self.output_mode, self._depth())

    def load_own_variables(self, store) -> None:
        """Keras' hook: a saved quantile summary (the only stored state) comes back."""
        if len(store) == 1:
            self.summary = np.asarray(store["0"])

    def get_config(self) -> dict:
        # Keras' Discretization writes exactly these keys, its dtype as a plain name.
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins,
                "epsilon": self.epsilon, "output_mode": self.output_mode, "sparse": False,
                "name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict) -> "Discretization":
        # An adapted layer's config holds both: rebuild from num_bins, then restore the boundaries.
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            config = dict(config)
            bin_boundaries = config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = bin_boundaries
            return layer
        return cls(**config)


def _empty_summary() -> np.ndarray:
    return np.array([[], []], dtype="float32")


def _summarize(values: np.ndarray, epsilon: float) -> np.ndarray:
    """Every `len / (1 / epsilon)`-th sorted value, each weighing that many values."""
    values = np.sort(np.reshape(values, [-1]))
    step = max(np.size(values) / (1.0 / epsilon), 1)
    boundaries = values[int(step - 1)::int(step)]
    return np.stack([boundaries, np.ones_like(boundaries) * step])


def _merge_summaries(first: np.ndarray, second: np.ndarray, epsilon: float) -> np.ndarray:
    merged = np.concatenate((first, second), axis=1)
    merged = np.take(merged, np.argsort(merged[0]), axis=1)
    return _compress_summary(merged, epsilon)


def _bin_boundaries(summary: np.ndarray, num_bins: int) -> np.ndarray:
    return _compress_summary(summary, 1.0 / num_bins)[0, :-1]


def _compress_summary(summary: np.ndarray, epsilon: float) -> np.ndarray:
    """Resamples the summary at the `epsilon`-spaced quantiles of its cumulative weight."""
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum_weights = summary[1].cumsum()
    cum_weight_percents = cum_weights / cum_weights[-1]
    new_bins = np.interp(percents, cum_weight_percents, summary[0])
    cum_weights = np.interp(percents, cum_weight_percents, cum_weights)
    new_weights = cum_weights - np.concatenate((np.array([0]), cum_weights[:-1]))
    return np.stack((new_bins, new_weights)).astype("float32")
