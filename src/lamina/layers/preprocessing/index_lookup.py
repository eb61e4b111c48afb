"""`IndexLookup`: the vocabulary, `adapt` and output modes shared by StringLookup and IntegerLookup.

Indices follow Keras: the mask token (if any, and only in 'int' mode) is 0, then the
`num_oov_indices` OOV indices, then the vocabulary. `adapt` orders the vocabulary by
frequency, most frequent first, ties broken by the larger token first, exactly as Keras'
`np.lexsort((tokens, counts))[::-1]`; `max_tokens` counts the mask and OOV indices too.

Example:
    >>> layer = lamina.layers.StringLookup()
    >>> layer.adapt(["b", "a", "b", "c"])
    >>> layer.get_vocabulary()
    ['[UNK]', 'b', 'c', 'a']
"""
from __future__ import annotations

import collections
import os

import numpy as np
import torch

from lamina.layers.layer import Layer
from lamina.layers.preprocessing.adapt_data import adapt_batches
from lamina.layers.preprocessing.arguments import refuse_sparse, validate_string_arg
from lamina.layers.preprocessing.encoding import categorical_output_shape, encode_categorical

__all__ = ["IndexLookup"]

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
VOCABULARY_FILE = "vocabulary.txt"  # the asset's name inside a .keras file, as in Keras


