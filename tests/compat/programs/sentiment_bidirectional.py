"""Bidirectional LSTM / GRU sentiment models (keras.io IMDB example) on synthetic reviews."""
import numpy as np

import lamina as keras
from lamina import layers

max_features = 2000  # only the top 2000 words
maxlen = 60  # the first 60 words of each review

# Reviews as word ids, as imdb.load_data gives them (1 = start, 2 = out of vocabulary):
# positive reviews lean on ids 10-59, negative ones on ids 60-109, among common filler words.
rng = np.random.default_rng(11)


def make_reviews(n):
    labels = rng.integers(0, 2, size=n)
    reviews = []
    for label in labels:
        length = int(rng.integers(20, 120))
        words = rng.integers(110, max_features, size=length)
        sentiment = rng.integers(10, 60, size=length) + (0 if label else 50)
        use = rng.random(length) < 0.25
        reviews.append([1] + list(np.where(use, sentiment, words)))
    return reviews, labels.astype("float32")


x_train, y_train = make_reviews(800)
x_val, y_val = make_reviews(200)
train_lengths = [len(x) for x in x_train[:3]]
x_train = keras.utils.pad_sequences(x_train, maxlen=maxlen)
x_val = keras.utils.pad_sequences(x_val, maxlen=maxlen)
padded_shape = x_train.shape
padding_is_pre = bool(x_train[np.argmin(train_lengths)][0] == 0)
post_padded = keras.utils.pad_sequences([[1, 2, 3], [4, 5]], maxlen=4, padding="post",
                                        truncating="post", value=-1).tolist()

inputs = keras.Input(shape=(None,), dtype="int32")
x = layers.Embedding(max_features, 32)(inputs)
x = layers.Bidirectional(layers.LSTM(16, return_sequences=True))(x)
x = layers.Bidirectional(layers.LSTM(16))(x)
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)
model.summary()
lstm_param_count = model.count_params()
bidirectional_output_shapes = [layer.output.shape for layer in model.layers[2:4]]
bidirectional_weight_count = len(model.layers[2].weights)
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train, batch_size=32, epochs=3, validation_data=(x_val, y_val),
                    verbose=0)
lstm_val_accuracy = history.history["val_accuracy"][-1]

# Deep Learning with Python's variant: a masked Embedding, a bidirectional GRU and dropout.
inputs = keras.Input(shape=(None,), dtype="int64")
embedded = layers.Embedding(input_dim=max_features, output_dim=32, mask_zero=True)(inputs)
x = layers.Bidirectional(layers.GRU(16), merge_mode="sum")(embedded)
x = layers.Dropout(0.5)(x)
outputs = layers.Dense(1, activation="sigmoid")(x)
gru_model = keras.Model(inputs, outputs)
gru_model.summary()
gru_param_count = gru_model.count_params()
sum_merge_shape = gru_model.layers[2].output.shape
embedding_mask = keras.ops.convert_to_numpy(
    gru_model.layers[1].compute_mask(x_val[:2]))
mask_matches_padding = bool(np.array_equal(embedding_mask, x_val[:2] != 0))
gru_model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
history = gru_model.fit(x_train, y_train, batch_size=32, epochs=4,
                        validation_data=(x_val, y_val), verbose=0)
gru_val_accuracy = history.history["val_accuracy"][-1]
# Masked steps: predictions on a review do not change with extra left padding.
review = x_val[:1]
longer = np.concatenate([np.zeros((1, 10), "int32"), review], axis=1)
padding_invariant = bool(np.allclose(gru_model.predict(review, verbose=0),
                                     gru_model.predict(longer, verbose=0), atol=1e-5))

# Other merge modes and a backward layer given explicitly.
forward = layers.LSTM(8, return_sequences=True)
backward = layers.LSTM(8, return_sequences=True, go_backwards=True)
for merge_mode in ["concat", "ave", "mul", None]:
    wrapped = layers.Bidirectional(layers.LSTM(8, return_sequences=True),
                                   merge_mode=merge_mode)
    result = wrapped(np.ones((2, 5, 4), "float32"))
    if merge_mode is None:
        merge_shapes_none = [tuple(r.shape) for r in result]
    else:
        globals()[f"merge_shape_{merge_mode}"] = tuple(result.shape)
explicit = layers.Bidirectional(forward, backward_layer=backward)
explicit_shape = tuple(explicit(np.ones((2, 5, 4), "float32")).shape)
explicit_config_keys = sorted(explicit.get_config())
stateful_wrapper = layers.Bidirectional(layers.GRU(8, return_state=True))
with_states = stateful_wrapper(np.ones((2, 5, 4), "float32"))
return_state_shapes = [tuple(t.shape) for t in with_states]
