"""TextVectorization: adapt on arrays and datasets, options, saving hooks, learner slips.

Keras parity of vocabularies and outputs is in test_text_preprocessing_reference.py.
"""
import json

import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.utils import text_dataset_from_directory

CORPUS = ["the cat sat", "the dog sat down", "a cat and a dog", "the end"]


def _text_folder(root):
    for label, texts in (("neg", ["awful film", "bad bad plot", "dull"]),
                         ("pos", ["great film", "good plot", "great great fun"])):
        (root / label).mkdir()
        for index, text in enumerate(texts):
            (root / label / f"{index}.txt").write_text(text, encoding="utf-8")
    return root


def test_int_output_pads_to_the_longest_or_to_output_sequence_length():
    layer = layers.TextVectorization()
    layer.adapt(CORPUS)
    assert layer.get_vocabulary()[:4] == ["", "[UNK]", "the", "sat"]
    ragged = layer(["the cat", "a dog sat down", ""])
    assert ragged.dtype == torch.int64 and ragged.shape == (3, 4)
    assert ragged[2].tolist() == [0, 0, 0, 0]
    fixed = layers.TextVectorization(output_sequence_length=2, vocabulary=layer.get_vocabulary())
    assert fixed(["the cat", "a dog sat down"]).tolist() == ragged[:2, :2].tolist()
    assert fixed(np.array([["the"]])).tolist() == [[2, 0]]


def test_adapt_on_text_dataset_from_directory(tmp_path):
    dataset = text_dataset_from_directory(_text_folder(tmp_path), batch_size=2, shuffle=False,
                                          verbose=False)
    layer = layers.TextVectorization(max_tokens=6)
    layer.adapt(dataset.map(lambda x, y: x))
    # great 3, bad 2, film 2, plot 2: ties by the larger string first, as Keras.
    assert layer.get_vocabulary() == ["", "[UNK]", "great", "plot", "film", "bad"]
    texts = np.concatenate([x for x, _ in dataset])
    whole = layers.TextVectorization(max_tokens=6)
    whole.adapt(texts)
    assert whole.get_vocabulary() == layer.get_vocabulary()
    first_batch = layers.TextVectorization()
    first_batch.adapt(dataset.map(lambda x, y: x), steps=1)
    assert sorted(first_batch.get_vocabulary(include_special_tokens=False)) == ["awful", "bad", "film", "plot"]


def test_adapt_on_labelled_batches_says_to_drop_the_labels(tmp_path):
    dataset = text_dataset_from_directory(_text_folder(tmp_path), batch_size=2, verbose=False)
    with pytest.raises(ValueError, match=r"dataset.map\(lambda x, y: x\)"):
        layers.TextVectorization().adapt(dataset)


def test_adapt_batch_size_gives_the_same_vocabulary_and_idf():
    whole = layers.TextVectorization(output_mode="tf_idf")
    whole.adapt(np.array(CORPUS))
    batched = layers.TextVectorization(output_mode="tf_idf")
    batched.adapt(np.array(CORPUS), batch_size=3)
    assert batched.get_vocabulary() == whole.get_vocabulary()
    np.testing.assert_allclose(batched._lookup_layer.idf_weights, whole._lookup_layer.idf_weights)


def test_tf_idf_equals_a_float64_numpy_computation():
    layer = layers.TextVectorization(output_mode="tf_idf")
    layer.adapt(CORPUS)
    vocabulary = layer.get_vocabulary()
    documents = [set(text.split()) for text in CORPUS]
    idf = np.array([np.log(1 + len(CORPUS) / (1 + sum(t in d for d in documents)))
                    for t in vocabulary[1:]])
    idf = np.concatenate([[idf.mean()], idf])
    text = "the cat the cat zebra"
    counts = np.array([sum(w == t for w in text.split()) for t in vocabulary], dtype=np.float64)
    counts[0] = 1  # 'zebra' is OOV
    np.testing.assert_allclose(layer([text])[0].numpy(), counts * idf, rtol=1e-6)


def test_set_vocabulary_and_special_tokens():
    layer = layers.TextVectorization()
    layer.set_vocabulary(["", "[UNK]", "b", "a"])
    assert layer.get_vocabulary() == ["", "[UNK]", "b", "a"]
    layer.set_vocabulary(["x", "y"])
    assert layer.get_vocabulary(include_special_tokens=False) == ["x", "y"]
    assert layer.vocabulary_size() == 4
    assert layer(["y x q"]).tolist() == [[3, 2, 1]]


