"""`CompiledRun`: what `compile` configured, and how the steps of a fit are run.

One object per compiled model owns the compile state — the optimizer, the loss over the
outputs, the metric specs and Keras' flags (`run_eagerly`, `jit_compile`,
`steps_per_execution`, `auto_scale_loss`) — and `make_train_function` /
`make_test_function` / `make_predict_function`, the single home of `torch.compile`, CUDA-graph
capture and `steps_per_execution`. A train function takes the group of batches one execution
runs (`EpochIterator` yields them) and returns the logs of its last step.

How a step runs (`jit_compile`):
- `False`, or `run_eagerly=True`: eagerly, as written.
- `True`: the forward pass and the loss go through `torch.compile(fullgraph=True)` (backward
  and the optimizer's multi-tensor update stay eager), then, on CUDA, the step is captured.
- `'auto'` (default): on CUDA the whole step (forward, loss, backward, update, metrics) is
  captured in a CUDA graph after a few eager warm-up steps and replayed; on CPU the step runs
  eagerly unless the fit is long enough for a compile to pay for itself (`compile_pays`).
A step that cannot be compiled or captured (Python branching on a tensor value, a host read)
runs eagerly from then on, after one warning naming the cause.

Example:
    >>> model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse", steps_per_execution=4)
    >>> run = model._compiled_run
    >>> run.steps_per_execution, run.jit_compile, type(run.optimizer).__name__
    (4, 'auto', 'SGD')
"""
from __future__ import annotations

import os
import re
import sys
import time
import warnings

import torch

from lamina import optimizers
from lamina.callbacks.callback_list import flat_sorted_logs
from lamina.engine.compile_utils import BatchMean, CompiledMetricsGroup, CompileLoss
from lamina.engine.data import pack_x_y_sample_weight
from lamina.engine.epoch_iterator import Batch
from lamina.engine.step import Engine
from lamina.layers import call_context

__all__ = ["CompiledRun", "compile_pays"]

_DEFAULT_BATCH_SIZE = 32
# What a CPU compile of a small model's step was measured to cost (inductor, 2 cores, cold)
# and to save (the eager step's share that compiling removes). `LAMINA_COMPILE_SECONDS`
# overrides the cost, e.g. when inductor's cache makes it small.
_CPU_COMPILE_SECONDS = 20.0
_CPU_COMPILE_SAVING = 0.35
_AUTO_MEASURE_STEPS = (20, 70)  # eager steps timed (from, to) before 'auto' decides on CPU
_CUDA_WARMUP_STEPS = 3


def compile_pays(step_seconds: float, steps_left: int, compile_seconds: float | None = None,
                 saving: float = _CPU_COMPILE_SAVING) -> bool:
    """Whether compiling the step saves more time in the steps left than the compile costs.

    Example:
        >>> compile_pays(0.001, 7_500)  # tutorial 01: 5 epochs of 1500 steps at 1 ms
        False
        >>> compile_pays(0.010, 100_000)
        True
    """
    if compile_seconds is None:
        compile_seconds = float(os.environ.get("LAMINA_COMPILE_SECONDS", _CPU_COMPILE_SECONDS))
    return step_seconds * saving * steps_left > compile_seconds


