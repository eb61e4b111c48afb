"""The engine's seams: the compiled run, steps_per_execution, padded static batches, jit paths,
the distribution hook, thread choice and what a CUDA graph needs of the step (CPU-side)."""
import warnings

import numpy as np
import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode

import lamina as keras
from lamina import layers
from lamina.engine import distribution, threads
from lamina.engine.compiled_run import compile_pays
from lamina.engine.data import ArrayData
from lamina.engine.epoch_iterator import Batch, EpochIterator, pad_batch


def mlp(seed=0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((4,)), layers.Dense(6, activation="relu"),
                             layers.Dense(3, activation="softmax")])


def compiled(seed=0, **kwargs):
    model = mlp(seed)
    model.compile(**{"optimizer": "adam", "loss": "sparse_categorical_crossentropy",
                     "metrics": ["accuracy"], **kwargs})
    return model


def toy_data(n=50, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 4)).astype("float32"), rng.integers(0, 3, n)


def assert_same_weights(a, b, atol=1e-6):
    for got, want in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(got, want, atol=atol)


# ---------------------------------------------------------------------- compile state
def test_the_compiled_run_owns_the_compile_state():
    model = compiled(steps_per_execution=3, jit_compile=False, run_eagerly=True)
    run = model._compiled_run
    assert model.optimizer is run.optimizer and model.compiled_loss is run.compiled_loss
    assert (model.steps_per_execution, model.jit_compile, model.run_eagerly) == (3, False, True)
    config = model.get_compile_config()
    assert config["steps_per_execution"] == 3 and config["run_eagerly"] is True
    model.jit_compile = True  # Keras lets the flag be set after compile; functions are rebuilt
    assert run.jit_compile is True and run.train_function is None


@pytest.mark.parametrize("kwargs, error, fragment", [
    ({"steps_per_execution": 0}, ValueError, "`steps_per_execution` must be an integer >= 1"),
    ({"steps_per_execution": 2.5}, ValueError, "Received: steps_per_execution=2.5"),
    ({"jit_compile": "xla"}, ValueError, "`jit_compile` must be 'auto', True or False"),
    ({"run_eagerly": "yes"}, TypeError, "`run_eagerly` must be True or False"),
])
def test_compile_rejects_bad_flags(kwargs, error, fragment):
    with pytest.raises(error, match=fragment):
        compiled(**kwargs)


def test_run_eagerly_disables_jit_compile_with_keras_warning():
    with pytest.warns(UserWarning, match="If `run_eagerly` is True, then `jit_compile` cannot"):
        model = compiled(run_eagerly=True, jit_compile=True)
    assert model.jit_compile is False


# ---------------------------------------------------------------------- steps_per_execution
class BatchHooks(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_train_batch_begin(self, batch, logs=None):
        self.calls.append(("begin", batch))

    def on_train_batch_end(self, batch, logs=None):
        self.calls.append(("end", batch, logs["loss"]))


def test_steps_per_execution_groups_batches_and_trains_the_same():
    x, y = toy_data()
    grouped, single = compiled(steps_per_execution=3), compiled()
    hooks = BatchHooks()
    h_grouped = grouped.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0,
                            callbacks=[hooks])
    h_single = single.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    assert_same_weights(grouped, single)
    np.testing.assert_allclose(h_grouped.history["loss"], h_single.history["loss"], rtol=1e-6)
    # 7 batches per epoch in groups of 3: hooks at the first and last step of each group.
    assert [c[:2] for c in hooks.calls[:6]] == [("begin", 0), ("end", 2), ("begin", 3),
                                                ("end", 5), ("begin", 6), ("end", 6)]


# ---------------------------------------------------------------------- static shapes
def test_epoch_iterator_pads_every_batch_to_one_shape():
    data = ArrayData(torch.arange(10.0).reshape(10, 1), torch.arange(10))
    batches = [b for _, _, group in EpochIterator(data, 4, pad_to_batch_size=True) for b in group]
    assert [tuple(b.x.shape) for b in batches] == [(4, 1)] * 3
    assert [b.valid for b in batches] == [4, 4, 2]
    assert batches[-1].y.tolist() == [8, 9, 0, 0]


def test_a_padded_last_batch_gives_the_loss_and_metrics_of_the_unpadded_one():
    x, y = toy_data(n=5)
    sample_weight = np.linspace(0.5, 2.0, 5).astype("float32")
    model = compiled(weighted_metrics=["accuracy"])
    model.fit(x, y, epochs=1, verbose=0)
    engine = model._engine
    short = Batch(torch.tensor(x), torch.tensor(y), torch.tensor(sample_weight))
    results = []
    for batch in (short, pad_batch(short, 8)):
        model.reset_metrics()
        engine.test_step(*batch)
        results.append(engine.logs())
    assert pad_batch(short, 8).valid == 5
    assert results[0].keys() == results[1].keys()
    for name in results[0]:
        assert results[1][name] == pytest.approx(results[0][name], rel=1e-6, abs=1e-7), name


