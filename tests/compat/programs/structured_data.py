"""Structured data classification from scratch (keras.io heart-disease example), synthetic rows."""
import numpy as np

import lamina as keras
from lamina import layers

# A heart-disease-like table: numeric, integer-categorical and string-categorical columns.
rng = np.random.default_rng(21)
n = 400
age = rng.integers(29, 78, size=n).astype("float32")
trestbps = rng.normal(130, 17, size=n).astype("float32")
chol = rng.normal(245, 50, size=n).astype("float32")
sex = rng.integers(0, 2, size=n).astype("int64")
cp = rng.integers(0, 5, size=n).astype("int64")
thal = rng.choice(np.array(["normal", "fixed", "reversible"]), size=n, p=[0.5, 0.2, 0.3])
risk = (0.04 * (age - 50) + 0.02 * (trestbps - 130) + 0.8 * (cp >= 3) + 1.2 * (thal == "reversible")
        + 0.4 * sex - 0.9)
target = (risk + 0.3 * rng.normal(size=n) > 0).astype("int64")
columns = {"age": age, "trestbps": trestbps, "chol": chol, "sex": sex, "cp": cp, "thal": thal}
val_rows = np.arange(n) % 5 == 0
train_columns = {k: v[~val_rows] for k, v in columns.items()}
val_columns = {k: v[val_rows] for k, v in columns.items()}
train_target, val_target = target[~val_rows], target[val_rows]
train_count, val_count = int((~val_rows).sum()), int(val_rows.sum())


def encode_numerical_feature(feature, name, values):
    normalizer = layers.Normalization()
    normalizer.adapt(values[:, None])
    return normalizer(feature)


def encode_categorical_feature(feature, name, values):
    lookup = layers.IntegerLookup(output_mode="binary")
    lookup.adapt(values)
    return lookup(feature)


# The string column is looked up in the data pipeline (Keras 3 feeds no string arrays to fit):
# StringLookup turns it into indices, and CategoryEncoding one-hot encodes them in the model.
thal_lookup = layers.StringLookup()
thal_lookup.adapt(train_columns["thal"])
for split in (train_columns, val_columns):
    split["thal"] = keras.ops.convert_to_numpy(thal_lookup(split["thal"])).astype("int64")
thal_vocabulary_size = thal_lookup.vocabulary_size()

sex_input = keras.Input(shape=(1,), name="sex", dtype="int64")
cp_input = keras.Input(shape=(1,), name="cp", dtype="int64")
thal_input = keras.Input(shape=(1,), name="thal", dtype="int64")
age_input = keras.Input(shape=(1,), name="age")
trestbps_input = keras.Input(shape=(1,), name="trestbps")
chol_input = keras.Input(shape=(1,), name="chol")
all_inputs = [sex_input, cp_input, thal_input, age_input, trestbps_input, chol_input]

sex_encoded = encode_categorical_feature(sex_input, "sex", train_columns["sex"])
cp_encoded = encode_categorical_feature(cp_input, "cp", train_columns["cp"])
thal_encoded = layers.CategoryEncoding(num_tokens=thal_vocabulary_size,
                                       output_mode="one_hot")(thal_input)
age_encoded = encode_numerical_feature(age_input, "age", train_columns["age"])
trestbps_encoded = encode_numerical_feature(trestbps_input, "trestbps",
                                            train_columns["trestbps"])
chol_encoded = encode_numerical_feature(chol_input, "chol", train_columns["chol"])
encoded_widths = [t.shape[-1] for t in [sex_encoded, cp_encoded, thal_encoded, age_encoded]]

all_features = layers.concatenate([sex_encoded, cp_encoded, thal_encoded, age_encoded,
                                   trestbps_encoded, chol_encoded])
x = layers.Dense(32, activation="relu")(all_features)
x = layers.Dropout(0.5)(x)
output = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(all_inputs, output)
model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
model.summary()
feature_width = all_features.shape[-1]
param_count = model.count_params()
input_names = [t.name for t in model.inputs]
layer_types = [type(layer).__name__ for layer in model.layers]

train_inputs = {k: v[:, None] for k, v in train_columns.items()}
val_inputs = {k: v[:, None] for k, v in val_columns.items()}
history = model.fit(train_inputs, train_target, epochs=30, batch_size=32, verbose=0,
                    validation_data=(val_inputs, val_target))
val_accuracy = history.history["val_accuracy"][-1]

sample = {"age": 60, "sex": 1, "cp": 4, "trestbps": 145, "chol": 233, "thal": "reversible"}
input_dict = {name: np.array([[value]]) for name, value in sample.items()}
input_dict["thal"] = keras.ops.convert_to_numpy(thal_lookup(input_dict["thal"])).astype("int64")
predictions = model.predict(input_dict, verbose=0)
sample_probability = float(predictions[0][0])

# The lookup layers on their own: vocabularies, indices, one-hot and multi-hot encodings.
string_lookup = layers.StringLookup()
string_lookup.adapt(thal[~val_rows])
thal_vocabulary = [str(v) for v in string_lookup.get_vocabulary()]
thal_indices = keras.ops.convert_to_numpy(
    string_lookup(np.array(["normal", "fixed", "unknown"]))).tolist()
inverse = layers.StringLookup(vocabulary=thal_vocabulary[1:], invert=True)
inverted = [v.decode() if isinstance(v, bytes) else str(v)  # TensorFlow gives bytes
            for v in keras.ops.convert_to_numpy(inverse(np.array([1, 2, 3])))]

integer_lookup = layers.IntegerLookup(output_mode="one_hot")
integer_lookup.adapt(train_columns["cp"])
cp_vocabulary = [int(v) for v in integer_lookup.get_vocabulary()]
cp_one_hot = keras.ops.convert_to_numpy(integer_lookup(np.array([0, 4, 9]))).astype(int).tolist()
integer_lookup_size = integer_lookup.vocabulary_size()
fixed = layers.IntegerLookup(vocabulary=[12, 36, 1138, 42], num_oov_indices=2,
                             mask_token=0)
fixed_indices = keras.ops.convert_to_numpy(fixed(np.array([[12, 1138, 42], [42, 1000, 36]])))
fixed_indices = fixed_indices.tolist()

encoder = layers.CategoryEncoding(num_tokens=4, output_mode="one_hot")
one_hot = keras.ops.convert_to_numpy(encoder([3, 2, 0, 1])).astype(int).tolist()
multi_hot = keras.ops.convert_to_numpy(layers.CategoryEncoding(num_tokens=4,
                                                               output_mode="multi_hot")(
    [[0, 1], [0, 0], [1, 2], [3, 1]])).astype(int).tolist()
counts = keras.ops.convert_to_numpy(layers.CategoryEncoding(num_tokens=4, output_mode="count")(
    [[0, 1], [0, 0], [1, 2], [3, 1]], count_weights=np.array(
        [[0.1, 0.2], [0.1, 0.1], [0.2, 0.3], [0.4, 0.2]]))).round(3).tolist()
normalizer = layers.Normalization(axis=-1)
normalizer.adapt(np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]], "float32"))
normalized = keras.ops.convert_to_numpy(normalizer(np.array([[2.0, 30.0]], "float32")))
normalized = normalized.round(4).tolist()
normalizer_weight_shapes = [tuple(w.shape) for w in normalizer.weights]
