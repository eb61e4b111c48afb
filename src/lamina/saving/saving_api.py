"""`save_model` / `load_model` / `save_weights` / `load_weights`: the format follows the file name.

| name             | writes                                                      |
|------------------|-------------------------------------------------------------|
| `x.keras`        | Keras 3's zip (config, weights, optimizer state)            |
| `x.h5`, `x.hdf5` | Keras 2's HDF5 layout (whole model, or weights only)        |
| `x.weights.h5`   | Keras 3's weights file (`save_weights` / `load_weights`)    |
| `x.pt`, `x.pth`  | a PyTorch `state_dict` (`save_weights` / `load_weights`)    |

Example:
    >>> import os, tempfile
    >>> model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2)])
    >>> folder = tempfile.mkdtemp()
    >>> save_weights(model, os.path.join(folder, "w.weights.h5"))
    >>> load_weights(model, os.path.join(folder, "w.weights.h5"))
"""
from __future__ import annotations

import os
import warnings

import torch

from lamina.saving import legacy_h5, saving_lib
from lamina.saving.file_io import atomic_write, is_unzipped_model, open_h5
from lamina.utils.errors import MissingFileError, user_stacklevel

__all__ = ["load_model", "load_weights", "model_from_json", "save_model", "save_weights"]

_MODEL_FORMATS = "'.keras' (Keras 3's format), '.h5' or '.hdf5' (Keras 2's)"
_WEIGHT_FORMATS = ("'.weights.h5' (Keras 3's weights file), '.weights.json' (its sharded "
                   "index), '.h5' (Keras 2's), '.keras', '.pt' or '.pth' (a PyTorch state_dict)")


def save_model(model, filepath, overwrite: bool = True, **kwargs) -> None:
    """Saves a model as `.keras` (Keras 3's zip) or `.h5` (Keras 2's HDF5 layout).

    Args:
        model: the model.
        filepath: a path ending in `.keras`, `.h5` or `.hdf5`.
        overwrite: replace an existing file (else raise FileExistsError).
        zipped: False writes the `.keras` members (config.json, metadata.json,
            model.weights.h5) into the folder `filepath` instead, as Keras does.
        include_optimizer: (`.h5` only) also save the optimizer state (default True).

    Raises:
        ValueError: the extension is none of those.
    """
    path = _path(filepath)
    include_optimizer = kwargs.pop("include_optimizer", True)
    zipped = kwargs.pop("zipped", None)
    kwargs.pop("save_format", None)  # TF-2 argument: the extension decides here
    if kwargs:
        raise ValueError(f"The following argument(s) are not supported: {sorted(kwargs)}.")
    if zipped is False:
        if path.endswith(".keras"):
            raise ValueError(f"When using `zipped=False`, the `filepath` argument should not end "
                             f"in `.keras`. Received: filepath={path}")
        saving_lib.save_model(model, path, overwrite, zipped=False)
    elif path.endswith(".keras"):
        saving_lib.save_model(model, path, overwrite)
    elif path.endswith((".h5", ".hdf5")):
        # Keras' notice (it logs it), as a warning: the file still works for TF-2 era code.
        warnings.warn("You are saving your model as an HDF5 file via `model.save()` or "
                      "`keras.saving.save_model(model)`. This file format is considered legacy. "
                      "We recommend using instead the native Keras format, e.g. "
                      "`model.save('my_model.keras')` or "
                      "`keras.saving.save_model(model, 'my_model.keras')`.",
                      stacklevel=user_stacklevel())
        legacy_h5.save_model(model, path, overwrite, include_optimizer=include_optimizer)
    else:
        raise ValueError(f"Invalid filepath extension for saving: {path!r}. Use {_MODEL_FORMATS}, "
                         f"e.g. model.save('model.keras'); for weights alone use "
                         f"model.save_weights('model.weights.h5').")


def load_model(filepath, custom_objects: dict | None = None, compile: bool = True,
               safe_mode: bool = True):
    """Loads a model saved as `.keras` (by lamina or Keras 3) or `.h5` (by lamina or tf.keras 2).

    Args:
        filepath: the file.
        custom_objects: names mapped to the custom classes and functions the model uses.
        compile: restore the compile state (optimizer, loss, metrics) and optimizer state.
        safe_mode: refuse `Lambda` layers stored as Python bytecode (the default).

    Raises:
        ValueError: unknown extension, or a truncated or corrupt file (naming it).
    """
    path = _path(filepath)
    if path.endswith(".keras") or is_unzipped_model(path):
        return saving_lib.load_model(path, custom_objects, compile, safe_mode)
    if path.endswith((".h5", ".hdf5")):
        return legacy_h5.load_model(path, custom_objects, compile, safe_mode)
    raise ValueError(f"File format not supported: filepath={path!r}. lamina loads "
                     f"{_MODEL_FORMATS} files; weights files ('.weights.h5', '.pt') go to "
                     f"`model.load_weights(...)`.")


def model_from_json(json_string: str, custom_objects: dict | None = None):
    """A new (uncompiled-weights) model from `model.to_json()`'s string.

    Example:
        >>> model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2)])
        >>> model_from_json(model.to_json()).output_shape
        (None, 2)
    """
    import json

    from lamina.saving.serialization_lib import deserialize_keras_object

    try:
        config = json.loads(json_string)
    except (TypeError, json.JSONDecodeError) as error:
        raise ValueError(f"Argument `json_string` must be the JSON text of a model config (from "
                         f"`model.to_json()`), but it could not be parsed: {error}.") from error
    return deserialize_keras_object(config, custom_objects)


