"""`BackupAndRestore`: resume an interrupted `fit` where its last backup left off.

The backup folder holds Keras 3's two files, `latest.weights.h5` (weights and optimizer
state) and `training_metadata.json` (`{"epoch": ..., "batch": ...}`), and one more,
`training_state.npz`: the random generators (torch, NumPy, Python, the model's own) and the
state of the other callbacks that keep some (`state_dict` / `load_state_dict`: EarlyStopping,
ReduceLROnPlateau, ModelCheckpoint, TensorBoard), so a resumed run draws the same
shuffles and dropout masks and stops at the same epoch as one that was never interrupted.
The History is not restored: as in Keras, a resumed `fit` returns the epochs it ran.
"""
from __future__ import annotations

import json
import os
import random
import shutil
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from lamina.callbacks.base import Callback, check_mode, save_due_on_batch

__all__ = ["BackupAndRestore"]


class BackupAndRestore(Callback):
    """Backs up the training state at each epoch end (or every few batches) and restores it.

    When `fit` starts and the backup folder holds a backup, the weights, the
    optimizer state, the random generators and the other callbacks' state are
    restored and training resumes at the epoch after the last backed-up one
    (a batch-level backup resumes at the start of its epoch, as in Keras).
    When `fit` ends normally the folder is deleted (`delete_checkpoint`).

    Args:
        backup_dir: Folder of the backup; use it for one training run only.
        save_freq: 'epoch', or a number of training batches between backups.
        double_checkpoint: Keep the previous backup too (`*.bkp`), used when
            the latest one cannot be read.
        delete_checkpoint: Delete the folder when training ends.

    Example:
        >>> backup = BackupAndRestore("/tmp/backup", save_freq=100)
        >>> backup.delete_checkpoint
        True
    """

    _reads_lazy_batch_logs = True  # reads a batch's logs when called, keeps none

    def __init__(
        self,
        backup_dir: str | os.PathLike,
        save_freq: str | int = "epoch",
        double_checkpoint: bool = False,
        delete_checkpoint: bool = True,
    ) -> None:
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        is_count = isinstance(save_freq, int) and not isinstance(save_freq, bool)
        if save_freq != "epoch" and not (is_count and save_freq >= 1):
            raise ValueError(
                f"Invalid value for argument `save_freq`. Received: save_freq={save_freq}. "
                "Expected either 'epoch' or an integer value (a number of batches >= 1)."
            )
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.h5")
        self._training_metadata_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._training_state_path = os.path.join(self.backup_dir, "training_state.npz")
        self._sibling_callbacks: list = []
        self._pending_state = None
        self._reset_counters()

    def _reset_counters(self) -> None:
        self._current_epoch = 0
        self._last_batch_seen = 0
        self._batches_seen_since_last_saving = 0

    def _set_sibling_callbacks(self, callbacks: list) -> None:
        """Called by `CallbackList`: the callbacks whose state is backed up with the model."""
        self._sibling_callbacks = [callback for callback in callbacks if callback is not self]

    def needs_batch_hooks_for(self, mode: str) -> bool:
        """Batch hooks only for batch-level backups (`save_freq` a number)."""
        check_mode(mode)
        return mode == "train" and self.save_freq != "epoch"

    # ------------------------------------------------------------------ restore
    def on_train_begin(self, logs: Mapping | None = None) -> None:
        self._reset_counters()
        self._pending_state = None
        try:
            self._load_backup()
        except (OSError, ValueError, KeyError):
            if not os.path.exists(self._weights_path + ".bkp"):
                raise
            for path in self._backup_paths():  # the latest backup is unreadable: use the one before
                if os.path.exists(path + ".bkp"):
                    _copy(path + ".bkp", path)
                elif os.path.exists(path):
                    os.remove(path)
            self._load_backup()

    def _load_backup(self) -> None:
        """Loads weights and optimizer state now; the rest once all callbacks have begun."""
        if not self.model.built:
            raise ValueError(
                "To use the BackupAndRestore callback, your model must be built before you call "
                f"`fit()`. Model {self.model} is unbuilt. You can build it beforehand by calling "
                "it on a batch of data."
            )
        if os.path.exists(self._weights_path):
            optimizer = getattr(self.model, "optimizer", None)
            if optimizer is not None and not optimizer.built:
                optimizer.build(self.model.trainable_variables)
            self.model.load_weights(self._weights_path)
        if not os.path.exists(self._training_metadata_path):
            return
        with open(self._training_metadata_path, encoding="utf-8") as file:
            metadata = json.load(file)
        arrays = {}
        if os.path.exists(self._training_state_path):
            with np.load(self._training_state_path, allow_pickle=False) as stored:
                arrays = {name: stored[name] for name in stored.files}
        self.model._initial_epoch = metadata["epoch"]
        self._current_epoch = metadata["epoch"]
        self._pending_state = _decode(metadata.get("state", {}), arrays)

    def _after_train_begin(self, logs: Mapping | None = None) -> None:
        """Called by `CallbackList` once every callback's on_train_begin has reset its state."""
        if self._pending_state is not None:
            _set_rng_state(self.model, self._pending_state.get("rng", {}))
            _load_callback_states(self._sibling_callbacks,
                                  self._pending_state.get("callbacks", {}))
            self._pending_state = None

    # ------------------------------------------------------------------- backup
    def on_epoch_begin(self, epoch: int, logs: Mapping | None = None) -> None:
        self._current_epoch = epoch

    def on_epoch_end(self, epoch: int, logs: Mapping | None = None) -> None:
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0

    def _after_epoch_end(self, epoch: int, logs: Mapping | None = None) -> None:
        """Called by `CallbackList` once every callback has seen the epoch's end."""
        if self.save_freq == "epoch":
            self._save_backup()

    def on_train_batch_end(self, batch: int, logs: Mapping | None = None) -> None:
        if self._should_save_on_batch(batch):
            self._save_backup()

    def _should_save_on_batch(self, batch: int) -> bool:
        if self.save_freq == "epoch":
            return False
        return save_due_on_batch(self, batch)

    def _save_backup(self) -> None:
        """Writes weights, then the state arrays, then the metadata (each file atomically)."""
        from lamina.saving.file_io import atomic_write

        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint:
            for path in self._backup_paths():
                if os.path.exists(path):
                    _copy(path, path + ".bkp")
        self.model.save_weights(self._weights_path, overwrite=True)
        arrays: dict = {}
        state = _encode({"rng": _get_rng_state(self.model),
                         "callbacks": _callback_states(self._sibling_callbacks)}, arrays)
        with atomic_write(self._training_state_path) as temporary, open(temporary, "wb") as file:
            np.savez(file, **arrays)
        metadata = {"epoch": self._current_epoch, "batch": self._last_batch_seen, "state": state}
        with atomic_write(self._training_metadata_path) as temporary, \
                open(temporary, "w", encoding="utf-8") as file:
            json.dump(metadata, file)

    def _backup_paths(self) -> tuple:
        return self._weights_path, self._training_state_path, self._training_metadata_path

    def on_train_end(self, logs: Mapping | None = None) -> None:
        if self.delete_checkpoint and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)


