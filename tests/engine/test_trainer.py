"""fit / evaluate / predict behaviour: Keras semantics, learner-slip errors, engine rules."""
import numpy as np
import pytest
import torch

import lamina as keras
from lamina import layers


def classifier(inputs=4, classes=3):
    return keras.Sequential([layers.Dense(8, activation="relu", input_shape=(inputs,)),
                             layers.Dense(classes, activation="softmax")])


def compiled_classifier(**compile_kwargs):
    model = classifier()
    model.compile(**{"optimizer": "adam", "loss": "sparse_categorical_crossentropy",
                     "metrics": ["accuracy"], **compile_kwargs})
    return model


def toy_data(n=64, inputs=4, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, inputs)).astype("float32")
    return x, rng.integers(0, classes, n)


# ---------------------------------------------------------------------- History and logs
def test_history_has_keras_keys_params_and_zero_based_epochs():
    x, y = toy_data()
    history = compiled_classifier().fit(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0)
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert history.epoch == [0, 1, 2]
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 3}
    assert all(len(v) == 3 for v in history.history.values())


def test_validation_split_takes_the_last_fraction_before_shuffling():
    x, y = toy_data(n=10)
    model = compiled_classifier()
    history = model.fit(x, y, epochs=1, validation_split=0.3, shuffle=True, verbose=0)
    expected = model.evaluate(x[7:], y[7:], verbose=0, return_dict=True)
    np.testing.assert_allclose(history.history["val_loss"][0], expected["loss"], rtol=1e-6)


def test_evaluate_return_forms():
    x, y = toy_data()
    model = compiled_classifier()
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert isinstance(loss, float) and 0 <= accuracy <= 1
    assert model.evaluate(x, y, verbose=0, return_dict=True) == {"accuracy": accuracy, "loss": loss}
    bare = classifier()
    bare.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    assert isinstance(bare.evaluate(x, y, verbose=0), float)


def test_evaluate_loss_matches_float64_reference():
    x, y = toy_data()
    model = compiled_classifier()
    probabilities = model.predict(x, verbose=0).astype(np.float64)
    expected = -np.log(np.clip(probabilities[np.arange(len(y)), y], 1e-7, 1 - 1e-7)).mean()
    accuracy = (probabilities.argmax(1) == y).mean()
    loss, got_accuracy = model.evaluate(x, y, batch_size=10, verbose=0)
    np.testing.assert_allclose(loss, expected, rtol=1e-5)
    np.testing.assert_allclose(got_accuracy, accuracy, rtol=1e-6)


def test_predict_returns_float32_probabilities():
    x, _ = toy_data(n=70)
    predictions = compiled_classifier().predict(x, batch_size=32, verbose=0)
    assert predictions.dtype == np.float32 and predictions.shape == (70, 3)
    np.testing.assert_allclose(predictions.sum(1), 1, atol=1e-6)


def test_accepts_uint8_float64_lists_and_tensors():
    model = compiled_classifier()
    x, y = toy_data(n=8)
    for x_in, y_in in [((x * 10).clip(0, 255).astype(np.uint8), y), (x.astype(np.float64), y),
                       (x.tolist(), y.tolist()), (torch.tensor(x), torch.tensor(y))]:
        model.fit(x_in, y_in, verbose=0)


def test_regularization_penalty_is_in_the_reported_loss():
    model = keras.Sequential([layers.Dense(1, use_bias=False, kernel_initializer="zeros",
                                           input_shape=(1,),
                                           kernel_regularizer=keras.regularizers.L2(1.0))])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="mse")
    model.set_weights([np.ones((1, 1))])
    x = np.zeros((4, 1), "float32")
    assert model.evaluate(x, np.zeros(4), verbose=0) == pytest.approx(1.0)
    history = model.fit(x, np.zeros(4), verbose=0)
    assert history.history["loss"][0] == pytest.approx(1.0)


def test_sample_weight_and_class_weight_change_the_loss():
    x, y = toy_data()
    model = compiled_classifier()
    weights = np.where(y == 0, 2.0, 0.0)
    weighted = model.evaluate(x, y, sample_weight=weights, verbose=0, return_dict=True)["loss"]
    probabilities = model.predict(x, verbose=0).astype(np.float64)
    per_sample = -np.log(probabilities[np.arange(len(y)), y])
    np.testing.assert_allclose(weighted, (per_sample * weights).mean(), rtol=1e-5)
    model.fit(x, y, class_weight={0: 1.0, 1: 0.5, 2: 2.0}, verbose=0)


