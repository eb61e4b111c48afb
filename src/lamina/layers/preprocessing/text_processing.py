"""TextVectorization's standardize, split and ngrams steps, on NumPy arrays of Python `str`.

Each step gives what TensorFlow's string ops give Keras: `tf.strings.lower` changes ASCII
letters only ('É' stays), punctuation is Keras' ASCII set (`string.punctuation`), and
whitespace splitting breaks at ASCII whitespace only (a no-break space joins tokens).

Example:
    >>> words = split_rows(standardize(np.array(["Hello, World!"], dtype=object),
    ...                                "lower_and_strip_punctuation"), "whitespace")
    >>> ngrams(words[0], (1, 2))
    ['hello', 'world', 'hello world']
"""
from __future__ import annotations

import re
import string

import numpy as np

from lamina.layers.preprocessing.strings import to_string_array

__all__ = ["standardize", "split_rows", "ngrams"]

_LOWER = {ord(upper): ord(lower) for upper, lower in zip(string.ascii_uppercase, string.ascii_lowercase)}
_STRIP = dict.fromkeys(map(ord, string.punctuation))  # the class in Keras' regex, char for char
_TABLES = {"lower": _LOWER, "strip_punctuation": _STRIP,
           "lower_and_strip_punctuation": {**_LOWER, **_STRIP}}
_ASCII_TOKEN = re.compile(r"[^ \t\n\v\f\r]+")  # TF splits at absl::ascii_isspace


def standardize(strings: np.ndarray, option, encoding: str = "utf-8") -> np.ndarray:
    """`strings` (an object array of str) lowered / stripped, or passed through a callable.

    A callable receives the whole array and may return anything array-like of str or bytes
    (a NumPy array, a list, or a `tf.Tensor` when TensorFlow is installed).
    """
    if option is None:
        return strings
    if callable(option):
        return to_string_array(np.asarray(option(strings)), encoding,
                               "TextVectorization's `standardize` result")
    table = _TABLES[option]
    flat = [text.translate(table) for text in strings.reshape(-1).tolist()]
    result = np.empty(len(flat), dtype=object)
    result[:] = flat
    return result.reshape(strings.shape)


def split_rows(strings: np.ndarray, option, encoding: str = "utf-8") -> list[list[str]]:
    """One list of tokens per string of the 1-D array `strings`."""
    texts = strings.reshape(-1).tolist()
    if option == "whitespace":
        return [_ASCII_TOKEN.findall(text) for text in texts]
    if option == "character":
        return [list(text) for text in texts]
    result = option(strings)
    rows = result.to_list() if hasattr(result, "to_list") else list(result)  # tf.RaggedTensor
    if len(rows) != len(texts):
        raise ValueError(f"TextVectorization's `split` callable must return one sequence of tokens "
                         f"per input string: it received {len(texts)} strings and returned "
                         f"{len(rows)} sequences.")
    return [[token.decode(encoding) if isinstance(token, bytes) else str(token) for token in row]
            for row in rows]


def ngrams(tokens: list[str], widths: tuple[int, ...]) -> list[str]:
    """`tf.strings.ngrams(tokens, widths, separator=" ")`: all n-grams of each width in turn."""
    grams = []
    for width in widths:
        grams += [" ".join(tokens[i:i + width]) for i in range(len(tokens) - width + 1)]
    return grams
