"""Small datasets for learning, loaded as Keras loads them (`keras.datasets.*`).

Files are read from `$LAMINA_DATASETS/<name>/`, else from the cache folder
`$LAMINA_HOME/datasets` (default `~/.lamina/datasets`), else downloaded once, verified
against published SHA-256 hashes and stored in the cache.

Example:
    >>> import lamina as keras
    >>> (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
"""
from lamina.datasets import fashion_mnist, mnist
from lamina.datasets._download import DatasetIntegrityError, DatasetNotFoundError

__all__ = ["fashion_mnist", "mnist", "DatasetNotFoundError", "DatasetIntegrityError"]
