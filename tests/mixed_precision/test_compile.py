"""compile under 'mixed_float16' wraps the optimizer in a LossScaleOptimizer, as Keras does."""
import numpy as np
import torch

import lamina as keras
from lamina.optimizers import SGD, Adam, LossScaleOptimizer


def _model():
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                             keras.layers.Dense(1, dtype="float32")])


def test_compile_wraps_the_optimizer_under_mixed_float16_only():
    keras.mixed_precision.set_global_policy("mixed_float16")
    model = _model()
    model.compile(optimizer="adam", loss="mse")
    assert isinstance(model.optimizer, LossScaleOptimizer)
    assert model.optimizer.name == "loss_scale_optimizer"
    assert type(model.optimizer.inner_optimizer) is Adam
    # compile_config records the optimizer as given, as Keras does.
    assert model.get_compile_config()["optimizer"]["class_name"] == "Adam"
    model.compile(optimizer="adam", loss="mse", auto_scale_loss=False)
    assert type(model.optimizer) is Adam
    given = LossScaleOptimizer(SGD(), initial_scale=4.0)
    model.compile(optimizer=given, loss="mse")
    assert model.optimizer is given
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    model = _model()
    model.compile(optimizer="adam", loss="mse")
    assert type(model.optimizer) is Adam


def test_mixed_float16_training_reduces_the_loss():
    keras.mixed_precision.set_global_policy("mixed_float16")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]])).astype("float32")
    model = _model()
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    history = model.fit(x, y, batch_size=32, epochs=8, verbose=0)
    assert history.history["loss"][-1] < 0.25 * history.history["loss"][0]
    assert {w.dtype for w in model.weights} == {torch.float32}
    assert int(model.optimizer.iterations) > 0.9 * 8 * 8  # few (if any) skipped steps