def test_a_padded_training_batch_takes_the_step_of_the_unpadded_one():
    x, y = toy_data(n=5)
    unpadded, padded = compiled(), compiled()
    for model in (unpadded, padded):
        model.evaluate(x, y, verbose=0)  # builds the engine, trains nothing
    short = Batch(torch.tensor(x), torch.tensor(y))
    unpadded._engine.train_step(*short)
    padded._engine.train_step(*pad_batch(short, 16))
    assert_same_weights(unpadded, padded, atol=1e-7)
    assert padded._engine.logs()["loss"] == pytest.approx(unpadded._engine.logs()["loss"], rel=1e-6)


# ---------------------------------------------------------------------- capture safety (CPU)
class HostReads(TorchDispatchMode):
    """Records the ops that make the host wait for a device (fatal in a CUDA graph)."""

    SYNCING = ("_local_scalar_dense", "item", "nonzero", "is_nonzero", "equal", "allclose")

    def __init__(self):
        super().__init__()
        self.seen = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if func.__name__.split(".")[0] in self.SYNCING:
            self.seen.append(func.__name__)
        return func(*args, **(kwargs or {}))


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop", "adamw", "nadam"])
def test_the_train_step_reads_nothing_back_and_keeps_optimizer_state_on_the_device(
        optimizer, monkeypatch):
    from lamina.optimizers import adam as adam_module

    x, y = toy_data(n=16)
    model = compiled(optimizer=optimizer, weighted_metrics=["accuracy"])
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)  # builds everything once
    engine = model._engine
    # The step as it runs on CUDA: without the CPU-only kernels (the written-out Dense chain,
    # PyTorch's fused CPU Adam, whose C++ reads its CPU learning-rate tensor).
    engine.fused = None
    monkeypatch.setattr(adam_module, "_fusable", lambda *args: False)
    batch = pad_batch(Batch(torch.tensor(x[:5]), torch.tensor(y[:5]), torch.ones(5)), 8)
    batch = batch._replace(valid=torch.tensor(5))  # a replayed graph reads it from a tensor
    with HostReads() as reads:
        engine.train_step(*batch)
        engine.test_step(*batch)
    assert reads.seen == []
    device = model.trainable_weights[0].device
    assert all(isinstance(v, torch.Tensor) and v.device == device
               for v in model.optimizer.variables)


# ---------------------------------------------------------------------- jit_compile
class Branching(layers.Layer):
    """Python branching on a tensor value: cannot be compiled or captured."""

    def call(self, inputs):
        if inputs.sum() > 0:
            return inputs * 1.0
        return inputs


@pytest.fixture
def quick_compile(monkeypatch):
    # Dynamo traces the step as usual; the backend skips inductor's code generation, which
    # takes a minute on a 2-core machine (benchmarks use inductor).
    monkeypatch.setenv("LAMINA_COMPILE_BACKEND", "aot_eager")


def test_jit_compile_true_trains_as_the_eager_step(quick_compile):
    x, y = toy_data(n=64)
    jitted, eager = compiled(jit_compile=True), compiled(jit_compile=False)
    h_jit = jitted.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    h_eager = eager.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    assert jitted._compiled_run.runners["train_step"].mode == "compiled"
    assert_same_weights(jitted, eager, atol=1e-5)
    np.testing.assert_allclose(h_jit.history["loss"], h_eager.history["loss"], rtol=1e-5)