class CompiledRun:
    """The compile state of a model and the functions that run its steps.

    Args:
        model: the model `compile` was called on.
        optimizer, loss, loss_weights, metrics, weighted_metrics: as `Model.compile`.
        run_eagerly: run every step eagerly (no compile, no capture); for debugging.
        steps_per_execution: batches one call of a train/test function runs; batch-level
            callbacks are called once per execution, as in Keras.
        jit_compile: 'auto', True or False (see the module docstring).
        auto_scale_loss: wrap the optimizer in a `LossScaleOptimizer` when the model's dtype
            policy is 'mixed_float16', as Keras does.
    """

    def __init__(self, model, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                 weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                 jit_compile="auto", auto_scale_loss=True):
        _check_flags(run_eagerly, steps_per_execution, jit_compile, auto_scale_loss)
        if run_eagerly and jit_compile is True:
            warnings.warn("If `run_eagerly` is True, then `jit_compile` cannot also be True. "
                          "Disabling `jit_compile`.", stacklevel=3)
            jit_compile = False
        self.model = model
        self.compile_optimizer = optimizers.get(optimizer)  # as compile got it (its config)
        self.optimizer = _loss_scaled(self.compile_optimizer, model, auto_scale_loss)
        self.loss = loss
        self.compiled_loss = CompileLoss(loss, loss_weights)
        self.metrics_spec = (metrics, weighted_metrics)
        # Keras' first entries of model.metrics, there from compile on.
        self.loss_tracker = BatchMean(name="loss")
        self.metrics_group = (CompiledMetricsGroup(self) if metrics or weighted_metrics
                              else None)
        self.run_eagerly = bool(run_eagerly)
        self.steps_per_execution = int(steps_per_execution)
        self.jit_compile = jit_compile
        self.auto_scale_loss = bool(auto_scale_loss)
        self.engine: Engine | None = None
        self.train_function = self.test_function = self.predict_function = None
        self.compile_backend = os.environ.get("LAMINA_COMPILE_BACKEND", "inductor")
        self.choice = None  # what the last fit chose (device, step mode, threads), in words
        self.runners: dict = {}  # step name -> how it runs now (eager, compiled, captured, auto)
        # CPU eager steps of a plain Dense chain are written out (fused_dense.py); off, every
        # step goes through autograd (run_eagerly=True: the step as the user reads it).
        self.fuses_dense_chains = not self.run_eagerly
        self._warned_causes: set = set()

    def __getstate__(self) -> dict:
        # The step functions are closures (and compiled or captured code): rebuilt on use.
        state = dict(self.__dict__)
        state.update(train_function=None, test_function=None, predict_function=None, runners={})
        return state

    @classmethod
    def inference_only(cls, model) -> CompiledRun:
        """The run of a model that was never compiled: predict only (no loss, no optimizer)."""
        run = cls(model, optimizer=None)
        run.compiled_loss = None
        return run

    # ------------------------------------------------------------------ the engine
    def engine_for(self, data, need_targets: bool = True, batch_size: int | None = None) -> Engine:
        """The steps' engine, built on first use from one batch (this builds lazy layers).

        The sample batch has the run's `batch_size` rows: a stateful RNN takes no other.
        """
        engine = self.engine
        stale = engine is None or (need_targets and data.y is not None and not engine.knows_targets
                                    and self.compiled_loss is not None)
        if stale:
            rows = min(data.size, batch_size or _DEFAULT_BATCH_SIZE)
            sample_x, sample_y, _ = data.batch(0, rows)
            engine = Engine(self.model, sample_x, sample_y if need_targets else None)
            self.engine = engine
            self.train_function = self.test_function = self.predict_function = None
        else:
            engine.refresh_parameters()
        return engine

    # ------------------------------------------------------------------ the functions
    def make_train_function(self, force: bool = False):
        """`train_function([Batch, ...]) -> logs`: one execution's steps (cached)."""
        if self.train_function is None or force:
            self.train_function = self._make_function("train_step")
        return self.train_function

    def make_test_function(self, force: bool = False):
        """`test_function([Batch, ...]) -> logs`: one execution's evaluation steps (cached)."""
        if self.test_function is None or force:
            self.test_function = self._make_function("test_step")
        return self.test_function

    def make_predict_function(self, force: bool = False):
        """`predict_function([Batch, ...]) -> [outputs, ...]`, one per batch (cached)."""
        if self.predict_function is None or force:
            from lamina.models.model import Model

            if type(self.model).predict_step is not Model.predict_step:
                custom = self.model.predict_step
                self.predict_function = lambda batches: [custom(b.x) for b in batches]
            else:
                step = self._runner("predict_step", self.engine.predict_step)
                self.predict_function = lambda batches: [_unpad(step(b), b.valid) for b in batches]
        return self.predict_function

    def _make_function(self, name: str):
        from lamina.models.model import Model

        engine = self.engine
        if getattr(type(self.model), name) is not getattr(Model, name):
            custom = getattr(self.model, name)  # Keras' hook: the user's step returns its logs

            def custom_function(batches):
                logs = None
                with call_context.user_step():
                    for batch in batches:
                        logs = custom(pack_x_y_sample_weight(batch.x, batch.y, batch.sample_weight))
                if not isinstance(logs, dict):
                    return logs
                # Flat for the batch hooks; the epoch's logs keep the user's nesting, which
                # decides Keras' order once the validation logs join them.
                return NestedLogs(flat_sorted_logs(logs), logs)

            return custom_function
        step = self._runner(name, getattr(engine, name))

        def function(batches):
            for batch in batches:
                step(batch)
            return engine.lazy_logs()

        return function

    def expect_steps(self, name: str, steps: int | None) -> None:
        """Tells the step runner how many steps the loop will run ('auto' weighs a compile)."""
        runner = self.runners.get(name)
        if runner is not None and hasattr(runner, "steps_left"):
            runner.steps_left = steps
            if runner.mode == "eager":  # each fit weighs the compile for its own length
                runner.steps, runner.started = 0, None

    def captures(self) -> bool:
        """Whether the steps are captured in CUDA graphs (they then need static shapes)."""
        return (not self.run_eagerly and self.jit_compile is not False
                and _device(self.model).type == "cuda")

    def describe_mode(self) -> str:
        """How the train step runs, in words (the verbose line of a fit)."""
        if self.run_eagerly or self.jit_compile is False:
            return "eager steps" + (" (run_eagerly=True)" if self.run_eagerly else "")
        if self.captures():
            return ("train step compiled and captured in a CUDA graph" if self.jit_compile is True
                    else "train step captured in a CUDA graph (jit_compile='auto')")
        if self.jit_compile is True:
            return "train step compiled with torch.compile (jit_compile=True)"
        return ("eager steps (jit_compile='auto' compiles the step on CPU only when the fit is "
                "long enough to repay the compile)")

    def _runner(self, name: str, eager):
        """The step as it runs: eager, compiled, captured, or 'auto' deciding on the way."""
        runner = self._new_runner(name, eager)
        self.runners[name] = runner
        return runner

    def _new_runner(self, name: str, eager):
        device = _device(self.model)
        if self.run_eagerly or self.jit_compile is False:
            return _Eager(eager)
        if self.jit_compile is True:
            compiled = _Compiled(self, name, eager)
            return _Captured(self, name, compiled) if device.type == "cuda" else compiled
        if device.type == "cuda":
            return _Captured(self, name, _Eager(eager))
        if name == "train_step":
            return _AutoCpu(self, name, eager)
        return _Eager(eager)

    def fall_back(self, name: str, what: str, error: BaseException) -> None:
        """Warns once per cause that a step runs eagerly because `what` failed."""
        cause = f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error) else ''}"
        key = (name, what, cause)
        if key in self._warned_causes:
            return
        self._warned_causes.add(key)
        warnings.warn(f"The {name.replace('_', ' ')} could not be {what}, so it runs eagerly "
                      f"(cause: {cause}). Python code that branches on a tensor's value "
                      f"(`if x.sum() > 0:`) or reads one on the host (`.item()`, `.numpy()`) "
                      f"cannot be compiled or captured; use torch.where, or compile with "
                      f"jit_compile=False to silence this.", stacklevel=5)

    def say(self, text: str, verbose: int) -> None:
        """Records what the engine chose; at verbose >= 1 prints it once (stderr)."""
        if text == self.choice:
            return
        self.choice = text
        said = re.sub(r" \(load [0-9.]+\)", "", text)  # the same choice at another load figure
        if verbose and said not in _SAID:
            _SAID.add(said)
            print(f"lamina: {text}", file=sys.stderr)


