"""lamina against numbers produced by real Keras 3.15 (torch backend, CPU).

Every scenario below is a function of the Keras namespace (`keras`): the reference file
`keras_reference.json.gz` was written by running the *same* function with `import keras`
(Keras 3.15.0, KERAS_BACKEND=torch, COLUMNS=80), and each test runs it again with
`lamina` and compares. Inputs and initial weights come from NumPy's seeded
`default_rng`, so both libraries see identical arrays (`set_weights` uses Keras'
layout). Keras itself is never imported here.

To regenerate after adding a scenario (needs Keras installed, e.g. in /tmp/kerasenv):
    KERAS_BACKEND=torch COLUMNS=80 PYTHONPATH=/tmp/kerasenv:src \\
        python tests/compat/test_keras_reference.py --write
"""
import contextlib
import gzip
import io
import json
import math
import os
import re
import sys
from pathlib import Path

import numpy as np
import pytest

REFERENCE_PATH = Path(__file__).with_name("keras_reference.json.gz")
RTOL, ATOL = 1e-5, 1e-6


# ------------------------------------------------------------------ shared inputs
def features(n=48, d=8, seed=3):
    return np.random.default_rng(seed).standard_normal((n, d)).astype("float32")


def class_labels(n=48, classes=4, seed=3):
    rng = np.random.default_rng(seed)
    rng.standard_normal((n, 8))
    return rng.integers(0, classes, n)


def binary_labels(n=48, columns=1):
    return (np.random.default_rng(5).random((n, columns)) > 0.5).astype("float32")


def regression_targets(n=48, columns=3):
    return np.random.default_rng(7).standard_normal((n, columns)).astype("float32")


def set_seeded_weights(model, seed=1, scale=0.5):
    """Replaces every weight by seeded normal values (same arrays in Keras and lamina)."""
    rng = np.random.default_rng(seed)
    model.set_weights([(rng.standard_normal(w.shape) * scale).astype("float32")
                       for w in model.get_weights()])


def digest(arrays):
    """Two float64 checksums per array: the sum and a ramp-weighted sum."""
    out = []
    for array in arrays:
        flat = np.asarray(array, dtype=np.float64).ravel()
        out.append([float(flat.sum()), float((flat * np.linspace(-1.0, 2.0, flat.size)).sum())])
    return out


def as_floats(history):
    return {key: [float(v) for v in values] for key, values in history.items()}


def dense_model(keras, units, activation, hidden=None, regularizer=None):
    layers = [keras.Input((8,))]
    if hidden:
        layers.append(keras.layers.Dense(hidden, activation="tanh", kernel_regularizer=regularizer))
    layers.append(keras.layers.Dense(units, activation=activation))
    model = keras.Sequential(layers)
    set_seeded_weights(model)
    return model


# ------------------------------------------------------------------ scenarios
OPTIMIZERS = {
    "sgd": lambda k: k.optimizers.SGD(0.05),
    "sgd_string": lambda k: "sgd",
    "sgd_momentum": lambda k: k.optimizers.SGD(0.05, momentum=0.9),
    "sgd_nesterov": lambda k: k.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
    "rmsprop": lambda k: k.optimizers.RMSprop(0.01),
    "rmsprop_centered_momentum": lambda k: k.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    "rmsprop_string": lambda k: "rmsprop",
    "adagrad": lambda k: k.optimizers.Adagrad(0.05),
    "adam": lambda k: k.optimizers.Adam(0.01),
    "adam_amsgrad": lambda k: k.optimizers.Adam(0.01, amsgrad=True),
    "adamw": lambda k: k.optimizers.AdamW(0.01),
    "adamax": lambda k: k.optimizers.Adamax(0.01),
    "nadam": lambda k: k.optimizers.Nadam(0.01),
    "adadelta": lambda k: k.optimizers.Adadelta(1.0),
    "lion": lambda k: k.optimizers.Lion(0.001),
    "adam_clipnorm": lambda k: k.optimizers.Adam(0.01, clipnorm=0.1),
    "sgd_clipnorm": lambda k: k.optimizers.SGD(0.1, clipnorm=0.05),
    "sgd_clipvalue": lambda k: k.optimizers.SGD(0.1, clipvalue=0.01),
    "sgd_global_clipnorm": lambda k: k.optimizers.SGD(0.1, global_clipnorm=0.05),
    "sgd_weight_decay": lambda k: k.optimizers.SGD(0.1, weight_decay=0.01),
    "adam_weight_decay": lambda k: k.optimizers.Adam(0.01, weight_decay=0.01),
    "adam_exponential_decay": lambda k: k.optimizers.Adam(
        k.optimizers.schedules.ExponentialDecay(0.01, 2, 0.5)),
    "sgd_piecewise": lambda k: k.optimizers.SGD(
        k.optimizers.schedules.PiecewiseConstantDecay([3, 6], [0.1, 0.05, 0.01])),
    "sgd_cosine": lambda k: k.optimizers.SGD(k.optimizers.schedules.CosineDecay(0.1, 8, alpha=0.1)),
    "sgd_inverse_time": lambda k: k.optimizers.SGD(
        k.optimizers.schedules.InverseTimeDecay(0.1, 2, 0.5, staircase=True)),
    "sgd_polynomial": lambda k: k.optimizers.SGD(
        k.optimizers.schedules.PolynomialDecay(0.1, 5, 0.01, power=2)),
}


