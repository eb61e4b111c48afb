"""Engine defects fixed in issue 9, each checked through `fit`.

loss_scale_factor scales the loss before backward; use_ema leaves the averaged weights in the
model; a one-batch fit, train_on_batch and a float64 hand computation agree; the model's mode
is switched once per loop; Keras' torch-backend custom train_step/test_step run under fit.
"""
import numpy as np
import pytest
import torch

import lamina as keras
from lamina import layers


def mlp(seed=0, activation="softmax", units=3):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((4,)), layers.Dense(5, activation="relu"),
                             layers.Dense(units, activation=activation)])


def toy_data(n=48, seed=0, classes=3):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 4)).astype("float32"), rng.integers(0, classes, n)


# ---------------------------------------------------------------------- loss_scale_factor
def test_loss_scale_factor_scales_the_loss_so_steps_equal_the_unscaled_ones():
    x, y = toy_data()
    plain, scaled = mlp(), mlp()
    plain.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    scaled.compile(optimizer=keras.optimizers.SGD(0.1, loss_scale_factor=10.0),
                   loss="sparse_categorical_crossentropy")
    h_plain = plain.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    h_scaled = scaled.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    for got, want in zip(scaled.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(got, want, atol=1e-6)
    # The logged loss is the unscaled one, as in Keras (the tracker sees it before scaling).
    np.testing.assert_allclose(h_scaled.history["loss"], h_plain.history["loss"], rtol=1e-6)


def test_the_engine_backpropagates_the_optimizers_scaled_loss():
    x, y = toy_data(n=8)
    model = mlp()
    optimizer = keras.optimizers.SGD(0.1, loss_scale_factor=4.0)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    seen = {}
    apply = optimizer.apply

    def recording_apply(grads, variables=None):
        seen["grads"] = [g.clone() for g in grads]
        return apply(grads, variables)

    optimizer.apply = recording_apply
    reference = mlp()
    reference.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.train_on_batch(x, y)
    probabilities = reference(torch.tensor(x))
    loss = torch.nn.functional.nll_loss(torch.log(probabilities), torch.tensor(y))
    loss.backward()
    for got, weight in zip(seen["grads"], reference.trainable_weights):
        np.testing.assert_allclose(got.numpy(), 4.0 * weight.grad.numpy(), rtol=1e-5, atol=1e-7)


# ---------------------------------------------------------------------- use_ema
class WeightsAfterEachBatch(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.steps = []

    def on_train_batch_end(self, batch, logs=None):
        self.steps.append([w.astype(np.float64) for w in self.model.get_weights()])


def test_use_ema_leaves_the_moving_average_in_the_model_after_fit():
    x, y = toy_data()
    momentum = 0.8
    ema_model, twin = mlp(), mlp()
    ema_model.compile(optimizer=keras.optimizers.Adam(0.01, use_ema=True, ema_momentum=momentum),
                      loss="sparse_categorical_crossentropy")
    twin.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    recorder = WeightsAfterEachBatch()
    ema_model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    twin.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0, callbacks=[recorder])
    # Keras' EMA: the first step copies the weights, then average += (1 - m) * (w - average).
    average = recorder.steps[0]
    for weights in recorder.steps[1:]:
        average = [a + (1 - momentum) * (w - a) for a, w in zip(average, weights)]
    for got, want, last in zip(ema_model.get_weights(), average, recorder.steps[-1]):
        np.testing.assert_allclose(got, want, atol=2e-6)
        assert np.abs(want - last).max() > 1e-4  # the average is not the last step's weights


# ---------------------------------------------------------------------- one batch
def hand_sgd_step(weights, x, y, learning_rate):
    """One SGD step of Dense(5, relu) -> Dense(3, softmax) with sparse CE, in float64."""
    w1, b1, w2, b2 = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in weights]
    hidden = torch.relu(torch.tensor(x, dtype=torch.float64) @ w1 + b1)
    log_probabilities = torch.log_softmax(hidden @ w2 + b2, dim=-1)
    loss = -log_probabilities[torch.arange(len(y)), torch.tensor(y)].mean()
    loss.backward()
    return [(w - learning_rate * w.grad).detach().numpy() for w in (w1, b1, w2, b2)], float(loss.detach())


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_one_batch_fit_train_on_batch_and_a_hand_computation_agree(momentum):
    x, y = toy_data(n=20)
    models = []
    for _ in range(3):
        model = mlp()
        model.compile(optimizer=keras.optimizers.SGD(0.1, momentum=momentum),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        models.append(model)
    expected, expected_loss = hand_sgd_step(models[0].get_weights(), x, y, 0.1)
    history = models[0].fit(x, y, batch_size=20, epochs=1, verbose=0)
    logs = models[1].train_on_batch(x, y, return_dict=True)
    models[2].fit(x, y, epochs=1, verbose=0)  # batch_size None: 32 > 20, one batch too
    for model in models:
        for got, want in zip(model.get_weights(), expected):
            np.testing.assert_allclose(got, want, atol=1e-6)
    assert history.history["loss"][0] == pytest.approx(expected_loss, rel=1e-5)
    assert logs["loss"] == pytest.approx(expected_loss, rel=1e-5)


# ---------------------------------------------------------------------- train / eval mode
class ModeProbe(layers.Layer):
    """Records torch's module mode at each call (what nn.Dropout inside would see)."""

    def __init__(self):
        super().__init__()
        self.modes = []

    def call(self, inputs):
        self.modes.append(self.training)
        return inputs


def test_the_mode_is_switched_once_per_loop_not_per_step(monkeypatch):
    x, y = toy_data(n=64)
    probe = ModeProbe()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(5, activation="relu"), probe,
                              layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x[:8], y[:8], verbose=0)  # builds the engine (one inference call)
    calls = []
    original = type(model).train

    def counting_train(self, mode=True):
        if self is model:
            calls.append(mode)
        return original(self, mode)

    monkeypatch.setattr(type(model), "train", counting_train)
    probe.modes.clear()
    model.fit(x, y, batch_size=8, epochs=3, validation_split=0.25, verbose=0)
    steps = 3 * 6
    assert len(calls) <= 3 * 3  # per epoch at most: train, eval for validation, and back
    assert probe.modes.count(True) == steps
    assert probe.modes.count(False) == 3 * 2  # validation batches run in eval mode
    probe.modes.clear()
    calls.clear()
    model.predict(x, batch_size=8, verbose=0)
    model.evaluate(x, y, batch_size=8, verbose=0)
    assert probe.modes == [False] * 16 and len(calls) <= 2
    assert model.training is False  # fit leaves the model in inference mode, as it found it


