"""`StringLookup`: strings -> vocabulary indices (or one-hot / multi-hot / count / TF-IDF vectors).

Strings arrive as NumPy arrays or lists of `str` (torch has no string tensors), are looked up
on the host, and leave as torch tensors: int64 indices, or float32 encodings.

Example:
    >>> layer = lamina.layers.StringLookup(vocabulary=["a", "b", "c"])
    >>> layer(np.array([["a", "c", "d"], ["d", "z", "b"]]))
    tensor([[1, 3, 0],
            [0, 0, 2]])
"""
from __future__ import annotations

import itertools

import numpy as np
import torch

from lamina.layers.preprocessing.index_lookup import IndexLookup
from lamina.layers.preprocessing.string_hash import hash_buckets
from lamina.layers.preprocessing.strings import string_array, to_string_array

__all__ = ["StringLookup"]


class StringLookup(IndexLookup):
    """Maps strings to integer indices through a vocabulary given or learned with `adapt`.

    Args:
        max_tokens: the largest vocabulary size, mask and OOV indices included (None: no limit).
        num_oov_indices: how many indices out-of-vocabulary strings share; with more than one,
            a string's OOV index is its FarmHash64 fingerprint modulo that number (as in Keras).
        mask_token: the string that means "masked": index 0 in 'int' mode, dropped in others.
        oov_token: what `invert=True` returns for unknown indices (default '[UNK]').
        vocabulary: a list/array of strings or a text file of one string per line.
        idf_weights: with output_mode='tf_idf' and a `vocabulary`: one weight per string.
        invert: map indices back to strings (a NumPy array of str).
        output_mode: 'int', 'one_hot', 'multi_hot', 'count' or 'tf_idf'.
        pad_to_max_tokens: make encodings `max_tokens` wide whatever the vocabulary size.
        sparse: not supported (lamina returns dense tensors).
        encoding: how bytes inputs are decoded (default 'utf-8').
        salt: with several OOV indices, hash with SipHash-2-4 keyed by this (an int or 2 ints).
    """

    _vocabulary_dtype = "string"
    _invert_dtype = "string"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", name=None, salt=None,
                 **kwargs):
        self.encoding = encoding
        kwargs.pop("vocabulary_dtype", None)
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         sparse=sparse, pad_to_max_tokens=pad_to_max_tokens, name=name, salt=salt,
                         **kwargs)
        self._accepts_string_inputs = not invert

    def adapt(self, data, steps=None) -> None:
        """Learns the vocabulary from strings: an array/list, or a dataset yielding batches of them."""
        super().adapt(data, steps=steps)

    def _set_tokens(self, tokens) -> None:
        self._tokens = [str(token) for token in tokens]
        self._table = {token: index for index, token in
                       enumerate(self._tokens, start=self._token_start_index())}
        self._inverse_table = dict(zip(self._table.values(), self._table))

    def _parse_vocabulary_lines(self, lines) -> list:
        return lines

    def _adapt_keys(self, data, argument: str) -> np.ndarray:
        return to_string_array(data, self.encoding, "StringLookup")

    def _call_keys(self, inputs) -> np.ndarray:
        return to_string_array(inputs, self.encoding, f"StringLookup '{self.name}'")

    def _lookup_indices(self, keys: np.ndarray):
        # map() calls dict.get(key, -1) in C: no Python frame per token.
        flat = np.fromiter(map(self._table.get, keys.reshape(-1).tolist(), itertools.repeat(-1)),
                           dtype=np.int64, count=keys.size)
        indices = torch.from_numpy(flat.reshape(keys.shape))
        return indices, indices >= 0

    def _is_mask(self, keys: np.ndarray) -> torch.Tensor:
        if self.mask_token is None:
            return torch.zeros(keys.shape, dtype=torch.bool)
        return torch.from_numpy(np.asarray(keys == self.mask_token, dtype=bool))

    def _oov_buckets(self, keys: np.ndarray, device) -> torch.Tensor:
        buckets = hash_buckets(keys.reshape(-1).tolist(), self.num_oov_indices, self.salt)
        return torch.from_numpy(buckets.reshape(keys.shape)).to(device)

    def _invert(self, inputs) -> np.ndarray:
        """Indices -> a NumPy array of str: the mask token at 0 (if any), `oov_token` elsewhere."""
        if isinstance(inputs, torch.Tensor):
            inputs = inputs.detach().cpu().numpy()
        indices = np.asarray(inputs)
        if indices.dtype.kind not in "iu":
            raise TypeError(f"StringLookup '{self.name}' with invert=True maps integer indices "
                            f"back to strings, but received an array of dtype {indices.dtype}.")
        table = self._inverse_table
        if self.mask_token is not None:
            table = {0: self.mask_token, **table}
        items = [table.get(index, self.oov_token) for index in indices.reshape(-1).tolist()]
        return string_array(items, indices.shape)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["vocabulary_dtype"]
        return {**config, "encoding": self.encoding}
