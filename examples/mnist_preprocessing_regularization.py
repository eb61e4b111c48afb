# Preparing data by hand and fighting overfitting, on MNIST's handwritten digits.
#
# The steps Keras does for us in other examples are spelled out here: convert the images to
# float32, scale them, flatten them into vectors and one-hot encode the labels. Then the same
# small network is trained three times, plain, with an L2 weight penalty and with dropout,
# and we compare how far the training accuracy runs ahead of the validation accuracy.
#
#     python examples/mnist_preprocessing_regularization.py
import numpy as np

import lamina as keras
from lamina import layers, regularizers
from lamina.utils import to_categorical

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()

# Preprocessing: uint8 images (N, 28, 28) -> float32 vectors (N, 784) in 0..1.
x_train = x_train.reshape(len(x_train), 28 * 28).astype("float32") / 255
x_test = x_test.reshape(len(x_test), 28 * 28).astype("float32") / 255

# Labels: the digit 3 becomes [0, 0, 0, 1, 0, 0, 0, 0, 0, 0].
y_train_onehot = to_categorical(y_train, 10)
y_test_onehot = to_categorical(y_test, 10)
print("label", y_train[0], "->", y_train_onehot[0])

# Hold out the last sixth of the training set for validation.
n_val = len(x_train) // 6
x_val, y_val = x_train[-n_val:], y_train_onehot[-n_val:]
x_fit, y_fit = x_train[:-n_val], y_train_onehot[:-n_val]


def build(variant):
    model = keras.Sequential(name=variant)
    model.add(keras.Input(shape=(784,)))
    if variant == "l2":
        model.add(layers.Dense(256, activation="relu", kernel_regularizer=regularizers.l2(0.0005)))
        model.add(layers.Dense(128, activation="relu", kernel_regularizer=regularizers.l2(0.0005)))
    elif variant == "dropout":
        model.add(layers.Dense(256, activation="relu"))
        model.add(layers.Dropout(0.3))
        model.add(layers.Dense(128, activation="relu"))
        model.add(layers.Dropout(0.3))
    else:
        model.add(layers.Dense(256, activation="relu"))
        model.add(layers.Dense(128, activation="relu"))
    model.add(layers.Dense(10, activation="softmax"))
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


results = {}
for variant in ["plain", "l2", "dropout"]:
    model = build(variant)
    history = model.fit(x_fit, y_fit, epochs=6, batch_size=128,
                        validation_data=(x_val, y_val), verbose=2)
    train_accuracy = history.history["accuracy"][-1]
    val_accuracy = history.history["val_accuracy"][-1]
    results[variant] = (model, val_accuracy)
    print(f"{variant:>8}: train accuracy {train_accuracy:.4f}, validation accuracy "
          f"{val_accuracy:.4f}, gap {train_accuracy - val_accuracy:+.4f}")

best = max(results, key=lambda variant: results[variant][1])
model = results[best][0]
test_loss, test_accuracy = model.evaluate(x_test, y_test_onehot, verbose=0)
print(f"best on validation: {best}, test accuracy {test_accuracy:.4f}")

predicted = np.argmax(model.predict(x_test[:10], verbose=0), axis=1)
print("predicted:", predicted)
print("true:     ", y_test[:10])
