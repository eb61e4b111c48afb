"""`split_dataset`, and the folder indexing that the `*_dataset_from_directory` functions share.

Folders are indexed as Keras indexes them: class sub-folders in sorted order, files in
sorted walk order, then one global shuffle with `np.random.RandomState(seed)`, so the same
seed lists the same files in the same order as Keras, and a `validation_split` takes the same
files as Keras' validation subset.

Example:
    >>> left, right = split_dataset(np.arange(10), left_size=0.8)
    >>> len(left), len(right)
    (8, 2)
"""
from __future__ import annotations

import os
import random

import numpy as np
import torch
from torch.utils import _pytree as pytree

from lamina.utils.dataset import Dataset, stack_elements

__all__ = ["check_validation_split_arg", "empty_subset_hint", "encode_labels",
           "get_training_or_validation_split", "index_directory", "split_dataset"]


def split_dataset(dataset, left_size=None, right_size=None, shuffle: bool = False, seed=None):
    """Splits a dataset into a left half and a right half (e.g. train / test).

    Sizes are fractions (floats in (0, 1)) or sample counts (ints); a missing one is the
    complement of the other. The samples are shuffled as Keras' tf.data path shuffles them
    (`random.Random(seed)`), so the same seed puts the same samples on each side.

    Args:
        dataset: a NumPy array, a list/tuple of arrays of equal length, a lamina `Dataset`
            (batched ones are split by sample and re-batched alike), or a
            `torch.utils.data.Dataset` (split with `torch.utils.data.random_split`, as Keras'
            torch backend does, giving two `Subset`s).
        left_size: the left part's fraction or number of samples.
        right_size: the right part's fraction or number of samples.
        shuffle: whether to shuffle the samples before splitting.
        seed: the shuffle seed.

    Returns:
        A tuple `(left, right)` of datasets.

    Example:
        >>> left, right = split_dataset((np.arange(6), np.arange(6) * 10), right_size=2)
        >>> [y.item() for _, y in right]
        [40, 50]
    """
    if isinstance(dataset, torch.utils.data.Dataset) and not isinstance(dataset, Dataset):
        return _split_torch_dataset(dataset, left_size, right_size, shuffle, seed)
    columns, spec, batch_size = _as_columns(dataset)
    total = len(columns[0])
    left_size, right_size = _rescale_split_sizes(left_size, right_size, total)
    order = list(range(total))
    if shuffle:
        if seed is None:
            seed = random.randint(0, int(1e6))
        random.Random(seed).shuffle(order)
    halves = []
    for positions in (order[:left_size], order[total - right_size:]):
        index = np.asarray(positions, dtype=np.int64)
        half = Dataset.from_tensor_slices(
            pytree.tree_unflatten([column[index] for column in columns], spec))
        halves.append(half if batch_size is None else half.batch(batch_size))
    return tuple(halves)


def _as_columns(dataset):
    """(per-leaf arrays of all samples, their structure, the batch size to restore)."""
    if isinstance(dataset, Dataset):
        samples = dataset.unbatch() if dataset._batch_size is not None else dataset
        elements = list(samples)
        if not elements:
            raise ValueError("Received an empty dataset: argument `dataset` must have samples.")
        stacked = stack_elements(elements)
        leaves, spec = pytree.tree_flatten(stacked)
        return leaves, spec, dataset._batch_size
    if isinstance(dataset, np.ndarray):
        return [dataset], pytree.tree_flatten(0)[1], None
    if isinstance(dataset, (list, tuple)):
        if not dataset:
            raise ValueError("Received an empty list/tuple: argument `dataset` must hold at least "
                             "one array.")
        for position, array in enumerate(dataset):
            if not isinstance(array, np.ndarray):
                raise TypeError(f"Argument `dataset` must be a list/tuple of NumPy arrays; element "
                                f"{position} is a {type(array).__name__}. Convert it with np.asarray.")
            if len(array) != len(dataset[0]):
                raise ValueError(f"All arrays of `dataset` must have the same length: array 0 has "
                                 f"{len(dataset[0])} samples, array {position} has {len(array)}.")
        return list(dataset), pytree.tree_flatten(tuple(dataset))[1], None
    raise TypeError(f"Argument `dataset` must be a NumPy array, a list/tuple of arrays, a lamina "
                    f"Dataset or a torch.utils.data.Dataset. Received: {type(dataset).__name__}")


