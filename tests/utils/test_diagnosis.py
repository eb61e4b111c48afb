"""diagnose(): each verdict from constructed histories (exact epochs, numbers) and real runs."""
import json
import math
import types
from pathlib import Path

import numpy as np
import pytest

import lamina as keras
from lamina import layers
from lamina.utils.diagnosis import VERDICTS, Diagnosis, diagnose

OVERFIT = {"loss": [1.0, 0.6, 0.4, 0.3, 0.2, 0.15, 0.1],
           "val_loss": [1.1, 0.8, 0.7, 0.75, 0.85, 0.95, 1.1]}
# A Fashion-MNIST-like run of 10 epochs that has settled.
SETTLED = {"loss": [0.5, 0.37, 0.34, 0.31, 0.29, 0.28, 0.27, 0.26, 0.25, 0.24],
           "val_loss": [0.42, 0.39, 0.37, 0.36, 0.35, 0.35, 0.34, 0.34, 0.33, 0.34]}


def reference_noise(series):
    """The std of i.i.d. noise, from the median |second difference| (float64 reference)."""
    second = np.diff(np.asarray(series, dtype=np.float64), 2)
    return np.median(np.abs(second)) / (0.6745 * math.sqrt(6.0))


def test_overfitting_names_the_turning_epoch_and_the_rise():
    result = diagnose(OVERFIT)
    assert result.verdict == "overfitting" and result.epoch == 3
    assert result.evidence == [
        "Validation loss was lowest at epoch 3 (0.7) and rose to 1.1 by epoch 7 (+0.4, +57%), "
        "while training loss kept falling from 0.4 to 0.1 (-75%).",
        "At the end, validation loss is 11.0 times the training loss.",
    ]
    first_words = [remedy.split(":")[0].split(" ")[:2] for remedy in result.remedies]
    assert first_words[:4] == [["Add", "Dropout"], ["Penalise", "large"], ["Stop", "at"],
                               ["Get", "more"]]
    assert "restore_best_weights=True" in result.remedies[2]
    assert result.remedies[2].endswith("keeps the weights of epoch 3.")


def test_overfitting_is_not_called_for_a_rise_within_the_noise():
    # Lowest at epoch 4 and 5% higher at the end, but the curve jitters by more than that.
    history = {"loss": [1.0, 0.8, 0.6, 0.5, 0.4, 0.35, 0.3, 0.25],
               "val_loss": [0.9, 0.6, 0.8, 0.55, 0.85, 0.6, 0.8, 0.58]}
    result = diagnose(history)
    assert result.verdict == "too noisy to say"
    noise = reference_noise(history["val_loss"])
    assert result.evidence == [
        f"Validation loss jumps by about {noise:.3g} from epoch to epoch, "
        f"{100 * noise / 0.35:.0f}% of its whole range (0.55 to 0.9): no trend stands out "
        "from the noise."]
    assert noise == pytest.approx(0.2875, abs=1e-4)
    assert "validation_split=0.2" in result.remedies[0]


def test_too_few_epochs_is_too_noisy_to_say():
    result = diagnose({"loss": [0.9, 0.5], "val_loss": [1.0, 0.6]})
    assert result.verdict == "too noisy to say"
    assert result.evidence == ["Only 2 epoch(s) recorded: at least 3 are needed to see a trend."]


def test_underfitting_when_validation_loss_is_still_falling():
    history = {"loss": [2.0, 1.6, 1.3, 1.1, 0.95, 0.85, 0.77, 0.7],
               "val_loss": [2.1, 1.7, 1.4, 1.2, 1.05, 0.95, 0.87, 0.8]}
    result = diagnose(history)
    assert result.verdict == "underfitting"
    per_epoch = (0.95 - 0.8) / 0.95 / 2
    assert result.evidence == [f"Validation loss was still falling at the end: from 0.95 at "
                               f"epoch 6 to 0.8 at epoch 8, {100 * per_epoch:.1f}% per epoch."]
    assert f"{100 * per_epoch:.1f}" == "7.9"
    assert result.remedies[0] == "Train longer, e.g. epochs=16."


def test_underfitting_far_above_the_uniform_guess_of_num_classes():
    history = {"loss": [2.28, 2.2, 2.15, 2.1, 2.08], "accuracy": [0.12, 0.13, 0.15, 0.16, 0.164],
               "val_loss": [2.25, 2.2, 2.15, 2.1, 2.06]}
    result = diagnose(history, num_classes=10)
    assert result.verdict == "underfitting"
    assert result.evidence[:2] == [
        f"Training loss ended at 2.08, {100 * 2.08 / math.log(10):.0f}% of 2.303, the loss of "
        "guessing uniformly among 10 classes, log(10).",
        "Training accuracy ended at 0.1640, against 0.1000, the accuracy of guessing among 10 "
        f"classes, 1/10: it closed {100 * (0.164 - 0.1) / 0.9:.0f}% of the gap to 1.",
    ]
    assert result.remedies[0].startswith("Use a bigger model")
    # The same run without a baseline is flat but only mildly falling: not called underfitting
    # for being far above a baseline.
    assert "guessing" not in " ".join(diagnose(history).evidence)