def save_weights(model, filepath, overwrite: bool = True, max_shard_size=None) -> None:
    """Saves a model's weights as `.weights.h5`, Keras 2's `.h5`, or a PyTorch `.pt`/`.pth`;
    with `max_shard_size` (GB), as Keras' shards beside a `.weights.json` index.

    Raises:
        ValueError: the extension is none of those.
    """
    path = _path(filepath)
    if max_shard_size is not None:
        if path.endswith(".weights.h5"):
            sharded = path[: -len(".h5")] + ".json"
            warnings.warn(f"Saving sharded weights requires `*.json` as the extension. The "
                          f"original path: {path} will be renamed to {sharded}.",
                          stacklevel=user_stacklevel())
            path = sharded
        if not path.endswith(".weights.json"):
            raise ValueError(f"The filename must end in `.weights.json` when `max_shard_size` "
                             f"is specified. Received: filepath={path}")
        saving_lib.save_weights_only(model, path, overwrite, max_shard_size)
    elif path.endswith(".weights.h5"):
        saving_lib.save_weights_only(model, path, overwrite)
    elif path.endswith((".h5", ".hdf5")):
        # Keras 3 refuses this name; TF-2 books use it, so it writes Keras 2's layout.
        legacy_h5.save_weights(model, path, overwrite)
    elif path.endswith((".pt", ".pth")):
        with atomic_write(path, overwrite) as temporary:
            torch.save(model.state_dict(), temporary)
    else:
        raise ValueError(f"Invalid filepath extension for saving weights: {path!r}. Use "
                         f"{_WEIGHT_FORMATS}, e.g. model.save_weights('model.weights.h5').")


def load_weights(model, filepath, skip_mismatch: bool = False, **kwargs) -> None:
    """Loads weights saved by `save_weights` (or a model file's weights) into `model`.

    Args:
        model: a built model of the same architecture.
        filepath: a `.weights.h5`, `.weights.json` (sharded), `.h5`, `.keras`, `.pt` or `.pth`
            file.
        skip_mismatch: skip (with a warning) layers whose weights do not fit, instead of raising.
        by_name: (Keras 2 `.h5` only) match layers by name rather than by order.

    Raises:
        ValueError: unknown extension; a corrupt file; a weight of the wrong shape (naming the
            layer and both shapes); a file saved from a different architecture (naming the
            first layer that differs).
    """
    path = _path(filepath)
    by_name = kwargs.pop("by_name", False)
    if kwargs:
        raise ValueError(f"Invalid keyword arguments: {sorted(kwargs)}.")
    if path.endswith((".keras", ".json")):
        saving_lib.load_weights_only(model, path, skip_mismatch)
    elif path.endswith((".h5", ".hdf5")):
        with open_h5(path, path) as h5file:
            legacy = legacy_h5.is_legacy_layout(h5file)
        if legacy:
            legacy_h5.load_weights(model, path, skip_mismatch, by_name)
        else:
            saving_lib.load_weights_only(model, path, skip_mismatch)
    elif path.endswith((".pt", ".pth")):
        _load_state_dict(model, path, skip_mismatch)
    else:
        raise ValueError(f"File format not supported for loading weights: filepath={path!r}. "
                         f"Use {_WEIGHT_FORMATS}.")


def _load_state_dict(model, path: str, skip_mismatch: bool) -> None:
    if not os.path.exists(path):
        raise MissingFileError(f"No file or directory found at {path!r}.")
    try:
        # weights_only: tensors and containers only, never arbitrary pickled objects.
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises RuntimeError, UnpicklingError, EOFError, ...
        raise ValueError(f"Could not read {path!r} as a PyTorch state_dict: {error}. The file is "
                         f"truncated or corrupt, or not a weights file.") from error
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ValueError(f"Could not read {path!r}: expected a state_dict (a dict of tensors, as "
                         f"`torch.save(model.state_dict(), path)` writes), but found "
                         f"{type(state).__name__}.")
    own = model.state_dict()
    problems = []
    for key, value in own.items():
        saved = state.get(key)
        if saved is None or tuple(saved.shape) != tuple(value.shape):
            found = "no such entry" if saved is None else f"shape {tuple(saved.shape)}"
            problems.append(f"layer '{_layer_of(model, key)}' entry {key!r} has shape "
                            f"{tuple(value.shape)}, but the file holds {found}")
    extra = [key for key in state if key not in own]
    if extra:
        problems.append(f"the file holds {extra[0]!r}, which the model lacks")
    if problems and not skip_mismatch:
        architecture = ("; the file was saved from a different architecture (the first layer "
                        "that differs is named above)") if extra or len(problems) > 1 else ""
        raise ValueError(f"Cannot load weights from {path!r} into model '{model.name}': "
                         f"{problems[0]}{architecture}.")
    for problem in problems:
        warnings.warn(f"Skipping weights from {path!r}: {problem}.", stacklevel=3)
    fitting = {k: v for k, v in state.items() if k in own and v.shape == own[k].shape}
    model.load_state_dict(fitting, strict=not skip_mismatch)


def _layer_of(model, key: str) -> str:
    """The name of the layer that holds state_dict entry `key` (`_stack.0.kernel` -> 'dense')."""
    module = model
    for part in key.split(".")[:-1]:
        module = getattr(module, part, module)
    return getattr(module, "name", key)


def _path(filepath) -> str:
    if not isinstance(filepath, (str, os.PathLike)):
        raise TypeError(f"Argument `filepath` must be a path (str or os.PathLike), but received "
                        f"{filepath!r} of type {type(filepath).__name__}.")
    return os.fspath(filepath)
