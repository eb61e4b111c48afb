"""`TensorBoard`: write training logs as TensorBoard event files (`torch.utils.tensorboard`).

The layout is Keras': `<log_dir>/train` and `<log_dir>/validation`, scalars named
`epoch_<metric>` (step = the 0-based epoch) and, with `update_freq`, `batch_<metric>` (step =
the 1-based count of training batches), `evaluation_<metric>_vs_iterations` after each
evaluation, and weight histograms `<weight path>/histogram`. `profile_batch` records the
chosen training batches with `torch.profiler` into `<log_dir>/train/plugins/profile`, a Chrome
trace that TensorBoard's PyTorch profiler plugin (`pip install torch-tb-profiler`) and
chrome://tracing open.
"""
from __future__ import annotations

import os
import time
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from lamina.callbacks.base import Callback, check_mode

__all__ = ["TensorBoard"]


def summary_writer_class() -> type:
    """torch's `SummaryWriter`, or an ImportError saying how to install `tensorboard`."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError as error:
        raise ImportError(
            "The TensorBoard callback writes event files with the `tensorboard` package, which "
            "is not installed. Install it with `pip install lamina[tensorboard]` (or `pip "
            "install tensorboard`)."
        ) from error
    return SummaryWriter


def _check_profile_batch(profile_batch: Any) -> tuple[int, int]:
    """(start, stop) training batches to profile, 1-based; (0, 0) profiles none."""
    message = ("profile_batch must be a non-negative integer or 2-tuple of positive integers. "
               "A pair of positive integers signifies a range of batches to profile. "
               f"Found: {profile_batch}")
    if isinstance(profile_batch, str):  # Keras' legacy "start,stop" form
        try:
            profile_batch = [int(part) for part in profile_batch.split(",")]
        except ValueError:
            raise ValueError(message) from None
        if len(profile_batch) == 1:
            profile_batch = profile_batch[0]
    if isinstance(profile_batch, int) and not isinstance(profile_batch, bool):
        start = stop = profile_batch
    elif isinstance(profile_batch, (tuple, list)) and len(profile_batch) == 2:
        start, stop = profile_batch
    else:
        raise ValueError(message)
    if start < 0 or stop < start:
        raise ValueError(message)
    return start, stop


def _check_update_freq(update_freq: Any) -> str | int:
    """'epoch', or a number of batches ('batch' is 1)."""
    if update_freq == "batch":
        return 1
    is_count = isinstance(update_freq, int) and not isinstance(update_freq, bool)
    if update_freq != "epoch" and not (is_count and update_freq >= 1):
        raise ValueError(
            "Argument `update_freq` must be 'epoch', 'batch' or a number of batches >= 1. "
            f"Received: update_freq={update_freq!r}"
        )
    return update_freq


class TensorBoard(Callback):
    """Writes scalars, histograms and the model graph for TensorBoard.

    Run `tensorboard --logdir logs` and open the address it prints. Needs the
    `tensorboard` package (`pip install lamina[tensorboard]`).

    Args:
        log_dir: Folder of the event files (one per run and subfolder).
        histogram_freq: Every this many epochs, histograms of every weight (0: none).
        write_graph: Write the model's graph, traced by `torch.jit.trace` (skipped
            when the model cannot be traced).
        write_images: With `histogram_freq`, also write the weights as images.
        write_steps_per_second: Log training steps per second.
        update_freq: 'epoch', 'batch', or a number of batches between batch-level
            scalars.
        profile_batch: The training batch to profile (1-based, 0: none), or a pair
            `(start, stop)` of batches, or the string "start,stop".
        embeddings_freq: Every this many epochs, write `Embedding` layers' matrices
            for TensorBoard's projector (0: none).
        embeddings_metadata: A file of labels (one per line) for every embedding,
            or a dict from `Embedding` layer names to such files.

    Example:
        >>> board = TensorBoard(log_dir="logs", update_freq="batch")
        >>> board.update_freq
        1
    """

    _reads_lazy_batch_logs = True  # reads a batch's logs when called, keeps none

    def __init__(
        self,
        log_dir: str | os.PathLike = "logs",
        histogram_freq: int = 0,
        write_graph: bool = True,
        write_images: bool = False,
        write_steps_per_second: bool = False,
        update_freq: str | int = "epoch",
        profile_batch: int | tuple[int, int] | str = 0,
        embeddings_freq: int = 0,
        embeddings_metadata: str | dict | None = None,
    ) -> None:
        super().__init__()
        self._writer_class = summary_writer_class()
        self._start_batch, self._stop_batch = _check_profile_batch(profile_batch)
        self._profiler = None
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = _check_update_freq(update_freq)
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._writers: dict = {}
        self._global_train_batch = 0
        self._global_test_batch = 0
        self._previous_epoch_iterations = 0
        self._epoch_start_time = 0.0
        self._batch_start_time = 0.0

    # ------------------------------------------------------------------ writers
    def _writer(self, kind: str) -> Any:
        """The SummaryWriter of `kind` ('train' or 'validation'), made on first use."""
        if kind not in self._writers:
            self._writers[kind] = self._writer_class(os.path.join(self.log_dir, kind))
        return self._writers[kind]

    def _close_writers(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    def needs_batch_hooks_for(self, mode: str) -> bool:
        """Batch hooks only for batch-level scalars (`update_freq` a number) or profiling."""
        check_mode(mode)
        return mode == "train" and (self.update_freq != "epoch" or self._stop_batch > 0)

    def state_dict(self) -> dict:
        """What `BackupAndRestore` keeps: the batch counters (the steps of batch scalars)."""
        return {"global_train_batch": self._global_train_batch,
                "global_test_batch": self._global_test_batch}

    def load_state_dict(self, state: Mapping) -> None:
        """Restores what `state_dict` returned."""
        self._global_train_batch = state["global_train_batch"]
        self._global_test_batch = state["global_test_batch"]

    # -------------------------------------------------------------------- hooks
    def on_train_begin(self, logs: Mapping | None = None) -> None:
        self._global_train_batch = 0
        self._previous_epoch_iterations = 0
        if self.write_graph:
            self._write_graph()

    def on_train_end(self, logs: Mapping | None = None) -> None:
        self._stop_profiler()
        self._close_writers()

    def on_train_batch_begin(self, batch: int, logs: Mapping | None = None) -> None:
        self._global_train_batch += 1
        if self.write_steps_per_second:
            self._batch_start_time = time.time()
        if self._start_batch and self._global_train_batch == self._start_batch:
            self._start_profiler()

    def on_train_batch_end(self, batch: int, logs: Mapping | None = None) -> None:
        if self._profiler is not None and self._global_train_batch >= self._stop_batch:
            self._stop_profiler()
        if self.update_freq == "epoch" or self._global_train_batch % self.update_freq:
            return
        writer, step = self._writer("train"), self._global_train_batch
        if self.write_steps_per_second:
            elapsed = max(time.time() - self._batch_start_time, 1e-9)
            writer.add_scalar("batch_steps_per_second", 1.0 / elapsed, step)
        for name, value in (logs or {}).items():
            writer.add_scalar(f"batch_{name}", float(value), step)

    def on_test_batch_begin(self, batch: int, logs: Mapping | None = None) -> None:
        self._global_test_batch += 1

    def on_test_end(self, logs: Mapping | None = None) -> None:
        iterations = getattr(getattr(self.model, "optimizer", None), "iterations", None)
        if iterations is None:
            return
        writer = self._writer("validation")
        for name, value in (logs or {}).items():
            writer.add_scalar(f"evaluation_{name}_vs_iterations", float(value), int(iterations))
        writer.flush()

    def on_epoch_begin(self, epoch: int, logs: Mapping | None = None) -> None:
        if self.write_steps_per_second:
            self._previous_epoch_iterations = int(self.model.optimizer.iterations)
            self._epoch_start_time = time.time()

    def on_epoch_end(self, epoch: int, logs: Mapping | None = None) -> None:
        self._log_epoch_metrics(epoch, logs or {})
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self._log_embeddings(epoch)
        for writer in self._writers.values():
            writer.flush()

    # ---------------------------------------------------------------- profiling
    def _start_profiler(self) -> None:
        activities = [torch.profiler.ProfilerActivity.CPU]
        if torch.cuda.is_available():
            activities.append(torch.profiler.ProfilerActivity.CUDA)
        trace_dir = os.path.join(self.log_dir, "train", "plugins", "profile")
        self._profiler = torch.profiler.profile(
            activities=activities, record_shapes=True,
            on_trace_ready=torch.profiler.tensorboard_trace_handler(trace_dir))
        self._profiler.start()

    def _stop_profiler(self) -> None:
        """Ends a running profile and writes its trace (also when `fit` ends inside it)."""
        if self._profiler is not None:
            profiler, self._profiler = self._profiler, None
            profiler.stop()

    # ------------------------------------------------------------------ content
    def _log_epoch_metrics(self, epoch: int, logs: Mapping) -> None:
        train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val_logs = {k[len("val_"):]: v for k, v in logs.items() if k.startswith("val_")}
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "learning_rate"):
            train_logs["learning_rate"] = float(optimizer.learning_rate)
        if self.write_steps_per_second:
            elapsed = max(time.time() - self._epoch_start_time, 1e-9)
            steps = int(optimizer.iterations) - self._previous_epoch_iterations
            train_logs["steps_per_second"] = steps / elapsed
        for kind, kind_logs in (("train", train_logs), ("validation", val_logs)):
            if kind_logs:
                writer = self._writer(kind)
                for name, value in kind_logs.items():
                    writer.add_scalar(f"epoch_{name}", float(value), epoch)

    def _log_weights(self, epoch: int) -> None:
        writer = self._writer("train")
        for layer in self.model.layers:
            for weight in layer.weights:
                name = weight.path.replace(":", "_")
                values = weight.detach().cpu().numpy()
                writer.add_histogram(f"{name}/histogram", values, epoch)
                if self.write_images:
                    image = _weight_image(values)
                    if image is not None:
                        writer.add_images(f"{name}/image", image, epoch, dataformats="NHWC")

    def _log_embeddings(self, epoch: int) -> None:
        from lamina.layers import Embedding

        metadata = self.embeddings_metadata
        layers = [layer for layer in self.model.layers if isinstance(layer, Embedding)]
        if isinstance(metadata, Mapping):
            unknown = set(metadata) - {layer.name for layer in layers}
            if unknown:
                raise ValueError(
                    "Unrecognized `Embedding` layer names passed to `keras.callbacks.TensorBoard` "
                    f"`embeddings_metadata` argument: {sorted(unknown)}. The model's Embedding "
                    f"layers are: {[layer.name for layer in layers]}."
                )
        for layer in layers:
            path = metadata.get(layer.name) if isinstance(metadata, Mapping) else metadata
            labels = None
            if path is not None:
                with open(path, encoding="utf-8") as file:
                    labels = file.read().splitlines()
            self._writer("train").add_embedding(
                layer.embeddings.detach().cpu(), metadata=labels, tag=layer.name,
                global_step=epoch)

    def _write_graph(self) -> None:
        """The traced graph, or nothing (quietly) when the model cannot be traced."""
        example = _example_inputs(self.model)
        if example is None:
            return
        model, was_training = self.model, self.model.training
        try:
            model.eval()
            with warnings.catch_warnings(), torch.no_grad():
                warnings.simplefilter("ignore")
                traced = torch.jit.trace(model, example, check_trace=False)
                self._writer("train").add_graph(traced, example)
        except Exception:  # noqa: BLE001 - a graph is a nicety: many models cannot be traced
            return
        finally:
            model.train(was_training)


def _example_inputs(model: Any) -> Any:
    """Zeros shaped like the model's inputs (batch of 1), or None when a shape is unknown."""
    inputs = getattr(model, "inputs", None)
    if not inputs:
        return None
    try:
        device = next(model.parameters()).device
    except StopIteration:
        device = torch.device("cpu")
    examples = []
    for symbolic in inputs:
        shape = tuple(symbolic.shape)[1:]
        if any(size is None for size in shape):
            return None
        examples.append(torch.zeros((1, *shape), dtype=getattr(torch, str(symbolic.dtype)),
                                    device=device))
    return examples[0] if len(examples) == 1 else tuple(examples)


def _weight_image(values: np.ndarray) -> np.ndarray | None:
    """A weight as an NHWC image batch, as Keras lays it out, or None."""
    image = np.squeeze(values)
    if image.ndim == 1:
        image = image.reshape(1, image.shape[0], 1, 1)
    elif image.ndim == 2:
        if image.shape[0] > image.shape[1]:
            image = image.T
        image = image.reshape(1, image.shape[0], image.shape[1], 1)
    elif image.ndim == 3:
        image = np.transpose(image, (2, 0, 1))[..., None]
    return image if image.ndim == 4 and image.shape[-1] in (1, 3, 4) else None
