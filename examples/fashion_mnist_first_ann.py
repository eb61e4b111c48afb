# My first neural network: teach a computer to tell a sneaker from a shirt.
#
# Fashion-MNIST has 70,000 small grey photos (28 x 28 pixels) of 10 kinds of clothing.
# We build a dense network, train it on 60,000 photos and test it on the other 10,000.
# This is ordinary Keras code; only the import line names lamina.
#
#     python examples/fashion_mnist_first_ann.py
import numpy as np

import lamina as keras

# 1. Load the data: pixel values 0..255 and a label 0..9 for each photo.
(train_images, train_labels), (test_images, test_labels) = keras.datasets.fashion_mnist.load_data()
print("train images:", train_images.shape, "test images:", test_images.shape)

class_names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
print("the first training photo shows:", class_names[train_labels[0]])

# 2. Scale the pixels to 0..1: networks learn faster on small inputs.
train_images = train_images / 255.0
test_images = test_images / 255.0

# 3. The model: flatten each 28 x 28 photo into 784 numbers, one hidden layer of 128
#    neurons, and 10 outputs that give a probability for each kind of clothing.
model = keras.Sequential([
    keras.Input(shape=(28, 28)),
    keras.layers.Flatten(),
    keras.layers.Dense(128, activation="relu", name="hidden"),
    keras.layers.Dense(10, activation="softmax", name="output"),
], name="first_ann")
model.summary()

# 4. Labels are plain integers, so the loss is sparse categorical cross-entropy.
model.compile(optimizer="adam",
              loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])

# 5. Train for 5 epochs, keeping 20% of the training photos aside to watch for overfitting.
history = model.fit(train_images, train_labels, epochs=5, validation_split=0.2)
print("validation accuracy after each epoch:",
      [round(accuracy, 3) for accuracy in history.history["val_accuracy"]])

# 6. How good is it on photos it has never seen?
test_loss, test_accuracy = model.evaluate(test_images, test_labels, verbose=0)
print(f"test accuracy: {test_accuracy:.4f}")

# 7. Ask the model about the first five test photos.
probabilities = model.predict(test_images[:5], verbose=0)
for label, row in zip(test_labels[:5], probabilities):
    guess = np.argmax(row)
    print(f"predicted {class_names[guess]:<12} ({row[guess]:.0%} sure), "
          f"really {class_names[label]}")