def scenario_optimizer_trajectories(keras):
    """Keras: Sequential(Dense(6, tanh), Dense(4, softmax)) with seeded weights,
    compile(optimizer, 'sparse_categorical_crossentropy', ['accuracy']),
    fit(x[48, 8], y, epochs=3, batch_size=16, shuffle=False); history + final weights."""
    x, y = features(), class_labels()
    out = {}
    for name, make in OPTIMIZERS.items():
        model = dense_model(keras, 4, "softmax", hidden=6)
        model.compile(optimizer=make(keras), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        history = model.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
        out[name] = {"history": as_floats(history.history), "weights": digest(model.get_weights())}
    return out


def scenario_regularizers(keras):
    """Keras: the model above with kernel_regularizer on the hidden Dense, SGD(0.05), fit 3
    epochs; plus Dense(4, softmax, kernel 'l2', bias L1(0.1), activity L2(0.01)) fit 2
    epochs, then evaluate() (the penalty is part of the reported loss)."""
    x, y = features(), class_labels()
    R = keras.regularizers
    out = {}
    for name, make in {"l1": lambda: "l1", "L2": lambda: R.L2(0.03),
                       "L1L2": lambda: R.L1L2(l1=0.01, l2=0.02)}.items():
        model = dense_model(keras, 4, "softmax", hidden=6, regularizer=make())
        model.compile(optimizer=keras.optimizers.SGD(0.05),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        history = model.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
        out[name] = {"history": as_floats(history.history), "weights": digest(model.get_weights())}
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(
        4, activation="softmax", kernel_regularizer="l2", bias_regularizer=R.L1(0.1),
        activity_regularizer=R.L2(0.01))])
    set_seeded_weights(model)
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    out["all_three"] = {"history": as_floats(history.history),
                        "weights": digest(model.get_weights()),
                        "evaluate": [float(v) for v in model.evaluate(x, y, verbose=0)]}
    return out