# ---------------------------------------------------------------------- Keras' guide (torch)
# "Customizing what happens in fit() with PyTorch" (keras.io/guides/custom_train_step_in_torch),
# its programs as written for Keras 3's torch backend, with `import lamina as keras`.
class CustomModel(keras.Model):
    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)  # Forward pass
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


class LowerLevelModel(keras.Model):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
        self.loss_fn = keras.losses.MeanSquaredError()

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.loss_fn(y, y_pred)
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    @property
    def metrics(self):
        return [self.loss_tracker, self.mae_metric]


class WeightedModel(keras.Model):
    def train_step(self, data):
        if len(data) == 3:
            x, y, sample_weight = data
        else:
            sample_weight = None
            x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight)
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred, sample_weight=sample_weight)
        return {m.name: m.result() for m in self.metrics}


class EvaluatingModel(keras.Model):
    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def guide_model(cls, seed=0):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(shape=(32,))
    outputs = keras.layers.Dense(1)(inputs)
    return cls(inputs, outputs)


def guide_data(n=1000, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 32)), rng.random((n, 1)), rng.random((n, 1))


def test_guide_custom_train_step_trains_as_the_built_in_step():
    x, y, _ = guide_data()
    model = guide_model(CustomModel)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    history = model.fit(x, y, epochs=3, shuffle=False, verbose=0)
    built_in = guide_model(keras.Model)
    built_in.compile(optimizer="adam", loss="mse", metrics=["mae"])
    expected = built_in.fit(x, y, epochs=3, shuffle=False, verbose=0)
    for got, want in zip(model.get_weights(), built_in.get_weights()):
        np.testing.assert_allclose(got, want, atol=1e-6)
    np.testing.assert_allclose(history.history["mae"], expected.history["mae"], rtol=1e-5)
    assert sorted(history.history) == ["loss", "mae"]


