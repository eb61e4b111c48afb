"""W1: tutorial 01's Fashion-MNIST MLP — lamina fit vs a plain PyTorch loop vs Keras 3 on JAX.

Flatten -> Dense(h, relu) for each hidden size -> Dense(10, softmax); Adam, sparse categorical
cross-entropy, the tutorial's 80/20 split of the 60 000 training images (48 000 trained on,
accuracy on the other 12 000). Tutorial 01 itself has one hidden layer of 100 (the default);
`--hidden 300,100` is the book's deeper MLP; `--batch-size 256 --hidden 1024,1024` makes the
step throughput-bound instead of overhead-bound. Runners, rounds and the table: harness.py.

Usage:
    LAMINA_DATASETS=/path/to/datasets python benchmarks/w1_fashion_mlp.py --rounds 3
    LAMINA_DATASETS=/path/to/datasets python benchmarks/w1_fashion_mlp.py \\
        --batch-size 256 --hidden 1024,1024
"""
from __future__ import annotations

import numpy as np
from harness import Workload, argument_parser, run_benchmark, subset


def hidden_sizes(text: str) -> list[int]:
    """`"300,100"` -> [300, 100].

    Example:
        >>> hidden_sizes("1024, 1024")
        [1024, 1024]
    """
    sizes = [int(part) for part in text.split(",") if part.strip()]
    if not sizes or min(sizes) < 1:
        raise ValueError(f"--hidden: expected comma-separated positive sizes, received {text!r}")
    return sizes


def prepare(args) -> dict:
    import lamina
    (images, labels), _ = lamina.datasets.fashion_mnist.load_data()
    images = (images / 255.0).astype(np.float32)
    order = np.random.default_rng(42).permutation(len(images))
    cut = int(len(images) * 0.8)
    data = {"x_train": images[order[:cut]], "y_train": labels[order[:cut]].astype(np.int64),
            "x_val": images[order[cut:]], "y_val": labels[order[cut:]].astype(np.int64)}
    return subset(data, args.subset)


def keras_model(keras, config: dict):
    model = keras.Sequential([keras.layers.Flatten(input_shape=(28, 28))]
                             + [keras.layers.Dense(size, activation="relu")
                                for size in config["hidden"]]
                             + [keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def torch_setup(data: dict, config: dict):
    import torch
    import torch.nn.functional as F
    from torch import nn
    layers, width = [nn.Flatten()], 784
    for size in config["hidden"]:
        layers += [nn.Linear(width, size), nn.ReLU()]
        width = size
    module = nn.Sequential(*layers, nn.Linear(width, 10))

    def predict_labels(model, x):
        return model(torch.as_tensor(x)).argmax(1).numpy()

    return (module, F.cross_entropy, torch.as_tensor(data["x_train"]),
            torch.as_tensor(data["y_train"]), predict_labels)


WORKLOAD = Workload("W1 Fashion-MNIST MLP", prepare, keras_model, torch_setup,
                    loss="sparse_categorical_crossentropy")


def main() -> None:
    parser = argument_parser(__doc__.splitlines()[0], epochs=5, batch_size=32)
    parser.add_argument("--hidden", type=hidden_sizes, default=[100],
                        help="hidden Dense sizes, comma-separated (tutorial 01: 100)")
    args = parser.parse_args()
    WORKLOAD.name = (f"W1 Fashion-MNIST MLP 784-{'-'.join(map(str, args.hidden))}-10")
    run_benchmark(WORKLOAD, __file__, args, config={"hidden": args.hidden})


if __name__ == "__main__":
    main()
