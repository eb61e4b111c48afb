"""Keras 3's `.keras` format: a zip of `metadata.json`, `config.json` and `model.weights.h5`.

`model.weights.h5` holds each object's own variables at `<path>/vars/<index>`, where the
path follows the object tree as Keras names it (`layers/dense/vars/0`, `optimizer/vars/1`;
see `object_tree`). A `x.weights.h5` file has the same layout on its own. Layers with
assets (an adapted vocabulary) keep them under `assets/<path>/` in the archive.

Archive members are read by name into memory; nothing is extracted, except that a layer's
assets are handed to its `load_assets(folder)` hook in a private temporary folder.

Example:
    >>> import os, tempfile
    >>> model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2)])
    >>> path = os.path.join(tempfile.mkdtemp(), "tiny.keras")
    >>> save_model(model, path)
    >>> loaded = load_model(path)
    >>> bool(np.allclose(loaded.predict(np.ones((1, 3)), verbose=0),
    ...                  model.predict(np.ones((1, 3)), verbose=0)))
    True
"""
from __future__ import annotations

import datetime
import io
import json
import os
import tempfile
import warnings
import zipfile

import h5py
import numpy as np

from lamina.optimizers.base import Optimizer
from lamina.saving import object_tree
from lamina.saving.file_io import atomic_folder, atomic_write, open_h5, open_zip, read_member
from lamina.saving.object_registration import CustomObjectScope
from lamina.saving.serialization_lib import deserialize_keras_object, serialize_keras_object
from lamina.saving.sharded_weights import merged_shards, save_sharded_weights
from lamina.utils.errors import user_stacklevel

__all__ = ["load_model", "load_weights_only", "save_model", "save_weights_only"]

CONFIG_FILENAME = "config.json"
METADATA_FILENAME = "metadata.json"
WEIGHTS_FILENAME = "model.weights.h5"
ASSETS_DIRNAME = "assets"
# The Keras release whose file layout this module writes.
KERAS_VERSION = "3.15.1"


