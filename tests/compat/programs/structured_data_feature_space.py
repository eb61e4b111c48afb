"""Structured data classification with FeatureSpace (keras.io example), on a synthetic table."""
import numpy as np

import lamina as keras
from lamina.utils import FeatureSpace
from lamina.utils.dataset import Dataset  # lamina's tf.data.Dataset

# A heart-disease-like table (the example downloads heart.csv into a pandas DataFrame;
# here each column is a NumPy array, so `dict(dataframe)` is the dict itself).
rng = np.random.default_rng(11)
n = 320
columns = {
    "age": rng.integers(29, 78, size=n),
    "sex": rng.integers(0, 2, size=n),
    "cp": rng.integers(0, 5, size=n),
    "trestbps": rng.normal(130, 17, size=n).round(),
    "chol": rng.normal(245, 50, size=n).round(),
    "fbs": rng.integers(0, 2, size=n),
    "restecg": rng.integers(0, 3, size=n),
    "thalach": rng.normal(150, 22, size=n).round(),
    "exang": rng.integers(0, 2, size=n),
    "oldpeak": rng.exponential(1.0, size=n).round(1),
    "slope": rng.integers(1, 4, size=n),
    "ca": rng.integers(0, 4, size=n),
    "thal": rng.choice(np.array(["normal", "fixed", "reversible"]), size=n, p=[0.5, 0.2, 0.3]),
}
risk = (0.05 * (columns["age"] - 52) + 0.9 * (columns["cp"] >= 3) + 0.8 * columns["exang"]
        + 1.2 * (columns["thal"] == "reversible") + 0.6 * columns["ca"]
        - 0.03 * (columns["thalach"] - 150) + 0.5 * columns["oldpeak"] - 1.6)
columns["target"] = (risk + 0.4 * rng.normal(size=n) > 0).astype("int64")

val_rows = np.arange(n) % 5 == 0
train_dataframe = {k: v[~val_rows] for k, v in columns.items()}
val_dataframe = {k: v[val_rows] for k, v in columns.items()}
print(f"Using {len(train_dataframe['age'])} samples for training and "
      f"{len(val_dataframe['age'])} for validation")


def dataframe_to_dataset(dataframe):
    dataframe = dict(dataframe)
    labels = dataframe.pop("target")
    ds = Dataset.from_tensor_slices((dict(dataframe), labels))
    ds = ds.shuffle(buffer_size=len(labels))
    return ds


train_ds = dataframe_to_dataset(train_dataframe)
val_ds = dataframe_to_dataset(val_dataframe)
for x, y in train_ds.take(1):
    print("Input:", x)
    print("Target:", y)
first_sample_keys = sorted(x)

train_ds = train_ds.batch(32)
val_ds = val_ds.batch(32)

# The quick version: each feature type by its name.
feature_space = FeatureSpace(
    features={
        "sex": "integer_categorical", "cp": "integer_categorical", "fbs": "integer_categorical",
        "restecg": "integer_categorical", "exang": "integer_categorical",
        "ca": "integer_categorical", "thal": "string_categorical", "age": "float_discretized",
        "trestbps": "float_normalized", "chol": "float_normalized",
        "thalach": "float_normalized", "oldpeak": "float_normalized", "slope": "float_normalized",
    },
    crosses=[("sex", "age"), ("thal", "ca")],
    crossing_dim=32,
    output_mode="concat",
)
quick_crossers = sorted(feature_space.crossers)

# The customized version the example trains with.
feature_space = FeatureSpace(
    features={
        "sex": FeatureSpace.integer_categorical(num_oov_indices=0),
        "cp": FeatureSpace.integer_categorical(num_oov_indices=0),
        "fbs": FeatureSpace.integer_categorical(num_oov_indices=0),
        "restecg": FeatureSpace.integer_categorical(num_oov_indices=0),
        "exang": FeatureSpace.integer_categorical(num_oov_indices=0),
        "ca": FeatureSpace.integer_categorical(num_oov_indices=0),
        "thal": FeatureSpace.string_categorical(num_oov_indices=0),
        "age": FeatureSpace.float_discretized(num_bins=30),
        "trestbps": FeatureSpace.float_normalized(),
        "chol": FeatureSpace.float_normalized(),
        "thalach": FeatureSpace.float_normalized(),
        "oldpeak": FeatureSpace.float_normalized(),
        "slope": FeatureSpace.float_normalized(),
    },
    crosses=[
        FeatureSpace.cross(feature_names=("sex", "age"), crossing_dim=64),
        FeatureSpace.cross(feature_names=("thal", "ca"), crossing_dim=16),
    ],
    output_mode="concat",
)