def _copy(source: str, target: str) -> None:
    from lamina.saving.file_io import atomic_write

    with atomic_write(target) as temporary:
        shutil.copyfile(source, temporary)


# ------------------------------------------------------------ callback states
def _stateful(callbacks: list) -> dict:
    """Callbacks that keep state, keyed by class name and rank among that class."""
    keyed, counts = {}, {}
    for callback in callbacks:
        if not callable(getattr(callback, "state_dict", None)):
            continue
        name = type(callback).__name__
        keyed[f"{name}/{counts.get(name, 0)}"] = callback
        counts[name] = counts.get(name, 0) + 1
    return keyed


def _callback_states(callbacks: list) -> dict:
    return {key: callback.state_dict() for key, callback in _stateful(callbacks).items()}


def _load_callback_states(callbacks: list, states: Mapping) -> None:
    for key, callback in _stateful(callbacks).items():
        if key in states:
            callback.load_state_dict(states[key])


# ------------------------------------------------------------- random state
def _model_generators(model: Any):
    """(name, generator) for the SeedGenerators and torch Generators held by the model's layers."""
    from lamina.random import SeedGenerator

    for module_name, module in model.named_modules():
        for attribute, value in vars(module).items():
            if isinstance(value, (SeedGenerator, torch.Generator)):
                yield f"{module_name}/{attribute}", value


def _get_rng_state(model: Any) -> dict:
    numpy_state = np.random.get_state()
    python_version, python_internal, python_gauss = random.getstate()
    state = {
        "torch": torch.get_rng_state().numpy(),
        "numpy": [numpy_state[0], numpy_state[1], *map(_scalar, numpy_state[2:])],
        "python": [python_version, np.array(python_internal, dtype=np.int64), python_gauss],
        "model": {},
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = [s.numpy() for s in torch.cuda.get_rng_state_all()]
    for name, generator in _model_generators(model):
        if isinstance(generator, torch.Generator):
            state["model"][name] = generator.get_state().numpy()
        else:
            state["model"][name] = generator.counter
    return state


def _set_rng_state(model: Any, state: Mapping) -> None:
    if not state:
        return
    torch.set_rng_state(torch.from_numpy(state["torch"]))
    name, keys, position, has_gauss, cached = state["numpy"]
    np.random.set_state((name, keys, position, has_gauss, cached))
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(int(v) for v in internal), gauss))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([torch.from_numpy(s) for s in state["cuda"]])
    saved = state.get("model", {})
    for name, generator in _model_generators(model):
        if name not in saved:
            continue
        if isinstance(generator, torch.Generator):
            generator.set_state(torch.from_numpy(saved[name]))
        else:
            generator.counter = int(saved[name])


# ------------------------------------------------- JSON with arrays beside it
def _scalar(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _encode(value: Any, arrays: dict) -> Any:
    """JSON-ready `value`: arrays move to `arrays` and leave a reference behind."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        name = f"array_{len(arrays)}"
        arrays[name] = value
        return {"__array__": name}
    if isinstance(value, Mapping):
        return {str(key): _encode(item, arrays) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(item, arrays) for item in value]
    return _scalar(value)


def _decode(value: Any, arrays: Mapping) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__array__"}:
            return arrays[value["__array__"]]
        return {key: _decode(item, arrays) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item, arrays) for item in value]
    return value
