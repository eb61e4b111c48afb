"""`FeatureSpace`: one object that indexes, normalizes, hashes, crosses and encodes tabular features.

Each feature gets a preprocessing layer (Normalization, Discretization, IntegerLookup,
StringLookup, Hashing, Rescaling, or one of your own); `adapt(dataset)` fits them, and
calling the space on a dict of columns gives one vector per row (`output_mode="concat"`,
features in sorted name order, then the crosses in sorted name order) or a dict of the
encoded features (`"dict"`). Outputs, configs and `.keras` files are Keras 3's.

Example:
    >>> space = FeatureSpace(features={"n": "float_normalized", "c": "string_categorical"})
    >>> space.adapt({"n": np.array([1.0, 3.0]), "c": np.array(["a", "b"])})
    >>> space({"n": np.array([1.0]), "c": np.array(["b"])})
    tensor([[ 0.,  1.,  0., -1.]])
"""
from __future__ import annotations

import numpy as np
import torch

from lamina import layers
from lamina.layers.layer import Layer
from lamina.utils.dataset import Dataset
from lamina.utils.feature_space_parts import (Cross, Feature, LayerDict, TFDConcat, TFDIdentity,
                                              deserialize_spec, serialize_spec)
from lamina.utils.naming import unique_name

__all__ = ["Cross", "Feature", "FeatureSpace"]