class IndexLookup(Layer):
    """Maps tokens to indices through a vocabulary (the base of StringLookup and IntegerLookup).

    Subclasses define how data becomes keys (`_adapt_keys`: a NumPy array; `_call_keys`: what
    the lookup runs on), how keys map to indices (`_lookup_indices`), which keys are the mask
    (`_is_mask`), how OOV keys hash into several OOV buckets (`_oov_buckets`), what
    `invert=True` returns (`_invert`) and how vocabulary files parse (`_parse_vocabulary_lines`).
    """

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", sparse=False,
                 pad_to_max_tokens=False, oov_method="floormod", salt=None, name=None,
                 vocabulary_size=None, has_input_vocabulary=None, **kwargs):
        kind = type(self).__name__
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"If set, `max_tokens` must be greater than 1 (it counts the mask and "
                             f"OOV indices too). Received: max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"If pad_to_max_tokens is True, must set `max_tokens`. Received: "
                             f"max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError(f"`num_oov_indices` must be greater than or equal to 0. Received: "
                             f"num_oov_indices={num_oov_indices}")
        validate_string_arg(oov_method, ("floormod", "farmhash"), kind, "oov_method")
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        validate_string_arg(output_mode, OUTPUT_MODES, kind, "output_mode")
        if invert and output_mode != "int":
            raise ValueError(f"`output_mode` must be `'int'` when `invert` is true. Received: "
                             f"output_mode={output_mode}")
        refuse_sparse(sparse, kind)
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(f"`idf_weights` should only be set if `output_mode` is `'tf_idf'`. "
                             f"Received: idf_weights={idf_weights} and output_mode={output_mode}")
        kwargs.pop("dtype", None)  # Keras ignores it too: outputs are indices or float32 encodings
        super().__init__(name=name, **kwargs)
        self._accepts_integer_inputs = True
        self.invert = invert
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.sparse = False
        self.pad_to_max_tokens = pad_to_max_tokens
        self.oov_method = oov_method
        self.salt = None if salt is None else _standardize_salt(salt, kind)
        self._frozen_vocab_size = vocabulary_size
        # Keras keeps a vocabulary given as a list in the config; an adapted one (or one read
        # from a file) travels as the `vocabulary.txt` asset instead.
        self.input_vocabulary = None if isinstance(vocabulary, (str, os.PathLike)) else vocabulary
        self.input_idf_weights = idf_weights
        self._has_input_vocabulary = (vocabulary is not None if has_input_vocabulary is None
                                      else has_input_vocabulary)
        self._set_tokens([])  # no vocabulary yet: every token is out of vocabulary
        self.idf_weights = None  # float32 NumPy array over the whole output depth ('tf_idf')
        self.reset_state()
        if self.output_mode == "tf_idf" and self._has_input_vocabulary and idf_weights is None:
            raise ValueError("When specifying the `vocabulary` argument, in TF-IDF output mode, "
                             "the `idf_weights` argument must also be provided.")
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # ------------------------------------------------------------------ vocabulary
    def _oov_start_index(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self) -> int:
        return self._oov_start_index() + self.num_oov_indices

    def vocabulary_size(self) -> int:
        """The size of the vocabulary, mask and OOV indices included."""
        return len(self._tokens) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The vocabulary, index by index (with the mask and OOV tokens first, by default)."""
        special = [self.mask_token] * self._oov_start_index() + [self.oov_token] * self.num_oov_indices
        tokens = list(self._tokens)
        return special + tokens if include_special_tokens else tokens

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Sets the vocabulary (a list/array of tokens, or a text file of one token per line).

        The mask and OOV tokens may lead the list (as `get_vocabulary()` returns it) or be left
        out. With `output_mode="tf_idf"`, `idf_weights` (one per token) is required.
        """
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        if self.output_mode != "tf_idf" and idf_weights is not None:
            raise ValueError(f"`idf_weights` should only be set if output_mode is `'tf_idf'`. "
                             f"Received: output_mode={self.output_mode} and idf_weights={idf_weights}")
        if isinstance(vocabulary, (str, os.PathLike)):
            if self.output_mode == "tf_idf":
                raise ValueError("output_mode `'tf_idf'` does not support loading a vocabulary "
                                 "from file.")
            vocabulary = self._read_vocabulary_file(vocabulary)
        vocabulary = self._adapt_keys(vocabulary, "vocabulary").reshape(-1).tolist()
        if not vocabulary:
            raise ValueError(f"Cannot set an empty vocabulary. Received: vocabulary={vocabulary}")
        special = [self.mask_token] * self._oov_start_index() + [self.oov_token] * self.num_oov_indices
        token_start = self._token_start_index()
        found_special = vocabulary[:token_start] == special
        tokens = vocabulary[token_start:] if found_special else vocabulary
        repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
        if repeated:
            raise ValueError(f"The passed vocabulary has at least one repeated term. Please uniquify "
                             f"your dataset. The repeated terms are: {repeated}")
        for token, role, applies in ((self.mask_token, "mask", True),
                                     (self.oov_token, "OOV", self.invert)):
            if token is not None and applies and token in tokens:
                index = len(vocabulary) - len(tokens) + tokens.index(token)
                raise ValueError(f"Found reserved {role} token at unexpected location in "
                                 f"`vocabulary`. Note that passed `vocabulary` does not need to "
                                 f"include the OOV and mask tokens. Either remove all mask and OOV "
                                 f"tokens, or include them only at the start of the vocabulary in "
                                 f"precisely this order: {special}. Received: {role.lower()}_token="
                                 f"{token} at vocabulary index {index}")
        if self.max_tokens is not None and token_start + len(tokens) > self.max_tokens:
            raise ValueError(f"Attempted to set a vocabulary larger than the maximum vocab size. "
                             f"Received vocabulary size is {token_start + len(tokens)}; "
                             f"`max_tokens` is {self.max_tokens}.")
        self._set_tokens(tokens)
        if idf_weights is not None:
            self.idf_weights = self._padded_idf(np.asarray(idf_weights, dtype=np.float64),
                                                len(vocabulary), found_special)
        self._record_vocabulary_size()

    def _padded_idf(self, weights: np.ndarray, vocabulary_length: int, found_special: bool):
        if weights.ndim != 1 or len(weights) != vocabulary_length:
            raise ValueError(f"`idf_weights` must be the same length as vocabulary. "
                             f"len(idf_weights) is {weights.size}; len(vocabulary) is "
                             f"{vocabulary_length}")
        # The special tokens have no document frequency: Keras gives them the average weight.
        front = 0 if found_special else self._token_start_index()
        back = self.max_tokens - front - len(weights) if self.pad_to_max_tokens else 0
        padded = np.pad(weights, (front, back), constant_values=(np.average(weights), 0))
        return padded.astype(np.float32)

    def _read_vocabulary_file(self, path) -> list:
        if not os.path.exists(path):
            raise ValueError(f"Vocabulary file {path} does not exist.")
        with open(path, encoding="utf-8") as file:
            lines = file.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        return self._parse_vocabulary_lines(lines)

    def _record_vocabulary_size(self) -> None:
        if self.output_mode != "int" and not self.pad_to_max_tokens \
                and self._frozen_vocab_size is not None \
                and self.vocabulary_size() != self._frozen_vocab_size:
            raise RuntimeError(f"When using `output_mode={self.output_mode}` and "
                               f"`pad_to_max_tokens=False`, the vocabulary size cannot be changed "
                               f"after the layer is called. Old vocab size is "
                               f"{self._frozen_vocab_size}, new vocab size is {self.vocabulary_size()}")
        self._frozen_vocab_size = self.vocabulary_size()

    # ------------------------------------------------------------------ adapt
    def adapt(self, data, steps=None) -> None:
        """Learns the vocabulary (and IDF weights in 'tf_idf' mode) from `data`.

        Args:
            data: an array or list of tokens (each element of a 1-D array is one document),
                or a dataset / iterable yielding such batches.
            steps: how many batches of a dataset to read (default: all).
        """
        self.reset_state()
        for batch in adapt_batches(data, type(self).__name__, steps=steps):
            keys = self._adapt_keys(batch, "data")
            # Each element of an array is one document; a dataset's 1-D batch is one, as in Keras.
            one_per_row = keys.ndim == 1 and not _is_iterable_source(data)
            self.update_state(keys[:, None] if one_per_row else keys)
        self.finalize_state()

    def update_state(self, data) -> None:
        """Counts the tokens of one batch (each row is one document)."""
        self._ensure_adaptable()
        keys = self._adapt_keys(data, "data")
        rows = (keys.reshape(1, -1) if keys.ndim <= 1 else keys.reshape(keys.shape[0], -1)).tolist()
        self.update_rows(rows)

    def update_rows(self, rows: list) -> None:
        """Counts tokens from rows of keys (lists, possibly of different lengths: TextVectorization)."""
        self._ensure_adaptable()
        for row in rows:
            self._token_counts.update(row)
            if self.output_mode == "tf_idf":
                self._document_counts.update(set(row))
        self._num_documents += len(rows)

    def _ensure_adaptable(self) -> None:
        if self._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static vocabulary "
                             f"via `vocabulary` argument or `set_vocabulary()` method.")

    def finalize_state(self) -> None:
        """Turns the counts into the vocabulary (and IDF weights) and clears them."""
        if self._has_input_vocabulary or not self._token_counts:
            self._record_vocabulary_size()
            return
        for special in (self.mask_token, self.oov_token):
            self._token_counts.pop(special, None)
        ranked = sorted(self._token_counts.items(), key=lambda item: (item[1], item[0]), reverse=True)
        if self.max_tokens:
            ranked = ranked[:self.max_tokens - self._token_start_index()]
        tokens = [token for token, _ in ranked]
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            self.idf_weights = self._learned_idf(tokens)
        self.reset_state()
        self._record_vocabulary_size()

    def _learned_idf(self, tokens) -> np.ndarray:
        document_counts = np.array([self._document_counts[t] for t in tokens], dtype=np.float64)
        idf = np.log(1 + self._num_documents / (1 + document_counts)).astype(np.float32)
        front = np.full(self._token_start_index(), idf.mean(dtype=np.float32), dtype=np.float32)
        back = np.zeros(self.max_tokens - front.size - idf.size if self.pad_to_max_tokens else 0,
                        dtype=np.float32)
        return np.concatenate([front, idf, back])

    def reset_state(self) -> None:
        """Forgets the counts gathered by `update_state` (not the vocabulary)."""
        self._token_counts = collections.Counter()
        self._document_counts = collections.Counter()
        self._num_documents = 0

    # ------------------------------------------------------------------ call
    def output_depth(self) -> int | None:
        """The width of encoded vectors: `max_tokens` when padded to it, else the vocabulary size."""
        return self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size

    def check_depth(self) -> None:
        """Raises unless the width of this layer's vectors is known (not needed for 'int')."""
        if self.output_mode != "int" and self.output_depth() is None:
            raise RuntimeError(f"When using `output_mode={self.output_mode}` and "
                               f"`pad_to_max_tokens=False`, you must set the layer's vocabulary "
                               f"before calling it. Either pass a `vocabulary` argument to the "
                               f"layer, or call `adapt` with some sample data.")

    def call(self, inputs):
        self.check_depth()
        if self.invert:
            return self._invert(inputs)
        indices = self.lookup(inputs)
        if not isinstance(inputs, torch.Tensor):  # host data: the outputs go where the model computes
            indices = indices.to(self._device())
        return self.encode(indices)

    def encode(self, indices: torch.Tensor) -> torch.Tensor:
        """Indices (with -1 for dropped masks) -> the output mode's tensor."""
        if self.output_mode == "int":
            return indices
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        encoded = encode_categorical(indices, mode, self.output_depth())
        if self.output_mode == "tf_idf":
            encoded = encoded * torch.as_tensor(self.idf_weights, device=encoded.device)
        return encoded

    def lookup(self, inputs) -> torch.Tensor:
        """Inputs -> int64 indices: the mask is 0 ('int') or -1 (dropped), OOV keys go to OOV indices."""
        return self.lookup_keys(self._call_keys(inputs))

    def lookup_keys(self, keys) -> torch.Tensor:
        """As `lookup`, for keys already checked (an object array of str, or an int64 tensor)."""
        indices, found = self._lookup_indices(keys)
        is_mask = self._is_mask(keys)
        oov = ~found & ~is_mask
        if self.num_oov_indices == 0:
            if bool(oov.any()):
                values = keys.cpu().numpy() if isinstance(keys, torch.Tensor) else keys
                missing = values.reshape(-1)[oov.reshape(-1).cpu().numpy()].tolist()
                raise ValueError(f"When `num_oov_indices=0` all inputs should be in vocabulary, "
                                 f"found OOV values {missing[:10]}, consider setting "
                                 f"`num_oov_indices=1`.")
        elif self.num_oov_indices == 1:
            indices = torch.where(oov, self._oov_start_index(), indices)
        else:
            indices = torch.where(oov, self._oov_buckets(keys, indices.device) + self._oov_start_index(),
                                  indices)
        mask_index = 0 if self.output_mode == "int" else -1
        return torch.where(is_mask, mask_index, indices)

    def compute_output_shape(self, input_shape):
        return categorical_output_shape(input_shape, self.output_mode, self.output_depth())

    @property
    def compute_dtype(self) -> str:
        if self.invert:
            return self._invert_dtype
        return "int64" if self.output_mode == "int" else "float32"

    # ------------------------------------------------------------------ saving
    def get_config(self) -> dict:
        return {**super().get_config(), "invert": self.invert, "max_tokens": self.max_tokens,
                  "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token,
                  "mask_token": self.mask_token, "output_mode": self.output_mode,
                  "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
                  "vocabulary_dtype": self._vocabulary_dtype,
                  "idf_weights": _listify(self.input_idf_weights),
                  "vocabulary": _listify(self.input_vocabulary),
                  "vocabulary_size": self._frozen_vocab_size, "oov_method": self.oov_method,
                  "salt": self.salt}

    def save_own_variables(self, store) -> None:
        """Keras' hook: the IDF weights (the only variables) under `store["idf_weights"]`."""
        if self.output_mode == "tf_idf":
            store["idf_weights"] = self.idf_weights

    def load_own_variables(self, store) -> None:
        if self.output_mode == "tf_idf":
            self.idf_weights = np.asarray(store["idf_weights"], dtype=np.float32)

    def save_assets(self, dir_path) -> None:
        """Keras' hook: an adapted vocabulary as `vocabulary.txt`, one token per line."""
        if self.input_vocabulary is not None:
            return  # the config holds it
        path = os.path.join(dir_path, VOCABULARY_FILE)
        partial = path + ".partial"
        with open(partial, "w", encoding="utf-8") as file:
            file.write("\n".join(str(token) for token in self.get_vocabulary()))
        os.replace(partial, path)

    def load_assets(self, dir_path) -> None:
        if self.input_vocabulary is not None:
            return
        vocabulary = self._read_vocabulary_file(os.path.join(dir_path, VOCABULARY_FILE))
        if self.output_mode == "tf_idf":
            # `load_own_variables` ran first: its weights already span special tokens and padding.
            self._set_tokens(vocabulary[self._token_start_index():])
            self._record_vocabulary_size()
        else:
            self.set_vocabulary(vocabulary)


def _standardize_salt(salt, kind: str) -> list:
    if isinstance(salt, (tuple, list)) and len(salt) == 2:
        return list(salt)
    if isinstance(salt, int) and not isinstance(salt, bool):
        return [salt, salt]
    raise ValueError(f"The `salt` argument for `{kind}` can only be a tuple of 2 integers, or a "
                     f"single integer. Received: salt={salt}.")


def _is_iterable_source(data) -> bool:
    return not isinstance(data, (np.ndarray, torch.Tensor, list, tuple, str, bytes))


def _listify(value):
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    return value.tolist() if isinstance(value, np.ndarray) else value
