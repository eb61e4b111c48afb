"""Metric base class, Mean, Sum and MeanMetricWrapper: running values, reset, naming, device."""
import numpy as np
import pytest
import torch

from lamina import metrics

RNG = np.random.default_rng(7)


def weighted_mean(values, weights):
    return float(np.sum(values * weights) / np.sum(weights))


def test_mean_running_weighted_over_batches():
    batches = [(RNG.random(6), RNG.random(6)) for _ in range(3)]
    m = metrics.Mean()
    for i, (values, weights) in enumerate(batches):
        m.update_state(values, sample_weight=weights)
        seen = batches[: i + 1]
        expected = weighted_mean(np.concatenate([v for v, _ in seen]),
                                 np.concatenate([w for _, w in seen]))
        np.testing.assert_allclose(float(m.result()), expected, rtol=1e-6)


def test_mean_reduces_extra_axes_to_one_value_per_sample():
    values, weights = RNG.random((4, 3)), RNG.random(4)
    m = metrics.Mean()
    m.update_state(values, sample_weight=weights)
    np.testing.assert_allclose(float(m.result()), weighted_mean(values.mean(axis=1), weights),
                               rtol=1e-6)
    np.testing.assert_allclose(float(m.count), weights.sum(), rtol=1e-6)


def test_mean_scalar_value_with_python_weight():
    m = metrics.Mean()
    m.update_state(torch.tensor(3.0), sample_weight=2)
    m.update_state(torch.tensor(6.0), sample_weight=1.0)
    assert float(m.result()) == pytest.approx(4.0)
    assert float(m.count) == pytest.approx(3.0)


def test_mean_unweighted_counts_samples():
    m = metrics.Mean()
    m.update_state([1, 3, 5, 7])
    m.update_state([[2.0, 4.0]])
    assert float(m.result()) == pytest.approx((16 + 3) / 5)


def test_sum_weighted():
    m = metrics.Sum()
    m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    m.update_state([[1.0, 2.0], [3.0, 4.0]], sample_weight=[2.0, 0.5])
    assert float(m.result()) == pytest.approx(4 + 2 * 3 + 0.5 * 7)


def test_result_is_zero_dim_on_state_device_and_zero_before_updates():
    m = metrics.Mean()
    result = m.result()
    assert result.shape == () and result.dtype == torch.float32
    assert result.device == m.variables[0].device
    assert float(result) == 0.0


def test_reset_state_zeroes_in_place():
    m = metrics.Mean()
    total_before = m.total
    m.update_state([1.0, 2.0])
    m.reset_state()
    assert m.total is total_before
    assert float(m.total) == 0.0 and float(m.count) == 0.0
    m.update_state([5.0])
    assert float(m.result()) == 5.0


def test_call_updates_then_returns_running_result():
    m = metrics.Mean()
    assert float(m([2.0])) == 2.0
    assert float(m([4.0])) == 3.0


def test_variables_in_keras_order():
    m = metrics.Mean()
    assert [v is t for v, t in zip(m.variables, (m.total, m.count))] == [True, True]
    assert metrics.Sum().variables[0].shape == ()


def test_dtype_float64_state():
    m = metrics.Mean(dtype="float64")
    m.update_state(np.array([0.1, 0.2], dtype=np.float64))
    assert m.total.dtype == torch.float64
    assert m.get_config() == {"name": "mean", "dtype": "float64"}


def test_mean_metric_wrapper_passes_kwargs_and_tensors():
    received = {}

    def scaled_error(y_true, y_pred, scale):
        received["types"] = (type(y_true), type(y_pred))
        return scale * (y_true - y_pred).abs()

    m = metrics.MeanMetricWrapper(scaled_error, name="scaled", scale=2.0)
    m.update_state([1.0, 2.0, 3.0], [1.0, 1.0, 1.0], sample_weight=[1.0, 1.0, 0.0])
    assert received["types"] == (torch.Tensor, torch.Tensor)
    assert float(m.result()) == pytest.approx(2.0 * (0 + 1) / 2)


def test_mean_metric_wrapper_rejects_non_callable():
    with pytest.raises(TypeError, match="`fn` of MeanMetricWrapper must be a function"):
        metrics.MeanMetricWrapper("not a function")


