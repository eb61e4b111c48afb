"""Learner slips in fit/evaluate/predict arguments: each a clear error (or Keras' warning) that
names the argument, what was expected and what was received."""
import re
import warnings

import numpy as np
import pytest

import lamina as keras
from lamina import layers
from lamina.engine.compile_utils import check_metric_names


def compiled_classifier(loss="sparse_categorical_crossentropy"):
    model = keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"),
                              layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    return model


def toy_data(n=32, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 4)).astype("float32"), rng.integers(0, 3, n)


# ---------------------------------------------------------------------- epochs and steps
# A value of the wrong type is Keras' TypeError; an integer out of range a ValueError.
@pytest.mark.parametrize("epochs, error", [(-1, ValueError), (2.5, TypeError), (3.0, TypeError),
                                           ("3", TypeError), (True, TypeError), (None, TypeError)])
def test_epochs_must_be_an_integer_at_least_zero(epochs, error):
    x, y = toy_data()
    with pytest.raises(error, match=rf"^Argument `epochs` must be an integer >= 0: the index of "
                                    rf"the epoch at which training stops, e\.g\. epochs=10\. "
                                    rf"Received: epochs={re.escape(repr(epochs))}$"):
        compiled_classifier().fit(x, y, epochs=epochs, verbose=0)


@pytest.mark.parametrize("initial_epoch, error", [(-1, ValueError), (1.5, TypeError)])
def test_initial_epoch_must_be_an_integer_at_least_zero(initial_epoch, error):
    x, y = toy_data()
    with pytest.raises(error, match=rf"Argument `initial_epoch` must be an integer >= 0.*"
                                    rf"Received: initial_epoch={initial_epoch}"):
        compiled_classifier().fit(x, y, epochs=3, initial_epoch=initial_epoch, verbose=0)


@pytest.mark.parametrize("epochs, initial_epoch", [(0, 3), (2, 3), (3, 3), (0, 0)])
def test_epochs_not_above_initial_epoch_train_nothing_as_in_keras(epochs, initial_epoch):
    x, y = toy_data()
    model = compiled_classifier()
    before = model.get_weights()
    with pytest.warns(UserWarning, match=rf"fit\(epochs={epochs}, initial_epoch={initial_epoch}\) "
                                         rf"trains no epochs: .* pass epochs=initial_epoch \+ N"):
        history = model.fit(x, y, epochs=epochs, initial_epoch=initial_epoch, verbose=0)
    assert history.history == {} and history.epoch == []
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)


def test_initial_epoch_below_epochs_runs_the_difference():
    x, y = toy_data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = compiled_classifier().fit(x, y, epochs=5, initial_epoch=3, verbose=0)
    assert history.epoch == [3, 4]


@pytest.mark.parametrize("method, argument", [
    ("fit", "steps_per_epoch"), ("fit", "validation_steps"), ("evaluate", "steps"), ("predict", "steps"),
])
@pytest.mark.parametrize("steps, error", [(0, ValueError), (-2, ValueError), (1.5, TypeError)])
def test_steps_must_be_positive_integers(method, argument, steps, error):
    x, y = toy_data()
    model = compiled_classifier()
    call = {"fit": lambda: model.fit(x, y, validation_data=(x, y), verbose=0, **{argument: steps}),
            "evaluate": lambda: model.evaluate(x, y, verbose=0, steps=steps),
            "predict": lambda: model.predict(x, verbose=0, steps=steps)}[method]
    with pytest.raises(error, match=rf"^Argument `{argument}` must be a positive integer, or None "
                                    rf"for one pass over the data\. Received: {argument}={steps}$"):
        call()


# ---------------------------------------------------------------------- 0 samples
@pytest.mark.parametrize("method", ["fit", "evaluate", "predict", "train_on_batch", "test_on_batch",
                                    "predict_on_batch"])
