"""Metrics added for Keras parity (hinge, KL, Poisson, cosine, log-cosh, R2, F-scores, rates at
a constraint) against numbers Keras 3.15 produced.

Every reference below was printed by Keras 3.15.0 (KERAS_BACKEND=torch) with
`m = keras.metrics.<Class>(<args>); m.update_state(y_true, y_pred, sample_weight=w);
m.result()` on the arrays of this file, w = None ("plain") or SAMPLE_WEIGHT ("weighted").
Tolerance: 1e-6 relative (float32 state).
"""
import warnings

import numpy as np
import pytest

from lamina import metrics

REG_TRUE = np.array([[0.5, 1.0, 2.0], [1.5, 0.0, 3.0], [2.0, 2.5, 0.5], [0.0, 1.0, 1.0]], np.float32)
REG_PRED = np.array([[0.7, 0.8, 1.5], [1.0, 0.3, 2.5], [2.5, 2.0, 0.9], [0.2, 1.4, 0.6]], np.float32)
SAMPLE_WEIGHT = np.array([1.0, 0.5, 2.0, 0.0], np.float32)
PROB_TRUE = np.array([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3], [0.0, 0.5, 0.5], [0.1, 0.8, 0.1]], np.float32)
PROB_PRED = np.array([[0.1, 0.6, 0.3], [0.5, 0.25, 0.25], [0.3, 0.3, 0.4], [0.05, 0.9, 0.05]],
                     np.float32)
MULTI_HOT = np.array([[0, 1, 1], [1, 0, 1], [1, 1, 0], [0, 0, 1]], np.float32)
SCORES = np.array([[0.3, -0.8, 1.2], [1.5, 0.2, -0.4], [-0.6, 0.9, 0.1], [0.4, -1.1, 0.7]],
                  np.float32)
ONE_HOT = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0]], np.float32)
PROBS = np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0], [0.9, 0.05, 0.3]], np.float32)

# (constructor, y_true, y_pred, Keras plain result, Keras weighted result)
KERAS_RESULTS = {
    "CosineSimilarity()": (lambda: metrics.CosineSimilarity(), REG_TRUE, REG_PRED,
                           0.9664685726165771, 0.9770874381065369),
    "LogCoshError()": (lambda: metrics.LogCoshError(), REG_TRUE, REG_PRED,
                       0.0781981348991394, 0.08938097208738327),
    "KLDivergence()": (lambda: metrics.KLDivergence(), PROB_TRUE, PROB_PRED,
                       0.16748616099357605, 0.2732270061969757),
    "Poisson()": (lambda: metrics.Poisson(), REG_TRUE, REG_PRED,
                  0.65860515832901, 0.6562452912330627),
    "Hinge()": (lambda: metrics.Hinge(), MULTI_HOT, SCORES,
                0.8499999642372131, 0.9523810148239136),
    "SquaredHinge()": (lambda: metrics.SquaredHinge(), MULTI_HOT, SCORES,
                       1.1799999475479126, 1.3514286279678345),
    "CategoricalHinge()": (lambda: metrics.CategoricalHinge(), ONE_HOT, SCORES,
                           1.9000000953674316, 1.8857142925262451),
    "R2Score()": (lambda: metrics.R2Score(), REG_TRUE, REG_PRED,
                  0.7920718193054199, 0.7194814682006836),
    "R2Score(variance_weighted_average)": (
        lambda: metrics.R2Score(class_aggregation="variance_weighted_average"), REG_TRUE,
        REG_PRED, 0.7930667400360107, 0.7546847462654114),
    "R2Score(class_aggregation=None)": (
        lambda: metrics.R2Score(class_aggregation=None), REG_TRUE, REG_PRED,
        [0.7680000066757202, 0.8305882215499878, 0.7776271104812622],
        [0.5566667318344116, 0.8180000185966492, 0.7837778329849243]),
    "R2Score(num_regressors=2)": (lambda: metrics.R2Score(num_regressors=2), REG_TRUE, REG_PRED,
                                  0.7458655834197998, 0.6571440100669861),
    "F1Score()": (lambda: metrics.F1Score(), MULTI_HOT, PROBS,
                  [0.0, 0.4999999403953552, 0.7999999523162842],
                  [0.0, 0.7272726893424988, 0.9999998807907104]),
    "F1Score(threshold=0.5)": (lambda: metrics.F1Score(threshold=0.5), MULTI_HOT, PROBS,
                               [0.4999999403953552, 0.7999999523162842, 0.7999999523162842],
                               [0.8888888955116272, 0.923076868057251, 0.9999998807907104]),
    "F1Score(micro, 0.5)": (lambda: metrics.F1Score(average="micro", threshold=0.5), MULTI_HOT,
                            PROBS, 0.7142856121063232, 0.928571343421936),
    "F1Score(macro)": (lambda: metrics.F1Score(average="macro"), MULTI_HOT, PROBS,
                       0.43333330750465393, 0.5757575035095215),
    "F1Score(weighted, 0.5)": (lambda: metrics.F1Score(average="weighted", threshold=0.5),
                               MULTI_HOT, PROBS, 0.714285671710968, 0.9273503422737122),
    "FBetaScore(beta=2.0, 0.5)": (lambda: metrics.FBetaScore(beta=2.0, threshold=0.5), MULTI_HOT,
                                  PROBS, [0.5, 0.9090909361839294, 0.7142857313156128],
                                  [0.8333332538604736, 0.9677419066429138, 0.9999999403953552]),
    "FBetaScore(macro, beta=0.5)": (lambda: metrics.FBetaScore(average="macro", beta=0.5),
                                    MULTI_HOT, PROBS, 0.46969687938690186, 0.5897435545921326),
}


