"""fit / evaluate / predict: the epoch loop, read top to bottom.

`fit` -> prepare data once on the device -> for each epoch: batches -> `train_step` ->
callbacks -> validation -> epoch logs. Values are read from the device only at epoch ends
and when the progress bar draws. Batched sources (generators, DataLoaders, PyDatasets) run
through the same loop; their first batch builds the model and the engine.
"""
from __future__ import annotations

import warnings

import numpy as np
import torch

from lamina import backend, config
from lamina.callbacks import CallbackList
from lamina.callbacks.diagnose import with_diagnose
from lamina.engine.data import (ArrayData, check_validation_split, class_weights_to_samples,
                                pack_x_y_sample_weight, split_validation)
from lamina.engine.iterable_data import IterableData
from lamina.engine.sources import is_batch_source
from lamina.engine.step import Engine

__all__ = ["fit", "evaluate", "predict", "train_on_batch", "test_on_batch", "predict_on_batch"]

_DEFAULT_BATCH_SIZE = 32


def fit(model, x, y, *, batch_size, epochs, verbose, callbacks, validation_split, validation_data,
        shuffle, class_weight, sample_weight, initial_epoch, steps_per_epoch, validation_steps,
        validation_batch_size, validation_freq):
    _require_compiled(model, "fit")
    epochs, initial_epoch = _check_epochs(epochs, initial_epoch)
    steps_per_epoch = _steps_or_none(steps_per_epoch, "steps_per_epoch")
    validation_steps = _steps_or_none(validation_steps, "validation_steps")
    device = _model_device(model)
    data = _input_data(x, y, sample_weight, device, batch_size, "fit", class_weight=class_weight,
                       resume=True)
    batch_size = _batch_size_or_default(batch_size)
    verbose = _resolve_verbose(verbose)
    check_validation_split(validation_split)
    if validation_data is not None:
        val_data = _validation_data(validation_data, device)
    elif validation_split:
        data, val_data = split_validation(data, validation_split)
    else:
        val_data = None
    sample = _first_batch(data)
    _require_targets_for_loss(model, sample, "fit")
    _check_inputs(model, sample.x)
    engine = _engine(model, sample)
    engine.validate_targets(sample.y)
    if isinstance(val_data, ArrayData):
        _check_validation_targets(engine, val_data.y, sample.y, from_split=validation_data is None)
    if class_weight is not None and isinstance(data, ArrayData):
        data = data.with_sample_weight(class_weights_to_samples(class_weight, data.y, data.sample_weight))
    steps = steps_per_epoch or data.steps(batch_size)
    if verbose != 0 and config.is_diagnose_enabled():  # the verdict printed at the end of fit
        callbacks = with_diagnose(callbacks)
    callback_list = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=model,
                                 verbose=verbose, epochs=epochs, steps=steps)
    train_batch_hooks = callback_list.needs_batch_hooks_for("train")
    model.stop_training = False
    model._initial_epoch = None
    callback_list.on_train_begin()
    # A callback that restores a backup (BackupAndRestore) sets where training resumes, as in Keras.
    initial_epoch = model._initial_epoch or initial_epoch
    epoch_logs = {}
    train_step = _step_function(model, engine, "train_step")
    for epoch in range(initial_epoch, epochs):
        if data.exhausted:  # a generator that ran dry cannot feed another epoch
            data.warn_ran_out()
            break
        model.reset_metrics()
        callback_list.on_epoch_begin(epoch)
        step_logs = None
        for step, (x_batch, y_batch, sw_batch) in enumerate(data.batches(batch_size, shuffle,
                                                                         steps_per_epoch)):
            if train_batch_hooks:
                callback_list.on_train_batch_begin(step)
            step_logs = train_step(x_batch, y_batch, sw_batch)
            if train_batch_hooks:
                callback_list.on_train_batch_end(step, step_logs)
                if model.stop_training:
                    break
        if step_logs is None:  # a generator had no batch left for this epoch
            break
        epoch_logs = _materialize(step_logs)
        if val_data is not None and _should_validate(epoch, validation_freq):
            val_logs = _run_test_loop(engine, val_data, validation_batch_size or batch_size,
                                      validation_steps, callback_list)
            epoch_logs.update({f"val_{name}": value for name, value in val_logs.items()})
        callback_list.on_epoch_end(epoch, epoch_logs)
        if model.stop_training:
            break
    callback_list.on_train_end(epoch_logs)
    return model.history