def test_default_names_are_unique_per_session():
    assert metrics.MeanMetricWrapper(abs).name == "mean_metric_wrapper"
    assert metrics.MeanMetricWrapper(abs).name == "mean_metric_wrapper_1"
    assert metrics.AUC().name == "auc"
    assert metrics.AUC().name == "auc_1"
    assert metrics.Precision().name == "precision"
    assert metrics.Mean().name == "mean" and metrics.Mean().name == "mean"
    assert metrics.AUC(name="my_auc").name == "my_auc"


def test_state_follows_device_of_first_input():
    m = metrics.SparseCategoricalAccuracy()
    assert m.total.device.type == "cpu"
    labels = torch.zeros(4, dtype=torch.long, device="meta")
    m.update_state(labels, torch.rand(4, 3, device="meta"))
    assert m.total.device.type == "meta" and m.count.device.type == "meta"
    assert m.result().device.type == "meta"


def test_auc_thresholds_follow_device():
    m = metrics.AUC(thresholds=[0.2, 0.7])
    m.update_state(torch.ones(4, device="meta"), torch.rand(4, device="meta"))
    assert {v.device.type for v in m.variables} == {"meta"}


def test_repr_names_class_and_metric():
    assert repr(metrics.Mean(name="loss")) == "<Mean name=loss>"


# ---------------------------------------------------------------- state as Variables, custom metrics
from lamina.variables import Variable  # noqa: E402