def test_zero_samples_are_refused_naming_x(method):
    x, y = toy_data()
    model = compiled_classifier()
    arguments = (x[:0],) if method.startswith("predict") else (x[:0], y[:0])
    kwargs = {"verbose": 0} if method in ("fit", "evaluate", "predict") else {}
    with pytest.raises(ValueError, match=rf"^Argument `x` has 0 samples \(shape \(0, 4\)\): {method}\(\) "
                                         rf"needs at least one\."):
        getattr(model, method)(*arguments, **kwargs)


def test_empty_validation_data_is_refused():
    x, y = toy_data()
    with pytest.raises(ValueError, match=r"^Argument `validation_data` has 0 samples \(shape \(0, 4\)\)"):
        compiled_classifier().fit(x, y, validation_data=(x[:0], y[:0]), verbose=0)


# ---------------------------------------------------------------------- validation targets
def test_one_hot_validation_labels_with_sparse_training_labels():
    x, y = toy_data()
    with pytest.raises(ValueError, match=r"^The targets in `validation_data` do not fit the loss \(the "
                                         r"training targets `y` have shape \(32,\)\): "
                                         r"sparse_categorical_crossentropy expects integer class "
                                         r"labels of shape \(N,\) or \(N, 1\), but received labels of "
                                         r"shape \(32, 3\), which look one-hot encoded"):
        compiled_classifier().fit(x, y, validation_data=(x, np.eye(3)[y]), verbose=0)


def test_sparse_validation_labels_with_one_hot_training_labels():
    x, y = toy_data()
    with pytest.raises(ValueError, match=r"`validation_data` do not fit the loss \(the training targets "
                                         r"`y` have shape \(32, 3\)\): categorical_crossentropy "
                                         r"expects one-hot labels of shape \(None, 3\), but received "
                                         r"integer class labels"):
        compiled_classifier("categorical_crossentropy").fit(
            x, np.eye(3)[y], validation_data=(x, y), verbose=0)


def test_labels_out_of_range_in_the_validation_split_give_the_training_message():
    x, y = toy_data()
    y[-3:] = 7  # only in the held-out last 20%
    with pytest.raises(ValueError, match=r"^sparse_categorical_crossentropy received a label value of "
                                         r"7, but the model's output has 3 units"):
        compiled_classifier().fit(x, y, validation_split=0.2, verbose=0)


# ---------------------------------------------------------------------- images into Dense
FLATTEN_HINT = r"start the model with `keras.Input\(shape=\(28, 28\)\)` and `Flatten\(\)`"


def images(n=8):
    return np.random.default_rng(0).random((n, 28, 28)).astype("float32")


@pytest.mark.parametrize("first_layers", [
    lambda: [layers.Dense(10, activation="softmax", input_shape=(784,))],
    lambda: [layers.Dropout(0.2, input_shape=(784,)), layers.Dense(10, activation="softmax")],
], ids=["dense-first", "dropout-then-dense"])
@pytest.mark.parametrize("method", ["fit", "predict"])
def test_images_into_dense_carry_the_flatten_hint(first_layers, method):
    model = keras.Sequential(first_layers())
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    call = (lambda: model.fit(images(), np.zeros(8), verbose=0)) if method == "fit" else \
        (lambda: model.predict(images(), verbose=0))
    with pytest.raises(ValueError, match=r"expected shape \(None, 784\), but received x with shape "
                                         rf"\(8, 28, 28\)\. .*received shape \(8, 28, 28\)\. .*{FLATTEN_HINT}"):
        call()


def test_images_into_a_functional_dense_carry_the_flatten_hint():
    inputs = keras.Input((784,))
    model = keras.Model(inputs, layers.Dense(10, activation="softmax")(inputs))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=FLATTEN_HINT):
        model.fit(images(), np.zeros(8), verbose=0)


# ---------------------------------------------------------------------- names at compile
@pytest.mark.parametrize("loss", ["sparse_categorical_crossentropyy", ["mse", "sparse_categorical_crossentropyy"]])
def test_a_misspelt_loss_fails_at_compile_with_close_matches(loss):
    model = compiled_classifier()
    with pytest.raises(ValueError, match=r"^Unknown loss: 'sparse_categorical_crossentropyy'\. Did you "
                                         r"mean 'sparse_categorical_crossentropy'"):
        model.compile(optimizer="adam", loss=loss)


