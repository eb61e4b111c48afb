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