def test_baselines_from_the_labels_majority_class_and_entropy():
    y = np.array([0] * 60 + [1] * 30 + [2] * 10)
    priors = np.array([0.6, 0.3, 0.1])
    entropy = float(-(priors * np.log(priors)).sum())
    history = {"loss": [0.97, 0.9, 0.88, 0.87, 0.86], "accuracy": [0.55, 0.6, 0.6, 0.61, 0.62]}
    result = diagnose(history, y=y)
    assert result.verdict == "underfitting"
    assert result.evidence[:2] == [
        f"Training loss ended at 0.86, {100 * 0.86 / entropy:.0f}% of {entropy:.4g}, the loss of "
        "always predicting the class frequencies of y (their entropy).",
        "Training accuracy ended at 0.6200, against 0.6000, the accuracy of always predicting the "
        "most common class of y (class 0): it closed 5% of the gap to 1.",
    ]
    one_hot = np.eye(3)[y]
    assert diagnose(history, y=one_hot).evidence == result.evidence


def test_regression_baseline_is_the_variance_of_y():
    y = np.array([1.0, 2.0, 4.0, 7.0])
    variance = float(np.var(y))  # 5.25: the MSE of always predicting the mean
    history = {"loss": [5.2, 4.9, 4.8, 4.7], "val_loss": [5.3, 5.0, 4.9, 4.85]}
    result = diagnose(history, y=y)
    assert result.verdict == "underfitting"
    assert result.evidence[0] == (
        f"Training loss ended at 4.7, {100 * 4.7 / variance:.0f}% of {variance:.4g}, the loss of "
        "always predicting the mean of y (the variance of y).")


def test_explicit_baselines_win_and_are_named():
    history = {"loss": [1.0, 0.9, 0.85, 0.8], "accuracy": [0.5, 0.55, 0.57, 0.6]}
    result = diagnose(history, num_classes=2, baseline_loss=1.2, baseline_accuracy=0.55)
    assert result.evidence[:2] == [
        "Training loss ended at 0.8, 67% of 1.2, the loss passed as `baseline_loss`.",
        "Training accuracy ended at 0.6000, against 0.5500, the accuracy passed as "
        "`baseline_accuracy`: it closed 11% of the gap to 1."]


def test_diverging_on_nan_names_the_epoch_and_the_value_before():
    result = diagnose({"loss": [2.3, 1.9, float("nan"), float("nan")]})
    assert result.verdict == "diverging" and result.epoch == 3
    assert result.evidence == ["Training loss became nan at epoch 3 (it was 1.9 at epoch 2)."]
    assert result.remedies[0].startswith("Lower the learning rate")
    assert "clipnorm=1.0" in result.remedies[1]
    assert "np.isfinite(x).all()" in result.remedies[2]
    validation = diagnose({"loss": [2.3, 1.9, 1.5], "val_loss": [2.0, float("inf"), 1.0]})
    assert validation.evidence == ["Validation loss became inf at epoch 2 (it was 2 at epoch 1)."]


def test_diverging_when_training_loss_climbs_back():
    result = diagnose({"loss": [2.3, 1.2, 0.8, 1.5, 4.0], "val_loss": [2.0, 1.1, 0.9, 1.6, 4.2]})
    assert result.verdict == "diverging" and result.epoch == 3
    assert result.evidence == ["Training loss rose from its lowest, 0.8 at epoch 3, to 4 at "
                               "epoch 5 (x5.0); a training loss should only fall."]


def test_jitter_of_a_loss_near_zero_is_not_divergence():
    history = {"loss": [2.3, 0.1, 0.002, 0.001, 0.003],
               "val_loss": [1.0, 0.2, 0.15, 0.14, 0.14]}
    assert diagnose(history).verdict != "diverging"


def test_diverging_against_the_baseline():
    exploded = diagnose({"loss": [40.0, 2.2, 2.1, 2.0]}, num_classes=10)
    assert exploded.verdict == "diverging" and exploded.epoch == 1
    assert exploded.evidence == [
        "Training loss reached 40 at epoch 1, over 10 times 2.303, the loss of guessing uniformly "
        "among 10 classes, log(10): the updates overshoot."]
    worse = diagnose({"loss": [14.048, 14.439, 14.439, 14.439]}, num_classes=10)
    assert worse.verdict == "diverging"
    assert worse.evidence == [
        f"Training loss ended at 14.44, {14.439 / math.log(10):.1f} times 2.303, the loss of "
        "guessing uniformly among 10 classes, log(10): the model does worse than one that "
        "learned nothing."]


