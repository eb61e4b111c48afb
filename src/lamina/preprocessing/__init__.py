"""Keras' `preprocessing` namespace: `sequence`, `image`, and the dataset builders of `utils`.

TF-2 era code writes `preprocessing.sequence.pad_sequences` and
`preprocessing.image_dataset_from_directory`; both are the `lamina.utils` functions.

Example:
    >>> from lamina.preprocessing.sequence import pad_sequences
    >>> pad_sequences([[1, 2, 3], [4]], maxlen=2).tolist()
    [[2, 3], [0, 4]]
"""
from lamina.preprocessing import image, sequence
from lamina.utils.image_dataset import image_dataset_from_directory
from lamina.utils.text_dataset import text_dataset_from_directory
from lamina.utils.timeseries_dataset import timeseries_dataset_from_array

__all__ = ["image", "image_dataset_from_directory", "sequence", "text_dataset_from_directory",
           "timeseries_dataset_from_array"]
