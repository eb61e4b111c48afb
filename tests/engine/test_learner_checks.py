"""Warnings for slips that train silently but learn nothing, each naming the fix."""
import traceback
import warnings
from pathlib import Path

import numpy as np
import pytest

import lamina
from lamina import layers


def _caught(action) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        action()
    return [str(w.message) for w in caught]


def _classifier(units, activation, first=()):
    return lamina.Sequential([lamina.Input((28, 28)), *first, layers.Flatten(),
                              layers.Dense(units, activation=activation)])


def test_softmax_on_one_unit_with_binary_crossentropy_warns_at_compile():
    model = _classifier(1, "softmax")
    messages = _caught(lambda: model.compile("adam", "binary_crossentropy"))
    assert any("always outputs 1.0" in m and "Dense(1, activation='sigmoid')" in m for m in messages)


@pytest.mark.parametrize("loss", ["categorical_crossentropy", lamina.losses.SparseCategoricalCrossentropy()])
def test_sigmoid_into_multiclass_loss_warns(loss):
    model = _classifier(10, "sigmoid")
    messages = _caught(lambda: model.compile("adam", loss))
    assert any("activation='softmax'" in m for m in messages)


def test_matching_output_and_loss_is_quiet():
    model = _classifier(10, "softmax")
    assert _caught(lambda: model.compile("adam", "sparse_categorical_crossentropy")) == []


@pytest.mark.parametrize("dtype", ["uint8", "float32"])
def test_raw_pixels_warn_with_the_fix(dtype):
    x = (np.arange(8 * 28 * 28) % 256).reshape(8, 28, 28).astype(dtype)
    y = np.arange(8, dtype="float32") % 10  # float labels 0.0-9.0 are accepted, as in Keras
    model = _classifier(10, "softmax")
    model.compile("adam", "sparse_categorical_crossentropy")
    messages = _caught(lambda: model.fit(x, y, epochs=1, verbose=0))
    assert any("x_train / 255.0" in m and "Rescaling(1. / 255)" in m for m in messages)
    assert _caught(lambda: model.fit(x / 255.0, y, epochs=1, verbose=0)) == []


def test_a_rescaling_layer_silences_the_pixel_warning():
    x = np.full((4, 28, 28), 200, dtype="uint8")

    class Rescaling(layers.Layer):  # stands for keras.layers.Rescaling
        def call(self, inputs):
            return inputs / 255.0

    model = _classifier(10, "softmax", first=(Rescaling(),))
    model.compile("adam", "sparse_categorical_crossentropy")
    assert not any("255" in m for m in _caught(lambda: model.fit(x, np.zeros(4), epochs=1, verbose=0)))


def test_scaling_inside_a_nested_preprocessing_model_silences_the_pixel_warning():
    augment = lamina.Sequential([layers.Rescaling(1 / 255), layers.RandomFlip()])
    inputs = lamina.Input((8, 8, 3))
    model = lamina.Model(inputs, layers.Dense(1)(layers.Flatten()(augment(inputs))))
    model.compile("adam", "mse")
    x = np.full((4, 8, 8, 3), 200, dtype="uint8")
    assert not any("255" in m for m in _caught(lambda: model.fit(x, np.zeros(4), verbose=0)))


def test_a_lambda_first_layer_may_scale_and_is_trusted():
    model = _classifier(10, "softmax", first=(layers.Lambda(lambda t: t / 255.0),))
    model.compile("adam", "sparse_categorical_crossentropy")
    x = np.full((4, 28, 28), 200, dtype="uint8")
    assert not any("255" in m for m in _caught(lambda: model.fit(x, np.zeros(4), verbose=0)))


# ---------------------------------------------------------------------- loss and label format
def _dense_classifier():
    model = lamina.Sequential([lamina.Input((4,)), layers.Dense(10, activation="softmax")])
    return model


def _features_and_labels():
    rng = np.random.default_rng(0)
    return rng.random((16, 4)).astype("float32"), np.arange(16) % 10