def test_a_loss_that_never_falls_is_not_learning():
    result = diagnose({"loss": [14.048, 14.439, 14.439, 14.439],
                       "val_loss": [14.796, 14.796, 14.796, 14.796]})
    assert result.verdict == "underfitting"
    assert result.evidence == ["Training loss never fell below its first epoch's 14.05 (it "
                               "ended at 14.44): the model is not learning."]
    assert result.remedies[0].startswith("Change the learning rate")


def test_good_fit_has_no_remedies_and_says_when_no_baseline_was_given():
    result = diagnose(SETTLED)
    assert result.verdict == "good fit" and result.epoch == 9 and result.remedies == []
    assert result.evidence == [
        "Validation loss fell from 0.42 to its lowest, 0.33 at epoch 9, and ended at 0.34: it "
        "neither turned up nor is still falling.",
        "Training loss ended at 0.24, validation loss at 0.34.",
        "No baseline was given (y=, num_classes=): a flat but poor run cannot be told from a "
        "good fit without one.",
    ]
    assert len(diagnose(SETTLED, num_classes=10).evidence) == 2


def test_without_validation_data():
    plateau = diagnose({"loss": [1.0, 0.5, 0.4, 0.37, 0.37, 0.37]})
    assert plateau.verdict == "no validation data"
    assert plateau.evidence == [
        "The history has no 'val_loss': overfitting cannot be seen without validation data.",
        "Training loss fell from 1 to 0.37 over 6 epochs."]
    assert plateau.remedies == ["Pass validation_split=0.2 (or validation_data=(x_val, y_val)) "
                                "to fit, then diagnose again."]
    falling = diagnose({"loss": [1.0, 0.6, 0.4, 0.3, 0.2, 0.15, 0.1]})
    assert falling.verdict == "underfitting"
    assert falling.evidence[0].startswith("Training loss was still falling at the end: from 0.2 "
                                          "at epoch 5 to 0.1 at epoch 7, 25.0% per epoch.")
    assert falling.remedies[-1].startswith("Pass validation_split=0.2")


def test_validation_freq_histories_map_validation_to_its_epochs():
    # validation_freq=2 over 10 epochs: val_loss after epochs 2, 4, 6, 8, 10.
    history = {"loss": [1.0, 0.7, 0.5, 0.4, 0.3, 0.2, 0.15, 0.1, 0.08, 0.06],
               "val_loss": [0.8, 0.6, 0.7, 0.8, 0.9]}
    result = diagnose(history)
    assert result.verdict == "overfitting" and result.epoch == 4
    assert result.evidence[0] == (
        "Validation loss was lowest at epoch 4 (0.6) and rose to 0.9 by epoch 10 (+0.3, +50%), "
        "while training loss kept falling from 0.4 to 0.06 (-85%).")


def test_a_keras_history_object_with_initial_epoch_is_read():
    keras_history = types.SimpleNamespace(history=OVERFIT, epoch=list(range(10, 17)),
                                          model=types.SimpleNamespace(stop_training=False))
    result = diagnose(keras_history)
    assert result.epoch == 13
    assert result.evidence[0].startswith("Validation loss was lowest at epoch 13 (0.7) and rose "
                                         "to 1.1 by epoch 17")


def test_every_verdict_is_a_known_name_and_prints_as_a_report():
    histories = [OVERFIT, SETTLED, {"loss": [1.0, float("nan"), 1.0]}, {"loss": [1.0, 0.5, 0.5]}]
    for history in histories:
        assert diagnose(history).verdict in VERDICTS
    report = str(diagnose(OVERFIT)).splitlines()
    assert report[0] == "Diagnosis: overfitting"
    assert report[1].startswith("  - Validation loss was lowest at epoch 3")
    assert report[3] == "Remedies, most effective first:"
    assert report[4] == "  1. Add Dropout between the Dense layers, e.g. keras.layers.Dropout(0.3)."
    assert str(Diagnosis("good fit", ["Fine."], [])).splitlines() == [
        "Diagnosis: good fit", "  - Fine.", "Nothing to fix."]


