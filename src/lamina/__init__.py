"""lamina: the Keras programming model on PyTorch.

`import lamina as keras` and write Keras code: layers, `Sequential`, functional `Model`,
`compile` / `fit` / `evaluate` / `predict`, callbacks, datasets.

Example:
    >>> import lamina as keras
    >>> model = keras.Sequential([keras.Input((784,)),
    ...                           keras.layers.Dense(10, activation="softmax")])
    >>> model.count_params()
    7850
"""
import importlib

__version__ = "0.1.0"

_SUBMODULES = (
    "activations", "applications", "backend", "callbacks", "config", "constraints", "datasets",
    "dtype_policies", "export", "initializers", "layers", "losses", "metrics", "mixed_precision",
    "models", "ops", "optimizers", "preprocessing", "random", "regularizers", "saving", "tree",
    "utils",
)
_SUBMODULES += ("visualization", "wrappers")
_TOP_LEVEL = {
    "Sequential": "lamina.models",
    "Model": "lamina.models",
    "Input": "lamina.layers",
    "Layer": "lamina.layers",
    "device": "lamina.backend",
    "Variable": "lamina.variables",
    "DTypePolicy": "lamina.dtype_policies",
    "FloatDTypePolicy": "lamina.dtype_policies",
    "InputSpec": "lamina.layers",
    "KerasTensor": "lamina.ops.keras_tensor",
    "Initializer": "lamina.initializers",
    "Loss": "lamina.losses",
    "Metric": "lamina.metrics",
    "Optimizer": "lamina.optimizers",
    "Regularizer": "lamina.regularizers",
}
_TOP_LEVEL.update({
    "name_scope": "lamina.utils.scopes",
    "StatelessScope": "lamina.utils.scopes",
    "SymbolicScope": "lamina.utils.scopes",
    "Operation": "lamina.utils.operation",
    "Function": "lamina.utils.operation",
    "remat": "lamina.utils.remat",
    "RematScope": "lamina.utils.remat",
})

__all__ = list(_SUBMODULES) + list(_TOP_LEVEL) + ["__version__", "version"]


def version() -> str:
    """lamina's version, as `keras.version()` gives Keras'.

    >>> import lamina
    >>> lamina.version() == lamina.__version__
    True
    """
    return __version__


def __getattr__(name):
    # Submodules load on first use so `import lamina` stays fast and a learner's
    # `keras.layers.Dense` still resolves exactly as in Keras.
    if name in _SUBMODULES:
        return importlib.import_module(f"lamina.{name}")
    if name in _TOP_LEVEL:
        return getattr(importlib.import_module(_TOP_LEVEL[name]), name)
    raise AttributeError(f"module 'lamina' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