_SAID: set = set()


class NestedLogs(dict):
    """A user step's logs, flattened in Keras' order, with the nested dict they came from.

    Example:
        >>> logs = NestedLogs({"mae": 2, "loss": 1}, {"loss": 1, "compile_metrics": {"mae": 2}})
        >>> list(logs), list(logs.nested)
        (['mae', 'loss'], ['loss', 'compile_metrics'])
    """

    def __init__(self, flat: dict, nested: dict):
        super().__init__(flat)
        self.nested = nested


class _Eager:
    """The step as written."""

    mode = "eager"

    def __init__(self, step):
        self.step = step

    def __call__(self, batch: Batch):
        return self.step(*batch)


class _Compiled:
    """The forward pass and loss through `torch.compile(fullgraph=True)`; eager on failure."""

    mode = "compiled"

    def __init__(self, run: CompiledRun, name: str, eager):
        self.run, self.name, self.eager = run, name, eager
        self.failed = False
        engine = run.engine
        options = {"fullgraph": True, "dynamic": False, "backend": run.compile_backend}
        if name == "predict_step":
            engine.compiled_predict = torch.compile(
                lambda x: engine.runner(x, training=False), **options)
        else:  # forward and loss together: the loss reads attributes of the outputs (logits)
            compiled = torch.compile(engine.forward_loss, **options)
            setattr(engine, _COMPILED_ATTRIBUTE[name], compiled)

    def __call__(self, batch: Batch):
        if self.failed:
            return self.eager(*batch)
        try:
            return self.eager(*batch)
        except Exception as error:
            if not _is_compile_error(error):
                raise
            self.failed = True
            self.mode = "eager"
            setattr(self.run.engine, _COMPILED_ATTRIBUTE[self.name], None)
            self.run.fall_back(self.name, "compiled", error)
            return self.eager(*batch)


