"""Tutorial 01: a first neural network on Fashion-MNIST (load, scale, build, train, predict)."""
import lamina as keras

# 70 000 photos of clothes, 28x28 pixels, 0-255; labels 0-9.
(x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
print("train images:", x_train.shape, "labels:", y_train.shape)
print("test images: ", x_test.shape, "labels:", y_test.shape)
class_names = keras.datasets.fashion_mnist.CLASS_NAMES
print("the first training photo shows:", class_names[y_train[0]])
keras.utils.show_images(x_train, y_train, class_names=class_names, n=25, path="samples.png")

# Pixels from 0-255 to 0-1: the network learns much faster on small inputs.
x_train, x_test = x_train / 255.0, x_test / 255.0

keras.utils.set_random_seed(42)
model = keras.Sequential([
    keras.Input(shape=(28, 28)),
    keras.layers.Flatten(),
    keras.layers.Dense(100, activation="relu"),
    keras.layers.Dense(10, activation="softmax"),
], name="first_ann")
model.summary(explain=True)

model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=5, validation_split=0.2)

test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy: {test_accuracy:.4f}")

probabilities = model.predict(x_test[:5], verbose=0)
for scores, label in zip(probabilities, y_test[:5]):
    print(f"predicted {class_names[scores.argmax()]:<12} ({scores.max():.0%} sure), "
          f"really {class_names[label]}")

keras.utils.show_predictions(model, x_test, y_test, class_names=class_names,
                             path="predictions.png")
keras.utils.plot_confusion_matrix(y_test, model.predict(x_test, verbose=0),
                                  class_names=class_names, path="confusion_matrix.png")
