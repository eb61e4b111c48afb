"""The `lamina` command: `lamina demo` trains the Fashion-MNIST tutorial model and reports.

Example:
    $ lamina demo --epochs 5
"""
from __future__ import annotations

import argparse
import sys
import time

__all__ = ["main", "demo"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lamina", description="The Keras programming model on PyTorch.")
    commands = parser.add_subparsers(dest="command", required=True)
    demo_parser = commands.add_parser("demo", help="train the Fashion-MNIST tutorial model and print the result")
    demo_parser.add_argument("--epochs", type=int, default=5, help="training epochs (default 5)")
    demo_parser.add_argument("--verbose", type=int, default=None, choices=(0, 1, 2),
                             help="progress output (default: bar on a terminal, a line per epoch otherwise)")
    arguments = parser.parse_args(argv)
    if arguments.command == "demo":
        return demo(epochs=arguments.epochs, verbose=arguments.verbose)
    return 2


def demo(epochs: int = 5, verbose: int | None = None) -> int:
    """Trains tutorial 01's final model (Flatten, Dense 100 relu, Dense 10 softmax, Adam)."""
    import lamina as keras

    keras.utils.set_random_seed(42)
    (x_train, y_train), (x_test, y_test), source, class_count = _demo_data()
    print(f"lamina {keras.__version__} on {keras.backend.get_device()} - data: {source}")
    model = keras.Sequential([
        keras.layers.Flatten(input_shape=x_train.shape[1:]),
        keras.layers.Dense(100, activation="relu"),
        keras.layers.Dense(class_count, activation="softmax"),
    ], name="demo")
    model.summary()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    started = time.perf_counter()
    model.fit(x_train, y_train, epochs=epochs, validation_split=0.2,
              verbose="auto" if verbose is None else verbose)
    seconds = time.perf_counter() - started
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test accuracy: {accuracy:.4f}  test loss: {loss:.4f}  ({seconds:.1f} s training)")
    return 0


def _demo_data():
    """Fashion-MNIST when reachable, else scikit-learn's bundled 8x8 digits."""
    from lamina.datasets import fashion_mnist

    try:
        (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
        return (x_train / 255.0, y_train), (x_test / 255.0, y_test), "Fashion-MNIST", 10
    except OSError as error:
        print(f"Fashion-MNIST is not reachable ({type(error).__name__}); using scikit-learn's digits.",
              file=sys.stderr)
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise SystemExit("lamina demo needs Fashion-MNIST (set LAMINA_DATASETS or go online) or "
                         "scikit-learn (pip install scikit-learn) for its bundled digits.") from None
    digits = load_digits()
    images, labels = digits.images / 16.0, digits.target
    split = int(len(images) * 0.8)
    return (images[:split], labels[:split]), (images[split:], labels[split:]), "scikit-learn digits", 10


if __name__ == "__main__":
    sys.exit(main())
