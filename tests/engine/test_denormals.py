"""Denormals flushed to zero while fit/evaluate/predict run (as XLA and TensorFlow do)."""
import numpy as np
import pytest
import torch

import lamina
from lamina.engine import denormals

TINY = np.float32(1e-20)  # TINY * TINY_TOO is denormal (1e-39) unless flushed
TINY_TOO = np.float32(1e-19)


def _model():
    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    return model


class _Probe(lamina.callbacks.Callback):
    """Records, in each hook, whether the thread flushes denormals."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def on_train_batch_end(self, batch, logs=None):
        self.seen.append(("train", denormals.flushing()))

    def on_test_batch_end(self, batch, logs=None):
        self.seen.append(("test", denormals.flushing()))

    def on_predict_batch_end(self, batch, logs=None):
        self.seen.append(("predict", denormals.flushing()))


def test_the_block_flushes_and_the_previous_state_returns():
    assert TINY * TINY_TOO != 0
    with denormals.flush_denormals():
        assert TINY * TINY_TOO == 0
        assert torch.tensor(1e-20) * torch.tensor(1e-19) == 0
    assert TINY * TINY_TOO != 0
    assert not denormals.flushing()


def test_a_block_inside_another_leaves_the_outer_one_flushing():
    with denormals.flush_denormals():
        with denormals.flush_denormals():
            pass
        assert denormals.flushing()
    assert not denormals.flushing()


def test_the_state_returns_when_the_block_raises():
    with pytest.raises(KeyError), denormals.flush_denormals():
        raise KeyError("x")
    assert not denormals.flushing()


@pytest.mark.skipif(denormals._gomp_parallel() is None,
                    reason="PyTorch here has no OpenMP pool to set (only the calling thread)")
def test_every_intra_op_thread_flushes_not_only_the_calling_one():
    previous = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        small = torch.full((4_000_000,), 1e-39)  # denormal already: DAZ reads it as 0
        half = torch.full((4_000_000,), 0.5)
        assert bool(((small * half) != 0).all())  # both threads' halves keep it outside
        with denormals.flush_denormals():
            assert bool(((small * half) == 0).all())  # both halves: the pool flushes too
        assert bool(((small * half) != 0).all())
    finally:
        torch.set_num_threads(previous)


def test_fit_evaluate_and_predict_run_flushing_and_restore_it():
    model, probe = _model(), _Probe()
    x, y = np.ones((8, 3), "float32"), np.zeros((8, 2), "float32")
    model.fit(x, y, batch_size=4, epochs=1, verbose=0, validation_data=(x, y), callbacks=[probe])
    model.evaluate(x, y, batch_size=4, verbose=0, callbacks=[probe])
    model.predict(x, batch_size=4, verbose=0, callbacks=[probe])
    assert probe.seen == [("train", True)] * 2 + [("test", True)] * 4 + [("predict", True)] * 2
    assert not denormals.flushing()


def test_a_denormal_weight_reads_as_zero_in_predict_as_in_keras_on_jax():
    # Keras 3.15 on JAX, the same model: predict -> [0, 0] (XLA reads the 1e-39 kernel as 0);
    # without the flush the product is 1e-9.
    model = lamina.Sequential([lamina.Input((1,)), lamina.layers.Dense(1, use_bias=False)])
    model.layers[0].kernel.assign(np.full((1, 1), 1e-39, "float32"))
    x = np.full((2, 1), 1e30, "float32")
    assert model.predict(x, verbose=0).ravel().tolist() == [0.0, 0.0]
    assert model.predict_on_batch(x).ravel().tolist() == [0.0, 0.0]