class FeatureSpace(Layer):
    """Preprocesses and encodes structured data: a dict of columns in, encoded features out.

    Args:
        features: a dict mapping each feature's name to its type: a name
            ("float", "float_rescaled", "float_normalized", "float_discretized",
            "integer_categorical", "string_categorical", "integer_hashed", "string_hashed")
            or a `FeatureSpace.<type>(...)` / `FeatureSpace.feature(...)` object.
        output_mode: "concat" (one vector per row) or "dict" (the encoded features by name).
        crosses: features to cross, as tuples of names or `FeatureSpace.cross(...)` objects.
        crossing_dim: the bins of a cross given as a tuple (default 32).
        hashing_dim: the bins of "integer_hashed" and "string_hashed" features (default 32).
        num_discretization_bins: the bins of "float_discretized" features (default 32).
    """

    @classmethod
    def cross(cls, feature_names, crossing_dim, output_mode="one_hot") -> Cross:
        return Cross(feature_names, crossing_dim, output_mode=output_mode)

    @classmethod
    def feature(cls, dtype, preprocessor, output_mode) -> Feature:
        return Feature(dtype, preprocessor, output_mode)

    @classmethod
    def float(cls, name=None) -> Feature:
        name = name or unique_name("float")
        return Feature("float32", TFDIdentity(dtype="float32", name=f"{name}_preprocessor"),
                       "float")

    @classmethod
    def float_rescaled(cls, scale=1.0, offset=0.0, name=None) -> Feature:
        name = name or unique_name("float_rescaled")
        preprocessor = layers.Rescaling(scale=scale, offset=offset, name=f"{name}_preprocessor")
        return Feature("float32", preprocessor, "float")

    @classmethod
    def float_normalized(cls, name=None) -> Feature:
        name = name or unique_name("float_normalized")
        preprocessor = layers.Normalization(axis=-1, name=f"{name}_preprocessor")
        return Feature("float32", preprocessor, "float")

    @classmethod
    def float_discretized(cls, num_bins, bin_boundaries=None, output_mode="one_hot",
                          name=None) -> Feature:
        name = name or unique_name("float_discretized")
        preprocessor = layers.Discretization(num_bins=num_bins, bin_boundaries=bin_boundaries,
                                             name=f"{name}_preprocessor")
        return Feature("float32", preprocessor, output_mode)

    @classmethod
    def integer_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot",
                            name=None) -> Feature:
        name = name or unique_name("integer_categorical")
        preprocessor = layers.IntegerLookup(name=f"{name}_preprocessor", max_tokens=max_tokens,
                                            num_oov_indices=num_oov_indices)
        return Feature("int32", preprocessor, output_mode)

    @classmethod
    def string_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot",
                           name=None) -> Feature:
        name = name or unique_name("string_categorical")
        preprocessor = layers.StringLookup(name=f"{name}_preprocessor", max_tokens=max_tokens,
                                           num_oov_indices=num_oov_indices)
        return Feature("string", preprocessor, output_mode)

    @classmethod
    def string_hashed(cls, num_bins, output_mode="one_hot", name=None) -> Feature:
        name = name or unique_name("string_hashed")
        return Feature("string", layers.Hashing(name=f"{name}_preprocessor", num_bins=num_bins),
                       output_mode)

    @classmethod
    def integer_hashed(cls, num_bins, output_mode="one_hot", name=None) -> Feature:
        name = name or unique_name("integer_hashed")
        return Feature("int32", layers.Hashing(name=f"{name}_preprocessor", num_bins=num_bins),
                       output_mode)

    def __init__(self, features, output_mode="concat", crosses=None, crossing_dim=32,
                 hashing_dim=32, num_discretization_bins=32, name=None):
        super().__init__(name=name)
        if not features:
            raise ValueError("The `features` argument cannot be None or empty.")
        self.crossing_dim = crossing_dim
        self.hashing_dim = hashing_dim
        self.num_discretization_bins = num_discretization_bins
        self.features = {key: self._standardize_feature(key, value)
                         for key, value in features.items()}
        self.crosses = [self._standardize_cross(cross, set(features)) for cross in crosses or []]
        self.crosses_by_name = {cross.name: cross for cross in self.crosses}
        if output_mode not in {"dict", "concat"}:
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of "
                             f"{{'dict', 'concat'}}. Received: output_mode={output_mode}")
        self.output_mode = output_mode
        self.inputs = {key: layers.Input(shape=(1,), dtype=feature.dtype, name=key)
                       for key, feature in self.features.items()}
        self.preprocessors = LayerDict({key: feature.preprocessor
                                         for key, feature in self.features.items()})
        self.encoded_features = None
        self.crossers = LayerDict({cross.name: layers.HashedCrossing(cross.crossing_dim,
                                                                      name=cross.name)
                                    for cross in self.crosses})
        self.one_hot_encoders = LayerDict()
        self._is_adapted = False
        self.concat = None
        self._preprocessed_features_names = None
        self._crossed_features_names = None
        self._sublayers_built = False

    def _standardize_feature(self, name: str, feature) -> Feature:
        if isinstance(feature, Feature):
            return feature
        if isinstance(feature, dict):
            return deserialize_spec(feature)
        if feature == "float_discretized":
            return self.float_discretized(name=name, num_bins=self.num_discretization_bins)
        if feature in ("integer_hashed", "string_hashed"):
            return getattr(self, feature)(self.hashing_dim, name=name)
        if feature in ("float", "float_normalized", "float_rescaled", "integer_categorical",
                       "string_categorical"):
            return getattr(self, feature)(name=name)
        raise ValueError(f"Invalid feature type: {feature}")

    def _standardize_cross(self, cross, feature_names: set) -> Cross:
        if isinstance(cross, dict):
            cross = deserialize_spec(cross)
        if isinstance(cross, Cross):
            return cross
        if not self.crossing_dim:
            raise ValueError("When specifying `crosses`, the argument `crossing_dim` "
                             "(dimensionality of the crossing space) should be specified as well.")
        for key in cross:
            if key not in feature_names:
                raise ValueError(f"All features referenced in the `crosses` argument should be "
                                 f"present in the `features` dict. Received unknown features: "
                                 f"{cross}")
        return Cross(cross, crossing_dim=self.crossing_dim)

    # ----------------------------------------------------------------------------- adapt
    def _list_adaptable_preprocessors(self) -> list[str]:
        names = []
        for name in self.features:
            preprocessor = self.preprocessors[name]
            if isinstance(preprocessor, layers.Normalization) and preprocessor.input_mean is not None:
                continue  # given mean and variance: nothing to learn
            if isinstance(preprocessor, layers.TextVectorization) and _has_given_vocabulary(
                    preprocessor):
                continue
            if hasattr(preprocessor, "adapt"):
                names.append(name)
        return names

    def adapt(self, dataset) -> None:
        """Fits each feature's preprocessor on a dataset of dicts of columns (or on a dict)."""
        if not isinstance(dataset, Dataset):
            if not isinstance(dataset, dict):
                raise ValueError(  # noqa: TRY004 - Keras' error type
                                 f"`adapt()` can only be called on a tf.data.Dataset or a dict "
                                 f"of arrays/lists. Received instead: {dataset} (of type "
                                 f"{type(dataset)})")
            dataset = Dataset.from_tensor_slices(dataset)
        for name in self._list_adaptable_preprocessors():
            feature_dataset = dataset.map(lambda x, name=name: x[name])
            first = next(iter(feature_dataset))
            if _ndim(first) == 0:
                feature_dataset = feature_dataset.batch(32)  # unbatched scalars
            if _ndim(first) in (0, 1):
                feature_dataset = feature_dataset.map(_expand_last)
            self.preprocessors[name].adapt(feature_dataset)
        self._is_adapted = True
        self.get_encoded_features()  # finishes building the encoders and the concat
        self.built = True
        self._sublayers_built = True

    # ------------------------------------------------------------------ the symbolic graph
    def get_inputs(self) -> dict:
        """The `keras.Input` of each feature (shape `(1,)`, the feature's dtype), by name."""
        self._check_if_built()
        return self.inputs

    def get_encoded_features(self):
        """The encoded features computed from `get_inputs()`: a tensor (concat) or a dict."""
        self._check_if_adapted()
        if self.encoded_features is None:
            preprocessed = self._preprocess_features(self.inputs)
            crossed = self._cross_features(preprocessed)
            self.encoded_features = self._merge_features(preprocessed, crossed)
        return self.encoded_features

    def _preprocess_features(self, features: dict) -> dict:
        return {name: self.preprocessors[name](features[name]) for name in features}

    def _cross_features(self, features: dict) -> dict:
        return {cross.name: self.crossers[cross.name]([features[n] for n in cross.feature_names])
                for cross in self.crosses}

    def _merge_features(self, preprocessed: dict, crossed: dict):
        if not self._preprocessed_features_names:
            self._preprocessed_features_names = sorted(preprocessed)
            self._crossed_features_names = sorted(crossed)
        names = self._preprocessed_features_names + self._crossed_features_names
        values = ([preprocessed[n] for n in self._preprocessed_features_names]
                  + [crossed[n] for n in self._crossed_features_names])
        if not self._sublayers_built:
            self._build_encoders(names, values)
        encoded = {}
        for name, value in zip(names, values):
            encoder = self.one_hot_encoders.get(name)
            encoded[name] = encoder(value) if encoder is not None else value
        if self.output_mode == "dict":
            return encoded
        return self.concat(list(encoded.values()))

    def _build_encoders(self, names: list, values: list) -> None:
        """Makes a CategoryEncoding for each one-hot feature and checks what can be joined."""
        specs = ([self.features[n] for n in self._preprocessed_features_names]
                 + [self.crosses_by_name[n] for n in self._crossed_features_names])
        for name, value, spec in zip(names, values, specs):
            dtype = _dtype_name(value)
            if spec.output_mode == "one_hot" and name not in self.one_hot_encoders:
                if not dtype.startswith("int"):
                    raise ValueError(f"Feature '{name}' has `output_mode='one_hot'`. Thus its "
                                     f"preprocessor should return an integer dtype. Instead it "
                                     f"returns a {dtype} dtype.")
                layer = self.preprocessors.get(name)
                layer = self.crossers[name] if layer is None else layer
                cardinality = _cardinality(name, layer)
                self.one_hot_encoders[name] = layers.CategoryEncoding(
                    num_tokens=cardinality, output_mode="multi_hot")
                dtype = "float32"
            if self.output_mode == "concat" and (dtype.startswith("int") or dtype == "string"):
                raise ValueError(f"Cannot concatenate features because feature '{name}' has not "
                                 f"been encoded (it has dtype {dtype}). Consider using "
                                 f"`output_mode='dict'`.")
        if self.output_mode == "concat" and self.concat is None:
            self.concat = TFDConcat(axis=-1)

    def _check_if_adapted(self) -> None:
        if not self._is_adapted:
            if self._list_adaptable_preprocessors():
                raise ValueError("You need to call `.adapt(dataset)` on the FeatureSpace before "
                                 "you can start using it.")
            self._is_adapted = True

    def _check_if_built(self) -> None:
        if not self._sublayers_built:
            self._check_if_adapted()
            self.get_encoded_features()
            self._sublayers_built = True

    # ------------------------------------------------------------------------------- call
    def __call__(self, data):
        self._check_if_built()
        if not isinstance(data, dict):
            raise ValueError(  # noqa: TRY004 - Keras' error type
                             f"A FeatureSpace can only be called with a dict. Received: "
                             f"data={data} (of type {type(data)}")
        data = {key: _as_column(value) for key, value in data.items()}
        rebatched = any(x.ndim == 0 for x in data.values())
        data = {key: _as_rows(x) for key, x in data.items()}
        with torch.no_grad():
            merged = self._merge_features(*self._preprocessed_and_crossed(data))
        if rebatched:
            if self.output_mode == "concat":
                if merged.shape[0] != 1:
                    raise ValueError(f"Expected rebatched data to have batch size 1. "
                                     f"Received: shape={tuple(merged.shape)}")
                return merged.squeeze(0)
            return {k: v.squeeze(0) if v.ndim == 2 and v.shape[0] == 1 else v
                    for k, v in merged.items()}
        return merged

    def _preprocessed_and_crossed(self, data: dict):
        preprocessed = self._preprocess_features(data)
        return preprocessed, self._cross_features(preprocessed)

    # ----------------------------------------------------------------------------- saving
    def get_config(self) -> dict:
        return {"features": {k: serialize_spec(v) for k, v in self.features.items()},
                "output_mode": self.output_mode,
                "crosses": [serialize_spec(cross) for cross in self.crosses],
                "crossing_dim": self.crossing_dim, "hashing_dim": self.hashing_dim,
                "num_discretization_bins": self.num_discretization_bins}

    @classmethod
    def from_config(cls, config: dict) -> FeatureSpace:
        return cls(**config)

    def get_build_config(self) -> dict:
        return {name: feature.preprocessor.get_build_config() or {}
                for name, feature in self.features.items()}

    def build_from_config(self, config: dict) -> None:
        for name, build_config in config.items():
            preprocessor = self.features[name].preprocessor
            if not preprocessor.built:
                preprocessor.build_from_config(build_config)
        self._is_adapted = True

    def save(self, filepath) -> None:
        """Saves the FeatureSpace (its preprocessors' state too) to a `.keras` file; reload
        it with `keras.models.load_model(filepath)`."""
        from lamina.saving import saving_lib

        saving_lib.save_model(self, filepath)

    def save_own_variables(self, store) -> None:
        return

    def load_own_variables(self, store) -> None:
        return