@pytest.mark.parametrize("weighted", [False, True], ids=["plain", "weighted"])
@pytest.mark.parametrize("case", sorted(KERAS_RESULTS))
def test_matches_keras(case, weighted):
    make, y_true, y_pred, plain, with_weights = KERAS_RESULTS[case]
    m = make()
    m.update_state(y_true, y_pred, sample_weight=SAMPLE_WEIGHT if weighted else None)
    expected = with_weights if weighted else plain
    np.testing.assert_allclose(m.result().numpy(), expected, rtol=1e-6, atol=1e-7)


def test_cosine_similarity_other_axis_matches_keras():
    # keras.metrics.CosineSimilarity(axis=0), unweighted (Keras fails with sample weights here).
    m = metrics.CosineSimilarity(axis=0)
    m.update_state(REG_TRUE, REG_PRED)
    assert float(m.result()) == pytest.approx(0.9721126556396484, rel=1e-6)


def r2_reference(y_true, y_pred):
    """Per-column R2 in float64."""
    residual = ((y_true - y_pred) ** 2).sum(axis=0)
    total = ((y_true - y_true.mean(axis=0)) ** 2).sum(axis=0)
    return 1 - residual / total


def test_r2_accumulates_over_batches_like_one_batch():
    rng = np.random.default_rng(3)
    y_true = rng.normal(size=(30, 2))
    y_pred = y_true + 0.3 * rng.normal(size=(30, 2))
    m = metrics.R2Score(class_aggregation=None)
    for start in range(0, 30, 7):
        m.update_state(y_true[start:start + 7], y_pred[start:start + 7])
    np.testing.assert_allclose(m.result().numpy(), r2_reference(y_true, y_pred), rtol=1e-5)


def test_r2_adjusted_falls_back_with_a_warning():
    m = metrics.R2Score(num_regressors=20)  # 12 values seen: more regressors than points
    m.update_state(REG_TRUE, REG_PRED)
    with pytest.warns(UserWarning, match="More independent predictors than datapoints"):
        value = float(m.result())
    assert value == pytest.approx(0.7920718193054199, rel=1e-6)


def test_r2_state_and_lazy_build():
    m = metrics.R2Score()
    assert [v.name for v in m.variables] == ["num_samples"] and float(m.result()) == 0.0
    m.update_state(REG_TRUE, REG_PRED)
    assert [(v.name, tuple(v.shape)) for v in m.variables] == [
        ("num_samples", ()), ("squared_sum", (3,)), ("sum", (3,)), ("residual", (3,)),
        ("count", (3,))]
    assert float(m.num_samples) == 12.0  # Keras counts elements, not rows


def test_f1_two_batches_equal_one():
    one, two = metrics.F1Score(average="macro", threshold=0.5), metrics.F1Score(
        average="macro", threshold=0.5)
    one.update_state(MULTI_HOT, PROBS)
    two.update_state(MULTI_HOT[:2], PROBS[:2])
    two.update_state(MULTI_HOT[2:], PROBS[2:])
    assert float(two.result()) == pytest.approx(float(one.result()), rel=1e-6)


