"""get / resolve (compile's metric rules), config round trips, and no host sync in updates."""
import contextlib

import numpy as np
import pytest
import torch

from lamina import metrics

N, C = 8, 3


@pytest.mark.parametrize("identifier, cls, name", [
    ("mse", metrics.MeanSquaredError, "mean_squared_error"),
    ("MAE", metrics.MeanAbsoluteError, "mean_absolute_error"),
    ("mape", metrics.MeanAbsolutePercentageError, "mean_absolute_percentage_error"),
    ("auc", metrics.AUC, "auc"),
    ("AUC", metrics.AUC, "auc"),
    ("precision", metrics.Precision, "precision"),
    ("Recall", metrics.Recall, "recall"),
    ("binary_accuracy", metrics.BinaryAccuracy, "binary_accuracy"),
    ("accuracy", metrics.Accuracy, "accuracy"),
    ("root_mean_squared_error", metrics.RootMeanSquaredError, "root_mean_squared_error"),
    ("top_k_categorical_accuracy", metrics.TopKCategoricalAccuracy, "top_k_categorical_accuracy"),
    ("bce", metrics.BinaryCrossentropy, "binary_crossentropy"),
    # Names keras.metrics.get accepts (Keras 3.15) for the metrics added later ...
    ("cosine_similarity", metrics.CosineSimilarity, "cosine_similarity"),
    ("kl_divergence", metrics.KLDivergence, "kl_divergence"),
    ("hinge", metrics.Hinge, "hinge"),
    ("squared_hinge", metrics.SquaredHinge, "squared_hinge"),
    ("categorical_hinge", metrics.CategoricalHinge, "categorical_hinge"),
    ("poisson", metrics.Poisson, "poisson"),
    ("log_cosh_error", metrics.LogCoshError, "logcosh"),
    ("f1_score", metrics.F1Score, "f1_score"),
    ("r2_score", metrics.R2Score, "r2_score"),
    ("F1Score", metrics.F1Score, "f1_score"),
    # ... and TF-2 spellings that Keras 3 dropped but books print.
    ("kld", metrics.KLDivergence, "kl_divergence"),
    ("KLD", metrics.KLDivergence, "kl_divergence"),
    ("logcosh", metrics.LogCoshError, "logcosh"),
    ("fbeta_score", metrics.FBetaScore, "fbeta_score"),
])
def test_get_by_name(identifier, cls, name):
    metric = metrics.get(identifier)
    assert type(metric) is cls and metric.name == name


def test_get_instance_class_dict_and_none():
    auc = metrics.AUC(num_thresholds=7)
    assert metrics.get(auc) is auc
    assert type(metrics.get(metrics.Recall)) is metrics.Recall
    from_dict = metrics.get({"class_name": "AUC", "config": {"num_thresholds": 3}})
    assert type(from_dict) is metrics.AUC and from_dict.num_thresholds == 3
    assert metrics.get(None) is None


def test_get_wraps_plain_function_named_after_it():
    def halfError(y_true, y_pred):
        return (y_true - y_pred).abs() / 2

    metric = metrics.get(halfError)
    assert isinstance(metric, metrics.MeanMetricWrapper) and metric.name == "half_error"
    assert float(metric([2.0, 4.0], [0.0, 0.0])) == pytest.approx(1.5)


def test_get_unknown_name_suggests_close_match():
    with pytest.raises(ValueError, match=r"Unknown metric: 'precison'\. Did you mean 'precision'"):
        metrics.get("precison")


@pytest.mark.parametrize("alias", ["acc", "ACC", "ce", "crossentropy"])
def test_get_refuses_compile_only_aliases_as_keras_does(alias):
    # keras.metrics.get('acc') raises "Could not interpret metric identifier: acc" (Keras 3.15).
    with pytest.raises(ValueError, match=f"Could not interpret metric identifier: {alias}\\. "
                                         f"'{alias}' is resolved from the outputs' shapes only "
                                         f"inside compile"):
        metrics.get(alias)


def test_get_accuracy_is_exact_match_accuracy_as_in_keras():
    # keras.metrics.get('accuracy') -> <Accuracy name=accuracy> (Keras 3.15).
    assert type(metrics.get("accuracy")) is metrics.Accuracy