def evaluate(model, x, y, *, batch_size, verbose, sample_weight, steps, callbacks, return_dict):
    _require_compiled(model, "evaluate")
    steps = _steps_or_none(steps, "steps")
    data = _input_data(x, y, sample_weight, _model_device(model), batch_size, "evaluate")
    batch_size = _batch_size_or_default(batch_size)
    verbose = _resolve_verbose(verbose)
    sample = _first_batch(data)
    _require_targets_for_loss(model, sample, "evaluate")
    _check_inputs(model, sample.x)
    engine = _engine(model, sample)
    engine.validate_targets(sample.y)
    callback_list = CallbackList(callbacks, add_progbar=verbose != 0, model=model, verbose=verbose,
                                 epochs=1, steps=steps or data.steps(batch_size))
    logs = _run_test_loop(engine, data, batch_size, steps, callback_list)
    if return_dict:
        return logs
    return _logs_in_metric_order(engine, logs)


def predict(model, x, *, batch_size, verbose, steps, callbacks):
    steps = _steps_or_none(steps, "steps")
    data = _input_data(x, None, None, _model_device(model), batch_size, "predict")
    batch_size = _batch_size_or_default(batch_size)
    verbose = _resolve_verbose(verbose)
    sample = _first_batch(data)
    _check_inputs(model, sample.x)
    engine = _engine(model, sample, need_targets=False)
    callback_list = CallbackList(callbacks, add_progbar=verbose != 0, model=model, verbose=verbose,
                                 epochs=1, steps=steps or data.steps(batch_size))
    batch_hooks = callback_list.needs_batch_hooks_for("predict")
    callback_list.on_predict_begin()
    batches = []
    from lamina.models.model import Model

    predict_step = engine.predict_step
    if type(model).predict_step is not Model.predict_step:
        predict_step = lambda x_batch: model.predict_step(x_batch)  # noqa: E731 (Keras' hook)
    for step, (x_batch, _, _) in enumerate(data.batches(batch_size, shuffle=False, steps=steps)):
        if batch_hooks:
            callback_list.on_predict_batch_begin(step)
        batches.append(predict_step(x_batch))
        if batch_hooks:
            callback_list.on_predict_batch_end(step, {"outputs": batches[-1]})
    callback_list.on_predict_end()
    return _concatenate_to_numpy(batches)


def train_on_batch(model, x, y, *, sample_weight, class_weight, return_dict):
    _require_compiled(model, "train_on_batch")
    data = _batch_data(x, y, sample_weight, model, "train_on_batch")
    engine = _engine(model, data)
    if class_weight is not None:
        data = data.with_sample_weight(class_weights_to_samples(class_weight, data.y, data.sample_weight))
    model.reset_metrics()  # the logs describe this batch alone, as in Keras
    logs = _materialize(_step_function(model, engine, "train_step")(*data.batch(0, data.size)))
    return logs if return_dict else _logs_in_metric_order(engine, logs)


def test_on_batch(model, x, y, *, sample_weight, return_dict):
    _require_compiled(model, "test_on_batch")
    data = _batch_data(x, y, sample_weight, model, "test_on_batch")
    engine = _engine(model, data)
    model.reset_metrics()
    logs = _materialize(_step_function(model, engine, "test_step")(*data.batch(0, data.size)))
    return logs if return_dict else _logs_in_metric_order(engine, logs)


def predict_on_batch(model, x):
    data = _batch_data(x, None, None, model, "predict_on_batch")
    engine = _engine(model, data, need_targets=False)
    return _concatenate_to_numpy([engine.predict_step(data.batch(0, data.size)[0])])


# ---------------------------------------------------------------------- loops
def _run_test_loop(engine: Engine, data, batch_size: int, steps, callback_list) -> dict:
    engine.model.reset_metrics()
    test_step = _step_function(engine.model, engine, "test_step")
    batch_hooks = callback_list.needs_batch_hooks_for("test")
    callback_list.on_test_begin()
    step_logs = None
    for step, (x_batch, y_batch, sw_batch) in enumerate(data.batches(batch_size, shuffle=False, steps=steps)):
        if batch_hooks:
            callback_list.on_test_batch_begin(step)
        step_logs = test_step(x_batch, y_batch, sw_batch)
        if batch_hooks:
            callback_list.on_test_batch_end(step, step_logs)
    if step_logs is None:  # a validation generator used up by an earlier epoch
        warnings.warn("`validation_data` yielded no batch: a generator can be iterated only once, so "
                      "this epoch has no val_ metrics. Pass a torch DataLoader or a "
                      "keras.utils.PyDataset (they restart), or a generator that loops forever "
                      "together with `validation_steps`.", stacklevel=4)
        step_logs = {}
    logs = _materialize(step_logs)
    callback_list.on_test_end(logs)
    return logs