def _loss_specs(keras):
    L = keras.losses
    y = class_labels()
    onehot = np.eye(4, dtype="float32")[y]
    yb, yb3, yr = binary_labels(), binary_labels(columns=3), regression_targets()
    positive = np.abs(yr) + 0.1
    signs = np.where(yb3 > 0, 1.0, -1.0).astype("float32")
    dist = np.random.default_rng(8).dirichlet(np.ones(4), 48).astype("float32")
    return {
        "sparse_ce_softmax": ("softmax", 4, "sparse_categorical_crossentropy", y),
        "sparse_ce_softmax_column_labels": ("softmax", 4, "sparse_categorical_crossentropy",
                                            y[:, None]),
        "sparse_ce_logits": (None, 4, L.SparseCategoricalCrossentropy(from_logits=True), y),
        "ce_softmax": ("softmax", 4, "categorical_crossentropy", onehot),
        "ce_logits": (None, 4, L.CategoricalCrossentropy(from_logits=True), onehot),
        "ce_label_smoothing": ("softmax", 4, L.CategoricalCrossentropy(label_smoothing=0.1), onehot),
        "ce_logits_label_smoothing": (None, 4, L.CategoricalCrossentropy(
            from_logits=True, label_smoothing=0.2), onehot),
        "ce_soft_targets": ("softmax", 4, "categorical_crossentropy", dist),
        "bce_sigmoid": ("sigmoid", 1, "binary_crossentropy", yb),
        "bce_sigmoid_1d_labels": ("sigmoid", 1, "binary_crossentropy", yb[:, 0]),
        "bce_logits": (None, 1, L.BinaryCrossentropy(from_logits=True), yb),
        "bce_label_smoothing": ("sigmoid", 1, L.BinaryCrossentropy(label_smoothing=0.1), yb),
        "bce_logits_label_smoothing": (None, 1, L.BinaryCrossentropy(
            from_logits=True, label_smoothing=0.1), yb),
        "bce_multilabel": ("sigmoid", 3, "binary_crossentropy", yb3),
        "bce_on_softmax": ("softmax", 3, "binary_crossentropy", yb3),
        "mse": (None, 3, "mse", yr), "mae": (None, 3, "mae", yr), "mape": (None, 3, "mape", yr),
        "msle": ("relu", 3, "msle", positive), "msle_negative_predictions": (None, 3, "msle", positive),
        "huber": (None, 3, "huber", yr), "huber_delta": (None, 3, L.Huber(delta=0.5), yr),
        "hinge_01_labels": ("tanh", 3, "hinge", yb3), "hinge_pm1_labels": ("tanh", 3, "hinge", signs),
        "squared_hinge": ("tanh", 3, "squared_hinge", yb3),
        "categorical_hinge": (None, 4, "categorical_hinge", onehot),
        "kld": ("softmax", 4, "kld", dist), "kld_class": ("softmax", 4, L.KLDivergence(), dist),
        "poisson": ("softplus", 3, "poisson", positive),
        "poisson_class": ("exponential", 3, L.Poisson(), positive),
        "cosine_similarity": (None, 3, "cosine_similarity", yr),
        "log_cosh": (None, 3, "log_cosh", yr),
        "mse_reduction_sum": (None, 3, L.MeanSquaredError(reduction="sum"), yr),
        "binary_focal": ("sigmoid", 1, L.BinaryFocalCrossentropy(), yb),
        "binary_focal_logits_balanced": (None, 1, L.BinaryFocalCrossentropy(
            from_logits=True, gamma=3.0, apply_class_balancing=True), yb),
        "categorical_focal": ("softmax", 4, L.CategoricalFocalCrossentropy(), onehot),
    }


WEIGHTED_LOSSES = ("sparse_ce_softmax", "sparse_ce_logits", "ce_softmax", "ce_label_smoothing",
                   "bce_sigmoid", "bce_logits", "mse", "mae", "huber", "kld")


def scenario_evaluate_losses(keras):
    """Keras: Dense(units, activation) with seeded weights, compile(loss=...),
    evaluate(x[48, 8], y, batch_size=16) -> loss; some also with sample_weight."""
    x = features()
    weights = np.random.default_rng(11).random(48).astype("float32")
    out = {}
    for name, (activation, units, loss, y) in _loss_specs(keras).items():
        model = dense_model(keras, units, activation)
        model.compile(optimizer="sgd", loss=loss)
        out[name] = float(model.evaluate(x, y, batch_size=16, verbose=0))
        if name in WEIGHTED_LOSSES:
            out[name + "/sample_weight"] = float(model.evaluate(
                x, y, batch_size=16, verbose=0, sample_weight=weights))
    return out


