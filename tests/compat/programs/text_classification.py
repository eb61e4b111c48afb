"""Text classification from scratch: TextVectorization, a 1D convnet, an end-to-end string model."""
import numpy as np

import lamina as keras
from lamina import layers

# A tiny review corpus: the label is told by the adjectives that appear in the text.
rng = np.random.default_rng(5)
positive = ["great", "wonderful", "moving", "superb", "delightful", "brilliant"]
negative = ["awful", "boring", "dull", "terrible", "clumsy", "painful"]
filler = ["the", "film", "was", "a", "story", "with", "actors", "and", "plot", "its", "this",
          "scenes", "<br />", "I", "thought", "music", "ending", "really", "quite"]


def review(label):
    words = list(rng.choice(filler, size=rng.integers(8, 20)))
    for _ in range(2):
        words.insert(rng.integers(0, len(words)), rng.choice(positive if label else negative))
    return " ".join(words).capitalize() + "!"


labels = rng.integers(0, 2, size=400)
texts = np.array([review(label) for label in labels])
train_texts, val_texts = texts[:320], texts[320:]
train_labels, val_labels = labels[:320], labels[320:]
print(train_texts[0], train_labels[0])

max_features = 200
embedding_dim = 16
sequence_length = 24

vectorize_layer = keras.layers.TextVectorization(
    max_tokens=max_features,
    output_mode="int",
    output_sequence_length=sequence_length,
)
vectorize_layer.adapt(train_texts)
vocabulary_head = vectorize_layer.get_vocabulary()[:4]
vocabulary_size = vectorize_layer.vocabulary_size()

x_train = vectorize_layer(train_texts)
x_val = vectorize_layer(val_texts)
vectorized_shape = tuple(x_train.shape)

# A 1D convnet over the token ids.
inputs = keras.Input(shape=(None,), dtype="int64")
x = layers.Embedding(max_features, embedding_dim)(inputs)
x = layers.Dropout(0.5)(x)
x = layers.Conv1D(32, 3, padding="valid", activation="relu", strides=1)(x)
x = layers.Conv1D(32, 3, padding="valid", activation="relu", strides=1)(x)
x = layers.GlobalMaxPooling1D()(x)
x = layers.Dense(32, activation="relu")(x)
x = layers.Dropout(0.5)(x)
predictions = layers.Dense(1, activation="sigmoid", name="predictions")(x)
model = keras.Model(inputs, predictions)
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
history = model.fit(x_train, train_labels, validation_data=(x_val, val_labels), epochs=8,
                    batch_size=32, verbose=0)
val_accuracy = history.history["val_accuracy"][-1]
print("val accuracy:", val_accuracy)

# An end-to-end model that takes raw strings.
inputs = keras.Input(shape=(1,), dtype="string")
indices = vectorize_layer(inputs)
outputs = model(indices)
end_to_end_model = keras.Model(inputs, outputs)
end_to_end_model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
end_to_end_eval = end_to_end_model.evaluate(val_texts, val_labels, verbose=0)
print("end-to-end accuracy:", end_to_end_eval[1])
fresh_probabilities = end_to_end_model.predict(
    np.array(["A superb and wonderful film!", "An awful, boring story."]), verbose=0)

# The TF-2 era variant: the vectorizer inside a Sequential fed with strings.
string_model = keras.Sequential([vectorize_layer, model])
string_predictions = string_model.predict(val_texts, verbose=0)
string_input_dtype = string_model.inputs[0].dtype
