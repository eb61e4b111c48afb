"""`IntegerLookup`: integer features -> vocabulary indices (or one-hot / multi-hot / count / TF-IDF).

The lookup runs on torch tensors, on the inputs' device (a binary search in the sorted
vocabulary), so the layer works inside a model as well as on NumPy data.

Example:
    >>> layer = lamina.layers.IntegerLookup(vocabulary=[12, 36, 1138, 42])
    >>> layer(np.array([[12, 1138, 42], [42, 1000, 36]]))
    tensor([[1, 3, 4],
            [4, 0, 2]])
"""
from __future__ import annotations

import numpy as np
import torch

from lamina import backend
from lamina.layers.preprocessing.index_lookup import IndexLookup
from lamina.layers.preprocessing.string_hash import as_hash_strings, hash_buckets

__all__ = ["IntegerLookup"]


class IntegerLookup(IndexLookup):
    """Maps integers to indices through a vocabulary given or learned with `adapt`.

    Args:
        max_tokens: the largest vocabulary size, mask and OOV indices included (None: no limit).
        num_oov_indices: how many indices out-of-vocabulary values share; with more than one, a
            value's OOV index is `value % num_oov_indices` (oov_method='floormod') or the
            FarmHash64 of its decimal string (oov_method='farmhash').
        mask_token: the integer that means "masked": index 0 in 'int' mode, dropped in others.
        oov_token: what `invert=True` returns for unknown indices (default -1).
        vocabulary: a list/array of integers or a text file of one integer per line.
        vocabulary_dtype: 'int64' (the only one, as in Keras).
        idf_weights: with output_mode='tf_idf' and a `vocabulary`: one weight per value.
        invert: map indices back to values.
        output_mode: 'int', 'one_hot', 'multi_hot', 'count' or 'tf_idf'.
        sparse: not supported (lamina returns dense tensors).
        pad_to_max_tokens: make encodings `max_tokens` wide whatever the vocabulary size.
        oov_method: 'floormod' or 'farmhash' (see `num_oov_indices`).
        salt: with oov_method='farmhash', hash with SipHash-2-4 keyed by this (an int or 2 ints).
    """

    _vocabulary_dtype = "int64"
    _invert_dtype = "int64"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 output_mode="int", sparse=False, pad_to_max_tokens=False, oov_method="floormod",
                 salt=None, name=None, **kwargs):
        if vocabulary_dtype != "int64":
            raise ValueError(f"Only `vocabulary_dtype='int64'` is supported at this time. "
                             f"Received: vocabulary_dtype={vocabulary_dtype}")
        if salt is not None and oov_method != "farmhash":
            raise ValueError(f"`salt` can only be used when `oov_method='farmhash'`. Received: "
                             f"oov_method={oov_method}")
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=None if mask_token is None else int(mask_token),
                         oov_token=None if oov_token is None else int(oov_token),
                         vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, sparse=sparse, pad_to_max_tokens=pad_to_max_tokens,
                         oov_method=oov_method, salt=salt, name=name, **kwargs)

    def adapt(self, data, steps=None) -> None:
        """Learns the vocabulary from integers: an array/list, or a dataset yielding batches."""
        super().adapt(data, steps=steps)

    def _set_tokens(self, tokens) -> None:
        self._tokens = [int(token) for token in tokens]
        keys = torch.tensor(self._tokens, dtype=torch.int64)
        order = torch.argsort(keys)
        self._sorted_keys = keys[order]
        self._sorted_indices = order + self._token_start_index()

    def _parse_vocabulary_lines(self, lines) -> list:
        return [int(line) for line in lines]

    def _adapt_keys(self, data, argument: str) -> np.ndarray:
        return self._integers(data, argument).cpu().numpy()

    def _call_keys(self, inputs) -> torch.Tensor:
        return self._integers(inputs, "inputs")

    def _integers(self, data, argument: str) -> torch.Tensor:
        if backend.is_string_data(data):
            raise TypeError(f"IntegerLookup '{self.name}' maps integers, but `{argument}` holds "
                            f"strings. Use StringLookup for string features.")
        tensor = data if isinstance(data, torch.Tensor) else backend.from_numpy(np.asarray(data))
        if tensor.is_floating_point() and bool((tensor != tensor.round()).any()):
            raise TypeError(f"IntegerLookup '{self.name}' maps integers, but `{argument}` holds "
                            f"non-integer floats (dtype {str(tensor.dtype).replace('torch.', '')}). "
                            f"Round or bin them first (e.g. with a Discretization layer).")
        return tensor.to(torch.int64)

    def _lookup_indices(self, keys: torch.Tensor):
        if not self._tokens:
            return torch.zeros_like(keys), torch.zeros_like(keys, dtype=torch.bool)
        sorted_keys = self._sorted_keys.to(keys.device)
        position = torch.searchsorted(sorted_keys, keys).clamp(max=sorted_keys.numel() - 1)
        found = sorted_keys[position] == keys
        return self._sorted_indices.to(keys.device)[position], found

    def _is_mask(self, keys: torch.Tensor) -> torch.Tensor:
        if self.mask_token is None:
            return torch.zeros_like(keys, dtype=torch.bool)
        return keys == self.mask_token

    def _oov_buckets(self, keys: torch.Tensor, device) -> torch.Tensor:
        if self.oov_method == "floormod":
            return torch.remainder(keys, self.num_oov_indices)  # Python's floormod, as tf's
        strings = as_hash_strings(keys.cpu().numpy())
        buckets = hash_buckets(strings, self.num_oov_indices, self.salt)
        return torch.from_numpy(buckets.reshape(tuple(keys.shape))).to(device)

    def _invert(self, inputs) -> torch.Tensor:
        """Indices -> values: the mask token at 0 (if any), `oov_token` for unknown indices."""
        indices = self._call_keys(inputs)
        offset = indices - self._token_start_index()
        known = (offset >= 0) & (offset < len(self._tokens))
        tokens = torch.tensor(self._tokens + [self.oov_token], dtype=torch.int64, device=indices.device)
        values = tokens[torch.where(known, offset, len(self._tokens))]
        if self.mask_token is not None:
            values = torch.where(indices == 0, self.mask_token, values)
        return values
