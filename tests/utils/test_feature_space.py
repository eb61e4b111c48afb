"""FeatureSpace: adapt and encode a small table exactly as Keras 3.15 does (values, column order,
dtypes), its configs, and `.keras` files both ways.

The reference (tests/fixtures/utils/feature_space_reference.{json,npz} and
keras_feature_space.keras) comes from make_feature_space_reference.py, run with real Keras
on TensorFlow; the FeatureSpace definitions below are the script's.
"""
import json
from pathlib import Path

import h5py
import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.saving import serialize_keras_object
from lamina.utils import FeatureSpace
from lamina.utils.dataset import Dataset

FIXTURES = Path(__file__).parents[1] / "fixtures" / "utils"
FACTS = json.loads((FIXTURES / "feature_space_reference.json").read_text())
ARRAYS = np.load(FIXTURES / "feature_space_reference.npz")
KERAS_FILE = FIXTURES / "keras_feature_space.keras"
DTYPES = {"plain": "float32", "rescaled": "float32", "normalized": "float32",
          "discretized": "float32", "int_cat": "int32", "int_hashed": "int32"}
TABLE = {k: np.array(v, dtype=DTYPES.get(k)) for k, v in FACTS["table"].items()}


def all_types_space() -> FeatureSpace:
    return FeatureSpace(
        features={
            "plain": "float",
            "rescaled": FeatureSpace.float_rescaled(scale=0.5, offset=1.0),
            "normalized": "float_normalized",
            "discretized": FeatureSpace.float_discretized(num_bins=4),
            "int_cat": "integer_categorical",
            "str_cat": FeatureSpace.string_categorical(max_tokens=3),
            "str_hashed": FeatureSpace.string_hashed(num_bins=8),
            "int_hashed": "integer_hashed",
        },
        crosses=[("int_cat", "str_cat"),
                 FeatureSpace.cross(("discretized", "str_hashed"), crossing_dim=8)],
        crossing_dim=16, hashing_dim=6, output_mode="concat")


def int_dict_space() -> FeatureSpace:
    return FeatureSpace(
        features={
            "int_cat": FeatureSpace.integer_categorical(num_oov_indices=0, output_mode="int"),
            "str_cat": FeatureSpace.string_categorical(output_mode="int"),
            "discretized": FeatureSpace.float_discretized(num_bins=3, output_mode="int"),
            "normalized": "float_normalized",
        },
        crosses=[FeatureSpace.cross(("int_cat", "str_cat"), crossing_dim=32, output_mode="int")],
        output_mode="dict")


def columns(space: FeatureSpace) -> dict:
    return {name: TABLE[name] for name in space.features}


def adapted(space: FeatureSpace) -> FeatureSpace:
    space.adapt(Dataset.from_tensor_slices(columns(space)))
    return space


def test_concat_output_equals_keras_column_for_column():
    space = adapted(all_types_space())
    batch = space(columns(space))
    assert batch.dtype == torch.float32
    np.testing.assert_allclose(batch.numpy(), ARRAYS["all_types/concat"], rtol=1e-5, atol=1e-5)
    row = space({k: v[5] for k, v in columns(space).items()})
    assert row.shape == ARRAYS["all_types/row5"].shape
    np.testing.assert_allclose(row.numpy(), ARRAYS["all_types/row5"], rtol=1e-5, atol=1e-5)


def test_adapted_state_equals_keras():
    space = adapted(all_types_space())
    facts = FACTS["all_types"]
    assert space.preprocessors["int_cat"].get_vocabulary() == facts["vocabularies"]["int_cat"]
    assert space.preprocessors["str_cat"].get_vocabulary() == facts["vocabularies"]["str_cat"]
    np.testing.assert_allclose(space.preprocessors["discretized"].bin_boundaries,
                               facts["bin_boundaries"], rtol=1e-6)
    encoded = space.get_encoded_features()
    assert [list(encoded.shape), encoded.dtype] == [facts["encoded_shape"], facts["encoded_dtype"]]
    assert {k: [list(v.shape), v.dtype] for k, v in space.get_inputs().items()} == facts["inputs"]