def test_same_seed_gives_same_training_on_cpu():
    def train():
        keras.backend.clear_session()
        keras.utils.set_random_seed(7)
        x, y = toy_data()
        model = compiled_classifier()
        model.fit(x, y, epochs=2, batch_size=8, verbose=0)
        return model.get_weights()

    for first, second in zip(train(), train()):
        np.testing.assert_array_equal(first, second)


def test_training_learns_a_separable_problem():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(512, 4)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype(int)
    model = compiled_classifier()
    model.fit(x, y, epochs=20, verbose=0)
    assert model.evaluate(x, y, verbose=0)[1] > 0.9


def test_train_test_predict_on_batch():
    x, y = toy_data(n=16)
    model = compiled_classifier()
    loss, accuracy = model.train_on_batch(x, y)
    assert loss > 0 and 0 <= accuracy <= 1
    assert set(model.test_on_batch(x, y, return_dict=True)) == {"loss", "accuracy"}
    assert model.predict_on_batch(x).shape == (16, 3)


# ---------------------------------------------------------------------- engine rules
def test_train_step_never_reads_the_device(monkeypatch):
    x, y = toy_data(n=64)
    model = compiled_classifier()
    model.fit(x, y, epochs=1, verbose=0)  # builds everything once
    engine = model._engine
    batch_x, batch_y = torch.tensor(x[:32]), torch.tensor(y[:32])

    def forbidden(*args, **kwargs):
        raise AssertionError("host sync inside the train step")

    for name in ("item", "tolist", "cpu", "numpy", "__bool__", "__float__", "__int__"):
        monkeypatch.setattr(torch.Tensor, name, forbidden)
    engine.train_step(batch_x, batch_y, None)


def test_non_interactive_log_prints_one_line_per_epoch(capsys):
    x, y = toy_data()
    compiled_classifier().fit(x, y, epochs=2, batch_size=16, verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    assert lines[1].startswith("4/4 ━━━━━━━━━━━━━━━━━━━━ ") and " - accuracy: " in lines[1]
    assert "\r" not in capsys.readouterr().out


# ---------------------------------------------------------------------- learner slips
def test_fit_before_compile():
    x, y = toy_data()
    with pytest.raises(ValueError, match=r"You must call `compile\(\)` before calling `fit\(\)`"):
        classifier().fit(x, y)
    with pytest.raises(ValueError, match=r"before calling `evaluate\(\)`"):
        classifier().evaluate(x, y)


def test_x_and_y_of_different_lengths():
    x, y = toy_data()
    with pytest.raises(ValueError, match=r"Data cardinality is ambiguous(.|\n)*'x' sizes: 64(.|\n)*'y' sizes: 63"):
        compiled_classifier().fit(x, y[:-1], verbose=0)


def test_one_dimensional_x_for_a_784_feature_model():
    model = keras.Sequential([layers.Dense(10, activation="softmax", input_shape=(784,))])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"expected shape \(None, 784\), but received x with shape "
                                         r"\(784,\)(.|\n)*single sample"):
        model.predict(np.zeros(784))
    with pytest.raises(ValueError, match=r"expected shape \(None, 784\)"):
        model.fit(np.zeros((5, 28, 28)), np.zeros(5), verbose=0)


def test_one_hot_labels_with_sparse_loss_and_integers_with_categorical():
    x, y = toy_data()
    with pytest.raises(ValueError, match="categorical_crossentropy"):
        compiled_classifier().fit(x, np.eye(3)[y], verbose=0)
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        compiled_classifier(loss="categorical_crossentropy").fit(x, y, verbose=0)


def test_label_beyond_the_number_of_classes():
    x, y = toy_data()
    y[5] = 7
    with pytest.raises(ValueError, match="7"):
        compiled_classifier().fit(x, y, verbose=0)


