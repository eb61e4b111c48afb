"""`text_dataset_from_directory`: a labelled dataset of strings from a folder of `.txt` files.

Files are listed and split exactly as Keras does; each batch of texts is a NumPy array of
`str` (object dtype), read in `torch.utils.data` worker processes when there are many files.

Example:
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> for name, text in (("neg", "awful"), ("pos", "great")):
    ...     (root / name).mkdir()
    ...     _ = (root / name / "0.txt").write_text(text)
    >>> texts, labels = next(iter(text_dataset_from_directory(root, shuffle=False)))
    Found 2 files belonging to 2 classes.
    >>> texts.tolist(), labels.tolist()
    (['awful', 'great'], [0, 1])
"""
from __future__ import annotations

import numpy as np

from lamina.utils import dataset_utils
from lamina.utils.indexed_dataset import IndexedDataset, default_workers

__all__ = ["text_dataset_from_directory"]


def text_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None,
                                batch_size=32, max_length=None, shuffle=True, seed=None,
                                validation_split=None, subset=None, follow_links=False, format="tf",
                                verbose=True):
    """Generates a dataset of text batches from the `.txt` files in `directory`.

    Args:
        directory: the folder of text files (of class sub-folders with `labels="inferred"`).
        labels: "inferred", None (no labels), or a list/tuple of integer labels, one per file
            in sorted path order.
        label_mode: "int" (int32 `(batch,)`), "categorical" (float32 one-hot), "binary"
            (float32 `(batch, 1)`, exactly 2 classes) or None.
        class_names: the sub-folders to use as classes, in this order (with "inferred").
        batch_size: texts per batch (None: single strings).
        max_length: keep at most this many characters of each text.
        shuffle: shuffle the files (each pass reshuffles through a buffer of 8 batches);
            False keeps them in sorted order.
        seed: the shuffle seed; required with `validation_split` and `shuffle`.
        validation_split: the fraction of files held out for validation.
        subset: "training", "validation" or "both" (then returns `(train_ds, val_ds)`).
        follow_links: walk into sub-folders that are symbolic links.
        format: "tf" or "grain", Keras' choice of return type; both give a lamina `Dataset`.
        verbose: print how many files and classes were found.

    Returns:
        A `Dataset` yielding `(texts, labels)` (or `texts`), texts as NumPy arrays of `str`
        decoded from UTF-8 (undecodable bytes become U+FFFD), with a `class_names` attribute;
        a tuple of two such datasets for `subset="both"`.
    """
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(
                "`labels` argument should be a list/tuple of integer labels, of the same size as "
                "the number of text files in the target directory. If you wish to infer the labels "
                'from the subdirectory names in the target directory, pass `labels="inferred"`. If '
                "you wish to get a dataset that only contains text samples (no labels), pass "
                f"`labels=None`. Received: labels={labels}")
        if class_names:
            raise ValueError(f'You can only pass `class_names` if `labels="inferred"`. Received: '
                             f"labels={labels}, and class_names={class_names}")
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError('`label_mode` argument must be one of "int", "categorical", "binary", or '
                         f"None. Received: label_mode={label_mode}")
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` should be either "tf" or "grain". Received: format={format}')
    if max_length is not None and (isinstance(max_length, bool) or not isinstance(max_length, int)
                                   or max_length < 0):
        raise ValueError(f"Argument `max_length` must be None or a non-negative integer. Received: "
                         f"max_length={max_length!r}")
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    dataset_utils.check_validation_split_arg(validation_split, subset, shuffle, seed)

    if seed is None:
        seed = np.random.randint(1e6)
    file_paths, labels, class_names = dataset_utils.index_directory(
        directory, labels, formats=(".txt",), class_names=class_names, shuffle=shuffle, seed=seed,
        follow_links=follow_links, verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError('When passing `label_mode="binary"`, there must be exactly 2 class_names. '
                         f"Received: class_names={class_names}")

    def build(subset_name, shuffle_files):
        paths, subset_labels = dataset_utils.get_training_or_validation_split(
            file_paths, labels, validation_split, subset_name)
        if not paths:
            raise ValueError(f"No {f'{subset_name} ' if subset_name else ''}text files found in "
                             f"directory {directory}. Allowed format: .txt"
                             + dataset_utils.empty_subset_hint(validation_split, len(file_paths)))
        encoded = None if label_mode is None else dataset_utils.encode_labels(
            subset_labels, label_mode, len(class_names))
        dataset = IndexedDataset(len(paths), _TextBatch(paths, max_length), batch_size,
                                 labels=encoded, shuffle=shuffle_files, seed=seed,
                                 workers=default_workers())
        dataset.class_names = class_names
        return dataset

    if subset == "both":
        return build("training", shuffle), build("validation", False)
    return build(subset, shuffle)


class _TextBatch:
    """`fetch` for IndexedDataset: the texts at some sample indices, as an array of `str`."""

    def __init__(self, paths, max_length):
        self.paths = paths
        self.max_length = max_length

    def __call__(self, indices) -> np.ndarray:
        texts = np.empty(len(indices), dtype=object)
        for row, index in enumerate(indices):
            with open(self.paths[index], "rb") as file:  # bytes: newlines stay as in the file
                text = file.read().decode("utf-8", errors="replace")
            texts[row] = text if self.max_length is None else text[:self.max_length]
        return texts