train_ds_with_no_labels = train_ds.map(lambda x, _: x)
feature_space.adapt(train_ds_with_no_labels)

for x, _ in train_ds.take(1):
    preprocessed_x = feature_space(x)
    print("preprocessed_x.shape:", preprocessed_x.shape)
    print("preprocessed_x.dtype:", preprocessed_x.dtype)
preprocessed_shape = tuple(preprocessed_x.shape)
preprocessed_dtype = keras.ops.convert_to_numpy(preprocessed_x).dtype.name

preprocessed_train_ds = train_ds.map(lambda x, y: (feature_space(x), y), num_parallel_calls=-1)
preprocessed_train_ds = preprocessed_train_ds.prefetch(-1)
preprocessed_val_ds = val_ds.map(lambda x, y: (feature_space(x), y), num_parallel_calls=-1)
preprocessed_val_ds = preprocessed_val_ds.prefetch(-1)

dict_inputs = feature_space.get_inputs()
encoded_features = feature_space.get_encoded_features()

x = keras.layers.Dense(32, activation="relu")(encoded_features)
x = keras.layers.Dropout(0.5)(x)
predictions = keras.layers.Dense(1, activation="sigmoid")(x)

training_model = keras.Model(inputs=encoded_features, outputs=predictions)
training_model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
inference_model = keras.Model(inputs=dict_inputs, outputs=predictions)

history = training_model.fit(preprocessed_train_ds, epochs=20,
                             validation_data=preprocessed_val_ds, verbose=0)
val_accuracy = history.history["val_accuracy"][-1]
print("val accuracy:", val_accuracy)

sample = {
    "age": 60, "sex": 1, "cp": 1, "trestbps": 145, "chol": 233, "fbs": 1, "restecg": 2,
    "thalach": 150, "exang": 0, "oldpeak": 2.3, "slope": 3, "ca": 0, "thal": "fixed",
}
# The example's `tf.convert_to_tensor([value])`: text in an object array, which Keras' predict
# takes as it takes a tf.string tensor (and lamina as any array of str).
input_dict = {name: np.array([value], dtype=object if isinstance(value, str) else None)
              for name, value in sample.items()}
predictions = inference_model.predict(input_dict, verbose=0)
print(f"This particular patient had a {100 * predictions[0][0]:.2f}% probability "
      "of having a heart disease, as evaluated by our model.")

# What the example's objects are, beyond the accuracy.
encoded_width = encoded_features.shape[-1]
input_names = sorted(dict_inputs)
input_dtypes = {name: dict_inputs[name].dtype for name in input_names}
crosser_names = sorted(feature_space.crossers)
encoder_names = sorted(feature_space.one_hot_encoders)
thal_vocabulary = [str(v) for v in feature_space.preprocessors["thal"].get_vocabulary()]
training_param_count = training_model.count_params()
prediction_shape = tuple(predictions.shape)
sample_probability = float(predictions[0][0])

# The end-to-end model and the FeatureSpace give the same vector as the preprocessed path.
val_batch, _ = next(iter(val_ds))
end_to_end = inference_model.predict(val_batch, verbose=0)
two_step = training_model.predict(keras.ops.convert_to_numpy(feature_space(val_batch)), verbose=0)
models_agree = bool(np.allclose(end_to_end, two_step, atol=1e-5))

feature_space.save("featurespace.keras")
reloaded_feature_space = keras.models.load_model("featurespace.keras")
reloaded_matches = bool(np.allclose(keras.ops.convert_to_numpy(reloaded_feature_space(val_batch)),
                                    keras.ops.convert_to_numpy(feature_space(val_batch))))
