"""Dice, Tversky and CTC against Keras 3.15 (tests/fixtures/losses/loss_reference.npz, made by
make_loss_reference.py), plus their configs, names and use in fit."""
import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

import lamina
from lamina import losses

FIXTURE = Path(__file__).parents[1] / "fixtures" / "losses" / "loss_reference.npz"
REFERENCE = np.load(FIXTURE)
CASES = json.loads(str(REFERENCE["cases"]))


def _config(case):
    config = dict(case["config"])
    if isinstance(config.get("axis"), list):
        config["axis"] = tuple(config["axis"])
    return config


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
@pytest.mark.parametrize("as_tensor", [False, True], ids=["numpy", "tensor"])
def test_values_match_keras(case, as_tensor):
    name = case["name"]
    y_true, y_pred = REFERENCE[f"{name}/y_true"], REFERENCE[f"{name}/y_pred"]
    if as_tensor:
        y_true, y_pred = torch.from_numpy(y_true), torch.from_numpy(y_pred)
    if case["kind"] == "function":
        output = getattr(losses, case["object"])(y_true, y_pred, **_config(case))
    else:
        loss = getattr(losses, case["object"])(**_config(case))
        weights = REFERENCE[f"{name}/sample_weight"] if case["weighted"] else None
        output = loss(y_true, y_pred, sample_weight=weights)
    expected = REFERENCE[f"{name}/output"]
    assert tuple(output.shape) == expected.shape
    np.testing.assert_allclose(output.detach().numpy(), expected, rtol=1e-5, atol=1e-6)


CLASS_CASES = [c for c in CASES if c["kind"] == "class"]


@pytest.mark.parametrize("case", CLASS_CASES, ids=[c["name"] for c in CLASS_CASES])
def test_config_is_keras_and_round_trips(case):
    loss = getattr(losses, case["object"])(**_config(case))
    config = loss.get_config()
    keras_config = case["keras_config"]
    if isinstance(config.get("axis"), tuple):
        config["axis"] = list(config["axis"])
    assert config == keras_config
    again = losses.deserialize(losses.serialize(loss))
    assert type(again) is type(loss) and again.get_config() == loss.get_config()


@pytest.mark.parametrize("name, function, class_name", [
    ("dice", losses.dice, "Dice"), ("tversky", losses.tversky, "Tversky"),
    ("ctc", losses.ctc, "CTC")])
def test_get_by_name_and_class_name(name, function, class_name):
    assert losses.get(name) is function
    assert type(losses.get(class_name)) is getattr(losses, class_name)
    assert losses.serialize(function)["module"] == "keras.losses"


def test_tversky_with_equal_weights_is_dice():
    rng = np.random.default_rng(0)
    y_true = (rng.random((2, 8)) > 0.5).astype("float32")
    y_pred = rng.random((2, 8)).astype("float32")
    torch.testing.assert_close(losses.tversky(y_true, y_pred, axis=-1),
                               losses.dice(y_true, y_pred, axis=-1))


def test_ctc_of_uniform_logits_counts_alignments():
    # Label "1" in 3 steps over {blank, 1}: 6 of the 8 equally likely paths collapse to it.
    loss = losses.ctc(torch.tensor([[1]]), torch.zeros(1, 3, 2))
    assert float(loss[0]) == pytest.approx(-math.log(6 / 8), rel=1e-6)


def test_ctc_refuses_wrong_ranks():
    with pytest.raises(ValueError, match=r"y_true.shape=\(2,\)"):
        losses.ctc(torch.tensor([1, 2]), torch.zeros(2, 3, 4))
    with pytest.raises(ValueError, match=r"y_pred.shape=\(2, 3\)"):
        losses.ctc(torch.tensor([[1], [2]]), torch.zeros(2, 3))


def test_dice_and_ctc_train_a_model():
    lamina.utils.set_random_seed(0)
    rng = np.random.default_rng(1)
    images = rng.random((32, 4, 4, 1)).astype("float32")
    masks = (images > 0.5).astype("float32")
    model = lamina.Sequential([lamina.Input((4, 4, 1)),
                               lamina.layers.Conv2D(1, 1, activation="sigmoid")])
    model.compile(optimizer=lamina.optimizers.Adam(0.1),
                  loss=losses.Dice(axis=(1, 2, 3)))
    history = model.fit(images, masks, epochs=5, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]

    sequences = rng.standard_normal((16, 6, 3)).astype("float32")
    labels = np.tile(np.array([[1, 2, 0]], dtype="int32"), (16, 1))
    model = lamina.Sequential([lamina.Input((6, 3)), lamina.layers.Dense(3)])
    model.compile(optimizer=lamina.optimizers.Adam(0.05), loss="ctc")
    history = model.fit(sequences, labels, epochs=5, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
