"""text_dataset_from_directory against real Keras 3 (tests/fixtures/utils)."""
import os

import numpy as np
import pytest
import torch

import lamina as keras
from lamina.utils import dataset_utils


def load(root, **kwargs):
    return keras.utils.text_dataset_from_directory(root, verbose=False, **kwargs)


@pytest.mark.parametrize("name", ["text_plain", "text_max_length"])
def test_texts_and_labels_match_keras(name, keras_reference, reference_text_folder):
    arrays, cases, _ = keras_reference
    texts, labels = next(iter(load(reference_text_folder, batch_size=32, **cases[name]["kwargs"])))
    assert isinstance(texts, np.ndarray) and texts.dtype == object
    assert all(type(text) is str for text in texts)
    # Keras' grain path reads in text mode ("\r\n" -> "\n"); its tf.data path, like lamina, reads
    # the bytes as they are.
    assert [text.replace("\r\n", "\n") for text in texts] == arrays[f"{name}/texts"].tolist()
    assert labels.dtype == torch.int32 and labels.tolist() == arrays[f"{name}/labels"].tolist()


def test_text_keeps_windows_newlines_and_unicode(reference_text_folder):
    texts, _ = next(iter(load(reference_text_folder, shuffle=False)))
    assert texts.tolist()[1] == "awful, just awful\r\n" and texts.tolist()[2] == "dull ✗"


def test_shuffled_listing_matches_keras(keras_reference, reference_text_folder):
    arrays, _, _ = keras_reference
    expected_paths = arrays["text_shuffled/file_paths"].tolist()
    listing, labels, _ = dataset_utils.index_directory(reference_text_folder, "inferred", (".txt",),
                                                       shuffle=True, seed=3, verbose=False)
    assert [os.path.relpath(path, reference_text_folder) for path in listing] == expected_paths
    assert labels.tolist() == [["neg", "pos"].index(path.split(os.sep)[0]) for path in expected_paths]
    # Each pass then reorders through a shuffle buffer, as tf.data does: the same texts come out.
    texts, _ = next(iter(load(reference_text_folder, shuffle=True, seed=3, batch_size=100)))
    contents = [(reference_text_folder / path).read_bytes().decode("utf-8") for path in expected_paths]
    assert sorted(texts.tolist()) == sorted(contents)


def test_label_modes_and_unbatched_strings(reference_text_folder):
    _, binary = next(iter(load(reference_text_folder, label_mode="binary", shuffle=False)))
    assert binary.dtype == torch.float32 and binary.shape == (6, 1) and binary[:, 0].tolist() == [0, 0, 0, 1, 1, 1]
    _, onehot = next(iter(load(reference_text_folder, label_mode="categorical", shuffle=False)))
    assert onehot.tolist()[0] == [1.0, 0.0] and onehot.tolist()[-1] == [0.0, 1.0]
    texts_only = next(iter(load(reference_text_folder, labels=None, shuffle=False)))
    assert texts_only.tolist() == ["bad", "awful, just awful\r\n", "dull ✗", "great film",
                                   "loved it — truly", ""]
    single = load(reference_text_folder, batch_size=None, shuffle=False)
    text, label = next(iter(single))
    assert text == "bad" and label.ndim == 0 and len(single) == 6


def test_train_and_validation_subsets_are_disjoint(reference_text_folder, capsys):
    train, val = keras.utils.text_dataset_from_directory(reference_text_folder, validation_split=0.5,
                                                         subset="both", seed=2)
    train_texts = [text for texts, _ in train for text in texts]
    val_texts = [text for texts, _ in val for text in texts]
    assert len(train_texts) == len(val_texts) == 3 and not set(train_texts) & set(val_texts)
    assert capsys.readouterr().out == ("Found 6 files belonging to 2 classes.\n"
                                       "Using 3 files for training.\nUsing 3 files for validation.\n")


def test_undecodable_bytes_become_replacement_characters(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "latin1.txt").write_bytes("café".encode("latin-1"))
    texts, _ = next(iter(load(tmp_path)))
    assert texts.tolist() == ["caf\ufffd"]


@pytest.mark.parametrize("kwargs, message", [
    ({"label_mode": "binary", "labels": [0, 1, 2, 0, 1, 2]}, r"there must be exactly 2 class_names"),
    ({"max_length": -1}, r"Argument `max_length` must be None or a non-negative integer. Received: max_length=-1"),
    ({"validation_split": 0.3, "subset": "training"}, r"you must provide a `seed` argument"),
    ({"format": "numpy"}, r'`format` should be either "tf" or "grain"'),
])
def test_bad_arguments_are_refused(kwargs, message, reference_text_folder):
    with pytest.raises(ValueError, match=message):
        load(reference_text_folder, **kwargs)


def test_a_folder_without_text_files(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "notes.md").write_text("x")
    with pytest.raises(ValueError, match=r"No text files found in directory .* Allowed format: .txt"):
        load(tmp_path)
