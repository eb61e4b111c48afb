"""Tutorial 01's final program — the learner's Fashion-MNIST MLP, start to finish — for timing.

The program a learner runs: load Fashion-MNIST, scale it, split 80/20, build
Flatten -> Dense(100, relu) -> Dense(10, softmax), compile with Adam, `fit` 5 epochs with the
default progress output, evaluate. The first argument picks the import line, the only
difference between the two frameworks (`import lamina as keras` or `import keras`, Keras then
on the backend KERAS_BACKEND names). Three changes from the tutorial, both the same for both
frameworks: its `sklearn.model_selection.train_test_split(test_size=0.2, random_state=42)` is
a NumPy permutation of the same sizes (so the Keras environment needs no scikit-learn and
the imports timed are the frameworks'), `metrics='accuracy'` is `metrics=['accuracy']`
(Keras 3 refuses a bare string), and `@@bench` lines print wall-clock stamps that
w1_whole_program.py reads.

Usage:
    LAMINA_DATASETS=/path/to/datasets python benchmarks/tutorial01_program.py lamina
    KERAS_BACKEND=jax python benchmarks/tutorial01_program.py keras   # data in $KERAS_HOME
"""
import sys
import time


def mark(event, **values):
    values = " ".join(f"{key}={value}" for key, value in values.items())
    print(f"@@bench {event} {time.time():.6f} {values}", flush=True)


framework = sys.argv[1] if len(sys.argv) > 1 else "lamina"
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
subset = int(sys.argv[3]) if len(sys.argv) > 3 else None

if framework == "keras":
    import keras
else:
    import lamina as keras
import numpy as np

mark("imported")

(train_input, train_target), (test_input, test_target) = keras.datasets.fashion_mnist.load_data()
if subset:
    train_input, train_target = train_input[:subset], train_target[:subset]
train_scaled = train_input / 255.0
order = np.random.RandomState(42).permutation(len(train_scaled))
cut = len(train_scaled) - int(np.ceil(0.2 * len(train_scaled)))
train_scaled, val_scaled = train_scaled[order[:cut]], train_scaled[order[cut:]]
train_target, val_target = train_target[order[:cut]], train_target[order[cut:]]
mark("data")

model = keras.Sequential()
model.add(keras.layers.Flatten(input_shape=(28, 28)))
model.add(keras.layers.Dense(100, activation='relu'))
model.add(keras.layers.Dense(10, activation='softmax'))
model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
mark("compiled")
model.fit(train_scaled, train_target, epochs=epochs)
mark("fit_end")
results = model.evaluate(val_scaled, val_target)
print(results)
mark("evaluated", accuracy=results[1])