class CategoricalTruePositives(metrics.Metric):
    """keras.io's custom-metric example (Keras 3 form), unchanged but for the import."""

    def __init__(self, name="categorical_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), name="ctp", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        from lamina import ops

        y_pred = ops.reshape(ops.argmax(y_pred, axis=1), (-1, 1))
        values = ops.cast(y_true, "int32") == ops.cast(y_pred, "int32")
        values = ops.cast(values, "float32")
        if sample_weight is not None:
            sample_weight = ops.cast(sample_weight, "float32")
            values = ops.multiply(values, sample_weight)
        self.true_positives.assign_add(ops.sum(values))

    def result(self):
        return self.true_positives

    def reset_state(self):
        self.true_positives.assign(0.0)


class TF2BinaryTruePositives(metrics.Metric):
    """The TF-2 form: add_weight with the name (positional or keyword) and no shape."""

    def __init__(self, name="binary_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_weight(name="tp", initializer="zeros")
        self.seen = self.add_weight("seen", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = torch.as_tensor(y_true).bool()
        y_pred = torch.as_tensor(y_pred) > 0.5
        self.true_positives.assign_add((y_true & y_pred).float().sum())
        self.seen.assign_add(float(len(y_true)))

    def result(self):
        return self.true_positives


def test_custom_metric_keras3_form_updates_resets_and_is_tracked():
    m = CategoricalTruePositives()
    y_true = np.array([[0], [2], [1], [1]])
    y_pred = np.array([[0.9, 0.05, 0.05], [0.1, 0.2, 0.7], [0.6, 0.3, 0.1], [0.2, 0.5, 0.3]])
    m.update_state(y_true, y_pred)
    assert float(m.result()) == 3.0
    m.update_state(y_true, y_pred, sample_weight=np.array([[1.0], [0.5], [1.0], [0.0]]))
    assert float(m.result()) == 4.5
    assert m.variables == [m.true_positives] and isinstance(m.true_positives, Variable)
    assert m.true_positives.name == "ctp" and m.true_positives.path == \
        "categorical_true_positives/ctp"
    assert not m.true_positives.trainable and not m.true_positives.requires_grad
    m.reset_state()
    assert float(m.result()) == 0.0
    assert m.get_config() == {"name": "categorical_true_positives", "dtype": "float32"}


def test_custom_metric_tf2_add_weight_forms():
    m = TF2BinaryTruePositives(dtype="float64")
    assert [v.name for v in m.variables] == ["tp", "seen"]
    assert all(v.shape == () and v.dtype == torch.float64 for v in m.variables)
    m.update_state([1, 0, 1, 1], [0.9, 0.8, 0.2, 0.7])
    assert float(m.result()) == 2.0 and float(m.seen) == 4.0
    m.reset_state()
    assert float(m.seen) == 0.0


def test_add_variable_shape_initializer_dtype():
    m = metrics.Mean()
    ones = m.add_variable(shape=(2, 3), initializer="ones", dtype="int32", name="ones")
    assert ones.shape == (2, 3) and ones.dtype == torch.int32 and int(ones.sum()) == 6
    assert m.variables[-1] is ones and len(m.variables) == 3


def test_metric_init_accepts_name_and_dtype_and_rejects_others():
    assert metrics.Metric(name="m", dtype="float64").dtype == "float64"
    assert metrics.Metric("float16", "half").name == "half"  # Keras' positional order
    with pytest.raises(TypeError, match="unexpected keyword argument 'foo'"):
        CategoricalTruePositives(foo=1)


def test_add_variable_before_super_init_is_explained():
    class Forgetful(metrics.Metric):
        def __init__(self):
            self.total = self.add_variable(shape=(), name="total")

    with pytest.raises(RuntimeError, match=r"forgot to call `super\(\).__init__\(\)`"):
        Forgetful()


def test_builtin_state_is_variables_reset_in_place():
    m = metrics.Precision(thresholds=[0.3, 0.7])
    assert all(isinstance(v, Variable) and not v.trainable for v in m.variables)
    assert [v.name for v in m.variables] == ["true_positives", "false_positives"]
    tp = m.true_positives
    m.update_state([1, 0, 1], [0.9, 0.8, 0.4])
    m.reset_state()
    assert m.true_positives is tp and float(tp.sum()) == 0.0


def test_device_move_keeps_the_same_variable_objects():
    m = CategoricalTruePositives()
    variable = m.true_positives
    held = [variable]
    m._move_to(torch.device("meta"))
    assert m.true_positives is variable and held[0].device.type == "meta"
    assert isinstance(variable, Variable) and variable.name == "ctp"
    auc = metrics.AUC(num_thresholds=5)
    counts = auc.true_positives
    auc.update_state(torch.ones(4, device="meta"), torch.rand(4, device="meta"))
    assert auc.true_positives is counts and counts.device.type == "meta"


def test_custom_metric_trains_in_fit_and_shows_in_history():
    import lamina

    rng = np.random.default_rng(0)
    x = rng.random((64, 8)).astype("float32")
    y = rng.integers(0, 3, (64, 1))
    model = lamina.Sequential([lamina.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=[CategoricalTruePositives(), "accuracy"])
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    counts = history.history["categorical_true_positives"]
    assert len(counts) == 2
    # The metric counts correct predictions over the epoch, so it is accuracy * samples.
    np.testing.assert_allclose(counts, np.array(history.history["accuracy"]) * 64, atol=1e-4)
    evaluated = model.evaluate(x, y, verbose=0, return_dict=True)
    correct = (model.predict(x, verbose=0).argmax(axis=1) == y[:, 0]).sum()
    assert evaluated["categorical_true_positives"] == correct


@pytest.mark.parametrize("make", [
    lambda: metrics.MeanSquaredError(), lambda: metrics.BinaryAccuracy(),
    lambda: metrics.Precision(), lambda: metrics.AUC(), lambda: metrics.F1Score(),
    lambda: metrics.R2Score(), lambda: metrics.MeanIoU(num_classes=2),
])
def test_sample_weight_of_the_wrong_length_names_the_argument(make):
    y = np.ones((16, 4), "float32")
    with pytest.raises(ValueError, match=r"`sample_weight` has shape \(7,( 1)?\)") as caught:
        make().update_state(y, y, sample_weight=np.ones(7, "float32"))
    assert "Pass " in str(caught.value) and "shaped like `y_true`" in str(caught.value)


def test_iou_asks_for_weights_per_label_not_per_sample():
    m = metrics.MeanIoU(num_classes=3)
    with pytest.raises(ValueError, match="of shape \\(96,\\). Pass a scalar or weights shaped"):
        m.update_state(np.zeros((16, 6)), np.zeros((16, 6)), sample_weight=np.ones(7))
