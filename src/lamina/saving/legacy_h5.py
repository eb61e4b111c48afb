"""Keras 2's HDF5 layout, the `.h5` files of TF-2 era books (`model.save('model.h5')`).

A whole-model file has root attributes `model_config` and `training_config` (JSON),
`keras_version` and `backend`; a group `model_weights` with attribute `layer_names` and,
per layer, a group named by the layer with attribute `weight_names` and one dataset per
weight at those names; and a group `optimizer_weights`. `save_weights('x.h5')` writes the
`model_weights` part at the root. Weights are matched to layers by order (or by layer
name with `by_name=True`), each layer's in Keras 2's order: trainable, then non-trainable.

Example:
    >>> import os, tempfile
    >>> model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2, name="hidden")])
    >>> path = os.path.join(tempfile.mkdtemp(), "model.h5")
    >>> save_model(model, path)
    >>> load_model(path).get_layer("hidden").get_weights()[0].shape
    (3, 2)
"""
from __future__ import annotations

import json
import os
import warnings

import h5py
import numpy as np
import torch

from lamina.saving import object_tree
from lamina.saving.file_io import atomic_write, open_h5
from lamina.saving.serialization_lib import deserialize_keras_object, serialize_keras_object

__all__ = ["load_model", "load_weights", "save_model", "save_weights"]

KERAS_VERSION = "3.15.1"
# Keras 2 arguments that Keras 3 dropped, with the value under which dropping them is exact.
_DROPPED_ARGUMENTS = {"time_major": False}


def save_model(model, filepath, overwrite: bool = True, include_optimizer: bool = True) -> None:
    """Writes `model` in Keras 2's whole-model `.h5` layout."""
    # build_config lets a subclassed model (which Keras 2 could not save) create its weights.
    config = {key: value for key, value in serialize_keras_object(model).items()
              if key in ("class_name", "config", "module", "registered_name", "build_config")}
    with atomic_write(filepath, overwrite) as temporary, h5py.File(temporary, "w") as h5file:
        h5file.attrs["keras_version"] = KERAS_VERSION
        h5file.attrs["backend"] = "torch"
        h5file.attrs["model_config"] = json.dumps(config)
        training_config = _training_config(model)
        if training_config is not None:
            h5file.attrs["training_config"] = json.dumps(training_config)
        _write_layers(model, h5file.create_group("model_weights"))
        optimizer = getattr(model, "optimizer", None)
        if include_optimizer and optimizer is not None and optimizer.built:
            group = h5file.create_group("optimizer_weights")
            names = [f"{optimizer.name}/variable_{i}" for i in range(len(optimizer.variables))]
            names[0] = "iteration"
            _write_datasets(group, names, optimizer.get_weights())


def save_weights(model, filepath, overwrite: bool = True) -> None:
    """Writes only the weights, in Keras 2's `save_weights('x.h5')` layout."""
    with atomic_write(filepath, overwrite) as temporary, h5py.File(temporary, "w") as h5file:
        _write_layers(model, h5file)


def load_model(filepath, custom_objects: dict | None = None, compile: bool = True,
               safe_mode: bool = True):
    """Rebuilds a model from a Keras 2 (or lamina) whole-model `.h5` file."""
    with open_h5(filepath, filepath) as h5file:
        if "model_config" not in h5file.attrs:
            raise ValueError(f"No model config found in {os.fspath(filepath)!r}: it holds only "
                             f"weights (written by `save_weights`). Build the model in code, then "
                             f"call `model.load_weights({os.fspath(filepath)!r})`.")
        config = _upgrade(json.loads(_text(h5file.attrs["model_config"])))
        model = deserialize_keras_object(config, custom_objects, safe_mode=safe_mode)
        load_weights_from_group(model, h5file["model_weights"], filepath)
        training_config = h5file.attrs.get("training_config")
        if compile and training_config is not None:
            _compile(model, json.loads(_text(training_config)), custom_objects)
            if "optimizer_weights" in h5file:
                _load_optimizer_weights(model, h5file["optimizer_weights"], filepath)
    return model


def load_weights(model, filepath, skip_mismatch: bool = False, by_name: bool = False) -> None:
    """Loads weights from a Keras 2 `.h5` file (whole-model or weights-only) into `model`."""
    with open_h5(filepath, filepath) as h5file:
        group = h5file.get("model_weights", h5file)
        load_weights_from_group(model, group, filepath, skip_mismatch, by_name)


def is_legacy_layout(h5file: h5py.File) -> bool:
    """Whether an open `.h5` file is in Keras 2's layout (rather than Keras 3's `.weights.h5`)."""
    return "layer_names" in h5file.attrs or "model_weights" in h5file


# ------------------------------------------------------------------------------------ weights
def _layers_with_weights(model) -> list:
    return [layer for layer in model.layers if layer.weights]