def test_guide_lower_level_step_with_its_own_metrics_reset_each_epoch():
    x, y, _ = guide_data()
    model = guide_model(LowerLevelModel)
    model.compile(optimizer="adam")  # no loss, no metrics: the step does everything
    history = model.fit(x, y, epochs=5, shuffle=False, verbose=0)
    twin = guide_model(keras.Model)
    twin.compile(optimizer="adam", loss="mse", metrics=["mae"])
    expected = twin.fit(x, y, epochs=5, shuffle=False, verbose=0)
    # `metrics` lists the step's own trackers, so fit resets them every epoch.
    np.testing.assert_allclose(history.history["mae"], expected.history["mae"], rtol=1e-5)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_guide_sample_weight_step_and_the_evaluation_step():
    x, y, sw = guide_data()
    model = guide_model(WeightedModel)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.fit(x, y, sample_weight=sw, epochs=3, shuffle=False, verbose=0)
    twin = guide_model(keras.Model)
    twin.compile(optimizer="adam", loss="mse", metrics=["mae"])
    twin.fit(x, y, sample_weight=sw, epochs=3, shuffle=False, verbose=0)
    for got, want in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_allclose(got, want, atol=1e-6)

    x, y, _ = guide_data(n=1024)  # whole batches: the guide's loss mean is then the built-in one
    evaluating = guide_model(EvaluatingModel)
    evaluating.compile(loss="mse", metrics=["mae"])
    plain = guide_model(keras.Model)
    plain.compile(loss="mse", metrics=["mae"])
    np.testing.assert_allclose(evaluating.evaluate(x, y, verbose=0), plain.evaluate(x, y, verbose=0),
                               rtol=1e-6)


# ---------------------------------------------------------------------- inputs (issue 10)
def compiled_mlp(**kwargs):
    model = mlp()
    model.compile(**{"optimizer": "adam", "loss": "sparse_categorical_crossentropy",
                     "metrics": ["accuracy"], **kwargs})
    return model


def test_class_weight_and_sample_weight_together_are_refused_as_keras_does():
    x, y = toy_data()
    with pytest.raises(ValueError, match="You cannot `class_weight` and `sample_weight` at the"):
        compiled_mlp().fit(x, y, class_weight={0: 2.0}, sample_weight=np.ones(len(x)), verbose=0)
    with pytest.raises(ValueError, match="Arguments `sample_weight` and `class_weight` cannot be "
                                         "specified at the same time"):
        compiled_mlp().train_on_batch(x, y, class_weight={0: 2.0}, sample_weight=np.ones(len(x)))


def test_train_on_batch_class_weight_is_fits_per_sample_weight():
    x, y = toy_data(n=16)
    by_class, by_sample = compiled_mlp(), compiled_mlp()
    by_class.train_on_batch(x, y, class_weight={0: 3.0, 2: 0.5})
    by_sample.train_on_batch(x, y, sample_weight=np.array([{0: 3.0, 2: 0.5}.get(int(c), 1.0)
                                                           for c in y], "float32"))
    for got, want in zip(by_class.get_weights(), by_sample.get_weights()):
        np.testing.assert_allclose(got, want, atol=1e-7)


