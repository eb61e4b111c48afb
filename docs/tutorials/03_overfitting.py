"""Tutorial 03: overfitting, seen and cured with Dropout, L2 and EarlyStopping."""
import lamina as keras

(x_train, y_train), _ = keras.datasets.fashion_mnist.load_data()
# Few examples and a big network: the quickest way to watch a model memorise.
x_small, y_small = x_train[:4000] / 255.0, y_train[:4000]


def big_model(dropout=0.0, l2=0.0):
    regularizer = keras.regularizers.l2(l2) if l2 else None
    return keras.Sequential([
        keras.Input(shape=(28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(512, activation="relu", kernel_regularizer=regularizer),
        keras.layers.Dropout(dropout),
        keras.layers.Dense(512, activation="relu", kernel_regularizer=regularizer),
        keras.layers.Dropout(dropout),
        keras.layers.Dense(10, activation="softmax"),
    ])


print("== 1. a big network on 2 000 images, 40 epochs")
keras.utils.set_random_seed(42)
model = big_model()
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x_small, y_small, epochs=40, validation_split=0.5, verbose=0)
print(history.diagnose())
history.plot(path="overfitting.png")

print("\n== 2. the same network with Dropout(0.3), L2(1e-4) and EarlyStopping")
keras.utils.set_random_seed(42)
model = big_model(dropout=0.3, l2=1e-4)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
early_stopping = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5,
                                               restore_best_weights=True)
history = model.fit(x_small, y_small, epochs=40, validation_split=0.5, verbose=0,
                    callbacks=[early_stopping])
print(f"stopped after {len(history.epoch)} epochs; best validation loss "
      f"{min(history.history['val_loss']):.4f}")
print(history.diagnose())
history.plot(path="regularized.png")
