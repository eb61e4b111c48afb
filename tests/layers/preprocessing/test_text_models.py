"""String layers as a model's first layers: predict, fit and evaluate on arrays of strings and on
text datasets, and a round trip through the config and the saving hooks (as `.keras` does).
"""
import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.saving import deserialize_keras_object, serialize_keras_object
from lamina.utils import text_dataset_from_directory

POSITIVE = ["great fun film", "good plot", "great acting", "fun and good"]
NEGATIVE = ["awful film", "bad plot", "dull and bad", "awful acting"]


def _corpus(repeat=8):
    texts = np.array([[text] for text in POSITIVE * repeat + NEGATIVE * repeat])
    labels = np.array([1.0] * 4 * repeat + [0.0] * 4 * repeat, dtype="float32")
    return texts, labels


def _classifier(vectorizer):
    inputs = lamina.Input(shape=(1,), dtype="string")
    hidden = layers.GlobalAveragePooling1D()(layers.Embedding(30, 8)(vectorizer(inputs)))
    model = lamina.Model(inputs, layers.Dense(1, activation="sigmoid")(hidden))
    model.compile(optimizer=lamina.optimizers.Adam(0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def test_string_input_model_predicts_one_string():
    vectorizer = layers.TextVectorization(max_tokens=30, output_sequence_length=4)
    vectorizer.adapt(_corpus()[0])
    model = _classifier(vectorizer)
    assert model.inputs[0].dtype == "string"
    assert model.layers[1].output.shape == (None, 4)
    prediction = model.predict(np.array([["some text"]]), verbose=0)
    assert prediction.shape == (1, 1) and 0.0 < float(prediction[0, 0]) < 1.0


def test_fit_on_string_arrays_learns_the_sentiment_words():
    texts, labels = _corpus()
    vectorizer = layers.TextVectorization(max_tokens=30, output_sequence_length=4)
    vectorizer.adapt(texts)
    model = _classifier(vectorizer)
    history = model.fit(texts, labels, epochs=12, batch_size=16, validation_split=0.25, verbose=0)
    assert history.history["loss"][-1] < 0.3 * history.history["loss"][0]
    loss, accuracy = model.evaluate(texts, labels, verbose=0)
    assert accuracy == 1.0
    scores = model.predict(np.array([["great film"], ["awful film"]]), verbose=0)[:, 0]
    assert scores[0] > 0.8 > 0.2 > scores[1]


def test_sequential_built_from_string_data():
    texts, labels = _corpus(2)
    vectorizer = layers.TextVectorization(output_mode="multi_hot")
    vectorizer.adapt(texts)
    model = lamina.Sequential([vectorizer, layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(texts, labels, epochs=1, batch_size=4, verbose=0)
    assert model.predict(texts[:3], verbose=0).shape == (3, 1)


def test_fit_on_a_text_dataset_from_directory(tmp_path):
    for label, texts in (("neg", NEGATIVE), ("pos", POSITIVE)):
        (tmp_path / label).mkdir()
        for index, text in enumerate(texts * 3):
            (tmp_path / label / f"{index}.txt").write_text(text, encoding="utf-8")
    train = text_dataset_from_directory(tmp_path, batch_size=4, seed=0, verbose=False)
    vectorizer = layers.TextVectorization(max_tokens=30, output_sequence_length=4)
    vectorizer.adapt(train.map(lambda x, y: x))
    inputs = lamina.Input(shape=(), dtype="string")
    hidden = layers.GlobalAveragePooling1D()(layers.Embedding(30, 8)(vectorizer(inputs)))
    model = lamina.Model(inputs, layers.Dense(1, activation="sigmoid")(hidden))
    model.compile(optimizer=lamina.optimizers.Adam(0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(train, epochs=10, verbose=0)
    assert history.history["accuracy"][-1] == 1.0


def test_numeric_layer_given_strings_names_the_fix():
    with pytest.raises(ValueError, match=r"received strings.*put a TextVectorization"):
        layers.Dense(2)(np.array([["a cat"]]))


def test_round_trip_through_config_and_saving_hooks(tmp_path):
    """What `model.save` does: the config, then each layer's variables and assets."""
    texts, labels = _corpus(2)
    vectorizer = layers.TextVectorization(max_tokens=30, output_mode="tf_idf")
    vectorizer.adapt(texts)
    inputs = lamina.Input(shape=(1,), dtype="string")
    model = lamina.Model(inputs, layers.Dense(1)(vectorizer(inputs)))
    config = serialize_keras_object(model)
    store = {}
    vectorizer.save_own_variables(store)
    vectorizer.save_assets(tmp_path)
    restored = deserialize_keras_object(config)
    restored_vectorizer = restored.layers[1]
    assert isinstance(restored_vectorizer, layers.TextVectorization)
    assert restored.layers[2].kernel.shape == (vectorizer.vocabulary_size(), 1)
    restored_vectorizer.load_own_variables(store)
    restored_vectorizer.load_assets(tmp_path)
    restored.set_weights(model.get_weights())
    probe = np.array([["great film"], ["unknown words"]])
    np.testing.assert_allclose(restored.predict(probe, verbose=0), model.predict(probe, verbose=0),
                               rtol=1e-6)
    assert restored_vectorizer.get_vocabulary() == vectorizer.get_vocabulary()


def test_outputs_follow_the_models_device():
    vectorizer = layers.TextVectorization(vocabulary=["a", "b"])
    assert vectorizer(["a b"]).device == lamina.backend.get_device(scoped=False)
    ids = torch.tensor([[0, 1]], device=lamina.backend.get_device(scoped=False))
    assert layers.IntegerLookup(vocabulary=[0, 1])(ids).device == ids.device
