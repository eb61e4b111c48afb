# Early stopping: ask for many epochs and let Keras stop when validation loss stops improving.
#
# Training longer keeps lowering the training loss, but after a while the model starts to
# memorise the training digits and the validation loss climbs again. EarlyStopping watches
# the validation loss, stops after `patience` epochs without improvement and puts back the
# weights of the best epoch.
#
#     python examples/mnist_early_stopping.py
import numpy as np

import lamina as keras
from lamina import layers
from lamina.callbacks import EarlyStopping

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train, x_test = x_train / 255.0, x_test / 255.0

# Our own validation set (the last 10,000 of the 60,000 training images), so that we can
# check the restored weights ourselves afterwards.
n_val = len(x_train) // 6
x_train, x_val = x_train[:-n_val], x_train[-n_val:]
y_train, y_val = y_train[:-n_val], y_train[-n_val:]

model = keras.Sequential([
    keras.Input(shape=(28, 28)),
    layers.Flatten(),
    layers.Dense(128, activation="relu"),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])

early_stopping = EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True,
                               verbose=1)
history = model.fit(x_train, y_train, epochs=100, batch_size=64,
                    validation_data=(x_val, y_val), callbacks=[early_stopping], verbose=2)

val_losses = history.history["val_loss"]
best_epoch = int(np.argmin(val_losses)) + 1
print(f"ran {len(val_losses)} of 100 epochs; the best was epoch {best_epoch} "
      f"with validation loss {min(val_losses):.4f}")

# The weights now are those of the best epoch, so its validation loss comes back.
val_loss, val_accuracy = model.evaluate(x_val, y_val, verbose=0)
print(f"validation loss with the restored weights: {val_loss:.4f}")

test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy: {test_accuracy:.4f}")