def _metric_specs(keras):
    M = keras.metrics
    y = class_labels()
    y7 = class_labels(classes=7)
    yb, yr = binary_labels(), regression_targets()
    return {
        "sparse_ce_accuracy": ("softmax", 4, "sparse_categorical_crossentropy", y, ["accuracy"]),
        "sparse_ce_accuracy_column_labels": ("softmax", 4, "sparse_categorical_crossentropy",
                                             y[:, None], ["accuracy"]),
        "sparse_ce_acc_top5": ("softmax", 7, "sparse_categorical_crossentropy", y7,
                               ["acc", "sparse_top_k_categorical_accuracy"]),
        "sparse_ce_logits_accuracy": (None, 4, keras.losses.SparseCategoricalCrossentropy(
            from_logits=True), y, ["accuracy"]),
        "ce_accuracy_top_k": ("softmax", 7, "categorical_crossentropy",
                              np.eye(7, dtype="float32")[y7], ["accuracy", M.TopKCategoricalAccuracy(k=2)]),
        "bce_accuracy_auc_precision_recall": ("sigmoid", 1, "binary_crossentropy", yb, [
            "accuracy", M.AUC(), M.Precision(), M.Recall(), "mse", "mae"]),
        "bce_more": ("sigmoid", 1, "binary_crossentropy", yb, [
            M.AUC(curve="PR"), M.AUC(num_thresholds=50), M.Precision(thresholds=0.3),
            M.BinaryAccuracy(threshold=0.7), M.TruePositives(), M.FalsePositives(),
            M.TrueNegatives(), M.FalseNegatives(), "binary_crossentropy"]),
        "bce_logits_accuracy_auc": (None, 1, keras.losses.BinaryCrossentropy(from_logits=True), yb,
                                    ["accuracy", M.AUC(from_logits=True)]),
        "mse_regression_metrics": (None, 3, "mse", yr, [
            "mae", "mape", "msle", M.RootMeanSquaredError(), "accuracy"]),
        "sparse_metric_objects": ("softmax", 4, "sparse_categorical_crossentropy", y, [
            M.SparseCategoricalAccuracy(), M.SparseTopKCategoricalAccuracy(k=2),
            M.SparseCategoricalCrossentropy()]),
    }


def scenario_evaluate_metrics(keras):
    """Keras: compile(loss, metrics=[...]); evaluate(x, y, batch_size=16, return_dict=True),
    without and with sample_weight."""
    x = features()
    weights = np.random.default_rng(11).random(48).astype("float32")
    out = {}
    for name, (activation, units, loss, y, metrics) in _metric_specs(keras).items():
        model = dense_model(keras, units, activation)
        model.compile(optimizer="sgd", loss=loss, metrics=metrics)
        out[name] = {k: float(v) for k, v in model.evaluate(
            x, y, batch_size=16, verbose=0, return_dict=True).items()}
        out[name + "/sample_weight"] = {k: float(v) for k, v in model.evaluate(
            x, y, batch_size=16, verbose=0, return_dict=True, sample_weight=weights).items()}
    return out


def scenario_class_and_sample_weights(keras):
    """Keras: fit(..., class_weight=...) / fit(..., sample_weight=...) with SGD(0.1),
    epochs=2, batch_size=16, shuffle=False."""
    x, y = features(), class_labels()
    yb = binary_labels()
    class_weight = {0: 1.0, 1: 2.0, 2: 0.5, 3: 3.0}
    runs = {
        "sparse_ce_class_weight": ("softmax", 4, "sparse_categorical_crossentropy", y,
                                   {"class_weight": class_weight}),
        "ce_class_weight": ("softmax", 4, "categorical_crossentropy",
                            np.eye(4, dtype="float32")[y], {"class_weight": class_weight}),
        "bce_class_weight": ("sigmoid", 1, "binary_crossentropy", yb,
                             {"class_weight": {0: 0.3, 1: 1.7}}),
        "sparse_ce_sample_weight": ("softmax", 4, "sparse_categorical_crossentropy", y, {
            "sample_weight": np.random.default_rng(11).random(48).astype("float32")}),
    }
    out = {}
    for name, (activation, units, loss, labels, kwargs) in runs.items():
        model = dense_model(keras, units, activation)
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss=loss, metrics=["accuracy"])
        history = model.fit(x, labels, epochs=2, batch_size=16, shuffle=False, verbose=0, **kwargs)
        out[name] = {"history": as_floats(history.history), "weights": digest(model.get_weights())}
    return out