_COMPILED_ATTRIBUTE = {"train_step": "compiled_forward_loss",
                       "test_step": "compiled_test_forward_loss",
                       "predict_step": "compiled_predict"}


class _Captured:
    """On CUDA: the step captured in a CUDA graph after warm-up steps, then replayed.

    Batches are copied into the graph's static inputs; a batch of another shape (the short
    last batch of a training epoch) runs through the inner step instead. The optimizer keeps
    its step counter and learning rate in device tensors, so the replayed update is exact.
    """

    mode = "cuda_graph"

    def __init__(self, run: CompiledRun, name: str, inner):
        self.run, self.name, self.inner = run, name, inner
        self.graph = None
        self.static = None
        self.output = None
        self.warmed = 0
        self.failed = False

    def __call__(self, batch: Batch):
        if self.failed or getattr(self.inner, "failed", False):
            return self.inner(batch)
        if self.graph is None:
            if self.warmed < _CUDA_WARMUP_STEPS:
                self.warmed += 1
                return _on_side_stream(lambda: self.inner(batch))
            return self._capture(batch)
        if not _same_shapes(self.static, batch):
            return self.inner(batch)
        _copy_into(self.static, batch)
        self.graph.replay()
        return self._result()

    def _result(self):
        """The step's outputs; predictions are copied out of the graph's reused buffers."""
        if self.output is None:
            return None
        from torch.utils import _pytree as pytree

        return pytree.tree_map(lambda t: t.clone() if isinstance(t, torch.Tensor) else t,
                               self.output)

    def _capture(self, batch: Batch):
        static = _clone_batch(batch)
        graph = torch.cuda.CUDAGraph()
        try:
            torch.cuda.synchronize()
            with torch.cuda.graph(graph):
                output = self.inner(static)
        except Exception as error:  # noqa: BLE001 (capture errors come from many layers)
            self.failed = True
            self.mode = "eager"
            torch.cuda.synchronize()
            self.run.fall_back(self.name, "captured in a CUDA graph", error)
            return self.inner(batch)
        self.graph, self.static, self.output = graph, static, output
        _copy_into(static, batch)
        graph.replay()  # capturing records the step; replaying runs it for this batch
        return self._result()


