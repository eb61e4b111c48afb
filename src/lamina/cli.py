"""The `lamina` command: `lamina demo` trains the Fashion-MNIST tutorial model and reports.

Example:
    $ lamina demo --epochs 5
    $ lamina demo --explain --plot --out pictures/
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

__all__ = ["demo", "main"]


def main(argv: list[str] | None = None) -> int:
    """Runs the `lamina` command line; returns the exit status.

    Args:
        argv: the arguments after the program name (default: `sys.argv[1:]`).

    Returns:
        0 on success. Bad arguments exit through argparse with status 2.
    """
    parser = _parser()
    arguments = parser.parse_args(argv)
    if arguments.command is None:
        parser.print_help()
        return 0
    return demo(epochs=arguments.epochs, verbose=arguments.verbose, plot=arguments.plot,
                explain=arguments.explain, out=arguments.out)


def _parser() -> argparse.ArgumentParser:
    from lamina import __version__
    from lamina.datasets._download import datasets_home

    parser = argparse.ArgumentParser(prog="lamina", description="The Keras programming model on PyTorch.")
    parser.add_argument("--version", action="version", version=f"lamina {__version__}")
    commands = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    demo_parser = commands.add_parser(
        "demo", help="train the Fashion-MNIST tutorial model and print its test accuracy",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Trains the first model of the Fashion-MNIST tutorial (Flatten, Dense 100 relu,\n"
            "Dense 10 softmax, Adam) and prints its summary, progress and test accuracy.\n\n"
            "Data: Fashion-MNIST, read from $LAMINA_DATASETS/fashion_mnist/ (the four original\n"
            "IDX .gz files), else from the cache "
            f"{datasets_home() / 'fashion_mnist'}/,\n"
            "else downloaded into that cache once (30 MB, hash-checked).\n"
            "Fallback: when none of these works, the demo says why and trains on\n"
            "scikit-learn's bundled 8x8 digits instead (pip install scikit-learn)."))
    demo_parser.add_argument("--epochs", type=_epoch_count, default=5,
                             help="training epochs, at least 1 (default 5)")
    demo_parser.add_argument("--verbose", type=int, default=None, choices=(0, 1, 2),
                             help="progress output (default: bar on a terminal, a line per epoch otherwise)")
    demo_parser.add_argument("--plot", action="store_true",
                             help="save the learning curves, a grid of test predictions and the "
                                  "model diagram as PNG files (needs matplotlib)")
    demo_parser.add_argument("--out", type=Path, default=None, metavar="FOLDER",
                             help="where --plot saves its pictures (default: the current folder)")
    demo_parser.add_argument("--explain", action="store_true",
                             help="explain each layer's parameter count and diagnose the run "
                                  "(over- or underfitting, and what to try)")
    return parser


def _epoch_count(text: str) -> int:
    try:
        epochs = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of epochs, at least 1, received {text!r}") from None
    if epochs < 1:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of epochs, at least 1, received {epochs}")
    return epochs


def demo(epochs: int = 5, verbose: int | None = None, plot: bool = False,
         explain: bool = False, out: str | Path | None = None) -> int:
    """Trains tutorial 01's final model (Flatten, Dense 100 relu, Dense 10 softmax, Adam).

    Args:
        epochs: Training epochs.
        verbose: fit's progress output (None: a bar on a terminal, else a line per epoch).
        plot: Save learning_curves.png, predictions.png and model.png into `out`.
        explain: Print `summary(explain=True)` and the run's diagnosis.
        out: The folder for the pictures (default: the current folder).

    Returns:
        0 on success.
    """
    import lamina as keras

    if plot:
        _pyplot_for_files()
    keras.utils.set_random_seed(42)
    (x_train, y_train), (x_test, y_test), source, class_names = _demo_data()
    print(f"lamina {keras.__version__} on {keras.backend.get_device()} - data: {source}")
    model = keras.Sequential([
        keras.Input(shape=x_train.shape[1:]),
        keras.layers.Flatten(),
        keras.layers.Dense(100, activation="relu"),
        keras.layers.Dense(len(class_names), activation="softmax"),
    ], name="demo")
    model.summary(explain=explain)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    started = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=epochs, validation_split=0.2,
                        verbose="auto" if verbose is None else verbose)
    seconds = time.perf_counter() - started
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    if explain:
        print(history.diagnose(y=y_train))
    if plot:
        _save_pictures(model, history, x_test, y_test, class_names, Path(out or "."))
    print(f"test accuracy: {accuracy:.4f}  test loss: {loss:.4f}  ({seconds:.1f} s training)")
    return 0


def _pyplot_for_files():
    """pyplot drawing into files only (no window opens), or exit saying how to install it."""
    try:
        import matplotlib
    except ImportError:
        raise SystemExit('lamina demo --plot needs matplotlib, which is not installed. Install '
                         'it with `pip install "lamina[plot]"` (or `pip install matplotlib`).'
                         ) from None
    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    from lamina.utils.plotting import import_pyplot

    return import_pyplot()


def _save_pictures(model, history, x_test, y_test, class_names, folder: Path) -> None:
    import lamina as keras

    pyplot = _pyplot_for_files()
    folder.mkdir(parents=True, exist_ok=True)
    pictures = [
        ("learning_curves.png", "loss and accuracy per epoch, training vs validation",
         lambda path: history.plot(path=path)),
        ("predictions.png", "25 test images with the predicted class, wrong ones in red",
         lambda path: keras.utils.show_predictions(model, x_test, y_test,
                                                   class_names=class_names, path=path)),
        ("model.png", "the model's layers and shapes",
         lambda path: keras.utils.plot_model(model, to_file=path, dpi=100)),
    ]
    print(f"Pictures saved in {folder.resolve()}:")
    for name, what, draw in pictures:
        pyplot.close(draw(folder / name))
        print(f"  {name:<20} {what}")


def _demo_data():
    """Fashion-MNIST when it can be loaded, else scikit-learn's bundled 8x8 digits.

    Returns the train and test splits, the data's name and its class names.
    """
    from lamina.datasets import DatasetIntegrityError, fashion_mnist
    from lamina.datasets._download import lamina_datasets_problem

    problem = lamina_datasets_problem("fashion_mnist")
    if problem:
        print(f"Note: {problem} Looking in the cache, then online.", file=sys.stderr)
    try:
        (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
        return ((x_train / 255.0, y_train), (x_test / 255.0, y_test), "Fashion-MNIST",
                fashion_mnist.CLASS_NAMES)
    except (OSError, DatasetIntegrityError) as error:
        reason = str(error)
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise SystemExit(f"lamina demo needs Fashion-MNIST or, in its place, scikit-learn's digits "
                         f"(pip install scikit-learn), and has neither.\n{reason}") from None
    print(f"Training on scikit-learn's 8x8 digits instead of Fashion-MNIST, because:\n{reason}\n",
          file=sys.stderr)
    digits = load_digits()
    images, labels = digits.images / 16.0, digits.target
    split = int(len(images) * 0.8)
    return ((images[:split], labels[:split]), (images[split:], labels[split:]),
            "scikit-learn digits", tuple(str(digit) for digit in range(10)))


if __name__ == "__main__":
    sys.exit(main())
