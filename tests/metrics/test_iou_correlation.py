"""IoU, MeanIoU, OneHotIoU, OneHotMeanIoU, BinaryIoU, PearsonCorrelation and
ConcordanceCorrelation against Keras 3.15 (tests/fixtures/metrics/iou_correlation_reference.npz,
made by make_iou_correlation_reference.py): state and result after each of three batches."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

import lamina
from lamina import metrics

FIXTURE = Path(__file__).parents[1] / "fixtures" / "metrics" / "iou_correlation_reference.npz"
REFERENCE = np.load(FIXTURE)
CASES = json.loads(str(REFERENCE["cases"]))
# The fixture's weights are float arrays; Keras warns about them too (tested below).
pytestmark = pytest.mark.filterwarnings("ignore:You are passing weight as `float`")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
@pytest.mark.parametrize("as_tensor", [False, True], ids=["numpy", "tensor"])
def test_state_and_result_match_keras_batch_by_batch(case, as_tensor):
    metric = getattr(metrics, case["class_name"])(**case["config"])
    convert = torch.from_numpy if as_tensor else (lambda a: a)
    for batch in range(case["batches"]):
        prefix = f"{case['name']}/{batch}"
        weights = convert(REFERENCE[f"{prefix}/sample_weight"]) if case["weighted"] else None
        metric.update_state(convert(REFERENCE[f"{prefix}/y_true"]),
                            convert(REFERENCE[f"{prefix}/y_pred"]), sample_weight=weights)
        result = metric.result()
        assert result.dtype == torch.float32
        np.testing.assert_allclose(result.numpy(), REFERENCE[f"{prefix}/result"], rtol=1e-5,
                                   atol=1e-6, err_msg=f"batch {batch}")
        assert len(metric.variables) == case["num_variables"]
        for j, variable in enumerate(metric.variables):
            expected = REFERENCE[f"{prefix}/variable{j}"]
            assert str(variable.dtype).replace("torch.", "") == str(expected.dtype)
            np.testing.assert_allclose(variable.detach().numpy(), expected, rtol=1e-5, atol=1e-5,
                                       err_msg=f"batch {batch}, variable {j}")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_config_is_keras_and_round_trips(case):
    metric = getattr(metrics, case["class_name"])(**case["config"])
    keras_config = case["keras_config"]
    assert metric.get_config() == {**keras_config, "name": metric.name}
    assert metric.name.rstrip("_0123456789") == keras_config["name"].rstrip("_0123456789")
    again = metrics.deserialize(metrics.serialize(metric))
    assert type(again) is type(metric) and again.get_config() == metric.get_config()


def test_reset_state_and_empty_result():
    metric = metrics.MeanIoU(num_classes=3)
    assert float(metric.result()) == 0.0
    metric.update_state([0, 1, 2], [0, 1, 1])
    metric.reset_state()
    assert int(metric.total_cm.sum()) == 0 and float(metric.result()) == 0.0


@pytest.mark.filterwarnings("error")
def test_float_weights_warn_and_are_truncated_as_keras_casts_them():
    metric = metrics.MeanIoU(num_classes=2)
    with pytest.warns(UserWarning, match="Consider using integer weights"):
        metric.update_state([0, 1], [0, 1], sample_weight=np.array([0.5, 1.7]))
    assert metric.total_cm.tolist() == [[0, 0], [0, 1]]
    metric.update_state([0, 1], [0, 1], sample_weight=np.array([2, 1]))


def test_target_class_out_of_range_is_refused():
    with pytest.raises(ValueError, match=r"Target class id 3 is out of range, which is \[0, 3\)"):
        metrics.IoU(num_classes=3, target_class_ids=[0, 3])


def test_names_resolve_and_directions_are_up():
    for identifier in ({"class_name": "MeanIoU", "config": {"num_classes": 2}},
                       {"class_name": "OneHotIoU",
                        "config": {"num_classes": 2, "target_class_ids": [1]}},
                       "BinaryIoU", "binary_io_u", "PearsonCorrelation",
                       "concordance_correlation"):
        assert metrics.get(identifier)._direction == "up"
    assert metrics.pearson_correlation is lamina.metrics.pearson_correlation


def test_metrics_are_logged_during_fit():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 4)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    model = lamina.Sequential([lamina.Input((4,)), lamina.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy",
                  metrics=[metrics.BinaryIoU(), metrics.PearsonCorrelation(axis=0)])
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert {"binary_io_u", "pearson_correlation"} <= set(history.history)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert 0.0 <= logs["binary_io_u"] <= 1.0
