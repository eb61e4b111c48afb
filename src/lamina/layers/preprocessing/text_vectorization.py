"""`TextVectorization`: raw strings -> token indices or multi-hot / count / TF-IDF vectors.

Text is standardized, split, optionally turned into n-grams, and looked up in a vocabulary
learned with `adapt` (a `StringLookup` with mask token '' at index 0 and '[UNK]' at 1). It
runs on NumPy arrays or lists of `str` — also as a model's first layer after
`Input(shape=(1,), dtype="string")` — and returns torch tensors (int64 indices, float32 vectors).

Example:
    >>> layer = lamina.layers.TextVectorization(output_sequence_length=4)
    >>> layer.adapt(["The cat sat.", "The dog!"])
    >>> layer.get_vocabulary()
    ['', '[UNK]', 'the', 'sat', 'dog', 'cat']
    >>> layer(["the cat ran"])
    tensor([[2, 5, 1, 0]])
"""
from __future__ import annotations

import numpy as np
import torch

from lamina.layers.layer import Layer
from lamina.layers.preprocessing import text_processing
from lamina.layers.preprocessing.adapt_data import adapt_batches
from lamina.layers.preprocessing.arguments import refuse_sparse, validate_string_arg
from lamina.layers.preprocessing.index_lookup import OUTPUT_MODES
from lamina.layers.preprocessing.string_lookup import StringLookup
from lamina.layers.preprocessing.strings import string_array, to_string_array
from lamina.saving.object_registration import get_registered_object
from lamina.saving.serialization_lib import serialize_function

__all__ = ["TextVectorization"]

_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = ("whitespace", "character")


