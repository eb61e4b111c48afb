"""W3: the keras.io MNIST convnet — lamina fit vs a plain PyTorch loop vs Keras 3 on JAX.

Conv2D(32, 3, relu) -> MaxPooling2D -> Conv2D(64, 3, relu) -> MaxPooling2D -> Flatten ->
Dropout(0.5) -> Dense(10, softmax); Adam, sparse categorical cross-entropy, batch 128, the
60 000 MNIST training images (28, 28, 1) scaled to [0, 1], accuracy on the 10 000 test images.
The PyTorch loop holds the images as (N, 1, 28, 28), as a PyTorch user loads them.
Runners, rounds and the table: harness.py.

Usage:
    LAMINA_DATASETS=/path/to/datasets python benchmarks/w3_mnist_cnn.py --epochs 3
"""
from __future__ import annotations

import numpy as np
from harness import Workload, argument_parser, run_benchmark, subset


def prepare(args) -> dict:
    import lamina
    (x_train, y_train), (x_test, y_test) = lamina.datasets.mnist.load_data()
    data = {"x_train": (x_train[..., None] / 255.0).astype(np.float32),
            "y_train": y_train.astype(np.int64),
            "x_val": (x_test[..., None] / 255.0).astype(np.float32),
            "y_val": y_test.astype(np.int64)}
    return subset(data, args.subset)


def keras_model(keras, config: dict):
    layers = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def torch_setup(data: dict, config: dict):
    import torch
    import torch.nn.functional as F
    from torch import nn
    module = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.5), nn.Linear(64 * 5 * 5, 10))

    def channels_first(x):
        return torch.as_tensor(x).permute(0, 3, 1, 2).contiguous()

    def predict_labels(model, x):
        return torch.cat([model(channels_first(x[i:i + 1000])).argmax(1)
                          for i in range(0, len(x), 1000)]).numpy()

    return (module, F.cross_entropy, channels_first(data["x_train"]),
            torch.as_tensor(data["y_train"]), predict_labels)


WORKLOAD = Workload("W3 MNIST convnet", prepare, keras_model, torch_setup,
                    loss="sparse_categorical_crossentropy")


def main() -> None:
    parser = argument_parser(__doc__.splitlines()[0], epochs=3, batch_size=128)
    run_benchmark(WORKLOAD, __file__, parser.parse_args())


if __name__ == "__main__":
    main()
