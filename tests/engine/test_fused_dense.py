"""The written-out Dense-chain step ends an epoch with the weights of the autograd step.

`run_eagerly=True` runs every step through autograd (`CompiledRun.fuses_dense_chains` off),
which is the reference here; weights are compared to float32 rounding after whole epochs.
"""
import numpy as np
import pytest
import torch

import lamina as keras
from lamina import layers
from lamina.engine.fused_dense import DenseChain


def chain(hidden=(32, 16), flatten=True, last="softmax", seed=0, extra=None, shape=(6, 5)):
    keras.utils.set_random_seed(seed)
    stack = [keras.Input(shape)] + ([layers.Flatten()] if flatten else [])
    stack += [layers.Dense(units, activation="relu") for units in hidden]
    stack += list(extra or []) + [layers.Dense(4, activation=last)]
    return keras.Sequential(stack)


def data(n=300, seed=0, flat=False):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 30) if flat else (n, 6, 5)).astype("float32")
    return x, rng.integers(0, 4, n)


def train_both(make, fit_kwargs, compile_kwargs=None):
    compile_kwargs = {"optimizer": "adam", "loss": "sparse_categorical_crossentropy",
                      "metrics": ["accuracy"], **(compile_kwargs or {})}
    fused, autograd = make(), make()
    for model, eager in ((fused, False), (autograd, True)):
        kwargs = dict(compile_kwargs)
        if callable(kwargs["optimizer"]):  # a fresh optimizer per model
            kwargs["optimizer"] = kwargs["optimizer"]()
        model.compile(run_eagerly=eager, **kwargs)
    histories = [m.fit(**fit_kwargs, verbose=0, shuffle=False) for m in (fused, autograd)]
    assert fused._engine.fused is not None and autograd._engine.fused is None
    return fused, autograd, histories


def assert_same_epoch(fused, autograd, histories, atol=2e-6):
    for got, want in zip(fused.get_weights(), autograd.get_weights()):
        np.testing.assert_allclose(got, want, atol=atol)
    for name in histories[1].history:
        np.testing.assert_allclose(histories[0].history[name], histories[1].history[name],
                                   rtol=1e-5, err_msg=name)


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop"])
def test_an_epoch_of_the_written_out_step_equals_autograd(optimizer):
    x, y = data()
    fused, autograd, histories = train_both(chain, {"x": x, "y": y, "batch_size": 32, "epochs": 2},
                                            {"optimizer": optimizer})
    assert_same_epoch(fused, autograd, histories)


@pytest.mark.parametrize("metrics, inline", [
    (["accuracy"], True), ([keras.metrics.SparseCategoricalAccuracy(name="acc")], True),
    (["accuracy", "sparse_top_k_categorical_accuracy"], False)])
def test_accuracy_counted_inline_equals_the_metric_s_own_update(metrics, inline):
    x, y = data()
    fused, autograd, histories = train_both(chain, {"x": x, "y": y.reshape(-1, 1),
                                                    "batch_size": 32, "epochs": 2},
                                            {"metrics": metrics})
    assert (fused._engine.fused._accuracy is not None) is inline
    assert_same_epoch(fused, autograd, histories)
    hits = (fused.predict(x, verbose=0).argmax(1) == y).mean()
    np.testing.assert_allclose(fused.evaluate(x, y, verbose=0, return_dict=True)[
        metrics[0] if isinstance(metrics[0], str) else "acc"], hits, rtol=1e-6)


def test_sample_weights_logits_and_uint8_images_too():
    x, y = data()
    weights = np.random.default_rng(1).uniform(0.2, 2.0, len(x)).astype("float32")
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    fused, autograd, histories = train_both(
        lambda: chain(last=None), {"x": x, "y": y, "sample_weight": weights, "batch_size": 16},
        {"loss": loss, "weighted_metrics": ["accuracy"]})
    assert_same_epoch(fused, autograd, histories)
    images = np.random.default_rng(2).integers(0, 256, (200, 6, 5)).astype("uint8")
    fused, autograd, histories = train_both(chain, {"x": images, "y": y[:200], "batch_size": 32},
                                            {"optimizer": lambda: keras.optimizers.SGD(1e-4)})
    assert_same_epoch(fused, autograd, histories, atol=1e-5)


def test_keras_clip_of_confident_predictions_is_kept():
    # Scaled-up inputs make the softmax saturate: Keras' clip to [1e-7, 1 - 1e-7] is active
    # for many samples, and its gradient there is zero.
    x, y = data(flat=True)
    fused, autograd, histories = train_both(
        lambda: chain(hidden=(), flatten=False, shape=(30,)),
        {"x": x * 300.0, "y": y, "batch_size": 50, "epochs": 2},
        {"optimizer": lambda: keras.optimizers.SGD(1e-3, momentum=0.9, loss_scale_factor=8.0)})
    assert max(histories[1].history["loss"]) > 5.0  # clipped losses dominate
    assert_same_epoch(fused, autograd, histories, atol=1e-4)


@pytest.mark.parametrize("make, compile_kwargs", [
    (lambda: chain(extra=[layers.Dropout(0.5)]), {}),
    (lambda: keras.Sequential([keras.Input((30,)), layers.Dense(8, activation="tanh"),
                               layers.Dense(4, activation="softmax")]), {}),
    (lambda: keras.Sequential([keras.Input((30,)), layers.Dense(8, kernel_regularizer="l2"),
                               layers.Dense(4, activation="softmax")]), {}),
    (chain, {"loss": "categorical_crossentropy"}),
    (lambda: chain(last=None), {}),  # linear output with a probabilities loss
    (chain, {"loss": keras.losses.SparseCategoricalCrossentropy(ignore_class=0)}),
])
def test_other_models_take_the_generic_step(make, compile_kwargs):
    model = make()
    model.compile(**{"optimizer": "adam", "loss": "sparse_categorical_crossentropy", **compile_kwargs})
    assert DenseChain.match(model) is None


def test_a_frozen_layer_or_a_3d_input_without_flatten_goes_generic():
    x, y = data(flat=True)
    model = keras.Sequential([keras.Input((30,)), layers.Dense(8, activation="relu"),
                              layers.Dense(4, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, verbose=0)
    engine = model._engine
    assert engine.fused is not None
    model.layers[0].trainable = False
    engine.refresh_parameters()
    assert not engine.fused.accepts(torch.tensor(x[:4]), torch.tensor(y[:4]), None, engine.params)
    assert not engine.fused.accepts(torch.zeros(4, 5, 6), torch.tensor(y[:4]), None,
                                    engine.fused.params)
    frozen = [w.copy() for w in model.layers[0].get_weights()]
    model.fit(x, y, epochs=1, verbose=0)
    for got, want in zip(model.layers[0].get_weights(), frozen):
        np.testing.assert_array_equal(got, want)


def test_an_activation_set_between_fits_is_the_one_trained():
    x, y = data()
    fit_kwargs = {"x": x, "y": y, "batch_size": 32, "epochs": 1}
    fused, autograd, _ = train_both(chain, fit_kwargs)
    for model in (fused, autograd):
        model.layers[1].activation = keras.activations.tanh
    assert not fused._engine.fused.accepts(torch.tensor(x[:4]), torch.tensor(y[:4]), None,
                                           fused._engine.params)
    histories = [m.fit(**fit_kwargs, verbose=0, shuffle=False) for m in (fused, autograd)]
    assert_same_epoch(fused, autograd, histories)
