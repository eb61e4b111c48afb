"""`keras.preprocessing.sequence`: `pad_sequences` (the same function as in `lamina.utils`).

TF-2 books write `from tensorflow.keras.preprocessing.sequence import pad_sequences`; with
`import lamina as keras` the same line reads `from lamina.preprocessing.sequence import ...`.

Example:
    >>> pad_sequences([[1], [2, 3]], padding="post").tolist()
    [[1, 0], [2, 3]]
"""
from lamina.utils.sequence_utils import pad_sequences

__all__ = ["pad_sequences"]