def test_dict_output_equals_keras():
    space = adapted(int_dict_space())
    batch = space(columns(space))
    facts = FACTS["int_dict"]
    assert sorted(batch) == sorted(facts["dict_dtypes"])
    for name, value in batch.items():
        assert str(value.dtype).replace("torch.", "") == facts["dict_dtypes"][name], name
        np.testing.assert_allclose(value.numpy(), ARRAYS[f"int_dict/dict/{name}"], rtol=1e-5,
                                   atol=1e-5)
    row = space({k: v[5] for k, v in columns(space).items()})
    for name, value in row.items():
        np.testing.assert_allclose(value.numpy(), ARRAYS[f"int_dict/row5/{name}"], rtol=1e-5,
                                   atol=1e-5)


def test_adapt_takes_a_dict_and_batched_datasets_alike():
    from_dict = all_types_space()
    from_dict.adapt(columns(from_dict))
    batched = all_types_space()
    batched.adapt(Dataset.from_tensor_slices(columns(batched)).batch(5))
    for space in (from_dict, batched):
        np.testing.assert_allclose(space(columns(space)).numpy(), ARRAYS["all_types/concat"],
                                   rtol=1e-5, atol=1e-5)


def test_mapped_over_a_dataset_of_labelled_batches():
    space = adapted(all_types_space())
    labels = np.arange(len(TABLE["plain"])) % 2
    ds = Dataset.from_tensor_slices((columns(space), labels)).batch(10)
    encoded = [x for x, _ in ds.map(lambda x, y: (space(x), y))]
    np.testing.assert_allclose(torch.cat(encoded).numpy(), ARRAYS["all_types/concat"],
                               rtol=1e-5, atol=1e-5)


def test_config_is_keras():
    space = adapted(all_types_space())
    ours = json.loads(json.dumps(serialize_keras_object(space)))
    theirs = FACTS["all_types"]["config"]
    assert (ours["module"], ours["class_name"]) == (theirs["module"], theirs["class_name"])
    assert ours["config"]["crosses"] == theirs["config"]["crosses"]
    for key in ("output_mode", "crossing_dim", "hashing_dim", "num_discretization_bins"):
        assert ours["config"][key] == theirs["config"][key]
    for name, feature in theirs["config"]["features"].items():
        mine = ours["config"]["features"][name]
        assert {k: mine[k] for k in ("module", "class_name", "registered_name")} == \
            {k: feature[k] for k in ("module", "class_name", "registered_name")}
        assert mine["config"]["dtype"] == feature["config"]["dtype"]
        assert mine["config"]["output_mode"] == feature["config"]["output_mode"]
        preprocessor, expected = mine["config"]["preprocessor"], feature["config"]["preprocessor"]
        assert preprocessor["class_name"] == expected["class_name"]
        assert preprocessor["config"]["name"] == expected["config"]["name"]


def test_from_config_round_trips():
    space = all_types_space()
    rebuilt = FeatureSpace.from_config(json.loads(json.dumps(space.get_config())))
    assert json.loads(json.dumps(rebuilt.get_config())) == json.loads(json.dumps(space.get_config()))
    assert [c.name for c in rebuilt.crosses] == ["int_cat_X_str_cat", "discretized_X_str_hashed"]


def test_loads_the_file_keras_saved():
    space = lamina.models.load_model(KERAS_FILE)
    assert isinstance(space, FeatureSpace)
    np.testing.assert_allclose(space(columns(space)).numpy(), ARRAYS["all_types/concat"],
                               rtol=1e-5, atol=1e-5)


def test_saves_what_keras_saves_and_reloads(tmp_path):
    space = adapted(all_types_space())
    path = tmp_path / "featurespace.keras"
    space.save(path)
    reloaded = lamina.models.load_model(path)
    np.testing.assert_allclose(reloaded(columns(space)).numpy(), space(columns(space)).numpy())
    assert _variable_paths(path) == _variable_paths(KERAS_FILE)


