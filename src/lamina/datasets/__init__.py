"""Small datasets for learning, loaded as Keras loads them (`keras.datasets.*`).

Files are read from `$LAMINA_DATASETS/<name>/` (Keras' canonical file names, e.g.
`imdb/imdb.npz`, `cifar10/cifar-10-python.tar.gz`), else from the cache folder
`$LAMINA_HOME/datasets` (default `~/.lamina/datasets`), else downloaded once, verified
against Keras' published hashes and stored in the cache.

Example:
    >>> import lamina as keras
    >>> (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
"""
from lamina.datasets import (
    boston_housing, california_housing, cifar10, cifar100, fashion_mnist, imdb, mnist, reuters,
)
from lamina.datasets._download import DatasetIntegrityError, DatasetNotFoundError

__all__ = ["boston_housing", "california_housing", "cifar10", "cifar100", "fashion_mnist",
           "imdb", "mnist", "reuters", "DatasetNotFoundError", "DatasetIntegrityError"]
