"""Labels and outputs whose shapes do not go together get Keras' ValueError, from the loss
functions, the loss classes, metrics and fit, never torch's error from inside the math."""
import numpy as np
import pytest

import lamina as keras


@pytest.mark.parametrize("loss", [keras.losses.mean_squared_error, keras.losses.mean_absolute_error,
                                  keras.losses.kl_divergence, keras.losses.MeanSquaredError()])
def test_shapes_that_cannot_broadcast_are_named(loss):
    with pytest.raises(ValueError, match=r"incompatible shapes for broadcasting: "
                                         r"y_true.shape=\(2, 3\), y_pred.shape=\(2, 4\)"):
        loss(np.zeros((2, 3)), np.zeros((2, 4)))


@pytest.mark.parametrize("loss", [keras.losses.binary_crossentropy,
                                  keras.losses.binary_focal_crossentropy,
                                  keras.losses.BinaryCrossentropy(from_logits=True)])
def test_binary_crossentropy_wants_equal_shapes_as_keras_does(loss):
    with pytest.raises(ValueError, match=r"must have the same shape. Received: "
                                         r"target.shape=\(4, 1\), output.shape=\(4, 2\)"):
        loss(np.zeros((4, 1)), np.full((4, 2), 0.5))


def test_one_label_per_sample_still_meets_a_single_sigmoid_unit():
    value = keras.losses.binary_crossentropy(np.ones(4), np.full((4, 1), 0.5))
    np.testing.assert_allclose(np.asarray(value), np.full(4, np.log(2.0)), rtol=1e-6)


def test_fit_refuses_three_label_columns_for_one_sigmoid_unit():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    with pytest.raises(ValueError, match=r"labels shaped like the model output \(None, 1\), but "
                                         r"received labels of shape \(32, 3\)"):
        model.fit(np.zeros((32, 4)), np.zeros((32, 3)), verbose=0)


def test_a_metric_names_both_shapes():
    with pytest.raises(ValueError, match=r"Metric 'accuracy' cannot compare `y_true` of shape "
                                         r"\(3,\) with `y_pred` of shape \(4,\)"):
        keras.metrics.Accuracy()(np.zeros(3), np.zeros(4))