def _legacy_weights(layer) -> list:
    return layer.trainable_weights + layer.non_trainable_weights


def _write_layers(model, group: h5py.Group) -> None:
    group.attrs["layer_names"] = [layer.name.encode("utf8") for layer in model.layers]
    group.attrs["backend"] = "torch"
    group.attrs["keras_version"] = KERAS_VERSION
    for layer in model.layers:
        labels = _weight_labels(layer)
        weights = _legacy_weights(layer)
        _write_datasets(group.create_group(layer.name), [labels[id(w)] for w in weights],
                        [w.detach().cpu().numpy() for w in weights])


def _weight_labels(layer) -> dict:
    """`{id(weight): "dense/kernel"}`, unique within the layer (`bidirectional/forward_layer/...`)."""
    labels, used = {}, set()
    for path, sublayer in object_tree.saveables(layer):
        for weight in object_tree.own_weights(sublayer):
            label = "/".join(p for p in (layer.name, path, getattr(weight, "name", "variable")) if p)
            if label in used:  # two unnamed weights of one layer are both "variable"
                label = f"{label}_{len(used)}"
            used.add(label)
            labels.setdefault(id(weight), label)
    return labels


def _write_datasets(group: h5py.Group, names: list[str], values: list) -> None:
    group.attrs["weight_names"] = [name.encode("utf8") for name in names]
    for name, value in zip(names, values):
        group.create_dataset(name, data=np.asarray(value))


def _group_weights(group: h5py.Group) -> list[np.ndarray]:
    return [np.asarray(group[_text(name)]) for name in group.attrs.get("weight_names", [])]


def load_weights_from_group(model, group: h5py.Group, filepath, skip_mismatch: bool = False,
                            by_name: bool = False) -> None:
    """Matches the file's layers to the model's (by order, or by name) and sets their weights.

    Raises:
        ValueError: the layer counts differ (naming the first layer that differs), or a
            weight's shape differs (naming the layer and both shapes). Nothing is set then.
    """
    names = [_text(n) for n in group.attrs.get("layer_names", [])]
    stored = {name: _group_weights(group[name]) for name in names if name in group}
    where = f"Cannot load weights from {os.fspath(filepath)!r} into model '{model.name}'"
    layers = _layers_with_weights(model)
    if by_name:
        pairs = [(layer, stored[layer.name]) for layer in model.layers if layer.name in stored
                 and (stored[layer.name] or layer.weights)]
    else:
        saved = [name for name in names if stored.get(name)]
        if len(saved) != len(layers) and not skip_mismatch:
            raise ValueError(_count_mismatch(where, layers, saved, stored))
        pairs = list(zip(layers, [stored[name] for name in saved]))
    assignments = []
    for layer, values in pairs:
        weights = _legacy_weights(layer)
        problem = _shape_problem(layer, weights, values)
        if problem is None:
            assignments += list(zip(weights, values))
        elif skip_mismatch:
            warnings.warn(f"Skipping loading weights for layer '{layer.name}': {problem}",
                          stacklevel=3)
        else:
            raise ValueError(f"{where}: {problem}")
    with torch.no_grad():
        for weight, value in assignments:
            weight.copy_(torch.as_tensor(value, dtype=weight.dtype))


def _count_mismatch(where: str, layers: list, saved: list[str], stored: dict) -> str:
    for index, layer in enumerate(layers):
        if index >= len(saved):
            return (f"{where}: the model has {len(layers)} layers with weights but the file only "
                    f"{len(saved)}; the first layer without saved weights is '{layer.name}' "
                    f"({type(layer).__name__}). The file was saved from a different architecture.")
        shapes = [tuple(w.shape) for w in _legacy_weights(layer)]
        if shapes != [v.shape for v in stored[saved[index]]]:
            return (f"{where}: the file was saved from a different architecture (the model has "
                    f"{len(layers)} layers with weights, the file {len(saved)}). The first layer "
                    f"that differs is '{layer.name}' ({type(layer).__name__}, weight shapes "
                    f"{shapes}); the file's layer {index} is '{saved[index]}' with shapes "
                    f"{[v.shape for v in stored[saved[index]]]}.")
    extra = saved[len(layers)]
    return (f"{where}: the file holds weights for {len(saved)} layers, the model has "
            f"{len(layers)}; the first layer the model lacks is '{extra}'. The file was saved "
            f"from a different architecture.")


def _shape_problem(layer, weights: list, values: list) -> str | None:
    if len(weights) != len(values):
        return (f"layer '{layer.name}' ({type(layer).__name__}) expects {len(weights)} weights, "
                f"but the file holds {len(values)} for it.")
    for weight, value in zip(weights, values):
        if tuple(weight.shape) != value.shape:
            return (f"layer '{layer.name}' weight {getattr(weight, 'name', '')!r} has shape "
                    f"{tuple(weight.shape)}, but the file holds shape {value.shape}.")
    return None


