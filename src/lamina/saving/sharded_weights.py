"""Keras' sharded weights: a `.weights.json` index beside `<name>_00000.weights.h5` shards.

`save_weights("model.weights.json", max_shard_size=GB)` spreads the `.weights.h5` layout over
shard files of at most `max_shard_size` gigabytes; the index maps each variable group
(`/layers/dense/vars`) to the shards that hold its variables, as Keras 3 writes it, so either
library loads the other's files.

Example:
    >>> import os, tempfile
    >>> model = lamina.Sequential([lamina.Input((10,)), lamina.layers.Dense(10),
    ...                            lamina.layers.Dense(10)])
    >>> folder = tempfile.mkdtemp()
    >>> model.save_weights(os.path.join(folder, "m.weights.json"), max_shard_size=5e-7)
    >>> sorted(os.listdir(folder))
    ['m.weights.json', 'm_00000.weights.h5', 'm_00001.weights.h5']
    >>> model.load_weights(os.path.join(folder, "m.weights.json"))
"""
from __future__ import annotations

import contextlib
import io
import json
import os

import h5py

from lamina.saving.file_io import atomic_write, open_h5
from lamina.utils.errors import MissingFileError

__all__ = ["merged_shards", "save_sharded_weights"]

_GIGABYTE = 1024 ** 3


def save_sharded_weights(write_weights, filepath, max_shard_size, overwrite: bool = True) -> None:
    """Writes what `write_weights(h5file)` writes as shards of at most `max_shard_size` GB,
    indexed by `filepath` (a `.weights.json` name, which `saving_api.save_weights` checks).

    Raises:
        ValueError: one variable is larger than a shard.
    """
    path = os.fspath(filepath)
    limit = float(max_shard_size) * _GIGABYTE
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5file:
        write_weights(h5file)
        shards = _split(h5file, limit)
        folder, stem = os.path.dirname(path), _base_name(path)
        names = [f"{stem}_{index:05}.weights.h5" for index in range(len(shards))]
        weight_map: dict = {}
        total = 0
        for name, shard in zip(names, shards):
            with atomic_write(os.path.join(folder, name), overwrite) as temporary, \
                    h5py.File(temporary, "w") as target:
                for group_path, keys in shard:
                    source = h5file[group_path]
                    group = target.require_group(group_path)
                    group.attrs.update(source.attrs)
                    for key in keys:
                        source.copy(key, group)
                        total += source[key].nbytes
                    weight_map.setdefault(f"/{group_path}", []).append(name)
    index = {"metadata": {"total_size": float(total)}, "weight_map": weight_map}
    with atomic_write(path, overwrite) as temporary, open(temporary, "w") as handle:
        json.dump(index, handle, indent=4)


def _split(h5file: h5py.File, limit: float) -> list[list[tuple[str, list[str]]]]:
    """Shards as lists of (group path, variable keys), filled in file order as Keras does."""
    shards: list = [[]]
    size = 0.0
    for group_path in _variable_groups(h5file):
        group = h5file[group_path]
        for key in sorted(group, key=_numeric_first):
            nbytes = group[key].nbytes
            if nbytes > limit:
                raise ValueError(f"The size of {group_path}/{key} is {nbytes} bytes, which "
                                 f"exceeds the maximum shard size of {int(limit)} bytes. "
                                 f"Increase `max_shard_size` to fit it.")
            if size + nbytes > limit and shards[-1]:
                shards.append([])
                size = 0.0
            size += nbytes
            if not shards[-1] or shards[-1][-1][0] != group_path:
                shards[-1].append((group_path, []))
            shards[-1][-1][1].append(key)
    return [shard for shard in shards if shard]


def _variable_groups(h5file: h5py.File) -> list[str]:
    """Paths of the `vars` groups that hold variables, in the order they were written."""
    found: list[str] = []

    def visit(name, item):
        if isinstance(item, h5py.Group) and name.split("/")[-1] == "vars" and len(item):
            found.append(name)

    h5file.visititems(visit)
    return found


def _numeric_first(key: str):
    return (0, int(key), "") if key.isdigit() else (1, 0, key)


def _base_name(path: str) -> str:
    name = os.path.basename(path)[: -len(".json")]
    return name[: -len(".weights")] if name.endswith(".weights") else name


@contextlib.contextmanager
def merged_shards(filepath):
    """The shards a `.weights.json` index names, merged into one in-memory HDF5 file.

    Raises:
        MissingFileError: the index or a shard it names is missing.
        ValueError: the index is not Keras' sharding index.
    """
    path = os.fspath(filepath)
    if not os.path.exists(path):
        raise MissingFileError(f"No file or directory found at {path!r}.")
    with open(path) as handle:
        try:
            weight_map = json.load(handle)["weight_map"]
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise ValueError(f"{path!r} is not a sharded-weights index (Keras' `.weights.json` "
                             f"with a 'weight_map'): {error!r}") from None
    folder = os.path.dirname(path)
    names = dict.fromkeys(name for names in weight_map.values()
                          for name in ([names] if isinstance(names, str) else names))
    merged = h5py.File(io.BytesIO(), "w")
    try:
        for name in names:
            shard_path = os.path.join(folder, name)
            with open_h5(shard_path, shard_path) as shard:
                shard.visititems(lambda key, item: _merge(item, merged, key))
        yield merged
    finally:
        merged.close()


def _merge(item, merged: h5py.File, key: str) -> None:
    if isinstance(item, h5py.Group):
        merged.require_group(key).attrs.update(item.attrs)
    elif key not in merged:
        item.file.copy(item, merged, name=key)