def save_model(model, filepath, overwrite: bool = True, zipped: bool = True) -> None:
    """Writes `model` (config, compile state, weights, optimizer state) to a `.keras` file, or
    with `zipped=False` the same members into a folder, as Keras does."""
    from lamina import __version__

    if not model.built:
        warnings.warn("You are saving a model that has not yet been built. It might not contain "
                      "any weights yet. Consider building the model first by calling it on some "
                      "data.", stacklevel=3)
    config_json = json.dumps(serialize_keras_object(model))
    metadata_json = json.dumps({"keras_version": KERAS_VERSION, "lamina_version": __version__,
                                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")})
    weights = _weights_bytes(model)

    def write(target) -> None:
        # Stored, not deflated, as Keras writes it: weights barely compress.
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(METADATA_FILENAME, metadata_json)
            archive.writestr(CONFIG_FILENAME, config_json)
            archive.writestr(WEIGHTS_FILENAME, weights)
            _save_assets(model, archive)

    if zipped:
        with atomic_write(filepath, overwrite) as temporary:
            write(temporary)
        return
    buffer = io.BytesIO()
    write(buffer)
    with atomic_folder(filepath, overwrite) as temporary, zipfile.ZipFile(buffer) as archive:
        archive.extractall(temporary)


def load_model(filepath, custom_objects: dict | None = None, compile: bool = True,
               safe_mode: bool = True):
    """Rebuilds the model saved in a `.keras` file (or Keras' unzipped folder of one), with its
    weights and optimizer state.

    `custom_objects` stay visible for the whole load, as in Keras: what a config nests (the
    optimizer's learning-rate schedule, the compiled loss) resolves through them too.
    """
    with open_zip(filepath) as archive, CustomObjectScope(custom_objects):
        config = _read_json(archive, CONFIG_FILENAME, filepath)
        if not compile:
            config["compile_config"] = None
        model = deserialize_keras_object(config, custom_objects, safe_mode=safe_mode)
        weights = read_member(archive, WEIGHTS_FILENAME, filepath)
        with open_h5(weights, f"{os.fspath(filepath)}:{WEIGHTS_FILENAME}") as h5file:
            load_weights_from_h5(model, h5file, filepath)
        _load_assets(model, archive)
    return model


def save_weights_only(model, filepath, overwrite: bool = True, max_shard_size=None) -> None:
    """Writes the weights (and optimizer state) in the `.weights.h5` layout, or spread over
    shards of at most `max_shard_size` GB beside a `.weights.json` index."""
    if not model.built:
        raise ValueError("You are saving a model that has not yet been built. Try building the "
                         "model first by calling it on some data or by using `build()`.")
    if max_shard_size is not None:
        save_sharded_weights(lambda h5file: write_weights_to_h5(model, h5file), filepath,
                             max_shard_size, overwrite)
        return
    with atomic_write(filepath, overwrite) as temporary, h5py.File(temporary, "w") as h5file:
        write_weights_to_h5(model, h5file)


def load_weights_only(model, filepath, skip_mismatch: bool = False) -> None:
    """Loads a `.weights.h5` file, a sharded `.weights.json` index, or the weights inside a
    `.keras` file, into `model`."""
    if not model.built:
        raise ValueError("You are loading weights into a model that has not yet been built. Try "
                         "building the model first by calling it on some data or by using "
                         "`build()`.")
    if os.fspath(filepath).endswith(".keras"):
        with open_zip(filepath) as archive:
            weights = open_h5(read_member(archive, WEIGHTS_FILENAME, filepath), filepath)
    elif os.fspath(filepath).endswith(".json"):
        weights = merged_shards(filepath)
    else:
        weights = open_h5(filepath, filepath)
    with weights as h5file:
        load_weights_from_h5(model, h5file, filepath, skip_mismatch=skip_mismatch,
                             build_optimizer=False)


# ------------------------------------------------------------------------------------ weights
def _weights_bytes(model) -> bytes:
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5file:
        write_weights_to_h5(model, h5file)
    return buffer.getvalue()


def write_weights_to_h5(model, h5file: h5py.File) -> None:
    """Each object's own variables at `<path>/vars/<index>`, with its name as an attribute."""
    for path, obj in object_tree.saveables(model):
        group = h5file.create_group(f"{path}/vars" if path else "vars")
        if isinstance(getattr(obj, "name", None), str):
            group.attrs["name"] = obj.name
        store: dict = {}
        obj.save_own_variables(store)
        for key, value in store.items():
            group.create_dataset(key, data=np.asarray(value))


def load_weights_from_h5(model, h5file: h5py.File, filepath, skip_mismatch: bool = False,
                         build_optimizer: bool = True) -> None:
    """Checks every object's variables against the file, then assigns them all.

    Nothing is assigned when a check fails, so a failed load leaves the model as it was.
    `build_optimizer=False` (`load_weights`, as Keras) leaves an optimizer that has not taken
    a step as it is, with Keras' warning, instead of building it to receive the saved state.
    Layers in the file that the model lacks are skipped with a warning (Keras skips them).

    Raises:
        ValueError: a layer's variable count or shapes differ from the file's, or the file
            holds variables for layers the model does not have (a different architecture).
    """
    plan, used = [], set()
    for path, obj in object_tree.saveables(model):
        key = f"{path}/vars" if path else "vars"
        stored = _stored_variables(h5file, key)
        if stored:
            used.add(key)
        problem = None if isinstance(obj, Optimizer) else _mismatch(obj, path, stored)
        if problem is None:
            plan.append((obj, stored))
        elif skip_mismatch:
            warnings.warn(f"Skipping loading weights for layer '{obj.name}': {problem}", stacklevel=3)
        else:
            raise ValueError(f"Cannot load weights from {os.fspath(filepath)!r} into model "
                             f"'{model.name}': {problem}{_file_holds(h5file)}")
    unused = [key for key in _variable_groups(h5file) if key not in used
              and not key.startswith("optimizer/")]
    if unused and not skip_mismatch:
        name = h5file[unused[0]].attrs.get("name", "?")
        more = f" (and {len(unused) - 1} more)" if len(unused) > 1 else ""
        warnings.warn(f"Loading weights from {os.fspath(filepath)!r} into model '{model.name}' "
                      f"skipped the weights of layer {name!r} at '{unused[0]}'{more}, which this "
                      f"model does not have: the file was saved from a larger or different "
                      f"model.{_file_holds(h5file)}", stacklevel=user_stacklevel())
    for obj, stored in plan:
        if isinstance(obj, Optimizer):
            _load_optimizer(obj, stored, model, build_optimizer)
        else:
            obj.load_own_variables(stored)


def _load_optimizer(optimizer: Optimizer, stored: dict, model, build: bool = True) -> None:
    if not stored:
        return  # no optimizer state in the file: keep the fresh one
    if not optimizer.built and not build:
        if len(stored) != len(optimizer.variables):
            warnings.warn(f"Skipping variable loading for optimizer '{optimizer.name}', because "
                          f"it has {len(optimizer.variables)} variables whereas the saved "
                          f"optimizer has {len(stored)} variables. ", stacklevel=user_stacklevel())
            return
    if not optimizer.built and len(stored) >= len(optimizer.variables):
        # Its slots are made on the first step; make them now to receive the saved ones
        # (plain SGD has none, but loading still needs a built optimizer).
        optimizer.build(model.trainable_weights)
    variables = optimizer.variables
    # An unbuilt twin holds only the step counter (and the learning-rate variable).
    head = len(type(optimizer).from_config(optimizer.get_config()).variables)
    if len(stored) == head < len(variables):
        # Saved before its first step: only the step counter and learning rate exist yet.
        optimizer.set_weights([stored[str(i)] for i in range(head)] + [
            v.detach().cpu().numpy() for v in variables[head:]])
        return
    optimizer.load_own_variables(stored)


def _stored_variables(h5file: h5py.File, key: str) -> dict:
    if key not in h5file:
        return {}
    group = h5file[key]
    return {name: group[name][()] for name in group if isinstance(group[name], h5py.Dataset)}


def _mismatch(layer, path: str, stored: dict) -> str | None:
    """Why `stored` cannot be this layer's own variables, or None."""
    expected: dict = {}
    layer.save_own_variables(expected)
    where = f"'{path}/vars'" if path else "the file's root"
    if len(stored) != len(expected):
        names = [getattr(w, "name", "?") for w in object_tree.own_weights(layer)]
        return (f"layer '{layer.name}' ({type(layer).__name__}) expects {len(expected)} variables "
                f"{names} at {where}, but the file has {len(stored)} there; the file was saved "
                f"from a different architecture (this is the first layer that differs).")
    for key, value in expected.items():
        if key not in stored:
            return f"layer '{layer.name}' expects a variable {key!r} at {where}, which the file lacks."
        if value is None:  # sized by the file (an unadapted layer's IDF weights)
            continue
        got = np.shape(stored[key])
        if tuple(np.shape(value)) != tuple(got):
            names = [getattr(w, "name", "?") for w in object_tree.own_weights(layer)]
            label = names[int(key)] if key.isdigit() and int(key) < len(names) else key
            return (f"layer '{layer.name}' weight {label!r} has shape {tuple(np.shape(value))}, but "
                    f"the file holds shape {tuple(got)} at '{path}/vars/{key}'.")
    return None


def _variable_groups(h5file: h5py.File) -> list[str]:
    """Paths of `vars` groups holding at least one variable, in file order."""
    found = []

    def visit(name, obj):
        if isinstance(obj, h5py.Group) and name.split("/")[-1] == "vars" and len(obj):
            found.append(name)

    h5file.visititems(visit)
    return found


def _file_holds(h5file: h5py.File) -> str:
    groups = [k for k in _variable_groups(h5file) if not k.startswith("optimizer/")]
    shown = ", ".join(f"{k[:-5] or '/'} ({h5file[k].attrs.get('name', '?')})" for k in groups[:12])
    more = f", ... ({len(groups)} in all)" if len(groups) > 12 else ""
    return f" The file holds weights for: {shown}{more}." if groups else " The file holds no weights."


# ------------------------------------------------------------------------------------- assets
def _save_assets(model, archive: zipfile.ZipFile) -> None:
    for path, obj in object_tree.saveables(model):
        if not hasattr(obj, "save_assets"):
            continue
        with tempfile.TemporaryDirectory() as folder:
            obj.save_assets(folder)
            for root, _, files in os.walk(folder):
                for name in sorted(files):
                    relative = os.path.relpath(os.path.join(root, name), folder).replace(os.sep, "/")
                    archive.write(os.path.join(root, name), "/".join(
                        p for p in (ASSETS_DIRNAME, path, relative) if p))


def _load_assets(model, archive: zipfile.ZipFile) -> None:
    members = archive.namelist()
    for path, obj in object_tree.saveables(model):
        if not hasattr(obj, "load_assets"):
            continue
        prefix = "/".join(p for p in (ASSETS_DIRNAME, path) if p) + "/"
        # Only this object's own files, each a plain name (no folders, no `..`).
        names = [m[len(prefix):] for m in members if m.startswith(prefix)]
        names = [n for n in names if n and "/" not in n and n not in (".", "..")]
        if not names:
            continue
        with tempfile.TemporaryDirectory() as folder:
            for name in names:
                with open(os.path.join(folder, name), "wb") as file:
                    file.write(archive.read(prefix + name))
            obj.load_assets(folder)


def _read_json(archive: zipfile.ZipFile, name: str, filepath) -> dict:
    text = read_member(archive, name, filepath)
    try:
        return json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"Could not read {os.fspath(filepath)!r}: its {name} is not valid JSON "
                         f"({error}). The file is corrupt; save it again.") from error