def _step_function(model, engine: Engine, name: str):
    """The step the loop runs: the engine's own, or the model's override (Keras' custom
    `train_step(data)` / `test_step(data)`), which returns its logs."""
    from lamina.models.model import Model

    if getattr(type(model), name) is getattr(Model, name):
        engine_step = getattr(engine, name)

        def step(x, y, sample_weight):
            engine_step(x, y, sample_weight)
            return engine.lazy_logs()

        return step
    custom_step = getattr(model, name)
    return lambda x, y, sample_weight: custom_step(pack_x_y_sample_weight(x, y, sample_weight))


def _materialize(logs) -> dict:
    """Logs as Python floats, nested dicts flattened (one host read per value, at epoch end)."""
    flat = {}
    for name, value in dict(logs).items():
        if isinstance(value, dict):
            flat.update(_materialize(value))
        else:
            flat[name] = float(value.detach()) if isinstance(value, torch.Tensor) and value.numel() == 1 else value
    return flat


# ---------------------------------------------------------------------- setup
def _input_data(x, y, sample_weight, device, batch_size, method: str, class_weight=None,
                resume: bool = False):
    """`ArrayData` for arrays (moved to the device once), `IterableData` for batched sources.

    `resume`: fit's training data, whose epochs of `steps_per_epoch` batches continue one pass.
    """
    if is_batch_source(x):
        return IterableData.from_user(x, y, sample_weight, device=device, batch_size=batch_size,
                                      class_weight=class_weight, resume=resume)
    data = ArrayData.from_user(x, y, sample_weight, device=device, resume=resume)
    data.require_samples("x", method)
    return data


def _batch_data(x, y, sample_weight, model, method: str) -> ArrayData:
    data = ArrayData.from_user(x, y, sample_weight, device=_model_device(model))
    data.require_samples("x", method)
    return data


def _first_batch(data) -> ArrayData:
    """What builds the engine and is checked against the model: all the arrays, or one batch."""
    return data if isinstance(data, ArrayData) else data.first_batch()


def _engine(model, data: ArrayData, need_targets: bool = True) -> Engine:
    """The model's engine, built on first use from one batch (this also builds lazy layers)."""
    engine = getattr(model, "_engine", None)
    stale = engine is None or (need_targets and data.y is not None and not engine.knows_targets
                                and model.compiled_loss is not None)
    if stale:
        sample_x, sample_y, _ = data.batch(0, min(data.size, _DEFAULT_BATCH_SIZE))
        engine = Engine(model, sample_x, sample_y if need_targets else None)
        model._engine = engine
    else:
        engine.refresh_parameters()
    return engine


def _require_targets_for_loss(model, data: ArrayData, method: str) -> None:
    if data.y is None and model.compiled_loss is not None and model.compiled_loss.spec is not None:
        raise ValueError(f"{method}() needs targets for loss {model.loss!r}: pass `y` (the labels) "
                         f"along with `x`.")


def _require_compiled(model, method: str) -> None:
    if not getattr(model, "_compiled", False):
        raise ValueError(f"You must call `compile()` before calling `{method}()`, e.g. "
                         f"model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', "
                         f"metrics=['accuracy']).")


def _check_epochs(epochs, initial_epoch) -> tuple[int, int]:
    """Keras' epoch range, `range(initial_epoch, epochs)`, with whole numbers >= 0 only."""
    if not _is_integer(epochs) or epochs < 0:
        raise ValueError(f"Argument `epochs` must be an integer >= 0: the index of the epoch at which "
                         f"training stops, e.g. epochs=10. Received: epochs={epochs!r}")
    if not _is_integer(initial_epoch) or initial_epoch < 0:
        raise ValueError(f"Argument `initial_epoch` must be an integer >= 0: the epoch at which "
                         f"training starts (to resume an earlier run). Received: "
                         f"initial_epoch={initial_epoch!r}")
    if epochs <= initial_epoch:
        warnings.warn(f"fit(epochs={epochs}, initial_epoch={initial_epoch}) trains no epochs: as in "
                      f"Keras, training runs the epochs initial_epoch to epochs - 1 (`epochs` is the "
                      f"epoch to stop at, not a number of epochs to add). To train N more epochs, "
                      f"pass epochs=initial_epoch + N.", stacklevel=4)
    return int(epochs), int(initial_epoch)


def _steps_or_none(steps, argument: str) -> int | None:
    if steps is None:
        return None
    if not _is_integer(steps) or steps <= 0:
        raise ValueError(f"Argument `{argument}` must be a positive integer, or None for one pass "
                         f"over the data. Received: {argument}={steps!r}")
    return int(steps)