@pytest.mark.parametrize("alias, function_name", [
    ("mean_squared_error", "mean_squared_error"), ("mse", "mean_squared_error"),
    ("MSE", "mean_squared_error"), ("mae", "mean_absolute_error"),
    ("mape", "mean_absolute_percentage_error"), ("msle", "mean_squared_logarithmic_error"),
    ("binary_crossentropy", "binary_crossentropy"), ("kld", "kl_divergence"),
    ("kl_divergence", "kl_divergence"), ("logcosh", "log_cosh"), ("hinge", "hinge"),
    ("poisson", "poisson"), ("huber", "huber"),
])
def test_function_aliases(alias, function_name):
    function = getattr(metrics, alias)
    assert function.__name__ == function_name and alias in metrics.__all__
    values = function(np.array([[0.0, 1.0]]), np.array([[0.5, 0.5]]))
    assert tuple(values.shape) == (1,)


def test_cosine_similarity_function_is_the_positive_metric_one():
    values = metrics.cosine_similarity(np.array([[1.0, 0.0], [1.0, 1.0]]),
                                       np.array([[2.0, 0.0], [-1.0, -1.0]]))
    np.testing.assert_allclose(values.numpy(), [1.0, -1.0], atol=1e-6)


def test_unknown_function_alias():
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        metrics.nope  # noqa: B018


def test_get_rejects_non_metric_objects():
    with pytest.raises(TypeError, match="Could not interpret metric identifier: 3"):
        metrics.get(3)


def test_deserialize_unknown_class():
    with pytest.raises(ValueError, match="Unknown metric: 'Nope'"):
        metrics.get({"class_name": "Nope", "config": {}})


class BinaryCrossentropy:
    """Stands in for a Loss instance: only its class name and from_logits matter."""

    from_logits = True


class LossFunctionWrapper:
    def __init__(self, fn):
        self.fn = fn


def sparse_categorical_crossentropy(y_true, y_pred):
    return y_pred


@pytest.mark.parametrize("loss, expected", [
    ("binary_crossentropy", metrics.BinaryAccuracy),
    ("bce", metrics.BinaryAccuracy),
    ("BinaryCrossentropy", metrics.BinaryAccuracy),
    (BinaryCrossentropy(), metrics.BinaryAccuracy),
    ("categorical_crossentropy", metrics.CategoricalAccuracy),
    ("sparse_categorical_crossentropy", metrics.SparseCategoricalAccuracy),
    (sparse_categorical_crossentropy, metrics.SparseCategoricalAccuracy),
    (LossFunctionWrapper(sparse_categorical_crossentropy), metrics.SparseCategoricalAccuracy),
])
def test_accuracy_resolves_from_the_loss_when_the_shapes_are_unknown(loss, expected):
    metric = metrics.resolve("accuracy", loss, None, None)
    assert type(metric) is expected and metric.name == "accuracy"


@pytest.mark.parametrize("loss, shape, expected", [
    # Measured on Keras 3.15 (compile, then evaluate): the shapes decide, not the loss.
    ("binary_crossentropy", (N, C), metrics.CategoricalAccuracy),
    ("categorical_crossentropy", (N, 1), metrics.BinaryAccuracy),
])
def test_accuracy_follows_the_shapes_over_the_loss_as_keras_3(loss, shape, expected):
    assert type(metrics.resolve("accuracy", loss, shape, shape)) is expected


@pytest.mark.parametrize("true_shape, pred_shape, expected", [
    ((N, 1), (N, 1), metrics.BinaryAccuracy),
    ((N,), (N, 1), metrics.BinaryAccuracy),
    ((N,), (N,), metrics.BinaryAccuracy),
    ((N,), (N, C), metrics.SparseCategoricalAccuracy),
    ((N, 1), (N, C), metrics.SparseCategoricalAccuracy),
    ((N, 5), (N, 5, C), metrics.SparseCategoricalAccuracy),
    ((N, C), (N, C), metrics.CategoricalAccuracy),
])
def test_accuracy_resolves_from_shapes_without_crossentropy_loss(true_shape, pred_shape, expected):
    assert type(metrics.resolve("accuracy", "mse", true_shape, pred_shape)) is expected
    assert type(metrics.resolve("acc", None, true_shape, pred_shape)) is expected


@pytest.mark.parametrize("spelling", ["acc", "accuracy", "Accuracy", "ACC"])
def test_resolved_accuracy_keeps_user_spelling(spelling):
    metric = metrics.resolve(spelling, "sparse_categorical_crossentropy", (N,), (N, C))
    assert metric.name == spelling