def test_one_hot_labels_with_the_sparse_loss_name_both_fixes():
    x, y = _features_and_labels()
    model = _dense_classifier()
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError) as info:
        model.fit(x, lamina.utils.to_categorical(y, 10), epochs=1, verbose=0)
    message = str(info.value)
    assert "received labels of shape (16, 10), which look one-hot encoded" in message
    assert "use loss='categorical_crossentropy' for one-hot labels" in message
    assert "y.argmax(axis=-1)" in message


def test_integer_labels_with_the_categorical_loss_name_both_fixes():
    x, y = _features_and_labels()
    model = _dense_classifier()
    model.compile("adam", "categorical_crossentropy")
    with pytest.raises(ValueError) as info:
        model.fit(x, y, epochs=1, verbose=0)
    message = str(info.value)
    assert "received integer class labels of shape (16,)" in message
    assert "use loss='sparse_categorical_crossentropy' for integer labels" in message
    assert "keras.utils.to_categorical(y, num_classes=10)" in message


def test_float_labels_0_to_9_train_like_integer_labels_as_in_keras():
    x, y = _features_and_labels()
    results = []
    for labels in (y, y.astype("float32"), y.astype("float64").reshape(-1, 1)):
        lamina.utils.set_random_seed(3)
        model = _dense_classifier()
        model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(x, labels, epochs=2, batch_size=8, shuffle=False, verbose=0)
        results.append((history.history["loss"], history.history["accuracy"]))
    # Integer labels take the written-out Dense step, float ones autograd's: the same numbers
    # to float32 rounding (which of the two rounds the last bit differs between CPUs).
    for losses, accuracies in results[1:]:
        np.testing.assert_allclose(losses, results[0][0], rtol=1e-6)
        assert accuracies == results[0][1]


def test_fractional_labels_with_the_sparse_loss_say_what_is_expected():
    x, _ = _features_and_labels()
    model = _dense_classifier()
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"expects integer class labels \(0, 1, 2, \.\.\.\), but "
                                         r"received non-integer label values"):
        model.fit(x, np.full(16, 0.5, "float32"), epochs=1, verbose=0)


# ---------------------------------------------------------------------- names of metrics and logs
def test_acc_logs_under_acc_and_a_monitor_naming_accuracy_is_told_the_key():
    x, y = _features_and_labels()
    model = _dense_classifier()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["acc"])
    history = model.fit(x, y, epochs=1, validation_split=0.25, verbose=0)
    assert sorted(history.history) == ["acc", "loss", "val_acc", "val_loss"]
    stopper = lamina.callbacks.EarlyStopping(monitor="val_accuracy", mode="max")
    messages = _caught(lambda: model.fit(x, y, epochs=1, validation_split=0.25, verbose=0,
                                         callbacks=[stopper]))
    assert any("The logs name it 'val_acc' because the model was compiled with "
               "metrics=['acc']: pass monitor='val_acc', or compile with "
               "metrics=['accuracy']." in m for m in messages), messages


def test_accuracy_logs_under_accuracy():
    x, y = _features_and_labels()
    model = _dense_classifier()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    assert sorted(model.fit(x, y, epochs=1, verbose=0).history) == ["accuracy", "loss"]


def test_a_misspelt_loss_fails_at_compile_naming_the_right_one():
    with pytest.raises(ValueError, match=r"^Unknown loss: 'sparse_categorical_crossentopy'\. Did "
                                         r"you mean 'sparse_categorical_crossentropy'"):
        _dense_classifier().compile("adam", "sparse_categorical_crossentopy")


@pytest.mark.parametrize("metrics", [["accuarcy"], "accuarcy", {"dense": ["accuarcy"]}])
def test_a_misspelt_metric_fails_at_compile_not_at_fit(metrics):
    with pytest.raises(ValueError, match=r"^Unknown metric: 'accuarcy'\. Did you mean 'accuracy'"):
        _dense_classifier().compile("adam", "sparse_categorical_crossentropy", metrics=metrics)