class _AutoCpu:
    """`jit_compile='auto'` on CPU: eager steps, timed; a compile only when it would pay."""

    mode = "eager"

    def __init__(self, run: CompiledRun, name: str, eager):
        self.run, self.name, self.eager = run, name, eager
        self.current = _Eager(eager)
        self.steps = 0
        self.started = None
        self.steps_left = None  # set by the loop: steps this fit still runs

    def __call__(self, batch: Batch):
        self.steps += 1
        first, last = _AUTO_MEASURE_STEPS
        if self.steps == first:
            self.started = time.perf_counter()
        elif self.steps == last and self.started is not None and self.steps_left:
            step_seconds = (time.perf_counter() - self.started) / (last - first)
            if compile_pays(step_seconds, self.steps_left - last):
                self.current = _Compiled(self.run, self.name, self.eager)
                self.mode = "compiled"
        return self.current(batch)


def _is_compile_error(error: BaseException) -> bool:
    module = type(error).__module__ or ""
    return module.startswith(("torch._dynamo", "torch._inductor", "torch.fx", "torch._subclasses"))


def _on_side_stream(function):
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        result = function()
    torch.cuda.current_stream().wait_stream(stream)
    return result


def _tensors(batch: Batch) -> list:
    from torch.utils import _pytree as pytree

    return [leaf for leaf in pytree.tree_leaves(tuple(batch)) if isinstance(leaf, torch.Tensor)]


def _clone_batch(batch: Batch) -> Batch:
    from torch.utils import _pytree as pytree

    valid = batch.valid
    if isinstance(valid, int):  # a replayed graph reads the count from its static input
        valid = torch.tensor(valid, device=_tensors(batch)[0].device)
    parts = [None if part is None else pytree.tree_map(
        lambda t: t.clone() if isinstance(t, torch.Tensor) else t, part) for part in batch[:3]]
    return Batch(*parts, valid=valid)


def _same_shapes(static: Batch, batch: Batch) -> bool:
    if (static.valid is None) != (batch.valid is None):
        return False
    ours, theirs = _tensors(Batch(*static[:3])), _tensors(Batch(*batch[:3]))
    return len(ours) == len(theirs) and all(a.shape == b.shape and a.dtype == b.dtype
                                            for a, b in zip(ours, theirs))


def _copy_into(static: Batch, batch: Batch) -> None:
    for target, source in zip(_tensors(Batch(*static[:3])), _tensors(Batch(*batch[:3]))):
        target.copy_(source, non_blocking=True)
    if static.valid is not None:
        static.valid.fill_(batch.valid)


def _unpad(outputs, valid):
    if valid is None:
        return outputs
    from torch.utils import _pytree as pytree

    count = int(valid)
    return pytree.tree_map(lambda t: t[:count].clone() if isinstance(t, torch.Tensor) else t,
                           outputs)


def _device(model) -> torch.device:
    for parameter in model.parameters():
        return parameter.device
    from lamina import backend

    return backend.get_device()


def _loss_scaled(optimizer, model, auto_scale_loss: bool):
    """Keras' compile: a 'mixed_float16' model's optimizer gets dynamic loss scaling."""
    policy = getattr(model, "dtype_policy", None)
    name = getattr(policy, "name", policy)
    wrapper = getattr(optimizers, "LossScaleOptimizer", None)
    if not auto_scale_loss or name != "mixed_float16" or optimizer is None or wrapper is None \
            or isinstance(optimizer, wrapper):
        return optimizer
    return wrapper(optimizer, name="loss_scale_optimizer")


def _check_flags(run_eagerly, steps_per_execution, jit_compile, auto_scale_loss) -> None:
    if isinstance(steps_per_execution, bool) or not isinstance(steps_per_execution, int) \
            or steps_per_execution < 1:
        raise ValueError(f"Argument `steps_per_execution` must be an integer >= 1 (the number of "
                         f"batches each call of the train function runs). Received: "
                         f"steps_per_execution={steps_per_execution!r}")
    if jit_compile not in ("auto", True, False):
        raise ValueError(f"Argument `jit_compile` must be 'auto', True or False. Received: "
                         f"jit_compile={jit_compile!r}")
    for name, value in (("run_eagerly", run_eagerly), ("auto_scale_loss", auto_scale_loss)):
        if not isinstance(value, bool):
            raise TypeError(f"Argument `{name}` must be True or False. Received: "
                             f"{name}={value!r}")