@pytest.mark.parametrize("metrics", [["acuracy"], ["accuracy", "acuracy"], {"out": ["acuracy"]},
                                     [["mae"], ["acuracy"]]])
def test_misspelt_metric_names_are_found_before_any_data(metrics):
    with pytest.raises(ValueError, match=r"^Unknown metric: 'acuracy'\. Did you mean 'accuracy'"):
        check_metric_names(metrics)


def test_every_metric_spelling_compile_resolves_passes_the_name_check():
    check_metric_names(["accuracy", "acc", "ACC", "ce", "crossentropy", "mae", "mse", "auc",
                        "sparse_categorical_accuracy", "Precision", keras.metrics.AUC(),
                        lambda y_true, y_pred: y_pred], weighted_metrics=["accuracy"])
    check_metric_names(None)


class _StepCounter(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.epochs = self.batches = self.test_batches = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epochs += 1

    def on_train_batch_begin(self, batch, logs=None):
        self.batches += 1

    def on_test_batch_begin(self, batch, logs=None):
        self.test_batches += 1


def test_config_max_epochs_and_max_steps_per_epoch_cap_fit_evaluate_and_predict():
    # Keras' trainer_test.test_max_epochs_and_steps: 10 batches x 4 epochs become 2 x 3.
    x, y = np.ones((80, 4), "float32"), np.ones((80, 1), "float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    counter = _StepCounter()
    model.fit(x, y, batch_size=8, epochs=4, callbacks=[counter], verbose=0)
    assert (counter.epochs, counter.batches) == (4, 40)
    try:
        keras.config.set_max_epochs(2)
        keras.config.set_max_steps_per_epoch(3)
        counter = _StepCounter()
        with pytest.warns(UserWarning, match="Limiting epochs to 2"):
            model.fit(x, y, batch_size=8, epochs=4, callbacks=[counter], verbose=0,
                      validation_data=(x, y))
        assert (counter.epochs, counter.batches, counter.test_batches) == (2, 6, 6)
        with pytest.warns(UserWarning, match="Limiting steps_per_epoch to 3"):
            assert model.predict(x, batch_size=8, verbose=0).shape == (24, 1)
        counter = _StepCounter()
        with pytest.warns(UserWarning, match="Limiting steps_per_epoch to 3"):
            model.evaluate(x, y, batch_size=8, callbacks=[counter], verbose=0)
        assert counter.test_batches == 3
    finally:
        keras.config.set_max_epochs(None)
        keras.config.set_max_steps_per_epoch(None)


@pytest.mark.parametrize("functional", [False, True])
def test_a_list_of_samples_for_a_one_input_model_gets_the_stack_fix(functional):
    if functional:
        inputs = keras.Input((4,))
        model = keras.Model(inputs, layers.Dense(3)(inputs))
    else:
        model = keras.Sequential([keras.Input((4,)), layers.Dense(3)])
    x = np.random.rand(2, 4).astype("float32")
    with pytest.raises(ValueError, match=r"takes one input, but x is a list of 2 arrays \(shapes "
                                         r"\[\(4,\), \(4,\)\]\)\. If they are samples, stack them "
                                         r"into one array first: np\.stack\(x\) has shape \(2, 4\)"):
        model.predict([x[0], x[1]], verbose=0)
    assert model.predict([x], verbose=0).shape == (2, 3)  # a one-item list is the input itself


def test_a_generator_of_inputs_alone_is_told_to_yield_input_target_tuples():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")

    def inputs_only():
        while True:
            yield np.zeros((8, 4), "float32")

    with pytest.raises(ValueError, match=r"must yield tuples \(inputs, targets\) or \(inputs, "
                                         r"targets, sample_weights\).*a batch of shape \(8, 4\)"):
        model.fit(inputs_only(), steps_per_epoch=1, verbose=0)
