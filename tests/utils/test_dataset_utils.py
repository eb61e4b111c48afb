"""split_dataset (sizes and shuffles as Keras computes them) and folder indexing."""
import os

import numpy as np
import pytest
import torch

import lamina as keras
from lamina.utils import dataset_utils
from lamina.utils.dataset import Dataset


def values(ds):
    return [element[0].item() if isinstance(element, tuple) else element.item() for element in ds]


def test_split_sizes_and_refusals_match_keras(keras_reference):
    _, _, table = keras_reference
    assert len(table) > 10
    for row in table:
        data = np.arange(row["total"])
        if row["error"] is None:
            left, right = keras.utils.split_dataset(data, left_size=row["left_size"],
                                                    right_size=row["right_size"])
            assert [len(left), len(right)] == row["sizes"], row
        else:
            with pytest.raises({"TypeError": TypeError, "ValueError": ValueError}[row["error"]]):
                keras.utils.split_dataset(data, left_size=row["left_size"], right_size=row["right_size"])


def test_unshuffled_split_takes_the_first_and_the_last_samples():
    left, right = keras.utils.split_dataset(np.arange(10), left_size=3, right_size=4)
    assert values(left) == [0, 1, 2] and values(right) == [6, 7, 8, 9]


def test_shuffled_split_uses_keras_order_for_the_seed(keras_reference):
    arrays, _, _ = keras_reference
    order = arrays["split/shuffled_order_seed5"].tolist()
    left, right = keras.utils.split_dataset(np.arange(10) * 10, left_size=0.7, shuffle=True, seed=5)
    assert values(left) == [10 * i for i in order[:7]] and values(right) == [10 * i for i in order[7:]]


def test_tuples_of_arrays_split_together():
    x, y = np.arange(8, dtype="float32").reshape(4, 2), np.array([0, 1, 2, 3])
    left, right = keras.utils.split_dataset((x, y), right_size=0.25, shuffle=True, seed=1)
    pairs = [(features.tolist(), label.item()) for features, label in list(left) + list(right)]
    assert sorted(pairs) == [([0.0, 1.0], 0), ([2.0, 3.0], 1), ([4.0, 5.0], 2), ([6.0, 7.0], 3)]
    assert len(left) == 3 and len(right) == 1


def test_a_batched_dataset_is_split_by_sample_and_rebatched():
    ds = Dataset.from_tensor_slices((np.arange(10), np.arange(10) % 2)).batch(4)
    left, right = keras.utils.split_dataset(ds, left_size=6)
    assert [len(x) for x, _ in left] == [4, 2] and [len(x) for x, _ in right] == [4]
    assert torch.cat([x for x, _ in left]).tolist() == [0, 1, 2, 3, 4, 5]
    assert torch.cat([y for _, y in right]).tolist() == [0, 1, 0, 1]


def test_a_torch_dataset_is_split_as_keras_torch_backend_does():
    data = torch.utils.data.TensorDataset(torch.arange(10))
    left, right = keras.utils.split_dataset(data, left_size=0.6, shuffle=True, seed=3)
    expected = torch.utils.data.random_split(data, [6, 4], generator=torch.Generator().manual_seed(3))
    assert left.indices == expected[0].indices and right.indices == expected[1].indices
    in_order = keras.utils.split_dataset(data, left_size=0.6)
    assert in_order[0].indices == list(range(6)) and in_order[1].indices == list(range(6, 10))


@pytest.mark.parametrize("dataset, error, message", [
    ([np.zeros(3), [1, 2, 3]], TypeError, r"element 1 is a list. Convert it with np.asarray"),
    ((np.zeros(3), np.zeros(4)), ValueError, r"array 0 has 3 samples, array 1 has 4"),
    ({"x": np.zeros(3)}, TypeError, r"Argument `dataset` must be a NumPy array, a list/tuple of arrays"),
])
def test_split_refuses_what_it_cannot_split(dataset, error, message):
    with pytest.raises(error, match=message):
        keras.utils.split_dataset(dataset, left_size=1)


def test_split_needs_a_size():
    with pytest.raises(ValueError, match=r"At least one of the `left_size` or `right_size` must be specified"):
        keras.utils.split_dataset(np.zeros(4))


def test_index_directory_follows_links_only_when_asked(tmp_path):
    (tmp_path / "data" / "a").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "far.png").write_bytes(b"")
    (tmp_path / "data" / "a" / "near.png").write_bytes(b"")
    os.symlink(tmp_path / "elsewhere", tmp_path / "data" / "a" / "linked")
    plain, _, _ = dataset_utils.index_directory(tmp_path / "data", "inferred", (".png",), shuffle=False,
                                                verbose=False)
    linked, _, _ = dataset_utils.index_directory(tmp_path / "data", "inferred", (".png",), shuffle=False,
                                                 follow_links=True, verbose=False)
    root = str(tmp_path / "data")
    assert plain == [os.path.join(root, "a", "near.png")]
    # Keras walks folders in sorted order of their paths: a/ before a/linked/.
    assert linked == [os.path.join(root, "a", "near.png"), os.path.join(root, "a", "linked", "far.png")]


def test_index_directory_keeps_the_class_names_order_given(tmp_path):
    for name in ("a", "b", "c"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "x.txt").write_text(name)
    paths, labels, names = dataset_utils.index_directory(tmp_path, "inferred", (".txt",),
                                                         class_names=["c", "a"], shuffle=False,
                                                         verbose=False)
    assert names == ["c", "a"] and labels.tolist() == [0, 1]
    assert [os.path.relpath(path, tmp_path) for path in paths] == [os.path.join("c", "x.txt"),
                                                                   os.path.join("a", "x.txt")]


def test_encode_labels_dtypes_and_shapes():
    labels = np.array([2, 0, 1])
    assert dataset_utils.encode_labels(labels, "int", 3).dtype == torch.int32
    binary = dataset_utils.encode_labels(np.array([1, 0]), "binary", 2)
    assert binary.dtype == torch.float32 and binary.tolist() == [[1.0], [0.0]]
    assert dataset_utils.encode_labels(labels, "categorical", 3).tolist() == [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