def test_python_branching_on_a_tensor_falls_back_once_with_the_cause(quick_compile):
    x, y = toy_data(n=64)

    def branching(seed=0):
        keras.utils.set_random_seed(seed)
        return keras.Sequential([keras.Input((4,)), Branching(), layers.Dense(3, activation="softmax")])

    model, eager = branching(), branching()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", jit_compile=True)
    eager.compile(optimizer="adam", loss="sparse_categorical_crossentropy", jit_compile=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    messages = [str(w.message) for w in caught if "could not be compiled" in str(w.message)]
    assert len(messages) == 1, messages
    assert "train step could not be compiled" in messages[0] and "cause: " in messages[0]
    assert model._compiled_run.runners["train_step"].mode == "eager"
    eager.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    assert_same_weights(model, eager)


def test_auto_on_cpu_keeps_the_eager_step_when_a_compile_would_not_pay():
    assert not compile_pays(0.001, 7_500, compile_seconds=20.0)
    assert compile_pays(0.010, 100_000, compile_seconds=20.0)
    x, y = toy_data(n=64)
    model = compiled()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert model._compiled_run.runners["train_step"].mode == "eager"
    assert "eager steps" in model._compiled_run.choice


# ---------------------------------------------------------------------- distribution hook
class Recording(distribution.SingleDevice):
    def __init__(self):
        self.calls = []

    def wrap_model(self, model):
        self.calls.append("wrap")
        return model

    def shard(self, data):
        self.calls.append("shard")
        return data

    def reduce_metrics(self, metrics):
        self.calls.append("reduce")

    def is_primary(self):
        return False

    def broadcast_stop(self, stop):
        self.calls.append("stop")
        return stop


def test_fit_goes_through_the_distribution_hook(capsys):
    x, y = toy_data()
    hook = Recording()
    distribution.set_distribution(hook)
    try:
        model = compiled()
        model.fit(x, y, epochs=2, validation_split=0.2, verbose=1)
    finally:
        distribution.set_distribution(None)
    assert hook.calls.count("wrap") == 1 and hook.calls.count("shard") == 1
    assert hook.calls.count("reduce") == 4  # training and validation metrics, per epoch
    assert hook.calls.count("stop") == 2
    assert capsys.readouterr().out == ""  # only the primary process prints
    assert type(distribution.current()).__name__ == "SingleDevice"


# ---------------------------------------------------------------------- threads
def test_threads_follow_op_sizes_and_free_cores():
    assert threads.choose_threads(10_000, cores=4, load=0.0, limit=4)[0] == 1
    assert threads.choose_threads(64_000_000, cores=4, load=0.0, limit=4)[0] == 4
    count, reason = threads.choose_threads(64_000_000, cores=4, load=3.0, limit=4)
    assert count == 2 and "2 of 4 cores are busy" in reason
    assert threads.step_work(mlp(), 32) == 6 * 4 * 32


def test_a_convolution_counts_its_work_at_every_output_position():
    """A 3x3x32x64 kernel on a 11x11 output does 18 432 x 121 multiply-adds per image, so a
    convnet is offered two threads (before, counting the kernel once kept it on one)."""
    convnet = keras.Sequential([keras.Input((13, 13, 32)), layers.Conv2D(64, 3)])
    assert threads.step_work(convnet, 128) == 3 * 3 * 32 * 64 * 11 * 11 * 128
    assert threads.candidate_threads(threads.step_work(convnet, 128), cores=2, limit=2) == [1, 2]


def test_fit_restores_the_thread_count_and_says_what_it_chose(capsys):
    before = torch.get_num_threads()
    x, y = toy_data()
    model = compiled()
    model.fit(x, y, epochs=1, verbose=1)
    assert torch.get_num_threads() == before
    assert "intra-op thread" in model._compiled_run.choice
    assert model._compiled_run.choice.startswith("cpu: eager steps")


# ---------------------------------------------------------------------- CUDA (GPU machines)
cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


@cuda
def test_cuda_graph_steps_end_with_the_eager_weights():
    x, y = toy_data(n=200)
    with torch.device("cuda"):
        captured, eager = compiled(), compiled(jit_compile=False)
    captured.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    eager.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    assert captured._compiled_run.runners["train_step"].mode == "cuda_graph"
    assert_same_weights(captured, eager, atol=1e-5)
    np.testing.assert_allclose(captured.evaluate(x, y, batch_size=16, verbose=0),
                               eager.evaluate(x, y, batch_size=16, verbose=0), rtol=1e-5)
    np.testing.assert_allclose(captured.predict(x, batch_size=16, verbose=0),
                               eager.predict(x, batch_size=16, verbose=0), atol=1e-6)


class FakeClock:
    """A clock that advances by the step time of the thread count now set."""

    def __init__(self, seconds_per_step, drift=0.0):
        self.now = 0.0
        self.seconds_per_step = seconds_per_step
        self.drift = drift  # the machine slows by this fraction every step
        self.steps = 0

    def __call__(self):
        return self.now

    def run_step(self):
        self.now += self.seconds_per_step[torch.get_num_threads()] * (1 + self.drift * self.steps)
        self.steps += 1


def _tune_one_epoch(tuner, clock, steps=30):
    tuner.epoch_begin()
    for _ in range(steps):
        clock.run_step()
        tuner.step()


def test_the_thread_tuner_keeps_the_faster_count_and_drops_to_one_when_two_stall():
    before = torch.get_num_threads()
    clock = FakeClock({1: 2e-3, 2: 1e-3})
    tuner = threads.ThreadTuner([1, 2], clock=clock)
    with threads.intra_op_threads(1):
        tuner.epoch_begin()
        for _ in range(40):
            clock.run_step()
            tuner.step()
        assert tuner.threads == 2 and torch.get_num_threads() == 2
        assert tuner.times[1] == pytest.approx(2e-3) and tuner.times[2] == pytest.approx(1e-3)
        clock.seconds_per_step[2] = 25e-3  # another process takes a core: the pool stalls
        for _ in range(tuner.CHECK + 1):
            clock.run_step()
            tuner.step()
        assert tuner.threads == 1 and torch.get_num_threads() == 1
        tuner.epoch_begin()  # the next epoch measures again
        clock.seconds_per_step[2] = 1e-3
        for _ in range(20):
            clock.run_step()
            tuner.step()
        assert tuner.threads == 2
    assert torch.get_num_threads() == before
    assert threads.candidate_threads(10_000, cores=4, limit=4) == [1]
    assert threads.candidate_threads(50_000_000, cores=4, limit=4) == [1, 4]


def test_a_stalling_count_stops_being_probed_and_sits_out_epochs_that_double():
    # A neighbour holds the other core: a two-thread step takes 25 ms against 1 ms on one.
    # Two stalled timed steps end the probes of two threads (3 stalled steps with the
    # switch's), and the count then sits out 1, then 2 epochs, ... instead of stalling again.
    clock = FakeClock({1: 1e-3, 2: 25e-3})
    with threads.intra_op_threads(1):
        tuner = threads.ThreadTuner([1, 2], preferred=1, clock=clock)
        epoch_seconds = []
        for _ in range(6):
            before = clock.now
            _tune_one_epoch(tuner, clock, steps=30)
            assert tuner.threads == 1 and torch.get_num_threads() == 1
            epoch_seconds.append(round(clock.now - before, 6))
    stalled, calm = 27 * 1e-3 + 3 * 25e-3, 30 * 1e-3
    assert epoch_seconds == pytest.approx([stalled, calm, stalled, calm, calm, stalled])


class _OneSlowStep(FakeClock):
    """Two threads are faster, but the first parallel region after a switch is slow once."""

    def __init__(self):
        super().__init__({1: 1e-3, 2: 0.6e-3})
        self.slow_once = True

    def run_step(self):
        if torch.get_num_threads() == 2 and self.slow_once:
            self.slow_once = False
            self.now += 6e-3
        super().run_step()


def test_one_slow_step_does_not_count_as_a_stall():
    clock = _OneSlowStep()
    with threads.intra_op_threads(1):
        tuner = threads.ThreadTuner([1, 2], preferred=1, clock=clock)
        _tune_one_epoch(tuner, clock)
        assert tuner.threads == 2


def test_tutorial_01_s_mlp_is_measured_on_both_thread_counts():
    # 784 x 100 at batch 32 (2.5M multiply-adds): held at two threads its fit was 20% faster
    # on a 2-core Xeon, and slower on a 2-core AMD EPYC, so a fit measures it.
    mlp = keras.Sequential([keras.Input((784,)), keras.layers.Dense(100, activation="relu"),
                            keras.layers.Dense(10)])
    assert threads.candidate_threads(threads.step_work(mlp, 32), cores=2, limit=2) == [1, 2]
    assert threads.candidate_threads(threads.step_work(mlp, 4), cores=2, limit=2) == [1]


def test_the_thread_tuner_interleaves_its_probes_so_a_drifting_machine_does_not_fool_it():
    # Two threads are 20% faster, but the machine slows 3% a step: timing all of one count
    # before the other would find the later count slower.
    clock = FakeClock({1: 1e-3, 2: 0.8e-3}, drift=0.03)
    tuner = threads.ThreadTuner([1, 2], preferred=1, clock=clock)
    with threads.intra_op_threads(1):
        _tune_one_epoch(tuner, clock)
        assert tuner.threads == 2


def test_the_thread_tuner_keeps_its_count_when_the_other_is_not_clearly_faster():
    clock = FakeClock({1: 1e-3, 2: 0.98e-3})
    with threads.intra_op_threads(1):
        tuner = threads.ThreadTuner([1, 2], preferred=1, clock=clock)
        _tune_one_epoch(tuner, clock)
        assert tuner.threads == 1 and torch.get_num_threads() == 1
        tuner = threads.ThreadTuner([1, 2], preferred=2, clock=clock)
        _tune_one_epoch(tuner, clock)
        assert tuner.threads == 2 and torch.get_num_threads() == 2


def test_intra_op_threads_restores_the_count_a_tuner_changed_inside_it():
    """The user's thread count comes back even when the block started at that same count."""
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        with threads.intra_op_threads(1):
            torch.set_num_threads(2)  # what a ThreadTuner does mid-fit
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_the_engines_choice_prints_once_whatever_load_figure_it_carries(capsys):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    run = model._compiled_run
    run.say("cpu: test choice; 1 of 2 cores are busy (load 1.5)", verbose=1)
    run.say("cpu: another choice", verbose=1)
    run.say("cpu: test choice; 1 of 2 cores are busy (load 0.7)", verbose=1)
    printed = capsys.readouterr().err.splitlines()
    assert printed == ["lamina: cpu: test choice; 1 of 2 cores are busy (load 1.5)",
                       "lamina: cpu: another choice"]