ACTIVATIONS = ["relu", "leaky_relu", "relu6", "elu", "selu", "celu", "gelu", "silu", "swish",
               "hard_silu", "hard_swish", "mish", "sigmoid", "hard_sigmoid", "sparse_sigmoid",
               "log_sigmoid", "tanh", "hard_tanh", "tanh_shrink", "hard_shrink", "soft_shrink",
               "softmax", "log_softmax", "softplus", "softsign", "sparse_plus", "squareplus",
               "exponential", "linear", None]


def scenario_predictions(keras):
    """Keras: predict() of Dense(5, activation) for each activation string, of an MLP with
    Flatten/Dropout, and of a functional model with concatenate/add branches."""
    L = keras.layers
    x = features(40)
    out = {}
    for activation in ACTIVATIONS:
        model = keras.Sequential([keras.Input((8,)), L.Dense(5, activation=activation)])
        set_seeded_weights(model)
        out[f"dense_{activation}"] = digest([model.predict(x, verbose=0)])
    model = keras.Sequential([L.Input((2, 4)), L.Flatten(), L.Dense(16, activation="relu"),
                              L.Dropout(0.5), L.Dense(4, activation="softmax")])
    set_seeded_weights(model)
    prediction = model.predict(x.reshape(40, 2, 4), batch_size=7, verbose=0)
    out["mlp"] = digest([prediction])
    out["mlp_dtype_shape"] = [str(prediction.dtype), list(prediction.shape)]
    inputs = keras.Input((8,))
    hidden = L.Dense(6, activation="relu")(inputs)
    a = L.Dense(4, activation="tanh")(hidden)
    b = L.Dense(4, activation="sigmoid")(hidden)
    joined = L.Dropout(0.3)(L.concatenate([a, b]))
    model = keras.Model(inputs, [L.Dense(3, activation="softmax")(joined), L.Dense(1)(L.add([a, b]))])
    set_seeded_weights(model)
    out["functional_two_outputs"] = digest(model.predict(x, verbose=0))
    return out


def scenario_api_forms(keras):
    """Keras: return forms of evaluate / test_on_batch / train_on_batch (first call), the
    History's keys, params and epoch, and predict's dtype."""
    x, y = features(), class_labels()
    model = dense_model(keras, 4, "softmax")
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    out = {"evaluate": model.evaluate(x, y, verbose=0),
           "evaluate_dict": model.evaluate(x, y, verbose=0, return_dict=True),
           "test_on_batch": model.test_on_batch(x[:16], y[:16]),
           "train_on_batch": model.train_on_batch(x[:16], y[:16])}
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0, validation_data=(x[:8], y[:8]))
    out.update(history_keys=list(history.history), params=history.params, epoch=history.epoch)
    history = model.fit(x, y, epochs=3, initial_epoch=1, verbose=0, validation_split=0.25)
    out.update(initial_epoch_epochs=history.epoch, initial_epoch_params=history.params,
               validation_split_keys=list(history.history))
    prediction = model.predict(x.astype("float64"), verbose=0)
    out["predict"] = [type(prediction).__name__, str(prediction.dtype), list(prediction.shape)]
    plain = dense_model(keras, 4, "softmax")
    plain.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    value = plain.evaluate(x, y, verbose=0)
    out["evaluate_no_metrics"] = [type(value).__name__, value]
    out["evaluate_dict_no_metrics"] = plain.evaluate(x, y, verbose=0, return_dict=True)
    out["train_on_batch_no_metrics"] = type(plain.train_on_batch(x[:16], y[:16])).__name__
    return json.loads(json.dumps(out, default=float))


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_TIMING = re.compile(r"\d+(\.\d+)?(ms|s|us|µs)(/step)?")


def final_lines(text):
    """The last state of each progress line, with ANSI colours and timings removed."""
    lines = []
    for line in text.split("\n"):
        line = _ANSI.sub("", line.split("\r")[-1]).replace("\x08", "").rstrip()
        if line.strip():
            lines.append(_TIMING.sub("T", line))
    return lines