def test_metric_names_compile_resolves_pass_the_check():
    model = _dense_classifier()
    model.compile("adam", "sparse_categorical_crossentropy",
                  metrics=["acc", "accuracy", "ce", "sparse_top_k_categorical_accuracy"],
                  weighted_metrics=["accuracy"])
    x, y = _features_and_labels()
    assert "sparse_top_k_categorical_accuracy" in model.fit(x, y, epochs=1, verbose=0).history


# ---------------------------------------------------------------------- token indices
class _CountsBatches(lamina.callbacks.Callback):
    batches = 0

    def on_train_batch_begin(self, batch, logs=None):
        self.batches += 1

    on_test_batch_begin = on_predict_batch_begin = on_train_batch_begin


def _token_model():
    tokens, numbers = lamina.Input((5,), name="tokens"), lamina.Input((2,), name="numbers")
    embedded = layers.Flatten()(layers.Embedding(100, 4, name="words")(tokens))
    model = lamina.Model([tokens, numbers], layers.Dense(1)(layers.Concatenate()([embedded, numbers])))
    model.compile(optimizer="adam", loss="mse")
    return model


@pytest.mark.parametrize("method", ["fit", "fit-validation", "evaluate", "predict"])
def test_token_indices_past_the_embedding_fail_before_any_step(method):
    good = np.arange(80).reshape(16, 5) % 100
    bad = good.copy()
    bad[7, 2] = 498
    model, counter = _token_model(), _CountsBatches()
    inputs = {"tokens": good if method == "fit-validation" else bad, "numbers": np.zeros((16, 2))}
    calls = {"fit": lambda: model.fit(inputs, np.zeros(16), verbose=0, callbacks=[counter]),
             "fit-validation": lambda: model.fit(inputs, np.zeros(16), verbose=0, callbacks=[counter],
                                                 validation_data=({**inputs, "tokens": bad}, np.zeros(16))),
             "evaluate": lambda: model.evaluate(inputs, np.zeros(16), verbose=0, callbacks=[counter]),
             "predict": lambda: model.predict(inputs, verbose=0, callbacks=[counter])}
    with pytest.raises(IndexError, match=r"^Layer 'words' \(Embedding with input_dim=100\) received "
                                         r"token index 498, .* \(at least 499 for these inputs\)") as info:
        calls[method]()
    # Found by reading the data, not by a lookup (on a GPU, a device-side assert).
    assert counter.batches == 0
    assert "forward" not in [frame.name for frame in traceback.extract_tb(info.value.__traceback__)]


def test_learner_warnings_point_at_the_users_line():
    model = lamina.Sequential([lamina.Input((4,)), lamina.layers.Dense(1)])
    model.compile("sgd", "mse")
    x = np.ones((8, 4), "float32")
    x[2, 1] = np.nan
    with pytest.warns(UserWarning, match="contains NaN values") as caught:
        model.fit(x, np.zeros((8, 1)), verbose=0)
    assert {Path(w.filename).name for w in caught if "NaN" in str(w.message)} == {
        Path(__file__).name}


def test_a_model_rescaling_with_tensor_arithmetic_gets_no_raw_pixel_warning(recwarn):
    # lamina.io transfer learning: preprocess_input (x / 127.5 - 1) on the Input, then a base.
    inputs = lamina.Input((8, 8, 3))
    x = lamina.applications.mobilenet_v2.preprocess_input(inputs)
    x = lamina.layers.GlobalAveragePooling2D()(lamina.layers.Conv2D(2, 3)(x))
    model = lamina.Model(inputs, lamina.layers.Dense(1)(x))
    model.compile("adam", "mse")
    pixels = np.random.default_rng(0).integers(0, 256, (4, 8, 8, 3)).astype("float32")
    model.fit(pixels, np.zeros((4, 1)), verbose=0)
    assert not [w for w in recwarn if "raw pixel values" in str(w.message)]