class TextVectorization(Layer):
    """Turns strings into sequences of token indices, or into one vector per string.

    Args:
        max_tokens: the largest vocabulary, mask ('') and OOV ('[UNK]') tokens included.
        standardize: 'lower_and_strip_punctuation' (default), 'lower', 'strip_punctuation',
            None, or a callable taking and returning an array of strings.
        split: 'whitespace' (default), 'character', None (each string is one token), or a
            callable taking an array of strings and returning one token list per string.
        ngrams: None, an int n (all 1..n-grams) or a tuple of n-gram widths.
        output_mode: 'int' (indices), 'multi_hot', 'count', 'tf_idf' (or 'one_hot').
        output_sequence_length: with 'int': pad (with 0) or cut every sequence to this length;
            None pads to the longest sequence of the batch.
        pad_to_max_tokens: make vectors `max_tokens` wide whatever the vocabulary size.
        vocabulary: a list of tokens or a vocabulary file, instead of `adapt`.
        idf_weights: with output_mode='tf_idf' and a `vocabulary`: one weight per token.
        sparse, ragged: not supported (lamina returns dense, padded tensors).
        encoding: how bytes inputs are decoded (default 'utf-8').
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int", output_sequence_length=None,
                 pad_to_max_tokens=False, vocabulary=None, idf_weights=None, sparse=False,
                 ragged=False, encoding="utf-8", name=None, **kwargs):
        refuse_sparse(sparse, "TextVectorization")
        if ragged:
            raise ValueError("TextVectorization does not support `ragged=True`: lamina returns "
                             "padded tensors (Keras supports ragged outputs only on the "
                             "TensorFlow backend). Leave `ragged=False`; index 0 marks padding.")
        validate_string_arg(standardize, _STANDARDIZE, "TextVectorization", "standardize",
                            allow_none=True, allow_callables=True)
        validate_string_arg(split, _SPLIT, "TextVectorization", "split", allow_none=True,
                            allow_callables=True)
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        validate_string_arg(output_mode, OUTPUT_MODES, "TextVectorization", "output_mode")
        if not (ngrams is None or _is_int(ngrams)
                or isinstance(ngrams, tuple) and all(_is_int(item) for item in ngrams)):
            raise ValueError(f"`ngrams` must be None, an integer, or a tuple of integers. "
                             f"Received: ngrams={ngrams}")
        if output_mode == "int" and not (output_sequence_length is None
                                         or _is_int(output_sequence_length)):
            raise ValueError(f"`output_sequence_length` must be either None or an integer when "
                             f"`output_mode` is 'int'. Received: "
                             f"output_sequence_length={output_sequence_length}")
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError(f"`output_sequence_length` must not be set if `output_mode` is not "
                             f"'int'. Received output_sequence_length={output_sequence_length}.")
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        kwargs.pop("dtype", None)
        super().__init__(name=name, **kwargs)
        self._accepts_string_inputs = True
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if _is_int(ngrams) else ngrams
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._encoding = encoding
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens, mask_token="", output_mode=output_mode,
            has_input_vocabulary=has_input_vocabulary, encoding=encoding,
            vocabulary_size=vocabulary_size)

    # ------------------------------------------------------------------ vocabulary
    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Learns the vocabulary (and IDF weights with 'tf_idf') from texts.

        Args:
            data: an array or list of strings (each is one document), or a dataset yielding
                batches of strings, e.g. `text_dataset_from_directory(...).map(lambda x, y: x)`.
            batch_size: process an array this many strings at a time (same vocabulary).
            steps: how many batches to read (default: all).
        """
        self.reset_state()
        for batch in adapt_batches(data, "TextVectorization", batch_size=batch_size, steps=steps):
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data) -> None:
        """Counts the tokens of one batch of strings."""
        self._lookup_layer.update_rows(self._token_rows(data)[0])

    def finalize_state(self) -> None:
        self._lookup_layer.finalize_state()

    def reset_state(self) -> None:
        self._lookup_layer.reset_state()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list[str]:
        """The vocabulary, index by index ('' and '[UNK]' first in 'int' mode, by default)."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        """The number of distinct indices, '' and '[UNK]' included."""
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Sets the vocabulary (and, with 'tf_idf', its IDF weights) instead of `adapt`."""
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    # ------------------------------------------------------------------ call
    def _token_rows(self, inputs):
        """Standardizes, splits and n-grams `inputs`.

        Returns:
            (one token list per sample, the samples' shape, whether each string is a sample
            on its own: `split=None` on a 1-D input, whose 'int' output keeps the input's shape).
        """
        strings = to_string_array(inputs, self._encoding, f"TextVectorization '{self.name}'")
        strings = text_processing.standardize(strings, self._standardize, self._encoding)
        if self._split is None:
            # Each string is a token; the last axis (if any besides the batch) is one sample.
            alone = strings.ndim <= 1
            if alone:
                rows, shape = [[text] for text in strings.reshape(-1).tolist()], strings.shape
            else:
                rows, shape = strings.reshape(-1, strings.shape[-1]).tolist(), strings.shape[:-1]
        else:
            if strings.ndim > 1:
                if strings.shape[-1] != 1:
                    raise ValueError(f"When using `TextVectorization` to tokenize strings, the input "
                                     f"rank must be 1 or the last shape dimension must be 1. "
                                     f"Received: inputs.shape={strings.shape} with rank={strings.ndim}")
                strings = strings.reshape(strings.shape[:-1])
            rows = text_processing.split_rows(strings, self._split, self._encoding)
            shape, alone = strings.shape, False
        if self._ngrams is not None:
            rows = [text_processing.ngrams(row, self._ngrams) for row in rows]
        return rows, shape, alone

    def _prepare_inputs(self, inputs):
        # Arrays and lists reach `call` as given: turned into a float tensor first, an int64
        # array would be reported as float32 by the error that refuses numbers.
        if isinstance(inputs, (np.ndarray, np.generic, list, tuple)):
            return inputs
        return super()._prepare_inputs(inputs)

    def call(self, inputs):
        rows, shape, alone = self._token_rows(inputs)
        lookup = self._lookup_layer
        lookup.check_depth()
        self._check_vocabulary()
        lengths = [len(row) for row in rows]
        tokens = string_array([token for row in rows for token in row], (sum(lengths),))
        indices, lengths = lookup.lookup_keys(tokens), torch.tensor(lengths, dtype=torch.int64)
        longest = int(lengths.max()) if lengths.numel() else 0
        if self._output_mode == "int":
            width = longest if self._output_sequence_length is None else self._output_sequence_length
            padded = _pad_rows(indices, lengths, width, 0)
            if alone and self._output_sequence_length is None:
                return padded.reshape(shape).to(self._device())  # one index per string, as given
            return padded.reshape(*shape, width).to(self._device())
        padded = _pad_rows(indices, lengths, longest, -1)  # -1: dropped by the encoding
        encoded = lookup.encode(padded.to(self._device()))
        return encoded.reshape(*shape, encoded.shape[-1])

    def _check_vocabulary(self) -> None:
        """Raises when the vocabulary holds no token: every token would be out of vocabulary."""
        lookup = self._lookup_layer
        if lookup.vocabulary_size() > lookup._token_start_index():  # beyond '' and '[UNK]'
            return
        raise RuntimeError(f"TextVectorization '{self.name}' has no vocabulary, so every token "
                           f"would map to the out-of-vocabulary index. You must set the layer's "
                           f"vocabulary before calling it: pass a `vocabulary` argument to the "
                           f"layer, call `set_vocabulary`, or call `adapt` with some sample data.")

    def compute_output_shape(self, input_shape):
        batch = tuple(input_shape[:1])
        if self._output_mode == "int":
            if self._split is None and len(input_shape) <= 1 and self._output_sequence_length is None:
                return tuple(input_shape)
            return batch + (self._output_sequence_length,)
        if self._split is None and len(input_shape) > 1:
            batch = tuple(input_shape[:-1])
        return batch + (self._lookup_layer.output_depth(),)

    @property
    def compute_dtype(self) -> str:
        return "int64" if self._output_mode == "int" else "float32"

    # ------------------------------------------------------------------ saving
    def get_config(self) -> dict:
        lookup = self._lookup_layer
        return {**super().get_config(), "max_tokens": lookup.max_tokens,
                "standardize": _serialize_option(self._standardize),
                "split": _serialize_option(self._split),
                "ngrams": self._ngrams_arg, "output_mode": self._output_mode,
                "output_sequence_length": self._output_sequence_length,
                "pad_to_max_tokens": lookup.pad_to_max_tokens, "sparse": False, "ragged": False,
                "vocabulary": _listify(lookup.input_vocabulary),
                "idf_weights": _listify(lookup.input_idf_weights), "encoding": self._encoding,
                "vocabulary_size": self.vocabulary_size()}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "TextVectorization":
        config = dict(config)
        for key in ("standardize", "split"):
            config[key] = _deserialize_option(config.get(key), key, custom_objects)
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        return cls(**config)

    def save_own_variables(self, store) -> None:
        """Keras' hook: the IDF weights ('tf_idf' only) under `store["idf_weights"]`."""
        self._lookup_layer.save_own_variables(store)

    def load_own_variables(self, store) -> None:
        self._lookup_layer.load_own_variables(store)

    def save_assets(self, dir_path) -> None:
        """Keras' hook: an adapted vocabulary as `dir_path/vocabulary.txt`."""
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path) -> None:
        self._lookup_layer.load_assets(dir_path)