def test_callable_standardize_and_split_get_numpy_arrays_of_str():
    seen = []

    def keep_letters(texts):
        seen.append(type(texts))
        return np.array(["".join(ch for ch in t.lower() if ch.isalpha() or ch == " ") for t in texts])

    layer = layers.TextVectorization(standardize=keep_letters, split=lambda texts: [t.split("a") for t in texts])
    layer.adapt(["BaNaNa!", "cab"])
    assert seen and seen[0] is np.ndarray
    # 'banana' -> b, n, n, '' and 'cab' -> c, b; the empty token is the mask, never learned.
    assert layer.get_vocabulary() == ["", "[UNK]", "n", "b", "c"]


def test_output_shapes_agree_with_compute_output_shape():
    for kwargs, shape, symbolic_shape in [({}, (3, 2), (None, None)),
                                          ({"output_sequence_length": 5}, (3, 5), (None, 5)),
                                          ({"output_mode": "multi_hot"}, (3, 4), (None, 4)),
                                          ({"split": None}, (3, 1), (None, None))]:
        layer = layers.TextVectorization(vocabulary=["a", "b", "c"], **kwargs)
        output = layer(np.array([["a b"], ["c"], [""]]))
        assert tuple(output.shape) == shape
        symbolic = layer(lamina.Input(shape=(1,), dtype="string"))
        assert symbolic.shape == symbolic_shape
        assert symbolic.dtype == str(output.dtype).replace("torch.", "")


def test_config_round_trip_keeps_the_vocabulary_size_for_model_building():
    layer = layers.TextVectorization(output_mode="multi_hot", max_tokens=10, ngrams=(1, 2))
    layer.adapt(CORPUS)
    config = json.loads(json.dumps(layer.get_config()))
    assert config["vocabulary"] is None and config["ngrams"] == [1, 2]
    clone = layers.TextVectorization.from_config(config)
    assert clone._ngrams == (1, 2)
    # Keras loads the vocabulary after the graph is built: the width is known before.
    assert clone.compute_output_shape((None, 1)) == (None, 10)


def test_assets_and_variables_round_trip(tmp_path):
    layer = layers.TextVectorization(output_mode="tf_idf")
    layer.adapt(CORPUS)
    store = {}
    layer.save_own_variables(store)
    layer.save_assets(tmp_path)
    lines = (tmp_path / "vocabulary.txt").read_text(encoding="utf-8").split("\n")
    assert lines == layer.get_vocabulary()
    clone = layers.TextVectorization.from_config(layer.get_config())
    clone.load_own_variables(store)
    clone.load_assets(tmp_path)
    text = ["the dog and the cat", "unknown"]
    assert clone.get_vocabulary() == layer.get_vocabulary()
    np.testing.assert_allclose(clone(text).numpy(), layer(text).numpy())
    assert not list(tmp_path.glob("*.partial"))


def test_registered_standardize_function_round_trips():
    @lamina.saving.register_keras_serializable(package="test")
    def shout(texts):
        return np.array([t.upper() for t in texts])

    layer = layers.TextVectorization(standardize=shout)
    config = json.loads(json.dumps(layer.get_config()))
    assert config["standardize"]["registered_name"] == "test>shout"
    assert layers.TextVectorization.from_config(config)._standardize is shout
    config["standardize"] = {**config["standardize"], "registered_name": "unknown", "config": "nope"}
    with pytest.raises(ValueError, match="custom_objects"):
        layers.TextVectorization.from_config(config)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"standardize": "Lower"}, ValueError, r"Unknown value for `standardize`.*Did you mean 'lower'"),
    ({"split": "space"}, ValueError, "Unknown value for `split`"),
    ({"output_mode": "multi_hot", "output_sequence_length": 4}, ValueError,
     "`output_sequence_length` must not be set"),
    ({"ngrams": 1.5}, ValueError, "`ngrams` must be None, an integer, or a tuple"),
    ({"sparse": True}, ValueError, "does not support `sparse=True`"),
    ({"ragged": True}, ValueError, "does not support `ragged=True`"),
    ({"max_tokens": 1}, ValueError, "`max_tokens` must be greater than 1"),
])
def test_constructor_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        layers.TextVectorization(**kwargs)


def test_call_errors_name_the_fix():
    with pytest.raises(RuntimeError, match="must set the layer's vocabulary"):
        layers.TextVectorization(output_mode="count")(["a"])
    layer = layers.TextVectorization(vocabulary=["a"])
    with pytest.raises(ValueError, match="last shape dimension must be 1"):
        layer(np.array([["a", "b"]]))
    with pytest.raises(TypeError, match="takes strings"):
        layer(np.array([[1.0]]))
    with pytest.raises(ValueError, match="Cannot adapt layer"):
        layer.adapt(["a b"])