def _is_integer(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _batch_size_or_default(batch_size) -> int:
    if batch_size is None:
        return _DEFAULT_BATCH_SIZE
    if not _is_integer(batch_size) or batch_size <= 0:
        raise ValueError(f"Argument `batch_size` must be a positive integer. Received: "
                         f"batch_size={batch_size!r}")
    return int(batch_size)


def _resolve_verbose(verbose) -> int:
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2):
        raise ValueError(f"Argument `verbose` must be 'auto', 0, 1 or 2. Received: verbose={verbose!r}")
    return int(verbose)


def _model_device(model) -> torch.device:
    for parameter in model.parameters():
        return parameter.device
    return backend.get_device()


def _validation_data(validation_data, device):
    if is_batch_source(validation_data):
        return IterableData(validation_data, device, resume=False)
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        raise ValueError("Argument `validation_data` must be a tuple (x_val, y_val) or "
                         "(x_val, y_val, val_sample_weight), a generator, a torch DataLoader or a "
                         "keras.utils.PyDataset. Received: "
                         f"{type(validation_data).__name__} of length {len(validation_data) if hasattr(validation_data, '__len__') else '?'}")
    data = ArrayData.from_user(*validation_data, device=device)
    data.require_samples("validation_data", "fit")
    return data


def _check_validation_targets(engine: Engine, val_y, train_y, from_split: bool) -> None:
    """Validation targets meet the same check as the training targets, with the same message."""
    try:
        engine.validate_targets(val_y)
    except ValueError as error:
        if from_split:  # the held-out part of `y` itself: the message about `y` stands
            raise
        train_shape = (f" (the training targets `y` have shape {tuple(train_y.shape)})"
                       if isinstance(train_y, torch.Tensor) else "")
        raise ValueError(f"The targets in `validation_data` do not fit the loss{train_shape}: {error} "
                         f"Give `validation_data` targets encoded as the training targets are.") from None


def _should_validate(epoch: int, validation_freq) -> bool:
    if isinstance(validation_freq, int):
        return (epoch + 1) % validation_freq == 0
    return (epoch + 1) in validation_freq


def _check_inputs(model, x) -> None:
    """Compares the data's shape to a model's declared input shape, before any step runs."""
    expected = getattr(model, "_declared_input_shape", lambda: None)()
    if expected is None or not isinstance(x, torch.Tensor):
        return
    received = tuple(x.shape)
    compatible = len(received) == len(expected) and all(
        e is None or e == r for e, r in zip(expected[1:], received[1:]))
    if compatible:
        return
    message = (f"Input of model '{model.name}' is incompatible: expected shape "
               f"{tuple(expected)}, but received x with shape {received}.")
    if received == tuple(expected[1:]) and len(received) > 1 and received[0] > 1:
        message += (f" The model's input_shape {tuple(expected[1:])} includes the batch axis (the "
                    f"number of samples, {received[0]}): give the shape of one sample instead, "
                    f"input_shape={tuple(received[1:])} — that is `x_train.shape[1:]`, not "
                    f"`x_train.shape`.")
    elif received == tuple(expected[1:]):
        message += (" That looks like a single sample: add the batch axis, e.g. "
                    "x.reshape(1, *x.shape) or x[None].")
    elif (explanation := _layer_explanation(model, received)) is not None:
        message += f" {explanation}"
    elif len(received) == len(expected) + 1 or len(received) + 1 == len(expected):
        message += " Reshape the data to match, or change the model's input_shape."
    raise ValueError(message)


def _layer_explanation(model, shape: tuple) -> str | None:
    """What the layer that cannot take inputs of `shape` says (Dense: "add `Flatten(...)`").

    The model runs on a meta tensor: shapes only, nothing computed or allocated.
    """
    try:
        with torch.no_grad():
            model(torch.empty(shape, device="meta"), training=False)
    except ValueError as error:
        return str(error)
    except Exception:  # noqa: BLE001 (a layer that cannot run on meta tensors has nothing to add)
        return None
    return None


def _logs_in_metric_order(engine: Engine, logs: dict):
    names = [metric.name for metric in engine.model.metrics if metric.name in logs]
    names += [name for name in logs if name not in names]
    values = [logs[name] for name in names]
    return values[0] if len(values) == 1 else values


def _concatenate_to_numpy(batches):
    first = batches[0]
    if isinstance(first, torch.Tensor):
        return _to_float32_numpy(torch.cat(batches))
    if isinstance(first, dict):
        return {k: _to_float32_numpy(torch.cat([b[k] for b in batches])) for k in first}
    return [_to_float32_numpy(torch.cat([b[i] for b in batches])) for i in range(len(first))]


def _to_float32_numpy(tensor: torch.Tensor) -> np.ndarray:
    array = tensor.detach().cpu().numpy()
    return array.astype(np.float32, copy=False) if array.dtype == np.float64 else array
