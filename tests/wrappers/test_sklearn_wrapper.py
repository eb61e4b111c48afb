"""keras.wrappers: the scikit-learn estimators fit, predict, score, clone and sit in pipelines."""
import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import lamina  # noqa: E402
from lamina.wrappers import SKLearnClassifier, SKLearnRegressor, SKLearnTransformer  # noqa: E402

FIT = {"epochs": 30, "batch_size": 16, "verbose": 0}


def _classifier_model(X, y, hidden=8):
    model = lamina.Sequential([lamina.Input((X.shape[1],)),
                               lamina.layers.Dense(hidden, activation="relu"),
                               lamina.layers.Dense(y.shape[1], activation="softmax")])
    model.compile(optimizer=lamina.optimizers.Adam(0.05), loss="categorical_crossentropy")
    return model


def _regressor_model(X, y):
    model = lamina.Sequential([lamina.Input((X.shape[1],)), lamina.layers.Dense(y.shape[1])])
    model.compile(optimizer=lamina.optimizers.Adam(0.1), loss="mse")
    return model


def _blobs():
    rng = np.random.default_rng(0)
    centers = np.array([[0.0, 0.0], [4.0, 4.0], [0.0, 4.0]])
    labels = np.repeat(["a", "b", "c"], 30)
    X = np.concatenate([c + rng.normal(scale=0.5, size=(30, 2)) for c in centers])
    return X.astype("float32"), labels


def test_classifier_fits_predicts_labels_and_scores():
    X, y = _blobs()
    estimator = SKLearnClassifier(model=_classifier_model, model_kwargs={"hidden": 16},
                                  fit_kwargs=FIT)
    assert estimator.fit(X, y) is estimator
    assert estimator.classes_.tolist() == ["a", "b", "c"]
    predictions = estimator.predict(X)
    assert predictions.shape == (90,) and set(predictions) <= {"a", "b", "c"}
    assert estimator.score(X, y) > 0.9
    assert estimator.decision_function(X).shape == (90, 3)
    assert estimator.epoch_ == 30


def test_regressor_fits_a_line_and_transformer_gives_model_outputs():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(64, 3)).astype("float32")
    y = X @ np.array([1.0, -2.0, 0.5], dtype="float32") + 0.3
    regressor = SKLearnRegressor(model=_regressor_model, fit_kwargs={**FIT, "epochs": 60})
    assert regressor.fit(X, y).predict(X).shape == (64,)
    assert regressor.score(X, y) > 0.95
    transformer = SKLearnTransformer(model=_regressor_model, fit_kwargs=FIT)
    assert transformer.fit_transform(X, y).shape == (64, 1)


def test_clone_keeps_parameters_and_a_compiled_model_instance_is_cloned():
    estimator = SKLearnClassifier(model=_classifier_model, warm_start=False,
                                  model_kwargs={"hidden": 4}, fit_kwargs=FIT)
    copy = clone(estimator)
    assert copy is not estimator and copy.get_params() == estimator.get_params()
    assert set(estimator.get_params()) == {"model", "warm_start", "model_kwargs", "fit_kwargs"}

    model = _regressor_model(np.zeros((1, 3)), np.zeros((1, 1)))
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(16, 3)).astype("float32"), rng.normal(size=16).astype("float32")
    regressor = SKLearnRegressor(model=model, fit_kwargs=FIT).fit(X, y)
    assert regressor.model_ is not model


def test_warm_start_keeps_training_the_same_model():
    X, y = _blobs()
    estimator = SKLearnClassifier(model=_classifier_model, warm_start=True,
                                  fit_kwargs={**FIT, "epochs": 1})
    first = estimator.fit(X, y).model_
    assert estimator.fit(X, y).model_ is first
    assert SKLearnClassifier(model=_classifier_model, fit_kwargs=FIT).fit(X, y).model_ is not first


def test_works_in_pipelines_and_cross_validation():
    X, y = _blobs()
    pipeline = make_pipeline(StandardScaler(),
                             SKLearnClassifier(model=_classifier_model, fit_kwargs=FIT))
    scores = cross_val_score(pipeline, X, y, cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.8


def test_errors_are_keras():
    X, y = _blobs()

    def uncompiled(X, y):
        return lamina.Sequential([lamina.Input((2,)), lamina.layers.Dense(3)])

    with pytest.raises(RuntimeError, match="needs to be compiled, and have a loss and an "
                                           "optimizer"):
        SKLearnClassifier(model=uncompiled).fit(X, y)
    with pytest.raises(ValueError, match="Only binary and multiclass target types are "
                                         "supported. Target type: continuous"):
        SKLearnClassifier(model=_classifier_model).fit(X, np.linspace(0, 1, 90))
    with pytest.raises(ValueError, match="Classifier can't train when only one class"):
        SKLearnClassifier(model=_classifier_model).fit(X, np.zeros(90))
    with pytest.raises(sklearn.exceptions.NotFittedError):
        SKLearnRegressor(model=_regressor_model).predict(X)
