"""Keras programs as their users write them run on lamina with only the import changed.

Each program in programs/ follows a Keras guide or keras.io example (rewritten, on small
synthetic data). The tests run them in this process and check:
- what they learn (accuracy or loss thresholds) and compute (shapes, counts, flags);
- every plain fact (bools, ints, shapes) the same program gives on real Keras 3
  (tests/fixtures/compat/program_facts.json, from make_program_facts.py);
- the predictions of the programs' models, on seeded weights, against Keras'
  (reference_outputs.npz, from make_reference_outputs.py), to 1e-5.
"""
import importlib.util
import json
import runpy
from pathlib import Path

import numpy as np
import pytest

import lamina as keras

HERE = Path(__file__).resolve().parent
PROGRAMS = HERE / "programs"
FIXTURES = HERE.parent / "fixtures" / "compat"
FACTS = json.loads((FIXTURES / "program_facts.json").read_text())["programs"]

# Facts that differ from Keras for a stated reason (program -> {name: why}).
KNOWN_DIFFERENCES = {
    # Keras on JAX predicts through a stateless call that keeps no add_loss terms; lamina
    # (like Keras on torch, whose predict calls the model) keeps those of the last call.
    "vae": {"vae_losses_after_predict": "JAX's stateless predict"},
}


def run_program(name: str) -> dict:
    return runpy.run_path(str(PROGRAMS / f"{name}.py"), run_name="__main__")


def as_fact(value):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (tuple, list)):
        return [None if v is None else as_fact(v) for v in value]
    if isinstance(value, dict):
        return {k: as_fact(v) for k, v in value.items()}
    if hasattr(value, "shape") and not hasattr(value, "dtype"):
        return as_fact(tuple(value))
    return value


def check_keras_facts(name: str, results: dict) -> None:
    entry = FACTS[name]
    facts = entry.get("facts", {})
    skipped = KNOWN_DIFFERENCES.get(name, {})
    mismatches = {key: (as_fact(results.get(key)), want) for key, want in facts.items()
                  if key not in skipped and as_fact(results.get(key)) != want}
    assert not mismatches, f"{name}: lamina vs Keras: {mismatches}"


def test_sequential_model():
    r = run_program("sequential_model")
    check_keras_facts("sequential_model", r)
    assert r["same_as_by_hand"] and r["frozen_unchanged"]
    assert r["feature_shapes"] == [(1, 123, 123, 32), (1, 121, 121, 32), (1, 119, 119, 32)]
    assert r["history"].history["accuracy"][-1] > 0.7


def test_functional_api():
    r = run_program("functional_api")
    check_keras_facts("functional_api", r)
    assert r["test_scores"][1] > 0.9
    assert r["nested_matches"] and r["twin_predictions_match"]
    np.testing.assert_allclose(r["ensemble_prediction"], r["mean_of_members"], rtol=1e-5,
                               atol=1e-6)


def test_ticket_classifier():
    r = run_program("ticket_classifier")
    check_keras_facts("ticket_classifier", r)
    assert r["loss_curve"][-1] < r["loss_curve"][0]
    assert r["history_keys"] == ["department_loss", "loss", "priority_loss"]
    assert r["prediction_shapes"] == {"priority": (256, 1), "department": (256, 4)}
    assert np.isfinite(r["list_loss"])


def test_shared_layers_and_toy_resnet():
    r = run_program("shared_layers_resnet")
    check_keras_facts("shared_layers_resnet", r)
    assert r["param_count"] == 223_242  # the guide's number
    assert r["shared_outputs_equal"] and r["shared_weight_count"] == 1
    assert r["history_keys"] == ["acc", "loss", "val_acc", "val_loss"]


def test_subclassing_layers():
    r = run_program("subclassing_layers")
    check_keras_facts("subclassing_layers", r)
    np.testing.assert_array_equal(r["first_sum"], [2.0, 2.0])
    np.testing.assert_array_equal(r["second_sum"], [4.0, 4.0])
    assert (r["losses_before_call"], r["losses_after_first_call"],
            r["losses_after_second_call"]) == (0, 1, 1)
    np.testing.assert_allclose(r["kernel_penalty"], r["kernel_penalty_by_hand"], rtol=1e-5)
    # The model's only loss is its add_loss term: 1e-2 * mean(ones) = 0.01.
    np.testing.assert_allclose(r["only_added_loss_history"], [0.01], rtol=1e-6)
    np.testing.assert_array_equal(r["inference_output"], np.ones((10, 10)))
    assert set(np.unique(r["training_output"])) <= {0.0, 2.0}
    assert r["mlp_eval"]["accuracy"] > 0.9


def test_vae():
    r = run_program("vae")
    check_keras_facts("vae", r)
    assert r["losses"][-1] < 0.7 * r["losses"][0]
    assert r["reconstruction_mse"] < 0.3 and r["reconstruction"].shape == (16, 64)
    assert r["functional_losses"][-1] < r["functional_losses"][0]


