"""Tutorial 05: a convolutional network on Fashion-MNIST."""
import lamina as keras

(x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
# Convolutions want a channel axis: (28, 28) grey images become (28, 28, 1).
x_train = x_train.reshape(-1, 28, 28, 1) / 255.0
x_test = x_test.reshape(-1, 28, 28, 1) / 255.0
class_names = keras.datasets.fashion_mnist.CLASS_NAMES

keras.utils.set_random_seed(42)
model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    keras.layers.Conv2D(32, kernel_size=3, activation="relu", padding="same"),
    keras.layers.MaxPooling2D(2),
    keras.layers.Conv2D(64, kernel_size=3, activation="relu", padding="same"),
    keras.layers.MaxPooling2D(2),
    keras.layers.Flatten(),
    keras.layers.Dense(100, activation="relu"),
    keras.layers.Dropout(0.4),
    keras.layers.Dense(10, activation="softmax"),
], name="cnn")
model.summary(explain=True)
keras.utils.plot_model(model, to_file="cnn.png", show_shapes=True)

model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
early_stopping = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
history = model.fit(x_train, y_train, epochs=8, validation_split=0.2, batch_size=64,
                    callbacks=[early_stopping])
history.plot(path="cnn_curves.png")

test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy: {test_accuracy:.4f}")
keras.utils.show_predictions(model, x_test, y_test, class_names=class_names,
                             path="cnn_predictions.png")