def _captured(function, *args, **kwargs):
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        function(*args, **kwargs)
    return final_lines(buffer.getvalue())


def scenario_progress_output(keras):
    """Keras: stdout of fit/evaluate/predict with verbose=1 and 2 (final state of each
    line, timings masked) and of EarlyStopping(verbose=1)."""
    x, y = features(), class_labels()
    out = {}
    for verbose in (1, 2):
        model = dense_model(keras, 4, "softmax")
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        out[f"fit_verbose{verbose}"] = _captured(model.fit, x, y, epochs=2, batch_size=16,
                                                 shuffle=False, verbose=verbose,
                                                 validation_split=0.25)
        out[f"evaluate_verbose{verbose}"] = _captured(model.evaluate, x, y, batch_size=16,
                                                      verbose=verbose)
        out[f"predict_verbose{verbose}"] = _captured(model.predict, x, batch_size=16,
                                                     verbose=verbose)
    C = keras.callbacks
    for name, make in {
            "stop": lambda: C.EarlyStopping(patience=0, verbose=1, min_delta=10),
            "stop_restore": lambda: C.EarlyStopping(monitor="loss", patience=1, verbose=1,
                                                    min_delta=10, restore_best_weights=True),
            "baseline": lambda: C.EarlyStopping(monitor="val_accuracy", patience=1, verbose=1,
                                                baseline=0.99),
            "restore_without_stop": lambda: C.EarlyStopping(monitor="loss", patience=10,
                                                            verbose=1, restore_best_weights=True)}.items():
        model = dense_model(keras, 4, "softmax")
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        stopper = make()
        lines = _captured(model.fit, x, y, epochs=4, batch_size=16, shuffle=False, verbose=0,
                          validation_split=0.25, callbacks=[stopper])
        out["early_stopping_" + name] = {"lines": lines, "stopped_epoch": stopper.stopped_epoch,
                                         "wait": stopper.wait, "best": float(stopper.best)}
    return out


def _summary_text(model, **kwargs):
    texts = []
    model.summary(print_fn=texts.append, **kwargs)
    return "".join(texts)


def scenario_summaries(keras):
    """Keras: model.summary(print_fn=...) at COLUMNS=80 for several models."""
    L = keras.layers
    out = {}
    model = keras.Sequential([keras.Input((28, 28)), L.Flatten(),
                              L.Dense(100, activation="relu", name="hidden"),
                              L.Dense(10, activation="softmax", name="output")], name="fm")
    out["sequential_input"] = _summary_text(model)
    model = keras.Sequential([L.Flatten(input_shape=(28, 28)), L.Dense(100, activation="relu"),
                              L.Dense(10)])
    out["sequential_input_shape"] = _summary_text(model)
    model = keras.Sequential([L.Dense(4), L.Dense(2)])
    out["sequential_unbuilt"] = _summary_text(model)
    model.build((None, 3))
    out["sequential_built"] = _summary_text(model)
    model = keras.Sequential([keras.Input((3,)), L.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.zeros((4, 3)), np.zeros((4, 2)), verbose=0)
    out["after_fit"] = _summary_text(model)
    model = keras.Sequential([keras.Input((3,)), L.Dense(2), L.Dropout(0.2), L.Activation("relu"),
                              L.Reshape((2, 1))], name="misc")
    out["misc"] = _summary_text(model)
    out["line_length_60"] = _summary_text(model, line_length=60)
    out["line_length_120_cropped"] = _summary_text(model, line_length=120)
    out["positions"] = _summary_text(model, positions=[0.5, 0.8, 1.0])
    first, second = keras.Input((4,), name="a"), keras.Input((3,), name="b")
    model = keras.Model([first, second], L.Dense(2)(L.concatenate([first, second])), name="two_in")
    out["two_inputs"] = _summary_text(model)
    model = keras.Sequential([keras.Input((3,)), L.Dense(2)])
    model.layers[0].trainable = False
    out["frozen"] = _summary_text(model)
    return out


def scenario_summary_branches(keras):
    """Keras: summary() of a functional model whose branches merge (layer order)."""
    L = keras.layers
    inputs = keras.Input((8,), name="inp")
    hidden = L.Dense(6, activation="relu")(inputs)
    a, b = L.Dense(4)(hidden), L.Dense(4)(hidden)
    model = keras.Model(inputs, [L.Dense(3, name="cls")(L.concatenate([a, b])),
                                 L.Dense(1, name="reg")(L.add([a, b]))], name="branches")
    return {"text": _summary_text(model), "layers": [layer.name for layer in model.layers]}


def scenario_summary_show_trainable(keras):
    """Keras: summary(show_trainable=True) with a frozen layer."""
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), keras.layers.Dropout(0.1),
                              keras.layers.Dense(4)], name="s")
    model.layers[0].trainable = False
    return {"text": _summary_text(model, show_trainable=True)}


