"""`HashedCrossing`: crosses of categorical features, `hash(features) % num_bins`, as Keras.

Bins equal Keras' (TensorFlow's `tf.sparse.cross_hashed`): each feature's 64-bit value (an
integer as it is, a string by FarmHash64) is folded into a running hash, seeded with
TensorFlow's default key, by `FingerprintCat64`; the result modulo `num_bins` is the bin.

Example:
    >>> layer = lamina.layers.HashedCrossing(num_bins=5)
    >>> layer((np.array(["A", "B", "A", "B", "A"]), np.array([101, 101, 101, 102, 102])))
    tensor([1, 4, 1, 1, 3])
"""
from __future__ import annotations

import numpy as np
import torch

from lamina.layers.layer import Layer
from lamina.layers.preprocessing.arguments import refuse_sparse, validate_string_arg
from lamina.layers.preprocessing.encoding import encode_categorical
from lamina.layers.preprocessing.string_hash import _farmhash
from lamina.layers.preprocessing.strings import to_string_array

__all__ = ["HashedCrossing", "cross_hash"]

_DEFAULT_HASH_KEY = np.uint64(0xDECAFCAFFE)  # tf.sparse.cross_hashed's key when none is given
_K_MUL = np.uint64(0xC6A4A7935BD1E995)
_SHIFT = np.uint64(47)


def cross_hash(columns: list[np.ndarray], num_bins: int) -> np.ndarray:
    """The bin (int64) of each row of the crossed `columns` (uint64 feature values, equal shapes)."""
    hashed = np.full(columns[0].shape, _DEFAULT_HASH_KEY, dtype=np.uint64)
    with np.errstate(over="ignore"):  # uint64 products wrap around, as in C++
        for column in columns:
            hashed = _fingerprint_cat64(hashed, column)
    return (hashed % np.uint64(num_bins)).astype(np.int64)


def _fingerprint_cat64(fp1: np.ndarray, fp2: np.ndarray) -> np.ndarray:
    result = fp1 ^ _K_MUL
    result ^= _shift_mix(fp2 * _K_MUL) * _K_MUL
    result *= _K_MUL
    result = _shift_mix(result) * _K_MUL
    return _shift_mix(result)


def _shift_mix(value: np.ndarray) -> np.ndarray:
    return value ^ (value >> _SHIFT)


class HashedCrossing(Layer):
    """Crosses integer or string features into one of `num_bins` bins (the "hashing trick").

    Takes a list or tuple of at least two inputs of equal shape `()`, `(batch_size,)` or
    `(batch_size, 1)`, each of integers or strings.

    Args:
        num_bins: the number of hash bins.
        output_mode: 'int' (bin ids, int64, the default) or 'one_hot' (float32 vectors).
        sparse: not supported (lamina returns dense tensors).
    """

    _accepts_integer_inputs = True
    _accepts_string_inputs = True

    def __init__(self, num_bins, output_mode="int", sparse=False, name=None, dtype=None, **kwargs):
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        super().__init__(name=name, dtype=dtype, **kwargs)
        refuse_sparse(sparse, "HashedCrossing")
        validate_string_arg(output_mode, ("int", "one_hot"), type(self).__name__, "output_mode")
        self.num_bins = num_bins
        self.output_mode = output_mode
        self.sparse = sparse

    def _prepare_inputs(self, inputs):
        # Each feature on its own: strings stay NumPy arrays, integers become tensors.
        if not isinstance(inputs, (list, tuple)):
            return inputs
        return [self._prepare_leaf(x if isinstance(x, torch.Tensor) else np.asarray(x))
                for x in inputs]

    def call(self, inputs):
        _check_at_least_two_inputs(inputs)
        _check_input_shapes(inputs)
        columns = [_feature_values(x).reshape(-1) for x in inputs]
        bins = cross_hash(columns, self.num_bins).reshape(tuple(inputs[0].shape))
        device = next((x.device for x in inputs if isinstance(x, torch.Tensor)), self._device())
        indices = torch.from_numpy(bins).to(device)
        return encode_categorical(indices, self.output_mode, self.num_bins, self._dtype)

    def compute_output_shape(self, input_shape):
        if (len(input_shape) != 2 or not isinstance(input_shape[0], tuple)
                or not isinstance(input_shape[1], tuple)):
            raise ValueError(f"Expected as input a list/tuple of 2 tensors. "
                             f"Received input_shape={input_shape}")
        if input_shape[0][-1:] != input_shape[1][-1:]:
            raise ValueError(f"Expected the two input tensors to have identical shapes. "
                             f"Received input_shape={input_shape}")
        first = tuple(input_shape[0])
        if self.output_mode == "int":
            return first
        if not first or first[-1] != 1:
            return first + (self.num_bins,)
        return first[:-1] + (self.num_bins,)

    def get_config(self) -> dict:
        return {"num_bins": self.num_bins, "output_mode": self.output_mode, "sparse": self.sparse,
                "name": self.name, "dtype": self.dtype}


def _check_at_least_two_inputs(inputs) -> None:
    if not isinstance(inputs, (list, tuple)):
        raise ValueError(  # noqa: TRY004 - Keras' error type
                         f"`HashedCrossing` should be called on a list or tuple of inputs. "
                         f"Received: inputs={inputs}")
    if len(inputs) < 2:
        raise ValueError(f"`HashedCrossing` should be called on at least two inputs. "
                         f"Received: inputs={inputs}")


def _check_input_shapes(inputs) -> None:
    first_shape = tuple(inputs[0].shape)
    if len(first_shape) > 2 or (len(first_shape) == 2 and first_shape[-1] != 1):
        raise ValueError(f"All `HashedCrossing` inputs should have shape `()`, `(batch_size)` or "
                         f"`(batch_size, 1)`. Received: inputs={inputs}")
    if not all(tuple(x.shape) == first_shape for x in inputs[1:]):
        raise ValueError(f"All `HashedCrossing` inputs should have equal shape. "
                         f"Received: inputs={inputs}")


def _feature_values(x) -> np.ndarray:
    """A feature's 64-bit values: integers as they are, strings by their FarmHash64."""
    if isinstance(x, torch.Tensor):
        if x.is_floating_point() or x.is_complex() or x.dtype == torch.bool:
            raise ValueError(f"All `HashedCrossing` inputs should have an integer or string "
                             f"dtype. Received: inputs of dtype "
                             f"{str(x.dtype).replace('torch.', '')}")
        return x.detach().cpu().numpy().astype(np.int64).view(np.uint64)
    strings = to_string_array(x, "utf-8", "HashedCrossing")
    fingerprint = _farmhash().Fingerprint64
    return np.array([fingerprint(s) for s in strings.reshape(-1).tolist()],
                    dtype=np.uint64).reshape(strings.shape)