# ---------------------------------------------------------------------------------- compiling
def _training_config(model) -> dict | None:
    if not getattr(model, "_compiled", False):
        return None
    config = model.get_compile_config()
    return {"loss": config.get("loss"), "metrics": config.get("metrics"),
            "weighted_metrics": config.get("weighted_metrics"),
            "loss_weights": config.get("loss_weights"),
            "optimizer_config": config.get("optimizer")}


def _compile(model, training_config: dict, custom_objects) -> None:
    from lamina import optimizers

    optimizer_config = dict(training_config["optimizer_config"])
    name = str(optimizer_config.get("class_name", ""))
    if name.startswith("Custom>") and name not in (custom_objects or {}):
        optimizer_config["class_name"] = name.split(">", 1)[1]  # tf.keras' name for built-ins
    optimizer = optimizers.deserialize(optimizer_config, custom_objects=custom_objects)
    # A Sequential model's one output is named after its last layer, as in Keras 2.
    output_names = getattr(model, "output_names", None) or [model.layers[-1].name]
    model.compile(optimizer=optimizer,
                  loss=deserialize_keras_object(training_config.get("loss"), custom_objects),
                  metrics=_metrics(training_config.get("metrics"), output_names),
                  weighted_metrics=_metrics(training_config.get("weighted_metrics"),
                                            output_names),
                  loss_weights=training_config.get("loss_weights"))
    optimizer.build(model.trainable_weights)


def _metrics(spec, output_names: list[str]):
    """Keras 2 writes metrics per output (`[["mae"], ["accuracy"]]`) as wrapper configs
    named after the output (`score_mae`); this gives back what `compile` was passed."""
    if spec is None:
        return None
    if isinstance(spec, dict) and "class_name" not in spec:
        return {key: _metrics(value, [key]) for key, value in spec.items()}
    if isinstance(spec, list) and spec and all(isinstance(item, list) for item in spec):
        per_output = [[_metric(m, name) for m in item] for item, name in zip(spec, output_names)]
        return per_output[0] if len(per_output) == 1 else per_output
    items = spec if isinstance(spec, list) else [spec]
    return [_metric(m, output_names[0] if len(output_names) == 1 else None) for m in items]


def _metric(item, output_name: str | None):
    if isinstance(item, dict) and item.get("class_name") == "MeanMetricWrapper":
        name = item["config"].get("name") or item["config"].get("fn")
        prefix = f"{output_name}_"
        return name[len(prefix):] if output_name and name.startswith(prefix) else name
    if isinstance(item, dict):
        from lamina import metrics

        return metrics.deserialize(item)
    return item


def _load_optimizer_weights(model, group: h5py.Group, filepath) -> None:
    optimizer = model.optimizer
    values = _group_weights(group)
    variables = optimizer.variables
    if len(values) == len(variables) - 1 and len(variables) >= 2:
        # Keras 2 keeps no learning-rate variable: iterations, then the slots.
        values = [values[0], variables[1].detach().cpu().numpy()] + values[1:]
    if len(values) != len(variables):
        warnings.warn(f"Skipping loading the optimizer state from {os.fspath(filepath)!r}: "
                      f"optimizer '{optimizer.name}' has {len(variables)} variables but the file "
                      f"holds {len(values)}; training restarts with a fresh optimizer.",
                      stacklevel=3)
        return
    optimizer.set_weights(values)


# ----------------------------------------------------------------------------- Keras 2 configs
def _upgrade(config):
    """Keras 2 configs as lamina (and Keras 3) read them: removed arguments dropped."""
    if isinstance(config, list):
        return [_upgrade(item) for item in config]
    if not isinstance(config, dict):
        return config
    upgraded = {key: _upgrade(value) for key, value in config.items()}
    inner = upgraded.get("config")
    if "class_name" in upgraded and isinstance(inner, dict):
        axis = inner.get("axis")
        if isinstance(axis, list) and len(axis) == 1:  # Keras 2 normalization layers: [3]
            inner["axis"] = int(axis[0])
        for key, exact in _DROPPED_ARGUMENTS.items():
            if inner.get(key, exact) == exact:
                inner.pop(key, None)
        if upgraded["class_name"] == "Lambda" and isinstance(inner.get("function"), list):
            code, defaults, closure = inner["function"]
            inner["function"] = {"class_name": "__lambda__",
                                 "config": {"code": code, "defaults": defaults, "closure": closure}}
            for key in ("function_type", "module", "output_shape_type", "output_shape_module"):
                inner.pop(key, None)
    return upgraded


def _text(value) -> str:
    return value.decode("utf8") if isinstance(value, bytes) else str(value)
