"""`Hashing`: strings or integers -> one of `num_bins` bins, by the same hash as Keras.

Bins equal Keras' (TensorFlow's FarmHash64 fingerprint of the value's string, or SipHash-2-4
with a `salt`), so a model trained with Keras' Hashing sees the same bins here. Numbers are
hashed as their decimal strings, floats truncated to integers first, as Keras does.

Example:
    >>> layer = lamina.layers.Hashing(num_bins=3)
    >>> layer([["A"], ["B"], ["C"], ["D"], ["E"]])
    tensor([[1],
            [0],
            [1],
            [1],
            [2]])
"""
from __future__ import annotations

import numpy as np
import torch

from lamina import backend
from lamina.layers.layer import Layer
from lamina.layers.preprocessing.arguments import refuse_sparse
from lamina.layers.preprocessing.encoding import categorical_output_shape, encode_categorical
from lamina.layers.preprocessing.string_hash import as_hash_strings, hash_buckets
from lamina.layers.preprocessing.strings import to_string_array

__all__ = ["Hashing"]

_OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


class Hashing(Layer):
    """Hashes each value into one of `num_bins` bins (with a bin of its own for a mask value).

    Args:
        num_bins: the number of bins; with `mask_value`, bin 0 is the mask's and the others
            `num_bins - 1` take the hashes.
        mask_value: a value (str or number) that goes to bin 0.
        salt: None (FarmHash64), or an int / two ints keying SipHash-2-4 instead.
        output_mode: 'int' (bin ids, int64), 'one_hot', 'multi_hot' or 'count' (float32).
        sparse: not supported (lamina returns dense tensors).
    """

    _accepts_integer_inputs = True

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else backend.floatx()
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError(f"The `num_bins` for `Hashing` cannot be `None` or non-positive "
                             f"values. Received: num_bins={num_bins}.")
        if output_mode == "int" and self.dtype not in ("int32", "int64"):
            raise ValueError(f'When `output_mode="int"`, `dtype` should be an integer type, '
                             f"'int32' or 'int64'. Received: dtype={self.dtype}")
        if output_mode not in _OUTPUT_MODES:
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of "
                             f"{_OUTPUT_MODES}. Received: output_mode={output_mode}")
        refuse_sparse(sparse, "Hashing")
        if salt is not None and not (isinstance(salt, (tuple, list)) and len(salt) == 2
                                     or isinstance(salt, int) and not isinstance(salt, bool)):
            raise ValueError(f"The `salt` argument for `Hashing` can only be a tuple of size 2 "
                             f"integers, or a single integer. Received: salt={salt}.")
        self._accepts_string_inputs = True
        self.num_bins = num_bins
        self.mask_value = mask_value
        if salt is not None:
            salt = list(salt) if isinstance(salt, (tuple, list)) else [salt, salt]
        self.salt = salt
        self.strong_hash = salt is not None
        self.output_mode = output_mode
        self.sparse = False

    def call(self, inputs):
        if isinstance(inputs, torch.Tensor):
            values, device = inputs.detach().cpu().numpy(), inputs.device
        else:
            values, device = to_string_array(inputs, "utf-8", f"Hashing '{self.name}'"), self._device()
        strings = values.reshape(-1).tolist() if values.dtype == object else as_hash_strings(values)
        bins = self.num_bins
        mask = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            mask = np.asarray(values == self.mask_value, dtype=bool).reshape(-1)
        hashed = hash_buckets(strings, bins, self.salt)
        if mask is not None:
            hashed = np.where(mask, 0, hashed + 1)
        indices = torch.from_numpy(hashed.reshape(values.shape)).to(device)
        return encode_categorical(indices, self.output_mode, self.num_bins, self._dtype)

    def compute_output_shape(self, input_shape):
        return categorical_output_shape(input_shape, self.output_mode, self.num_bins)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_bins": self.num_bins, "salt": self.salt,
                "mask_value": self.mask_value, "output_mode": self.output_mode, "sparse": False}
