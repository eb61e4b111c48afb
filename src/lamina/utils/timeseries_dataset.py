"""`timeseries_dataset_from_array`: sliding windows over an array, with Keras' exact windows.

Window `i` starts at `start_index + p_i` with `p_i = i * sequence_stride` and takes
`sequence_length` steps `sampling_rate` apart; its target is `targets[start_index + p_i]`.
Windows are gathered with one NumPy index per batch, nothing is copied ahead of time.

Example:
    >>> ds = timeseries_dataset_from_array(np.arange(10), None, sequence_length=3,
    ...                                    sequence_stride=3, batch_size=2)
    >>> [batch.tolist() for batch in ds]
    [[[0, 1, 2], [3, 4, 5]], [[6, 7, 8]]]
"""
from __future__ import annotations

import numpy as np
import torch

from lamina.utils.indexed_dataset import IndexedDataset

__all__ = ["timeseries_dataset_from_array"]


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1, sampling_rate=1,
                                  batch_size=128, shuffle=False, seed=None, start_index=None,
                                  end_index=None, format="tf"):
    """Creates a dataset of sliding windows over a timeseries provided as an array.

    Args:
        data: an array (or tensor) of consecutive time steps along axis 0.
        targets: `targets[i]` is the target of the window that starts at step `i`; None for
            a dataset of windows only.
        sequence_length: steps per window.
        sequence_stride: steps between the starts of successive windows.
        sampling_rate: steps between successive samples within a window.
        batch_size: windows per batch (None: single windows).
        shuffle: shuffle the windows (each pass reshuffles through a buffer of 8 batches).
        seed: the shuffle seed.
        start_index: steps before this index are not used (for a held-out part).
        end_index: steps from this index on are not used.
        format: "tf" or "grain", Keras' choice of return type; both give a lamina `Dataset`.

    Returns:
        A `Dataset` yielding `windows` of shape `(batch, sequence_length, ...)` in the dtype of
        `data`, or `(windows, targets)`.

    Example:
        >>> x, y = next(iter(timeseries_dataset_from_array(np.arange(20), np.arange(20) * 10,
        ...                                                sequence_length=4, sampling_rate=2)))
        >>> x[1].tolist(), y[1].item()
        ([1, 3, 5, 7], 10)
    """
    data = _as_array(data, "data")
    if start_index:
        if start_index < 0:
            raise ValueError(f"`start_index` must be 0 or greater. Received: start_index={start_index}")
        if start_index >= len(data):
            raise ValueError(f"`start_index` must be lower than the length of the data. Received: "
                             f"start_index={start_index}, for data of length {len(data)}")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(f"`end_index` must be higher than `start_index`. Received: "
                             f"start_index={start_index}, and end_index={end_index} ")
        if end_index >= len(data):
            raise ValueError(f"`end_index` must be lower than the length of the data. Received: "
                             f"end_index={end_index}, for data of length {len(data)}")
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: end_index={end_index}")
    for name, value in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if value <= 0:
            raise ValueError(f"`{name}` must be higher than 0. Received: {name}={value}")
        if value >= len(data):
            raise ValueError(f"`{name}` must be lower than the length of the data. Received: "
                             f"{name}={value}, for data of length {len(data)}")
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` should be either "tf" or "grain". Received: format={format}')

    start_index = start_index or 0
    end_index = len(data) if end_index is None else end_index
    num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate
    target_array = None
    if targets is not None:
        target_array = _as_array(targets, "targets")
        num_seqs = min(num_seqs, len(target_array))
        target_array = target_array[start_index:end_index]
    start_positions = np.arange(0, max(num_seqs, 0), sequence_stride, dtype=np.int64)
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(start_positions)
    windows = _Windows(data[start_index:end_index], target_array, start_positions,
                       int(sequence_length), int(sampling_rate))
    return IndexedDataset(len(start_positions), windows, batch_size, shuffle=shuffle,
                          seed=0 if seed is None else int(seed))


def _as_array(values, argument: str) -> np.ndarray:
    if isinstance(values, torch.Tensor):
        return values.detach().cpu().numpy()
    array = np.asarray(values)
    if array.ndim == 0:
        raise ValueError(f"Argument `{argument}` must be an array with time steps along axis 0. "
                         f"Received a scalar: {argument}={values!r}")
    return array


class _Windows:
    """`fetch` for IndexedDataset: the windows (and targets) of some window indices."""

    def __init__(self, data, targets, start_positions, sequence_length, sampling_rate):
        self.data = data
        self.targets = targets
        self.start_positions = start_positions
        self.offsets = np.arange(sequence_length, dtype=np.int64) * sampling_rate

    def __call__(self, indices):
        starts = self.start_positions[indices]
        windows = torch.from_numpy(self.data[starts[:, None] + self.offsets])
        if self.targets is None:
            return windows
        return windows, torch.from_numpy(np.asarray(self.targets[starts]))