def test_validation_steps_and_weighted_validation_data():
    x, y = toy_data(n=64)
    x_val, y_val = toy_data(n=40, seed=1)
    weights = np.linspace(0.1, 3.0, 40).astype("float32")
    model = compiled_mlp(weighted_metrics=["accuracy"])
    history = model.fit(x, y, epochs=1, batch_size=16, verbose=0,
                        validation_data=(x_val, y_val, weights), validation_steps=2)
    expected = model.evaluate(x_val[:32], y_val[:32], sample_weight=weights[:32], batch_size=16,
                              verbose=0, return_dict=True)
    assert history.history["val_loss"][0] == pytest.approx(expected["loss"], rel=1e-6)
    assert history.history["val_weighted_accuracy"][0] == pytest.approx(
        expected["weighted_accuracy"], rel=1e-6)
    # The whole validation set gives another value: validation_steps did limit it.
    whole = model.evaluate(x_val, y_val, sample_weight=weights, batch_size=16, verbose=0)[0]
    assert whole != pytest.approx(expected["loss"], rel=1e-6)


class DoubledLoss(keras.Sequential):
    """Keras' hook: a model that overrides `compute_loss` (here: twice the compiled loss)."""

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        return 2.0 * super().compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                          training=training)


def test_an_overridden_compute_loss_is_what_fit_and_evaluate_minimize_and_report():
    x, y = toy_data()
    keras.utils.set_random_seed(0)
    doubled = DoubledLoss([keras.Input((4,)), layers.Dense(5, activation="relu"),
                           layers.Dense(3, activation="softmax")])
    plain = mlp()
    doubled.compile(optimizer=keras.optimizers.SGD(0.05), loss="sparse_categorical_crossentropy")
    plain.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    h_doubled = doubled.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    h_plain = plain.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    for got, want in zip(doubled.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(got, want, atol=1e-6)
    np.testing.assert_allclose(h_doubled.history["loss"], 2 * np.array(h_plain.history["loss"]),
                               rtol=1e-5)
    assert doubled.evaluate(x, y, verbose=0) == pytest.approx(2 * plain.evaluate(x, y, verbose=0),
                                                              rel=1e-6)


class DistillationStyleLoss(keras.Sequential):
    """keras.io's distillation example: a `compute_loss` without a `training` parameter and
    with one of its own (`allow_empty`), called positionally as Keras does."""

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, allow_empty=False):
        assert allow_empty is False  # Keras passes only x, y, y_pred, sample_weight
        return 3.0 * keras.losses.sparse_categorical_crossentropy(y, y_pred).mean()


def test_a_compute_loss_without_a_training_argument_is_called_without_it():
    x, y = toy_data()
    keras.utils.set_random_seed(0)
    model = DistillationStyleLoss([keras.Input((4,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd")
    history = model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    expected = 3.0 * keras.losses.sparse_categorical_crossentropy(
        torch.as_tensor(y), model(torch.as_tensor(x))).mean().item()
    assert model.evaluate(x, y, verbose=0) == pytest.approx(expected, rel=1e-5)
    assert np.isfinite(history.history["loss"][0])


class _SeededNoise(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, x):
        return x + keras.random.normal(keras.ops.shape(x), seed=self.seed_generator)


def test_the_engines_sample_call_draws_nothing_from_a_layers_seed_stream():
    noise = _SeededNoise()
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(1)(noise(inputs)))
    x = np.zeros((8, 3), "float32")
    model.predict(x, batch_size=4, verbose=0)
    counters = [noise.seed_generator.counter]
    model.compile(loss="mse", optimizer="sgd")
    model.evaluate(x, x[:, :1], batch_size=4, verbose=0)
    counters.append(noise.seed_generator.counter)
    model.fit(x, x[:, :1], batch_size=4, verbose=0)
    counters.append(noise.seed_generator.counter)
    assert counters == [2, 4, 6]  # Keras 3.15 on torch: one draw per batch, none to build