def _variable_paths(path) -> list:
    import io
    import zipfile

    with zipfile.ZipFile(path) as archive:
        names = sorted(n for n in archive.namelist() if n.startswith("assets/"))
        weights = archive.read("model.weights.h5")
    found = []
    with h5py.File(io.BytesIO(weights)) as h5file:
        h5file.visititems(lambda name, obj: found.append(name)
                          if isinstance(obj, h5py.Dataset) else None)
    return names + found


def test_a_model_on_the_encoded_features_and_one_on_the_inputs_agree(tmp_path):
    space = adapted(all_types_space())
    encoded = space.get_encoded_features()
    predictions = layers.Dense(1, activation="sigmoid")(encoded)
    training_model = lamina.Model(inputs=encoded, outputs=predictions)
    inference_model = lamina.Model(inputs=space.get_inputs(), outputs=predictions)
    # Keras gives a model entered at an intermediate tensor an InputLayer of its own.
    assert [type(layer).__name__ for layer in training_model.layers] == ["InputLayer", "Dense"]
    data = columns(space)  # 1-D columns, text among them: each becomes (rows, 1)
    end_to_end = inference_model.predict(data, verbose=0)
    two_step = training_model.predict(space(data).numpy(), verbose=0)
    np.testing.assert_allclose(end_to_end, two_step, rtol=1e-5, atol=1e-6)
    training_model.save(tmp_path / "training.keras")
    reloaded = lamina.models.load_model(tmp_path / "training.keras")
    np.testing.assert_allclose(reloaded.predict(space(data).numpy(), verbose=0), two_step,
                               rtol=1e-6)


def test_a_custom_preprocessor_with_float_output():
    vectorizer = layers.TextVectorization(output_mode="tf_idf")
    space = FeatureSpace(features={"text": FeatureSpace.feature(
        preprocessor=vectorizer, dtype="string", output_mode="float")}, output_mode="concat")
    data = {"text": np.array(["1st string", "2nd string", "3rd string"])}
    space.adapt(Dataset.from_tensor_slices(data))
    assert space(data).shape == (3, vectorizer.vocabulary_size())


def test_a_space_with_nothing_to_adapt_needs_no_adapt():
    space = FeatureSpace(features={"x": "float", "h": FeatureSpace.integer_hashed(num_bins=4)})
    out = space({"x": np.array([0.5, 1.5]), "h": np.array([3, 4])})
    assert out.shape == (2, 5)
    np.testing.assert_array_equal(out[:, 4].numpy(), [0.5, 1.5])


@pytest.mark.parametrize("kwargs, message", [
    ({"features": {}}, "cannot be None or empty"),
    ({"features": {"a": "float"}, "output_mode": "list"}, "Expected one of {'dict', 'concat'}"),
    ({"features": {"a": "integer_categorical"}, "crosses": [("a", "b")]},
     "Received unknown features"),
    ({"features": {"a": "complex"}}, "Invalid feature type: complex"),
])
def test_bad_arguments_raise_keras_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        FeatureSpace(**kwargs)


def test_slips_in_use_raise_keras_errors():
    space = FeatureSpace(features={"a": "float_normalized"})
    with pytest.raises(ValueError, match="You need to call `.adapt"):
        space({"a": np.array([1.0])})
    with pytest.raises(ValueError, match="can only be called on a tf.data.Dataset or a dict"):
        space.adapt(np.array([1.0, 2.0]))
    space.adapt({"a": np.array([1.0, 2.0])})
    with pytest.raises(ValueError, match="can only be called with a dict"):
        space(np.array([1.0]))
    with pytest.raises(ValueError, match="Cannot concatenate features because feature 'a'"):
        FeatureSpace(features={"a": FeatureSpace.integer_hashed(4, output_mode="int")})({
            "a": np.array([1])})
    with pytest.raises(ValueError, match="Expected one of {'int', 'one_hot', 'float'}"):
        FeatureSpace.feature("float32", layers.Rescaling(1.0), "multi_hot")
    with pytest.raises(ValueError, match="should return an integer dtype"):
        FeatureSpace(features={"a": FeatureSpace.feature("float32", layers.Rescaling(1.0),
                                                         "one_hot")})({"a": np.array([1.0])})