@pytest.mark.parametrize("spelling, loss, shapes, expected", [
    ("crossentropy", "binary_crossentropy", ((N, 1), (N, 1)), metrics.BinaryCrossentropy),
    ("ce", None, ((N,), (N, C)), metrics.SparseCategoricalCrossentropy),
    ("CE", None, ((N, C), (N, C)), metrics.CategoricalCrossentropy),
])
def test_crossentropy_alias(spelling, loss, shapes, expected):
    metric = metrics.resolve(spelling, loss, *shapes)
    assert type(metric) is expected and metric.name == spelling


def test_crossentropy_alias_inherits_from_logits_of_loss_instance():
    metric = metrics.resolve("ce", BinaryCrossentropy(), (N, 1), (N, 1))
    assert metric.from_logits is True


@pytest.mark.parametrize("identifier, name", [("mse", "mse"), ("MAE", "MAE"), ("auc", "auc"),
                                              ("binary_accuracy", "binary_accuracy")])
def test_string_metrics_log_under_the_given_string(identifier, name):
    assert metrics.resolve(identifier, "mse", (N, 1), (N, 1)).name == name


def test_resolve_keeps_instance_names():
    auc = metrics.AUC(name="roc")
    assert metrics.resolve(auc, "binary_crossentropy", (N, 1), (N, 1)) is auc
    assert auc.name == "roc"


def test_resolve_errors():
    with pytest.raises(ValueError, match="Expected metric, received `None`"):
        metrics.resolve(None, "mse", (N, 1), (N, 1))
    with pytest.raises(ValueError, match="Cannot resolve metric 'accuracy'"):
        metrics.resolve("accuracy", "mse")


CONFIG_CASES = [
    metrics.Mean(name="m"), metrics.Sum(dtype="float64"),
    metrics.MeanMetricWrapper(metrics.binary_accuracy, name="wrapped", threshold=0.3),
    metrics.Accuracy(), metrics.BinaryAccuracy(threshold=0.3), metrics.CategoricalAccuracy(),
    metrics.SparseCategoricalAccuracy(name="acc"), metrics.TopKCategoricalAccuracy(k=2),
    metrics.SparseTopKCategoricalAccuracy(k=2, from_sorted_ids=True),
    metrics.SparseTopKCategoricalAccuracy(k=3),
    metrics.MeanSquaredError(), metrics.MeanAbsoluteError(), metrics.MeanAbsolutePercentageError(),
    metrics.MeanSquaredLogarithmicError(), metrics.RootMeanSquaredError(),
    metrics.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
    metrics.CategoricalCrossentropy(label_smoothing=0.2), metrics.SparseCategoricalCrossentropy(),
    metrics.TruePositives(thresholds=[0.3, 0.6]), metrics.FalsePositives(),
    metrics.TrueNegatives(thresholds=0.2), metrics.FalseNegatives(),
    metrics.Precision(thresholds=[0.3, 0.6], class_id=1), metrics.Recall(top_k=2),
    metrics.AUC(), metrics.AUC(num_thresholds=7, curve="PR", summation_method="minoring"),
    metrics.AUC(thresholds=[0.2, 0.5], multi_label=True, num_labels=3, label_weights=[1, 2, 1],
                from_logits=True),
    metrics.CosineSimilarity(), metrics.CosineSimilarity(axis=0), metrics.LogCoshError(),
    metrics.KLDivergence(), metrics.Poisson(), metrics.Hinge(), metrics.SquaredHinge(),
    metrics.CategoricalHinge(), metrics.R2Score(),
    metrics.R2Score(class_aggregation="variance_weighted_average", num_regressors=1),
    metrics.F1Score(), metrics.F1Score(average="micro", threshold=0.3),
    metrics.FBetaScore(average="weighted", beta=2.0, threshold=0.4),
    metrics.SensitivityAtSpecificity(0.5), metrics.SpecificityAtSensitivity(0.4, class_id=1),
    metrics.PrecisionAtRecall(0.3, num_thresholds=7), metrics.RecallAtPrecision(0.8),
]


@pytest.mark.parametrize("metric", CONFIG_CASES, ids=lambda m: f"{type(m).__name__}-{m.name}")
def test_config_round_trip(metric):
    config = metric.get_config()
    rebuilt = type(metric).from_config(config)
    assert rebuilt.get_config() == config
    again = metrics.deserialize(metrics.serialize(metric))
    assert type(again) is type(metric) and again.get_config() == config
    assert metrics.serialize(metric)["module"] == "keras.metrics"