@pytest.mark.parametrize("argument, name, expected", [
    ("optimizer", "adamm", "Did you mean 'adam'"),
    ("loss", "sparse_categorical_crossentropyy", "Did you mean 'sparse_categorical_crossentropy'"),
    ("metrics", ["acuracy"], "Did you mean 'accuracy'"),
])
def test_unknown_names_suggest_close_matches(argument, name, expected):
    x, y = toy_data()
    with pytest.raises(ValueError, match=expected):
        model = compiled_classifier(**{argument: name})
        model.fit(x, y, verbose=0)


@pytest.mark.parametrize("split", [-0.1, 1.0, 1.5])
def test_validation_split_outside_unit_interval(split):
    x, y = toy_data()
    with pytest.raises(ValueError, match=r"`validation_split` must be a float in \[0, 1\)"):
        compiled_classifier().fit(x, y, validation_split=split, verbose=0)


def test_nan_in_x_is_reported():
    x, y = toy_data()
    x[3, 1] = np.nan
    with pytest.warns(UserWarning, match=r"`x` contains NaN values \(first in sample 3"):
        compiled_classifier().fit(x, y, verbose=0)


def test_recompile_switches_loss_optimizer_and_metrics():
    x, y = toy_data()
    model = compiled_classifier()
    model.fit(x, y, verbose=0)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["acc"])
    history = model.fit(x, y, verbose=0)
    assert list(history.history) == ["acc", "loss"]
    assert type(model.optimizer).__name__ == "SGD"


def test_initial_epoch_steps_per_epoch_and_validation_freq():
    x, y = toy_data(n=48)  # 6 batches of 8: two epochs of 3 steps per pass
    history = compiled_classifier().fit(x, y, batch_size=8, epochs=4, initial_epoch=1,
                                        steps_per_epoch=3, validation_data=(x, y),
                                        validation_freq=2, verbose=0)
    assert history.epoch == [1, 2, 3]
    assert history.params["steps"] == 3
    assert len(history.history["loss"]) == 3
    assert len(history.history["val_loss"]) == 2  # after epochs 1 and 3 (0-based): every 2nd


def test_early_stopping_stops_and_restores_best_weights():
    x, y = toy_data(n=64)
    model = compiled_classifier()
    stopper = keras.callbacks.EarlyStopping(monitor="loss", patience=0, restore_best_weights=True)
    # A learning rate this large makes the loss rise, so training stops after the second epoch.
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=50.0),
                  loss="sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=20, verbose=0, callbacks=[stopper])
    assert len(history.history["loss"]) < 20 and stopper.stopped_epoch == len(history.epoch) - 1


def test_tf2_positional_compile_order_puts_metrics_third():
    x, y = toy_data()
    model = classifier()
    model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
    assert list(model.fit(x, y, verbose=0).history) == ["accuracy", "loss"]


def test_vector_valued_metrics_are_logged_as_arrays():
    x, y = toy_data()
    model = compiled_classifier(loss="categorical_crossentropy", metrics=["f1_score"])
    history = model.fit(x, np.eye(3)[y].astype("float32"), epochs=1, verbose=0)
    assert np.asarray(history.history["f1_score"][0]).shape == (3,)