CONFIG_OPTIMIZERS = ("sgd_nesterov", "rmsprop_centered_momentum", "adagrad", "adam_amsgrad",
                     "adamw", "adamax", "nadam", "adadelta", "lion", "sgd_global_clipnorm",
                     "adam_exponential_decay")


def _without_name(config):
    return {key: value for key, value in config.items() if key != "name"}


def scenario_configs(keras):
    """Keras: get_config() of optimizers (name aside: it carries a session counter), losses,
    metrics and initializers, and the optimizer auto-names after clear_session()."""
    out = {"optimizers": {}, "losses": {}, "metrics": {}, "initializers": {}}
    for name in CONFIG_OPTIMIZERS:
        out["optimizers"][name] = _without_name(OPTIMIZERS[name](keras).get_config())
    keras.backend.clear_session()
    out["optimizer_names"] = [cls().name for cls in (
        keras.optimizers.SGD, keras.optimizers.SGD, keras.optimizers.RMSprop, keras.optimizers.AdamW,
        keras.optimizers.Adam, keras.optimizers.Adagrad, keras.optimizers.Adamax,
        keras.optimizers.Nadam, keras.optimizers.Adadelta, keras.optimizers.Lion)]
    for name in ["MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError",
                 "MeanSquaredLogarithmicError", "LogCosh", "CategoricalCrossentropy",
                 "SparseCategoricalCrossentropy", "BinaryCrossentropy", "BinaryFocalCrossentropy",
                 "CategoricalFocalCrossentropy", "KLDivergence", "Poisson", "Hinge",
                 "SquaredHinge", "CategoricalHinge"]:
        out["losses"][name] = getattr(keras.losses, name)().get_config()
    for name in ["Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
                 "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "MeanSquaredError",
                 "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError",
                 "RootMeanSquaredError", "BinaryCrossentropy", "CategoricalCrossentropy",
                 "SparseCategoricalCrossentropy", "AUC", "Precision", "Recall", "TruePositives",
                 "FalsePositives", "TrueNegatives", "FalseNegatives", "Mean", "Sum"]:
        out["metrics"][name] = getattr(keras.metrics, name)().get_config()
    for name in ["GlorotUniform", "GlorotNormal", "HeNormal", "HeUniform", "LecunNormal",
                 "LecunUniform", "Zeros", "Ones", "RandomNormal", "RandomUniform",
                 "TruncatedNormal", "Constant", "Orthogonal", "VarianceScaling"]:
        out["initializers"][name] = getattr(keras.initializers, name)().get_config()
    return json.loads(json.dumps(out))


def scenario_train_on_batch_resets_metrics(keras):
    """Keras: three successive train_on_batch calls on the same batch; each returns that
    batch's loss/accuracy (metrics are reset per call)."""
    x, y = features(), class_labels()
    model = dense_model(keras, 4, "softmax")
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return [[float(v) for v in model.train_on_batch(x[:16], y[:16])] for _ in range(3)]


def scenario_metric_name_collisions(keras):
    """Keras: evaluate(return_dict=True) with two metrics of one name, and with the same
    metric in metrics= and weighted_metrics= (named 'weighted_accuracy')."""
    x, y = features(), class_labels()
    out = {}
    model = dense_model(keras, 4, "softmax")
    model.compile(optimizer="sgd", loss="categorical_crossentropy",
                  metrics=[keras.metrics.CategoricalAccuracy(), "categorical_accuracy"])
    out["duplicate"] = model.evaluate(x, np.eye(4, dtype="float32")[y], verbose=0, return_dict=True)
    model = dense_model(keras, 4, "softmax")
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  weighted_metrics=["accuracy"])
    out["weighted"] = model.evaluate(x, y, verbose=0, return_dict=True,
                                     sample_weight=np.random.default_rng(11).random(48))
    return json.loads(json.dumps(out, default=float))