def _split_torch_dataset(dataset, left_size, right_size, shuffle, seed):
    left_size, right_size = _rescale_split_sizes(left_size, right_size, len(dataset))
    generator = None
    if shuffle:
        generator = torch.Generator()
        if seed is None:
            generator.seed()
        else:
            generator.manual_seed(seed)
    if generator is None:  # random_split always permutes; Keras' unshuffled split is in order
        indices = list(range(len(dataset)))
        return (torch.utils.data.Subset(dataset, indices[:left_size]),
                torch.utils.data.Subset(dataset, indices[left_size:left_size + right_size]))
    left, right = torch.utils.data.random_split(dataset, [left_size, right_size], generator=generator)
    return left, right


def _rescale_split_sizes(left_size, right_size, total: int) -> tuple[int, int]:
    """Keras' rules: fractions in (0, 1) or counts in (0, total), and a non-empty side each."""
    if left_size is None and right_size is None:
        raise ValueError("At least one of the `left_size` or `right_size` must be specified. "
                         "Received: left_size=None and right_size=None")
    for name, size in (("left_size", left_size), ("right_size", right_size)):
        if size is not None and type(size) not in (int, float):
            raise TypeError(f"Invalid `{name}` type. Expected: int or float or None. "
                            f"Received: type({name})={type(size)}")
        if (type(size) is int and not 0 < size < total) or (type(size) is float and not 0 < size < 1):
            raise ValueError(f"`{name}` should be either a positive integer smaller than {total}, "
                             f"or a float within the range `[0, 1]`. Received: {name}={size}")
    if type(left_size) is float and type(right_size) is float and left_size + right_size > 1:
        raise ValueError("The sum of `left_size` and `right_size` is greater than 1. It must be "
                         "less than or equal to 1.")
    left = round(left_size * total) if type(left_size) is float else left_size
    right = round(right_size * total) if type(right_size) is float else right_size
    if left is None:
        left = total - right
    elif right is None:
        right = total - left
    if left + right > total:
        raise ValueError(f"The sum of `left_size` and `right_size` should be smaller than the "
                         f"{total} samples. Received: left_size + right_size = {left + right}")
    for size, side in ((left, "left"), (right, "right")):
        if size == 0:
            raise ValueError(f"With `dataset` of length={total}, `left_size`={left} and "
                             f"`right_size`={right}, the {side} split would be empty. Adjust "
                             f"`left_size` or `right_size`.")
    return int(left), int(right)


def check_validation_split_arg(validation_split, subset, shuffle, seed) -> None:
    """Raises for a `validation_split`/`subset`/`seed` combination Keras refuses."""
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: {validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError(f"If `subset` is set, `validation_split` must be set, and inversely. "
                         f"Received: validation_split={validation_split}, subset={subset!r}")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'`subset` must be either "training", "validation" or "both", received: '
                         f"{subset!r}")
    if validation_split and shuffle and seed is None:
        raise ValueError("If using `validation_split` and shuffling the data, you must provide a "
                         "`seed` argument, to make sure that there is no overlap between the "
                         "training and validation subset.")