def _pad_rows(values: torch.Tensor, lengths: torch.Tensor, width: int, fill: int) -> torch.Tensor:
    """Ragged rows (concatenated `values`, row `lengths`) -> a (rows, width) tensor, cut or padded."""
    rows = torch.repeat_interleave(torch.arange(lengths.numel()), lengths)
    starts = torch.repeat_interleave(torch.cumsum(lengths, 0) - lengths, lengths)
    columns = torch.arange(values.numel()) - starts
    keep = columns < width
    padded = torch.full((lengths.numel(), width), fill, dtype=values.dtype)
    padded[rows[keep], columns[keep]] = values[keep]
    return padded


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _listify(value):
    return value.tolist() if hasattr(value, "tolist") else value


def _serialize_option(option):
    if option is None or isinstance(option, str):
        return option
    config = serialize_function(option, "TextVectorization option", "a string option")
    registered = getattr(option, "_registered_name", None)
    return {**config, "registered_name": registered or config["registered_name"]}


def _deserialize_option(option, key: str, custom_objects):
    if option is None or isinstance(option, str) or callable(option):
        return option
    names = [option.get("registered_name"), option.get("config")]
    for name in names:
        function = get_registered_object(name, custom_objects) if isinstance(name, str) else None
        if function is not None:
            return function
    raise ValueError(f"TextVectorization's `{key}` is the function {option.get('config')!r}, which "
                     f"lamina does not load from a file. Pass it when loading: "
                     f"custom_objects={{{option.get('config')!r}: {option.get('config')}}}, or "
                     f"decorate it with @keras.saving.register_keras_serializable().")
