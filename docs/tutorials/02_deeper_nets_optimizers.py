"""Tutorial 02: a deeper network, and how the choice of optimizer changes training."""
import matplotlib.pyplot as plt

import lamina as keras

(x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
x_train, x_test = x_train / 255.0, x_test / 255.0


def deeper_model():
    return keras.Sequential([
        keras.Input(shape=(28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(300, activation="relu"),
        keras.layers.Dense(100, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])


keras.utils.set_random_seed(42)
deeper_model().summary(explain=True)

optimizers = {
    "SGD": lambda: keras.optimizers.SGD(learning_rate=0.01),
    "SGD + momentum": lambda: keras.optimizers.SGD(learning_rate=0.01, momentum=0.9,
                                                   nesterov=True),
    "RMSprop": lambda: keras.optimizers.RMSprop(),
    "Adam": lambda: keras.optimizers.Adam(),
}
histories = {}
for name, make_optimizer in optimizers.items():
    keras.utils.set_random_seed(42)  # the same starting weights for every optimizer
    model = deeper_model()
    model.compile(optimizer=make_optimizer(), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    histories[name] = model.fit(x_train, y_train, epochs=5, validation_split=0.2, verbose=0)
    _, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
    val = histories[name].history["val_accuracy"]
    print(f"{name:<15} validation accuracy by epoch: {' '.join(f'{v:.3f}' for v in val)}"
          f"   test: {test_accuracy:.4f}")

plt.figure(figsize=(7, 4))
for name, history in histories.items():
    epochs = range(1, len(history.history["val_loss"]) + 1)
    plt.plot(epochs, history.history["val_loss"], marker="o", label=name)
plt.xlabel("epoch")
plt.ylabel("validation loss")
plt.title("The same network, four optimizers")
plt.legend()
plt.grid(alpha=0.3)
plt.savefig("optimizers.png")
