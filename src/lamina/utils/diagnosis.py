"""`diagnose`: is a training run overfitting, underfitting, diverging or a good fit?

The verdict comes from the learning curves alone (`history.history`), so it explains
histories of real Keras runs too. The checks run in a fixed order and the first that
holds decides: diverging, too few epochs, far above a baseline or not learning at all
(underfitting), no validation data, overfitting, too noisy to say, still falling
(underfitting), good fit.
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lamina.utils.learning_curves import LearningCurves

__all__ = ["Diagnosis", "diagnose", "VERDICTS"]

VERDICTS = ("overfitting", "underfitting", "good fit", "diverging", "too noisy to say",
            "no validation data")

_MIN_EPOCHS = 3
# Diverging: a loss that ever reached this many times the baseline's, or ended this far
# above it (worse than a model that learned nothing), or a training loss that climbs back
# more than half above its lowest value (and by a tenth of where it started, so that the
# jitter of a loss near zero does not count).
_EXPLODED_TIMES_BASELINE = 10.0
_ENDED_TIMES_BASELINE = 1.5
_RISE_OVER_LOWEST = 1.5
_RISE_OVER_START = 0.1
# Underfitting against a baseline: the training loss keeps more than this share of the
# baseline's loss, or the training accuracy closes less than this share of the gap from
# the baseline's accuracy to 1.
_UNDERFIT_SHARE = 0.5
# Overfitting: validation loss rises this much (relative) above its lowest value, by more
# than 3 noise levels, at least 2 validation runs after it, while training loss falls 5%.
_OVERFIT_RISE = 0.05
_OVERFIT_NOISE_LEVELS = 3.0
_OVERFIT_RUNS_AFTER = 2
_TRAIN_STILL_FALLS = 0.05
# Too noisy: the epoch-to-epoch noise is this share of the whole range of the curve.
_NOISY_SHARE_OF_RANGE = 0.2
# Still falling: the curve dropped at least this share per epoch over its last quarter.
_STILL_FALLING_PER_EPOCH = 0.01
# Median |second difference| of i.i.d. noise of std s is 0.6745 * sqrt(6) * s.
_SECOND_DIFFERENCE_MAD = 0.6745 * math.sqrt(6.0)
_ACCURACY_KEYS = ("accuracy", "acc", "sparse_categorical_accuracy", "categorical_accuracy",
                  "binary_accuracy")

_OVERFIT_REMEDIES = (
    "Add Dropout between the Dense layers, e.g. keras.layers.Dropout(0.3).",
    "Penalise large weights with L2: Dense(..., kernel_regularizer=keras.regularizers.l2(0.001)).",
    "Stop at the best epoch: callbacks=[keras.callbacks.EarlyStopping(monitor='val_loss', "
    "patience=3, restore_best_weights=True)] keeps the weights of epoch {best}.",
    "Get more training data, or augment it (keras.layers.RandomFlip, RandomRotation, "
    "RandomZoom for images).",
    "Use a smaller model: fewer units or layers.",
)
_BIGGER_MODEL = "Use a bigger model: more units per layer or more layers."
_LEARNING_RATE = ("Change the learning rate: raise it (e.g. keras.optimizers.Adam("
                  "learning_rate=0.003)) if the loss falls slowly and smoothly, lower it if "
                  "it jumps.")
_CHECK_INPUTS = ("Scale the inputs (x / 255.0 for images, or keras.layers.Normalization) and "
                 "check that the labels match the loss.")
_DIVERGING_REMEDIES = (
    "Lower the learning rate about 10 times, e.g. keras.optimizers.Adam(learning_rate=0.0001) "
    "(Adam's default is 0.001).",
    "Clip the gradients: keras.optimizers.Adam(clipnorm=1.0).",
    "Check the inputs: scale them (x / 255.0 for images) and look for NaN or inf "
    "(np.isfinite(x).all()).",
    "Check that the loss matches the labels and the last activation (integer labels: "
    "sparse_categorical_crossentropy after softmax).",
)
_NOISY_REMEDIES = (
    "Use a larger validation set: validation_split=0.2 or more (few validation samples "
    "give a jumpy validation loss).",
    "Lower the learning rate, or use a larger batch_size, to smooth training.",
    "Train for more epochs so that a trend shows through the noise.",
)
_ADD_VALIDATION = ("Pass validation_split=0.2 (or validation_data=(x_val, y_val)) to fit, then "
                   "diagnose again.")


@dataclass(frozen=True)
class Diagnosis:
    """The verdict on a training run, why, and what to try.

    Attributes:
        verdict: One of 'overfitting', 'underfitting', 'good fit', 'diverging',
            'too noisy to say', 'no validation data'.
        evidence: Sentences with the numbers the verdict rests on.
        remedies: What to try, most effective first (empty for a good fit).
        epoch: The 1-based epoch the verdict points at (where validation loss
            turned, where the loss broke down, the best epoch), or None.

    Example:
        >>> print(Diagnosis("good fit", ["Validation loss settled at 0.31."], []))
        Diagnosis: good fit
          - Validation loss settled at 0.31.
        Nothing to fix.
    """

    verdict: str
    evidence: list = field(default_factory=list)
    remedies: list = field(default_factory=list)
    epoch: int | None = None

    def __str__(self) -> str:
        lines = [f"Diagnosis: {self.verdict}"]
        lines += [f"  - {sentence}" for sentence in self.evidence]
        if self.remedies:
            lines.append("Remedies, most effective first:")
            lines += [f"  {rank}. {remedy}" for rank, remedy in enumerate(self.remedies, 1)]
        else:
            lines.append("Nothing to fix.")
        return "\n".join(lines)


@dataclass(frozen=True)
class _Baseline:
    """What a model that learned nothing scores, and how that number was obtained."""

    loss: float | None = None
    loss_source: str = ""
    accuracy: float | None = None
    accuracy_source: str = ""


@dataclass(frozen=True)
class _Run:
    """The curves a verdict is read from."""

    loss: np.ndarray
    loss_epochs: np.ndarray
    val: np.ndarray | None
    val_epochs: np.ndarray | None
    accuracy: np.ndarray | None
    baseline: _Baseline


def _check_number(name: str, value: Any, low: float, high: float, expected: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not low <= float(value) <= high:
        raise ValueError(f"Argument `{name}` must be {expected}. Received: {name}={value!r}")
    return float(value)


def _label_baseline(labels: np.ndarray) -> _Baseline:
    """Always predicting the class frequencies (loss) or the most common class (accuracy)."""
    counts = np.bincount(labels.astype(np.int64))
    priors = counts[counts > 0] / labels.size
    common = int(np.argmax(counts))
    return _Baseline(float(-(priors * np.log(priors)).sum()),
                     "of always predicting the class frequencies of y (their entropy)",
                     float(priors.max()),
                     f"of always predicting the most common class of y (class {common})")


def _baseline_from_y(y: Any, classifier: bool) -> _Baseline:
    y = np.asarray(y)
    if y.size == 0:
        raise ValueError("Argument `y` must hold the training labels, but it is empty.")
    labels = np.argmax(y, axis=-1) if y.ndim == 2 and y.shape[1] > 1 else y.reshape(-1)
    whole = bool(np.all(labels >= 0) and np.all(labels == np.round(labels)))
    if whole and (classifier or np.issubdtype(labels.dtype, np.integer)):
        return _label_baseline(labels)
    return _Baseline(float(y.astype(np.float64).var()),
                     "of always predicting the mean of y (the variance of y)")


def _uniform_baseline(num_classes: Any) -> _Baseline:
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) \
            or num_classes < 2:
        raise ValueError("Argument `num_classes` must be an integer of at least 2 (the number of "
                         f"classes of the labels). Received: num_classes={num_classes!r}")
    return _Baseline(math.log(num_classes),
                     f"of guessing uniformly among {num_classes} classes, log({num_classes})",
                     1.0 / num_classes, f"of guessing among {num_classes} classes, 1/{num_classes}")


def _baseline(curves: LearningCurves, y: Any, num_classes: Any, baseline_accuracy: Any,
              baseline_loss: Any) -> _Baseline:
    """The baseline from the arguments; explicit numbers win over derived ones."""
    if y is not None:
        derived = _baseline_from_y(y, classifier=_accuracy_key(curves) is not None)
    elif num_classes is not None:
        derived = _uniform_baseline(num_classes)
    else:
        derived = _Baseline()
    loss, loss_source = derived.loss, derived.loss_source
    accuracy, accuracy_source = derived.accuracy, derived.accuracy_source
    if baseline_loss is not None:
        loss = _check_number("baseline_loss", baseline_loss, 1e-12, sys.float_info.max,
                             "a positive finite number (the loss of a model that learned nothing)")
        loss_source = "passed as `baseline_loss`"
    if baseline_accuracy is not None:
        accuracy = _check_number("baseline_accuracy", baseline_accuracy, 0.0, 1.0,
                                 "a number between 0 and 1 (e.g. the majority-class accuracy)")
        accuracy_source = "passed as `baseline_accuracy`"
    return _Baseline(loss, loss_source, accuracy, accuracy_source)


def _accuracy_key(curves: LearningCurves) -> str | None:
    return next((key for key in _ACCURACY_KEYS if key in curves.values), None)


def _noise(series: np.ndarray) -> float:
    """The std of the epoch-to-epoch noise around a smooth trend, from second differences."""
    if len(series) < 3:
        return 0.0
    return float(np.median(np.abs(np.diff(series, 2)))) / _SECOND_DIFFERENCE_MAD


def _broke_down(run: _Run) -> Diagnosis | None:
    """A NaN or infinite loss."""
    for name, series, epochs in (("Training", run.loss, run.loss_epochs),
                                 ("Validation", run.val, run.val_epochs)):
        if series is None or np.isfinite(series).all():
            continue
        broken = int(np.argmax(~np.isfinite(series)))
        sentence = f"{name} loss became {series[broken]} at epoch {epochs[broken]}"
        if broken > 0:
            sentence += f" (it was {series[broken - 1]:.4g} at epoch {epochs[broken - 1]})"
        return Diagnosis("diverging", [sentence + "."], list(_DIVERGING_REMEDIES),
                         int(epochs[broken]))
    return None


def _beyond_baseline(run: _Run) -> Diagnosis | None:
    """A training loss far worse than a model that learned nothing, on the way or at the end."""
    baseline, loss, epochs = run.baseline, run.loss, run.loss_epochs
    if baseline.loss is None:
        return None
    peak = int(np.argmax(loss))
    if loss[peak] > _EXPLODED_TIMES_BASELINE * baseline.loss:
        sentence = (f"Training loss reached {loss[peak]:.4g} at epoch {epochs[peak]}, over "
                    f"{_EXPLODED_TIMES_BASELINE:g} times {baseline.loss:.4g}, the loss "
                    f"{baseline.loss_source}: the updates overshoot.")
        return Diagnosis("diverging", [sentence], list(_DIVERGING_REMEDIES), int(epochs[peak]))
    if loss[-1] > _ENDED_TIMES_BASELINE * baseline.loss:
        sentence = (f"Training loss ended at {loss[-1]:.4g}, {loss[-1] / baseline.loss:.1f} times "
                    f"{baseline.loss:.4g}, the loss {baseline.loss_source}: the model does worse "
                    "than one that learned nothing.")
        return Diagnosis("diverging", [sentence], list(_DIVERGING_REMEDIES))
    return None


def _climbed_back(run: _Run) -> Diagnosis | None:
    """A training loss that rose well above its lowest value."""
    lowest = int(np.argmin(run.loss))
    last, low = run.loss[-1], run.loss[lowest]
    if last <= _RISE_OVER_LOWEST * low or last - low <= _RISE_OVER_START * run.loss[0]:
        return None
    sentence = (f"Training loss rose from its lowest, {low:.4g} at epoch "
                f"{run.loss_epochs[lowest]}, to {last:.4g} at epoch {run.loss_epochs[-1]} "
                f"(x{last / low:.1f}); a training loss should only fall.")
    return Diagnosis("diverging", [sentence], list(_DIVERGING_REMEDIES),
                     int(run.loss_epochs[lowest]))


def _too_few_epochs(run: _Run) -> Diagnosis | None:
    if len(run.loss) >= _MIN_EPOCHS:
        return None
    sentence = (f"Only {len(run.loss)} epoch(s) recorded: at least {_MIN_EPOCHS} are needed "
                "to see a trend.")
    return Diagnosis("too noisy to say", [sentence],
                     ["Train for more epochs, e.g. epochs=20, with validation_split=0.2."])


def _not_learning(run: _Run) -> Diagnosis | None:
    # The first epoch's mean includes the untrained start, so any learning puts a later
    # epoch below it (unless the loss starts at zero: nothing left to learn).
    if run.loss[0] <= 0 or run.loss[1:].min() < run.loss[0]:
        return None
    sentence = (f"Training loss never fell below its first epoch's {run.loss[0]:.4g} (it ended "
                f"at {run.loss[-1]:.4g}): the model is not learning.")
    remedies = ["Change the learning rate: a loss stuck from the first epoch often means it is "
                "too high (try keras.optimizers.Adam(learning_rate=0.0001)); if the loss barely "
                "moves, raise it.",
                _CHECK_INPUTS, _BIGGER_MODEL]
    return Diagnosis("underfitting", [sentence], remedies)


def _far_above_baseline(run: _Run) -> Diagnosis | None:
    baseline, evidence = run.baseline, []
    last = run.loss[-1]
    if baseline.loss is not None and last > _UNDERFIT_SHARE * baseline.loss:
        evidence.append(f"Training loss ended at {last:.4g}, {100 * last / baseline.loss:.0f}% "
                        f"of {baseline.loss:.4g}, the loss {baseline.loss_source}.")
    if baseline.accuracy is not None and run.accuracy is not None:
        accuracy, chance = run.accuracy[-1], baseline.accuracy
        closed = (accuracy - chance) / (1.0 - chance) if chance < 1.0 else 1.0
        if closed < _UNDERFIT_SHARE:
            evidence.append(f"Training accuracy ended at {accuracy:.4f}, against {chance:.4f}, "
                            f"the accuracy {baseline.accuracy_source}: it closed "
                            f"{100 * max(closed, 0.0):.0f}% of the gap to 1.")
    if not evidence:
        return None
    evidence.append("The model has learned little beyond that baseline.")
    remedies = [_BIGGER_MODEL, _LEARNING_RATE, _CHECK_INPUTS, "Train for more epochs."]
    return Diagnosis("underfitting", evidence, remedies)


def _still_falling(series: np.ndarray, epochs: np.ndarray, name: str) -> Diagnosis | None:
    window = max(2, len(series) // 4)
    start, end = series[-1 - window], series[-1]
    span = int(epochs[-1] - epochs[-1 - window])
    per_epoch = (start - end) / start / span if start > 0 else 0.0
    if per_epoch < _STILL_FALLING_PER_EPOCH:
        return None
    sentence = (f"{name} loss was still falling at the end: from {start:.4g} at epoch "
                f"{epochs[-1 - window]} to {end:.4g} at epoch {epochs[-1]}, "
                f"{100 * per_epoch:.1f}% per epoch.")
    remedies = [f"Train longer, e.g. epochs={2 * int(epochs[-1])}.", _BIGGER_MODEL, _LEARNING_RATE]
    return Diagnosis("underfitting", [sentence], remedies)


def _without_validation(run: _Run) -> Diagnosis:
    falling = _still_falling(run.loss, run.loss_epochs, "Training")
    missing = ("The history has no 'val_loss'" if run.val is None else
               f"The history has only {len(run.val)} 'val_loss' value(s)")
    note = f"{missing}: overfitting cannot be seen without validation data."
    if falling is not None:
        return Diagnosis("underfitting", falling.evidence + [note],
                         falling.remedies + [_ADD_VALIDATION])
    sentence = (f"Training loss fell from {run.loss[0]:.4g} to {run.loss[-1]:.4g} over "
                f"{len(run.loss)} epochs.")
    return Diagnosis("no validation data", [note, sentence], [_ADD_VALIDATION])


def _overfitting(run: _Run) -> Diagnosis | None:
    val, epochs = run.val, run.val_epochs
    best = int(np.argmin(val))
    if len(val) - 1 - best < _OVERFIT_RUNS_AFTER:
        return None
    low, last = val[best], val[-1]
    rise = last - low
    if rise < _OVERFIT_RISE * low or rise <= _OVERFIT_NOISE_LEVELS * _noise(val):
        return None
    train_at_best = run.loss[int(np.searchsorted(run.loss_epochs, epochs[best]))]
    train_last = run.loss[-1]
    if train_last > (1.0 - _TRAIN_STILL_FALLS) * train_at_best:
        return None
    best_epoch = int(epochs[best])
    evidence = [
        f"Validation loss was lowest at epoch {best_epoch} ({low:.4g}) and rose to {last:.4g} "
        f"by epoch {epochs[-1]} (+{rise:.4g}, +{100 * rise / low:.0f}%), while training loss "
        f"kept falling from {train_at_best:.4g} to {train_last:.4g} "
        f"(-{100 * (1 - train_last / train_at_best):.0f}%).",
        f"At the end, validation loss is {last / train_last:.1f} times the training loss.",
    ]
    remedies = [remedy.format(best=best_epoch) for remedy in _OVERFIT_REMEDIES]
    return Diagnosis("overfitting", evidence, remedies, best_epoch)


def _too_noisy(run: _Run) -> Diagnosis | None:
    val = run.val
    spread = float(val.max() - val.min())
    noise = _noise(val)
    if noise <= _NOISY_SHARE_OF_RANGE * spread:
        return None
    sentence = (f"Validation loss jumps by about {noise:.3g} from epoch to epoch, "
                f"{100 * noise / spread:.0f}% of its whole range ({val.min():.4g} to "
                f"{val.max():.4g}): no trend stands out from the noise.")
    return Diagnosis("too noisy to say", [sentence], list(_NOISY_REMEDIES))


def _good_fit(run: _Run) -> Diagnosis:
    val, epochs = run.val, run.val_epochs
    best = int(np.argmin(val))
    evidence = [
        f"Validation loss fell from {val[0]:.4g} to its lowest, {val[best]:.4g} at epoch "
        f"{epochs[best]}, and ended at {val[-1]:.4g}: it neither turned up nor is still falling.",
        f"Training loss ended at {run.loss[-1]:.4g}, validation loss at {val[-1]:.4g}.",
    ]
    if run.baseline.loss is None and run.baseline.accuracy is None:
        evidence.append("No baseline was given (y=, num_classes=): a flat but poor run cannot "
                        "be told from a good fit without one.")
    return Diagnosis("good fit", evidence, [], int(epochs[best]))


def diagnose(history: Any, *, y: Any = None, num_classes: int | None = None,
             baseline_accuracy: float | None = None,
             baseline_loss: float | None = None) -> Diagnosis:
    """Reads a training history and says whether the model over- or underfits, and why.

    Works from the recorded curves alone ('loss', 'val_loss' and an accuracy
    key), so a Keras `History` or its `history.history` dict works as well as
    lamina's. A baseline — what a model that learned nothing scores — lets a flat
    but poor run be called underfitting: pass the training labels `y` (the class
    frequencies' entropy and the majority-class accuracy; the variance of `y`
    for regression, to compare with an 'mse' loss), or `num_classes` (log(K)
    and 1/K), or the numbers themselves.

    Args:
        history: The History `fit` returned, or its `history.history` dict.
        y: The training labels (integers, one-hot rows or regression targets).
        num_classes: The number of classes, for a uniform-guess baseline.
        baseline_accuracy: The accuracy of a model that learned nothing, e.g. the
            share of the most common class.
        baseline_loss: The loss of a model that learned nothing.

    Returns:
        A `Diagnosis` with `verdict`, `evidence` and `remedies`; print it for a report.

    Raises:
        TypeError: `history` is neither a History nor a dict.
        ValueError: the history has no 'loss', or a baseline argument is out of range.

    Example:
        >>> history = {"loss": [1.0, 0.6, 0.4, 0.3, 0.2, 0.15, 0.1],
        ...            "val_loss": [1.1, 0.8, 0.7, 0.75, 0.85, 0.95, 1.1]}
        >>> result = diagnose(history)
        >>> result.verdict, result.epoch
        ('overfitting', 3)
    """
    curves = LearningCurves.from_history(history)
    if "loss" not in curves.values:
        raise ValueError("diagnose() reads the 'loss' entry of the history, but it has only: "
                         f"{', '.join(map(repr, curves.values))}.")
    accuracy_key = _accuracy_key(curves)
    run = _Run(curves.values["loss"], curves.epochs["loss"], curves.values.get("val_loss"),
               curves.epochs.get("val_loss"),
               None if accuracy_key is None else curves.values[accuracy_key],
               _baseline(curves, y, num_classes, baseline_accuracy, baseline_loss))
    found = (_broke_down(run) or _beyond_baseline(run) or _climbed_back(run)
             or _too_few_epochs(run) or _far_above_baseline(run) or _not_learning(run))
    if found is not None:
        return found
    if run.val is None or len(run.val) < _MIN_EPOCHS:
        return _without_validation(run)
    return (_overfitting(run) or _too_noisy(run)
            or _still_falling(run.val, run.val_epochs, "Validation") or _good_fit(run))