def test_keras_config_dicts():
    assert metrics.AUC().get_config() == {
        "name": "auc", "dtype": "float32", "num_thresholds": 200, "curve": "ROC",
        "summation_method": "interpolation", "multi_label": False, "num_labels": None,
        "label_weights": None, "from_logits": False}
    assert metrics.Precision().get_config() == {"name": "precision", "dtype": "float32",
                                                "thresholds": None, "top_k": None, "class_id": None}
    assert metrics.BinaryAccuracy().get_config() == {"name": "binary_accuracy", "dtype": "float32",
                                                     "threshold": 0.5}
    # keras.metrics.<Class>().get_config() in Keras 3.15:
    assert metrics.CosineSimilarity().get_config() == {"name": "cosine_similarity",
                                                       "dtype": "float32"}
    assert metrics.LogCoshError().get_config() == {"name": "logcosh", "dtype": "float32"}
    assert metrics.R2Score().get_config() == {"name": "r2_score", "dtype": "float32",
                                              "class_aggregation": "uniform_average",
                                              "num_regressors": 0}
    assert metrics.F1Score().get_config() == {"name": "f1_score", "dtype": "float32",
                                              "average": None, "threshold": None}
    assert metrics.FBetaScore().get_config() == {"name": "fbeta_score", "dtype": "float32",
                                                 "average": None, "beta": 1.0, "threshold": None}
    assert metrics.SensitivityAtSpecificity(0.5, name="s").get_config() == {
        "name": "s", "dtype": "float32", "class_id": None, "num_thresholds": 200,
        "specificity": 0.5}
    assert metrics.MeanMetricWrapper(metrics.binary_accuracy).get_config()["fn"] == {
        "module": "builtins", "class_name": "function", "config": "binary_accuracy",
        "registered_name": "function"}


def test_rebuilt_wrapper_uses_the_same_function():
    wrapper = metrics.MeanMetricWrapper(metrics.binary_accuracy, threshold=0.8)
    rebuilt = metrics.MeanMetricWrapper.from_config(wrapper.get_config())
    assert float(rebuilt([1.0, 1.0], [0.7, 0.9])) == 0.5


@contextlib.contextmanager
def host_reads_forbidden(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("host synchronisation inside update_state")

    with monkeypatch.context() as patch:
        for method in ("item", "tolist", "cpu", "numpy", "__bool__", "__float__", "__int__",
                       "__index__"):
            patch.setattr(torch.Tensor, method, refuse)
        yield


def batch_for(metric):
    """Tensor inputs suited to each metric kind."""
    generator = torch.Generator().manual_seed(0)
    scores = torch.rand(N, C, generator=generator)
    sparse = torch.randint(0, C, (N,), generator=generator)
    if isinstance(metric, (metrics.SparseCategoricalAccuracy, metrics.SparseTopKCategoricalAccuracy,
                           metrics.SparseCategoricalCrossentropy)):
        return sparse, scores
    if isinstance(metric, (metrics.CategoricalAccuracy, metrics.TopKCategoricalAccuracy,
                           metrics.CategoricalCrossentropy, metrics.CategoricalHinge)):
        return torch.nn.functional.one_hot(sparse, C).float(), scores
    return (scores > 0.5).float(), scores


# Mean and Sum take (values, sample_weight); they are checked on their own below. The adjusted
# R2 score reads the sample count in result() (to warn, as Keras does), never in update_state.
# CosineSimilarity(axis=0) has no per-sample values to weigh (Keras refuses the weights too).
NO_SYNC_CASES = [m for m in CONFIG_CASES if type(m) not in (metrics.Mean, metrics.Sum)
                 and not getattr(m, "num_regressors", 0)
                 and not (isinstance(m, metrics.CosineSimilarity) and m.axis == 0)]


def test_host_read_guard_catches_item(monkeypatch):
    with host_reads_forbidden(monkeypatch), pytest.raises(AssertionError, match="host synchron"):
        torch.ones(()).item()


@pytest.mark.parametrize("metric", NO_SYNC_CASES, ids=lambda m: f"{type(m).__name__}-{m.name}")
def test_update_state_never_reads_the_device(metric, monkeypatch):
    metric = type(metric).from_config(metric.get_config())
    y_true, y_pred = batch_for(metric)
    weights = torch.rand(N)
    with host_reads_forbidden(monkeypatch):
        metric.update_state(y_true, y_pred, sample_weight=weights)
        metric.update_state(y_true, y_pred)
        result = metric.result()
    assert torch.isfinite(result).all()


def test_mean_update_never_reads_the_device(monkeypatch):
    m = metrics.Mean()
    with host_reads_forbidden(monkeypatch):
        m.update_state(torch.rand(N, 2), sample_weight=torch.rand(N))
        m.update_state(torch.tensor(2.0), sample_weight=3)
    assert np.isfinite(float(m.result()))
