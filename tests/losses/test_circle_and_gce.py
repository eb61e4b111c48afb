"""Circle and CategoricalGeneralizedCrossEntropy against Keras 3.15
(tests/fixtures/losses/circle_gce_reference.npz, made by make_circle_gce_reference.py), plus
their configs, names, errors and use in fit."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

import lamina
from lamina import losses

FIXTURE = Path(__file__).parents[1] / "fixtures" / "losses" / "circle_gce_reference.npz"
REFERENCE = np.load(FIXTURE)
CASES = json.loads(str(REFERENCE["cases"]))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
@pytest.mark.parametrize("as_tensor", [False, True], ids=["numpy", "tensor"])
def test_values_match_keras(case, as_tensor):
    name = case["name"]
    y_true, y_pred = REFERENCE[f"{name}/y_true"], REFERENCE[f"{name}/y_pred"]
    if as_tensor:
        y_true, y_pred = torch.from_numpy(y_true), torch.from_numpy(y_pred)
    if case["kind"] == "function":
        options = dict(case["config"])
        if case["refs"]:
            options.update(ref_labels=REFERENCE[f"{name}/ref_labels"],
                           ref_embeddings=REFERENCE[f"{name}/ref_embeddings"])
        output = getattr(losses, case["object"])(y_true, y_pred, **options)
    else:
        loss = getattr(losses, case["object"])(**case["config"])
        weights = REFERENCE[f"{name}/sample_weight"] if case["weighted"] else None
        output = loss(y_true, y_pred, sample_weight=weights)
    expected = REFERENCE[f"{name}/output"]
    assert tuple(output.shape) == expected.shape
    np.testing.assert_allclose(output.detach().numpy(), expected, rtol=1e-5, atol=1e-6)


CLASS_CASES = [c for c in CASES if c["kind"] == "class"]


@pytest.mark.parametrize("case", CLASS_CASES, ids=[c["name"] for c in CLASS_CASES])
def test_config_is_keras_and_round_trips(case):
    loss = getattr(losses, case["object"])(**case["config"])
    assert loss.get_config() == case["keras_config"]
    again = losses.deserialize(losses.serialize(loss))
    assert type(again) is type(loss) and again.get_config() == loss.get_config()


@pytest.mark.parametrize("name, function, class_name", [
    ("circle", losses.circle, "Circle"),
    ("categorical_generalized_cross_entropy", losses.categorical_generalized_cross_entropy,
     "CategoricalGeneralizedCrossEntropy")])
def test_get_by_name_and_class_name(name, function, class_name):
    assert losses.get(name) is function
    assert type(losses.get(class_name)) is getattr(losses, class_name)
    assert losses.serialize(function)["module"] == "keras.losses"


@pytest.mark.parametrize("q", [0, 1, -0.5, 1.5])
def test_gce_refuses_q_outside_the_open_interval(q):
    with pytest.raises(ValueError, match=f"q must be in the interval \\(0, 1\\). Received: q={q}"):
        losses.CategoricalGeneralizedCrossEntropy(q=q)


def test_gce_accepts_column_labels():
    probabilities = torch.tensor([[0.75, 0.25], [0.5, 0.5]])
    torch.testing.assert_close(
        losses.categorical_generalized_cross_entropy(torch.tensor([[1], [0]]), probabilities, 0.5),
        losses.categorical_generalized_cross_entropy(torch.tensor([1, 0]), probabilities, 0.5))


def test_circle_masks_samples_without_loss():
    # The third sample has no positive pair: its loss is softplus(-inf) = 0 and the mean
    # leaves it out, as Keras' mask on the loss values does.
    labels = torch.tensor([0, 0, 1])
    embeddings = torch.nn.functional.normalize(torch.tensor([[1.0, 0.2], [0.8, 0.6],
                                                             [0.1, 1.0]]), dim=1)
    values = losses.circle(labels, embeddings, gamma=4.0)
    assert float(values[2]) == 0.0 and bool((values[:2] > 0).all())
    assert torch.equal(values._keras_mask, values > 0)
    torch.testing.assert_close(losses.Circle(gamma=4.0)(labels, embeddings), values[:2].mean())


def test_losses_train_models():
    lamina.utils.set_random_seed(0)
    rng = np.random.default_rng(1)
    features = rng.standard_normal((64, 6)).astype("float32")
    labels = (features[:, 0] > 0).astype("int32")
    embedder = lamina.Sequential([lamina.Input((6,)), lamina.layers.Dense(4),
                                  lamina.layers.UnitNormalization()])
    embedder.compile(optimizer=lamina.optimizers.Adam(0.05), loss=losses.Circle(gamma=8.0))
    history = embedder.fit(features, labels, epochs=5, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]

    classifier = lamina.Sequential([lamina.Input((6,)),
                                    lamina.layers.Dense(2, activation="softmax")])
    classifier.compile(optimizer=lamina.optimizers.Adam(0.05),
                       loss=losses.CategoricalGeneralizedCrossEntropy(q=0.7))
    history = classifier.fit(features, labels, epochs=5, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