def _stateful_model(batch_size):
    model = keras.Sequential([keras.Input(batch_shape=(batch_size, None)),
                              keras.layers.Embedding(10, 3),
                              keras.layers.GRU(5, stateful=True, return_sequences=True),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    return model


def test_a_stateful_rnn_fits_and_predicts_at_the_batch_size_given():
    # The engine's first (shape-learning) call takes batch_size rows, not 32: a stateful
    # RNN accepts no other batch, and Keras builds such a model at any size of data.
    x = np.random.default_rng(0).integers(0, 10, size=(40, 6))
    model = _stateful_model(4)
    history = model.fit(x, x, batch_size=4, epochs=1, shuffle=False, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert model.predict(x, batch_size=4, verbose=0).shape == (40, 6, 10)


def test_building_the_engine_leaves_a_stateful_rnns_states_alone():
    # The states after predict() are those of the data's own batches: the same as calling the
    # model on them in order from zero states (the sample call must not advance them).
    x = np.random.default_rng(1).integers(0, 10, size=(8, 6))
    model = _stateful_model(4)
    model.predict(x, batch_size=4, verbose=0)
    after_predict = keras.ops.convert_to_numpy(model.layers[1].states[0]).copy()
    model.layers[1].reset_states()
    model(x[:4])
    model(x[4:])
    by_hand = keras.ops.convert_to_numpy(model.layers[1].states[0])
    np.testing.assert_allclose(after_predict, by_hand, rtol=1e-6, atol=1e-6)


def test_evaluates_list_order_is_keras_for_one_and_several_outputs():
    # Keras 3.15 (JAX and torch alike): loss, each output's loss in output order, then a
    # multi-output model's metrics sorted by log name; one output keeps compile's order.
    x = np.random.default_rng(2).random((8, 3)).astype("float32")
    inputs = keras.Input((3,))
    outputs = [layers.Dense(1, name=name)(inputs) for name in ("c", "a", "b")]
    model = keras.Model(inputs, outputs)
    model.compile("sgd", ["mse", "mae", "mse"], metrics=[["mae"], ["mape"], ["msle"]])
    y = [np.random.default_rng(i).random((8, 1)).astype("float32") for i in range(3)]
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    order = ["loss", "c_loss", "a_loss", "b_loss", "a_mape", "b_msle", "c_mae"]
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), [logs[k] for k in order])
    single = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    single.compile("sgd", "mse", metrics=["mape", "mae"])
    logs = single.evaluate(x, y[0], verbose=0, return_dict=True)
    np.testing.assert_allclose(single.evaluate(x, y[0], verbose=0),
                               [logs[k] for k in ("loss", "mape", "mae")])


def test_stop_training_set_in_an_epoch_hook_stops_after_one_batch_at_any_verbosity():
    class StopAtSecondEpoch(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    for verbose in (0, 1, 2):
        x, y = toy_data(n=56)
        model = compiled_classifier()
        history = model.fit(x, y, batch_size=8, epochs=3, verbose=verbose,
                            callbacks=[StopAtSecondEpoch()])
        # Keras 3.15: 7 steps of epoch 0, then one of epoch 1.
        assert int(model.optimizer.iterations) == 8 and history.epoch == [0, 1]


def test_evaluate_lists_output_losses_in_the_loss_dict_order_as_keras():
    inputs = keras.Input((3,))
    outputs = {"out1": keras.layers.Dense(1, activation="sigmoid", name="out1")(inputs),
               "out2": keras.layers.Dense(2, name="out2")(inputs)}
    model = keras.Model(inputs, outputs)
    model.compile("sgd", loss={"out2": "mse", "out1": "binary_crossentropy"},
                  metrics={"out1": ["accuracy"], "out2": ["mae"]})
    x = np.random.default_rng(0).random((8, 3)).astype("float32")
    targets = {"out1": np.ones((8, 1)), "out2": np.zeros((8, 2))}
    listed = model.evaluate(x, targets, verbose=0)
    named = model.evaluate(x, targets, verbose=0, return_dict=True)
    order = ["loss", "out2_loss", "out1_loss", "out1_accuracy", "out2_mae"]  # Keras 3.15's
    assert listed == pytest.approx([named[name] for name in order])


def test_compute_metrics_and_get_metrics_result_in_a_custom_train_step():
    class Custom(keras.Model):
        def train_step(self, data):
            x, y = data
            return self.compute_metrics(x, y, self(x, training=True))

    inputs = keras.Input((3,))
    model = Custom(inputs, keras.layers.Dense(1, activation="sigmoid",
                                              kernel_initializer="ones")(inputs))
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    x = rng.random((16, 3)).astype("float32")
    y = (rng.random((16, 1)) > 0.5).astype("float32")
    history = model.fit(x, y, batch_size=16, verbose=0)
    assert history.history["accuracy"] == [pytest.approx(float((y == 1).mean()))]
    assert model.get_metrics_result()["accuracy"] == history.history["accuracy"][0]
    assert len(model.metrics_variables) == 4  # loss: total, count; accuracy: total, count


@pytest.mark.parametrize("as_list", [False, True], ids=["y", "[y, None]"])
def test_an_output_without_a_loss_needs_no_target(as_list):
    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(3)(inputs)
    model = keras.Model(inputs, [keras.layers.Dense(2)(hidden), hidden])  # the GPT example's
    model.compile("sgd", loss=[keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                               None])
    rng = np.random.default_rng(0)
    x, y = rng.random((8, 4)).astype("float32"), rng.integers(0, 2, 8)
    logits = model.predict(x, verbose=0)[0].astype("float64")
    log_softmax = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    expected = -log_softmax[np.arange(8), y].mean()
    loss = model.evaluate(x, [y, None] if as_list else y, verbose=0)
    assert loss == pytest.approx(expected, rel=1e-5)
    model.fit(x, [y, None] if as_list else y, verbose=0)


def test_predict_returns_the_outputs_in_their_own_nested_structure():
    # Keras 3.15: a tuple stays a tuple, a list nested in a list or a dict stays nested.
    inputs = keras.Input((3,))
    x, y = keras.layers.Dense(2)(inputs), keras.layers.Dense(3)(inputs)
    data = np.ones((5, 3), "float32")
    nested = keras.Model(inputs, [x, [y, x]]).predict(data, batch_size=2, verbose=0)
    assert isinstance(nested, list) and isinstance(nested[1], list)
    assert [np.shape(v) for v in (nested[0], *nested[1])] == [(5, 2), (5, 3), (5, 2)]
    np.testing.assert_array_equal(nested[0], nested[1][1])
    pair = keras.Model(inputs, (x, y)).predict(data, verbose=0)
    assert isinstance(pair, tuple) and [v.shape for v in pair] == [(5, 2), (5, 3)]
    keyed = keras.Model(inputs, {"p": x, "q": [y, x]}).predict(data, verbose=0)
    assert sorted(keyed) == ["p", "q"] and [v.shape for v in keyed["q"]] == [(5, 3), (5, 2)]


def test_a_sequential_model_runs_on_other_lengths_and_image_sizes_as_in_keras():
    # Keras 3.15 predicts and fits an LSTM built for 20 steps on 30, and a convnet with global
    # pooling on larger images; a Flatten + Dense model cannot, and says why.
    rng = np.random.default_rng(0)
    rnn = keras.Sequential([keras.Input((20, 1)), layers.LSTM(4), layers.Dense(1)])
    rnn.compile("adam", "mse")
    assert rnn.predict(rng.random((4, 30, 1)), verbose=0).shape == (4, 1)
    rnn.fit(rng.random((4, 30, 1)), rng.random((4, 1)), verbose=0)
    convnet = keras.Sequential([keras.Input((8, 8, 3)), layers.Conv2D(4, 3),
                                layers.GlobalAveragePooling2D(), layers.Dense(1)])
    assert convnet.predict(rng.random((2, 10, 10, 3)), verbose=0).shape == (2, 1)
    flat = keras.Sequential([keras.Input((8, 8, 3)), layers.Flatten(), layers.Dense(1)])
    with pytest.raises(ValueError, match=r"expected shape \(None, 8, 8, 3\), but received x with "
                                         r"shape \(2, 10, 10, 3\)\. Layer 'dense\w*' expects "
                                         r"inputs with last dimension 192"):
        flat.predict(rng.random((2, 10, 10, 3)), verbose=0)


def test_a_one_element_metric_result_stays_an_array_of_shape_1_as_in_keras():
    # Keras logs F1Score of a one-unit classifier as array([0.32], dtype=float32), not a float.
    rng = np.random.default_rng(0)
    x, y = rng.random((32, 4)).astype("float32"), (rng.random((32, 1)) > 0.5).astype("float32")
    model = keras.Sequential([keras.Input((4,)), layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", metrics=[keras.metrics.F1Score(threshold=0.5)])
    history = model.fit(x, y, epochs=1, verbose=0)
    assert isinstance(history.history["f1_score"][0], np.ndarray)
    assert history.history["f1_score"][0].shape == (1,)
    assert isinstance(history.history["loss"][0], float)
    assert model.evaluate(x, y, verbose=0)[1].shape == (1,)


def test_evaluate_builds_the_optimizer_as_keras_does():
    # Keras 3.15: after evaluate alone the summary counts RMSprop's 2 + 4 variables.
    model = keras.Sequential([layers.Dense(4), layers.Dense(1)])
    model.compile("rmsprop", "mse")
    model.build((None, 3))
    model.evaluate(np.ones((4, 3)), np.ones(4), verbose=0)
    assert len(model.optimizer.variables) == 6