def scenario_layer_and_model_configs(keras):
    """Keras: get_config() of Dense, Dropout, Reshape, InputLayer, a Sequential model built
    from Input and a one-input functional model (the .keras file's config.json)."""
    L = keras.layers
    out = {"dense": L.Dense(3).get_config(), "dropout": L.Dropout(0.3).get_config(),
           "reshape": L.Reshape((2, 3)).get_config(),
           "input_layer": L.InputLayer(shape=(3,)).get_config()}
    out["sequential"] = keras.Sequential([keras.Input((4,)), L.Dense(3, activation="relu"),
                                          L.Dropout(0.2)], name="s").get_config()
    inputs = keras.Input((4,), name="i")
    out["functional"] = keras.Model(inputs, L.Dense(2, name="o")(inputs), name="f").get_config()
    return json.loads(json.dumps(out))


SCENARIOS = {name[len("scenario_"):]: function for name, function in sorted(globals().items())
             if name.startswith("scenario_")}

# Differences the lead owns (layers/models/engine): the reference holds Keras' behaviour,
# the test documents the gap until the engine matches it.
KNOWN_GAPS: dict[str, str] = {}


# ------------------------------------------------------------------ comparison
def assert_matches(actual, expected, path="result"):
    """Recursive equality, floats within RTOL/ATOL, with the path of the first mismatch."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: expected a dict, got {actual!r}"
        assert list(actual) == list(expected), f"{path}: keys {list(actual)} != {list(expected)}"
        for key in expected:
            assert_matches(actual[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, (list, tuple)), f"{path}: expected a list, got {actual!r}"
        assert len(actual) == len(expected), f"{path}: {actual!r} != {expected!r}"
        for index, (a, e) in enumerate(zip(actual, expected)):
            assert_matches(a, e, f"{path}[{index}]")
    elif isinstance(expected, float) and not isinstance(actual, bool):
        assert isinstance(actual, (int, float)), f"{path}: expected a number, got {actual!r}"
        assert math.isclose(actual, expected, rel_tol=RTOL, abs_tol=ATOL) or (
            math.isnan(expected) and math.isnan(actual)), f"{path}: {actual!r} != Keras' {expected!r}"
    else:
        assert actual == expected, f"{path}:\n{actual!r}\n!= Keras'\n{expected!r}"


@pytest.fixture(scope="module")
def reference():
    return json.loads(gzip.decompress(REFERENCE_PATH.read_bytes()).decode("utf-8"))


@pytest.mark.parametrize("name", [pytest.param(name, marks=pytest.mark.xfail(
    strict=True, reason=KNOWN_GAPS[name])) if name in KNOWN_GAPS else name for name in SCENARIOS])
def test_matches_keras(name, reference, monkeypatch):
    import lamina

    monkeypatch.setenv("COLUMNS", "80")
    lamina.backend.clear_session()
    assert_matches(SCENARIOS[name](lamina), reference[name], name)


def _write_reference():
    """Runs every scenario with real Keras and writes keras_reference.json."""
    import keras

    assert keras.__version__.startswith("3."), keras.__version__
    os.environ["COLUMNS"] = "80"
    results = {}
    for name, scenario in SCENARIOS.items():
        keras.backend.clear_session()
        results[name] = scenario(keras)
    text = json.dumps(_rounded(json.loads(json.dumps(results, default=float))),
                      ensure_ascii=False, separators=(",", ":"))
    REFERENCE_PATH.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))


def _rounded(value):
    """Floats to 9 significant digits: far below RTOL, and a smaller file."""
    if isinstance(value, float):
        return float(f"{value:.9g}")
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


if __name__ == "__main__" and "--write" in sys.argv:
    _write_reference()