def test_masking_and_padding():
    r = run_program("masking_padding")
    check_keras_facts("masking_padding", r)
    np.testing.assert_array_equal(r["embedding_mask"], r["padded_inputs"] != 0)
    np.testing.assert_array_equal(r["masking_mask"], r["padded_inputs"] != 0)
    assert r["first_row_matches_unpadded"]
    np.testing.assert_array_equal(r["custom_mask"], r["token_ids"] != 0)
    np.testing.assert_array_equal(r["custom_mask_attached"], r["token_ids"] != 0)
    np.testing.assert_array_equal(np.concatenate(r["split_masks"], axis=1),
                                  r["padded_inputs"] != 0)
    # The guide's softmax runs over the last axis (of size 1): 1 at real steps, 0/0 at padding.
    values = np.asarray(r["softmax_y"])[..., 0]
    real = r["softmax_tokens"] != 0
    np.testing.assert_allclose(values[real], 1.0, rtol=1e-6)
    assert np.isnan(values[~real]).all()


def test_recurrent_networks():
    r = run_program("recurrent_networks")
    check_keras_facts("recurrent_networks", r)
    assert r["state_matters"]
    np.testing.assert_allclose(r["generic_output"], r["fused_output"], rtol=1e-5, atol=1e-6)
    assert all(not np.any(s) for s in r["states_after_reset"])
    assert r["val_accuracy"] > 0.7


def test_transfer_learning():
    r = run_program("transfer_learning")
    check_keras_facts("transfer_learning", r)
    assert r["layer1_unchanged"] and r["recursive_freeze"] and r["base_unchanged"]
    assert r["conv_kernel_moved"]
    assert r["head_accuracy"] > 0.7


def test_text_classification():
    r = run_program("text_classification")
    assert r["vectorized_shape"] == (320, 24)
    assert r["vocabulary_head"][:2] == ["", "[UNK]"]
    assert r["val_accuracy"] > 0.8 and r["end_to_end_eval"][1] > 0.8
    positive, negative = r["fresh_probabilities"][:, 0]
    assert positive > 0.5 > negative
    assert r["string_input_dtype"] == "string"
    assert r["string_predictions"].shape == (80, 1)


def test_transformer_classifier():
    r = run_program("transformer_classifier")
    check_keras_facts("transformer_classifier", r)
    assert r["val_accuracy"] > 0.85
    np.testing.assert_allclose(r["probabilities"].sum(axis=1), np.ones(4), rtol=1e-5)


def test_timeseries_forecasting():
    r = run_program("timeseries_forecasting")
    check_keras_facts("timeseries_forecasting", r)
    assert r["first_batch_shapes"] == ((64, 72, 2), (64, 1))
    assert r["val_losses"][-1] < 0.1 and r["forecast_error"] < 0.1


def test_conv_autoencoder():
    r = run_program("conv_autoencoder")
    check_keras_facts("conv_autoencoder", r)
    assert r["reconstruction_losses"][-1] < r["reconstruction_losses"][0]
    assert r["denoised_mse"] < r["noisy_mse"]


def test_siamese_contrastive():
    r = run_program("siamese_contrastive")
    check_keras_facts("siamese_contrastive", r)
    assert r["results"][1] > 0.8
    assert float(np.max(r["self_distance"])) < 1e-2


def test_ops_custom_layers():
    r = run_program("ops_custom_layers")
    check_keras_facts("ops_custom_layers", r)
    assert r["features_width"] == 18
    assert r["val_accuracy"] > 0.8
    np.testing.assert_allclose(r["covariance"], r["covariance_by_hand"], rtol=1e-5, atol=1e-6)


def test_every_program_is_tested():
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    renamed = {"shared_layers_and_toy_resnet": "shared_layers_resnet",
               "masking_and_padding": "masking_padding"}
    tested = {renamed.get(name, name) for name in tested}
    assert {p.stem for p in PROGRAMS.glob("*.py")} <= tested


# ------------------------------------------------------------------ numbers vs Keras
def _scenarios():
    spec = importlib.util.spec_from_file_location("compat_reference_models",
                                                  HERE / "reference_models.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SCENARIOS


REFERENCE = np.load(FIXTURES / "reference_outputs.npz")
SCENARIOS = _scenarios()


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_predictions_match_keras_on_the_same_weights(name):
    model, inputs = SCENARIOS[name](keras)
    outputs = model.predict(inputs, verbose=0)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    expected = [REFERENCE[key] for key in sorted(k for k in REFERENCE.files
                                                  if k.startswith(f"{name}/"))]
    assert len(outputs) == len(expected)
    for got, want in zip(outputs, expected):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