@pytest.mark.parametrize("kwargs, message", [
    ({"num_classes": 1}, "Argument `num_classes` must be an integer of at least 2 (the number of "
                         "classes of the labels). Received: num_classes=1"),
    ({"num_classes": True}, "Received: num_classes=True"),
    ({"baseline_accuracy": 1.5}, "Argument `baseline_accuracy` must be a number between 0 and "
                                 "1 (e.g. the majority-class accuracy). "
                                 "Received: baseline_accuracy=1.5"),
    ({"baseline_loss": -1.0}, "Argument `baseline_loss` must be a positive finite number (the "
                              "loss of a model that learned nothing). "
                              "Received: baseline_loss=-1.0"),
    ({"baseline_loss": float("inf")}, "Received: baseline_loss=inf"),
    ({"y": []}, "Argument `y` must hold the training labels, but it is empty."),
])
def test_bad_baseline_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError) as raised:
        diagnose(SETTLED, **kwargs)
    assert message in str(raised.value)


def test_bad_histories_get_clear_errors():
    with pytest.raises(TypeError, match=r"Expected the History returned by `model.fit\(...\)` .* "
                                        r"received list"):
        diagnose([0.5, 0.4])
    with pytest.raises(ValueError, match="The history is empty: no epoch was recorded"):
        diagnose({})
    with pytest.raises(ValueError, match="diagnose\\(\\) reads the 'loss' entry of the history, "
                                         "but it has only: 'mae', 'val_mae'."):
        diagnose({"mae": [1.0, 0.5, 0.4], "val_mae": [1.0, 0.6, 0.5]})


# ------------------------------------------------- real Keras 3 runs (plain history dicts)
KERAS_HISTORIES = json.loads((Path(__file__).parents[1] / "fixtures" / "diagnosis"
                              / "keras_histories.json").read_text())["histories"]


@pytest.mark.parametrize("verdict", ["overfitting", "underfitting", "diverging"])
def test_real_keras_histories_get_their_verdict(verdict):
    history = KERAS_HISTORIES[verdict]
    assert diagnose(history, num_classes=10).verdict == verdict


def test_real_keras_overfitting_evidence_matches_the_recorded_numbers():
    history = KERAS_HISTORIES["overfitting"]
    val_loss, loss = np.asarray(history["val_loss"]), np.asarray(history["loss"])
    best = int(np.argmin(val_loss))
    result = diagnose(history)
    assert result.epoch == best + 1 == 4
    rise = val_loss[-1] - val_loss[best]
    assert result.evidence[0] == (
        f"Validation loss was lowest at epoch 4 ({val_loss[best]:.4g}) and rose to "
        f"{val_loss[-1]:.4g} by epoch 30 (+{rise:.4g}, +{100 * rise / val_loss[best]:.0f}%), "
        f"while training loss kept falling from {loss[best]:.4g} to {loss[-1]:.4g} "
        f"(-{100 * (1 - loss[-1] / loss[best]):.0f}%).")


# --------------------------------------------------------------- real runs on MNIST
@pytest.fixture(scope="module")
def mnist_rows(real_data):
    """The first 1 024 MNIST training images as scaled rows; without MNIST the tests fail."""
    (x, y), _ = real_data("mnist")
    return x[:1024].reshape(-1, 784).astype("float32") / 255.0, y[:1024]


def mlp(hidden, learning_rate=0.001, depth=1):
    model = keras.Sequential([keras.Input((784,))]
                             + [layers.Dense(hidden, activation="relu") for _ in range(depth)]
                             + [layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_real_run_large_mlp_on_256_samples_overfits(mnist_rows):
    x, y = mnist_rows
    history = mlp(512, depth=2).fit(x[:256], y[:256], epochs=30, batch_size=32,
                                    validation_split=0.5, verbose=0)
    result = history.diagnose()
    assert result.verdict == "overfitting", str(result)
    val_loss = np.asarray(history.history["val_loss"])
    assert result.epoch == int(np.argmin(val_loss)) + 1 < 20
    assert val_loss[-1] > 1.15 * val_loss.min()
    assert diagnose(history.history).verdict == "overfitting"  # the plain dict, as from Keras


def test_real_run_one_unit_hidden_layer_underfits(mnist_rows):
    x, y = mnist_rows
    history = mlp(1).fit(x, y, epochs=8, batch_size=32, validation_split=0.25, verbose=0)
    result = history.diagnose()  # the model's 10 softmax units give the log(10) baseline
    assert result.verdict == "underfitting", str(result)
    assert "the loss of guessing uniformly among 10 classes, log(10)" in result.evidence[0]
    assert diagnose(history.history, num_classes=10).evidence == result.evidence


def test_real_run_learning_rate_10_diverges(mnist_rows):
    x, y = mnist_rows
    history = mlp(64, learning_rate=10.0).fit(x, y, epochs=4, batch_size=32,
                                             validation_split=0.25, verbose=0)
    result = history.diagnose()
    assert result.verdict == "diverging", str(result)
    assert result.remedies[0].startswith("Lower the learning rate")