def _has_given_vocabulary(layer) -> bool:
    lookup = getattr(layer, "_lookup_layer", layer)
    return bool(getattr(lookup, "_has_input_vocabulary", False))


def _cardinality(name: str, preprocessor) -> int:
    if isinstance(preprocessor, (layers.IntegerLookup, layers.StringLookup)):
        return preprocessor.vocabulary_size()
    if isinstance(preprocessor, layers.CategoryEncoding):
        return preprocessor.num_tokens
    if isinstance(preprocessor, (layers.Discretization, layers.HashedCrossing, layers.Hashing)):
        return preprocessor.num_bins
    raise ValueError(f"Feature '{name}' has `output_mode='one_hot'`. However it isn't a standard "
                     f"feature and the dimensionality of its output space is not known, thus it "
                     f"cannot be one-hot encoded. Try using `output_mode='int'`.")


def _dtype_name(value) -> str:
    dtype = value.dtype
    if isinstance(dtype, torch.dtype):
        return str(dtype).replace("torch.", "")
    if isinstance(dtype, np.dtype) and dtype.kind in "USO":
        return "string"
    return str(dtype)


def _as_column(value):
    """A column as a tensor (numbers) or a NumPy array of str (text), as the layers take them."""
    if isinstance(value, torch.Tensor):
        return value
    array = np.asarray(value)
    if array.dtype.kind in "USO":
        return array
    return torch.from_numpy(np.ascontiguousarray(array))


def _as_rows(x):
    """A column of shape (rows, 1): a scalar is one row, a vector one value per row."""
    if x.ndim == 0:
        return x.reshape(1, 1)
    if x.ndim == 1:
        return x[:, None]
    return x


def _ndim(x) -> int:
    return x.ndim if hasattr(x, "ndim") else np.ndim(x)


def _expand_last(x):
    return x[..., None] if isinstance(x, (torch.Tensor, np.ndarray)) else np.asarray(x)[..., None]