BINARY_TRUE = np.array([0, 0, 1, 1, 1, 0, 1, 0], np.float32)
BINARY_PRED = np.array([0.1, 0.4, 0.35, 0.8, 0.65, 0.7, 0.2, 0.05], np.float32)
BINARY_WEIGHT = np.array([1, 2, 1, 0.5, 1, 1, 3, 1], np.float32)

# keras.metrics.<Class>(value, num_thresholds=n) on the BINARY_* arrays: (plain, weighted).
RATE_RESULTS = [
    ("SensitivityAtSpecificity", 0.5, 200, 1.0, 0.27272728085517883),
    ("SensitivityAtSpecificity", 0.5, 3, 0.5, 0.27272728085517883),
    ("SensitivityAtSpecificity", 0.5, 1, 0.5, 0.27272728085517883),
    ("SpecificityAtSensitivity", 0.6, 200, 0.5, 0.4000000059604645),
    ("SpecificityAtSensitivity", 0.6, 3, 0.0, 0.0),
    ("PrecisionAtRecall", 0.5, 200, 0.6666666865348816, 0.6470588445663452),
    ("PrecisionAtRecall", 0.5, 3, 0.6666666865348816, 0.523809552192688),
    ("PrecisionAtRecall", 0.5, 1, 0.6666666865348816, 0.0),
    ("RecallAtPrecision", 0.6, 200, 1.0, 1.0),
    ("RecallAtPrecision", 0.6, 3, 0.5, 0.27272728085517883),
]


@pytest.mark.parametrize("name, value, num_thresholds, plain, weighted", RATE_RESULTS)
def test_rate_at_constraint_matches_keras(name, value, num_thresholds, plain, weighted):
    cls = getattr(metrics, name)
    m = cls(value, num_thresholds=num_thresholds)
    assert float(m(BINARY_TRUE, BINARY_PRED)) == pytest.approx(plain, rel=1e-6)
    m = cls(value, num_thresholds=num_thresholds)
    m.update_state(BINARY_TRUE, BINARY_PRED, sample_weight=BINARY_WEIGHT)
    assert float(m.result()) == pytest.approx(weighted, rel=1e-6)


def test_rate_at_constraint_class_id_uses_that_column():
    whole = metrics.PrecisionAtRecall(0.5, num_thresholds=3)
    whole.update_state(BINARY_TRUE, BINARY_PRED)
    column = metrics.PrecisionAtRecall(0.5, num_thresholds=3, class_id=1)
    other = np.stack([1 - BINARY_TRUE, BINARY_TRUE], axis=1)
    column.update_state(other, np.stack([np.zeros(8), BINARY_PRED], axis=1))
    assert float(column.result()) == pytest.approx(float(whole.result()))


@pytest.mark.parametrize("make, error", [
    (lambda: metrics.FBetaScore(average="mean"), "Invalid `average` argument value"),
    (lambda: metrics.FBetaScore(beta=-1.0), "It should be > 0. Received: beta=-1.0"),
    (lambda: metrics.FBetaScore(beta="2"), "It should be a Python float"),
    (lambda: metrics.F1Score(threshold=1.5), "It should verify 0 < threshold <= 1"),
    (lambda: metrics.R2Score(class_aggregation="x"), "Invalid value for argument `class_aggreg"),
    (lambda: metrics.R2Score(num_regressors=-1), "Expected a value >= 0"),
    (lambda: metrics.SensitivityAtSpecificity(1.5), "`specificity` must be in the range [0, 1]"),
    (lambda: metrics.RecallAtPrecision(-0.1), "`precision` must be in the range [0, 1]"),
    (lambda: metrics.PrecisionAtRecall(0.5, num_thresholds=0), "`num_thresholds` must be an "),
])
def test_argument_errors(make, error):
    with pytest.raises(ValueError, match=error.replace("[", r"\[").replace("]", r"\]")):
        make()


@pytest.mark.parametrize("make", [metrics.F1Score, metrics.R2Score])
def test_one_dimensional_inputs_are_refused(make):
    with pytest.raises(ValueError, match=r"expects 2D inputs with shape \(batch_size, output_dim\)"):
        make().update_state(MULTI_HOT[:, 0], PROBS[:, 0])


def test_integer_beta_is_accepted_as_float():
    # Keras 3 refuses beta=2 (an int); lamina takes it and stores the float Keras would.
    assert metrics.FBetaScore(beta=2).get_config()["beta"] == 2.0


def test_no_warning_for_plain_r2():
    m = metrics.R2Score()
    m.update_state(REG_TRUE, REG_PRED)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m.result()
