"""Keras' `preprocessing` namespace, kept for TF-2 era code: `preprocessing.sequence.pad_sequences`.

Example:
    >>> from lamina.preprocessing.sequence import pad_sequences
    >>> pad_sequences([[1, 2, 3], [4]], maxlen=2).tolist()
    [[2, 3], [0, 4]]
"""
from lamina.preprocessing import sequence

__all__ = ["sequence"]
