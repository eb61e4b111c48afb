"""SwapEMAWeights: evaluation, prediction and checkpoints see the moving averages.

The reference average is computed in float64 from the weights after every step, with
Keras' rule: `average = w` after the first step, then `m * average + (1 - m) * w`.
"""
import numpy as np
import pytest

import lamina
from lamina.callbacks import LambdaCallback, ModelCheckpoint, SwapEMAWeights

MOMENTUM = 0.8


def linear_model():
    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(1)])
    model.compile(optimizer=lamina.optimizers.SGD(0.1, use_ema=True, ema_momentum=MOMENTUM),
                  loss="mse")
    return model


def data():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(48, 3)).astype("float32")
    return x, (x @ np.array([[1.0], [-1.0], [2.0]]) + 0.5).astype("float32")


def moving_average(steps):
    average = None
    for weights in steps:
        weights = [np.asarray(w, dtype=np.float64) for w in weights]
        average = weights if average is None else [
            MOMENTUM * a + (1 - MOMENTUM) * w for a, w in zip(average, weights)]
    return average


def step_recorder(model, steps):
    return LambdaCallback(on_train_batch_end=lambda batch, logs: steps.append(
        [w.copy() for w in model.get_weights()]))


def mse(weights, x, y):
    kernel, bias = weights
    return float(np.mean((x.astype(np.float64) @ kernel + bias - y) ** 2))


def test_evaluate_and_predict_use_the_averages_and_give_the_weights_back():
    x, y = data()
    model = linear_model()
    steps = []
    model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0,
              callbacks=[step_recorder(model, steps)])
    average = moving_average(steps)
    assert not np.allclose(average[0], steps[-1][0], atol=1e-3)  # the two really differ
    trained = [w.copy() for w in model.get_weights()]
    loss = model.evaluate(x, y, verbose=0, callbacks=[SwapEMAWeights()])
    assert loss == pytest.approx(mse(average, x, y), rel=1e-5)
    predictions = model.predict(x, verbose=0, callbacks=[SwapEMAWeights()])
    np.testing.assert_allclose(predictions, x @ average[0] + average[1], rtol=0, atol=1e-5)
    for weight, expected in zip(model.get_weights(), trained):
        np.testing.assert_array_equal(weight, expected)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(mse(trained, x, y), rel=1e-5)


def test_validation_inside_fit_uses_the_averages():
    x, y = data()
    x_val, y_val = x[:16] + 0.25, y[:16]
    model = linear_model()
    steps, averages_by_epoch = [], []
    record_epoch = LambdaCallback(on_epoch_end=lambda epoch, logs: averages_by_epoch.append(
        moving_average(steps)))
    history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0,
                        validation_data=(x_val, y_val),
                        callbacks=[SwapEMAWeights(), step_recorder(model, steps), record_epoch])
    expected = [mse(average, x_val, y_val) for average in averages_by_epoch]
    np.testing.assert_allclose(history.history["val_loss"], expected, rtol=1e-5)


def test_swap_on_epoch_checkpoints_hold_the_averages(tmp_path):
    x, y = data()
    model = linear_model()
    steps, averages_by_epoch = [], []
    record_epoch = LambdaCallback(on_epoch_end=lambda epoch, logs: averages_by_epoch.append(
        moving_average(steps)))
    path = str(tmp_path / "ema-{epoch}.weights.h5")
    model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0, callbacks=[
        step_recorder(model, steps), record_epoch, SwapEMAWeights(swap_on_epoch=True),
        ModelCheckpoint(path, save_weights_only=True, monitor="loss")])
    for epoch, average in enumerate(averages_by_epoch, start=1):
        saved = linear_model()
        saved.load_weights(path.format(epoch=epoch))
        for weight, expected in zip(saved.get_weights(), average):
            np.testing.assert_allclose(weight, expected, rtol=0, atol=1e-6)
    # Training ends with the averages in the model.
    for weight, expected in zip(model.get_weights(), averages_by_epoch[-1]):
        np.testing.assert_allclose(weight, expected, rtol=0, atol=1e-6)


def test_an_optimizer_without_ema_is_refused():
    x, y = data()
    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"SwapEMAWeights must be used when `use_ema=True` is "
                                         r"set on the optimizer. Received: use_ema=False"):
        model.evaluate(x, y, verbose=0, callbacks=[SwapEMAWeights()])


def test_a_loss_scale_optimizer_swaps_the_inner_optimizers_averages():
    # mixed_float16 wraps the optimizer in a LossScaleOptimizer; the averages live in the
    # inner one. An initial scale of 2**22 overflows float16: the first steps are skipped and
    # must leave the average alone, so the reference averages the applied steps only.
    lamina.mixed_precision.set_global_policy("mixed_float16")
    x, y = data()
    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(1)])
    inner = lamina.optimizers.SGD(0.1, use_ema=True, ema_momentum=MOMENTUM)
    model.compile(optimizer=lamina.optimizers.LossScaleOptimizer(inner, initial_scale=2.0 ** 22),
                  loss="mse")
    steps = []
    record = LambdaCallback(on_train_batch_end=lambda batch, logs: steps.append(
        (int(model.optimizer.iterations), [w.copy() for w in model.get_weights()])))
    model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0, callbacks=[record])
    applied = [weights for index, (count, weights) in enumerate(steps)
               if count > (steps[index - 1][0] if index else 0)]
    assert 0 < len(applied) < len(steps)  # some steps were skipped, some applied
    average = moving_average(applied)
    trained = [w.copy() for w in model.get_weights()]
    swap = SwapEMAWeights()
    swap.set_model(model)
    swap.on_test_begin()
    for weight, expected in zip(model.get_weights(), average):
        np.testing.assert_allclose(weight, expected, rtol=0, atol=1e-6)
    swap.on_test_end()
    for weight, expected in zip(model.get_weights(), trained):
        np.testing.assert_array_equal(weight, expected)
    loss = model.evaluate(x, y, verbose=0, callbacks=[SwapEMAWeights()])
    assert loss == pytest.approx(mse(average, x, y), rel=1e-3)  # float16 compute