def index_directory(directory, labels, formats: tuple[str, ...], class_names=None,
                    shuffle: bool = True, seed=None, follow_links: bool = False,
                    verbose: bool = True):
    """Lists the files of `directory` with their labels, in Keras' order.

    Args:
        directory: the folder; with `labels="inferred"` its sub-folders are the classes.
        labels: "inferred", None, or a list/tuple of integer labels in sorted file order.
        formats: the file endings to keep (lower case, e.g. `(".png", ".jpg")`).
        class_names: the classes to keep, in this order (only with `labels="inferred"`).
        shuffle: whether to shuffle the files (else they stay in sorted order).
        seed: the shuffle seed (drawn from NumPy's global generator when None).
        follow_links: whether to walk into sub-folders that are symbolic links.
        verbose: whether to print "Found N files belonging to K classes."

    Returns:
        `(file_paths, labels, class_names)`: paths joined to `directory`, an int32 array (or
        None), and the class names (None without labels).
    """
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        kind = "is a file, not a folder" if os.path.exists(directory) else "does not exist"
        raise FileNotFoundError(f"Argument `directory` must be an existing folder, but "
                                f"{directory!r} {kind}. Received: directory={directory!r}")
    if labels == "inferred":
        subdirs = [name for name in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, name)) and not name.startswith(".")]
        if class_names is not None:
            if not set(class_names).issubset(subdirs):
                raise ValueError(f"The `class_names` passed did not match the names of the "
                                 f"subdirectories of the target directory. Expected: {subdirs} "
                                 f"(or a subset of it), but received: class_names={class_names}")
            subdirs = list(class_names)
    else:
        if class_names is not None:
            raise ValueError("When `labels=None` (no labels), argument `class_names` cannot be "
                             "specified." if labels is None else
                             "When argument `labels` is specified, argument `class_names` cannot "
                             "be specified (the `class_names` will be the sorted list of labels).")
        subdirs = [""]
    filenames, found_labels = [], []
    for class_index, subdir in enumerate(subdirs):
        names = _files_under(os.path.join(directory, subdir), follow_links, formats)
        prefix = os.path.join(subdir, "") if subdir else ""  # joins by hand: 60 000 joins are slow
        filenames += [prefix + name for name in names]
        found_labels += [class_index] * len(names)
    if labels == "inferred":
        labels = np.asarray(found_labels, dtype=np.int32)
        class_names = subdirs
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(filenames):
            raise ValueError(f"Expected the lengths of `labels` to match the number of files in the "
                             f"target directory. len(labels) is {len(labels)} while we found "
                             f"{len(filenames)} files in directory {directory}.")
        class_names = [str(label) for label in sorted(set(labels))]
        labels = np.asarray(labels)
    if verbose:
        print(f"Found {len(filenames)} files." if labels is None else
              f"Found {len(filenames)} files belonging to {len(class_names)} classes.")
    prefix = os.path.join(directory, "")
    file_paths = [prefix + name for name in filenames]
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        # Two generators from one seed: the paths and the labels get the same permutation.
        np.random.RandomState(seed).shuffle(file_paths)
        if labels is not None:
            np.random.RandomState(seed).shuffle(labels)
    return file_paths, labels, class_names


def _files_under(folder: str, follow_links: bool, formats: tuple[str, ...]) -> list[str]:
    """Paths relative to `folder` of the files with an allowed ending, in sorted walk order."""
    found = []
    for root, _, files in sorted(os.walk(folder, followlinks=follow_links), key=lambda entry: entry[0]):
        relative_root = os.path.relpath(root, folder)
        prefix = "" if relative_root == "." else os.path.join(relative_root, "")
        found += [prefix + name for name in sorted(files) if name.lower().endswith(formats)]
    return found


def get_training_or_validation_split(samples, labels, validation_split, subset):
    """Keras' split: the last `validation_split` fraction of the (shuffled) files validates."""
    if not validation_split:
        return samples, labels
    num_val_samples = int(validation_split * len(samples))
    if subset == "training":
        print(f"Using {len(samples) - num_val_samples} files for training.")
        return samples[:len(samples) - num_val_samples], \
            None if labels is None else labels[:len(labels) - num_val_samples]
    if subset == "validation":
        print(f"Using {num_val_samples} files for validation.")
        return samples[len(samples) - num_val_samples:], \
            None if labels is None else labels[len(labels) - num_val_samples:]
    raise ValueError(f'`subset` must be either "training" or "validation", received: {subset!r}')


def empty_subset_hint(validation_split, num_files: int) -> str:
    """The end of the "No images found" error when the split, not the folder, left none."""
    if not validation_split or not num_files:
        return ""
    return (f" (validation_split={validation_split} of {num_files} files leaves this subset empty: "
            f"use more files or another validation_split)")


def encode_labels(labels: np.ndarray, label_mode: str, num_classes: int) -> torch.Tensor:
    """Integer labels as Keras yields them: int32 (N,), binary float32 (N, 1), one-hot (N, K).

    Example:
        >>> encode_labels(np.array([1, 0]), "categorical", 3).tolist()
        [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    """
    values = torch.as_tensor(np.asarray(labels, dtype=np.int64))
    if label_mode == "binary":
        return values.to(torch.float32).unsqueeze(-1)
    if label_mode == "categorical":
        return torch.nn.functional.one_hot(values, num_classes).to(torch.float32)
    return values.to(torch.int32)
