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
import os
import runpy
import tempfile
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
    # The same for fit: Keras on torch gives 1, as lamina does.
    "custom_metrics_losses": {"activity_losses_count": "JAX's stateless call"},
    # Keras on JAX predicts without carrying a stateful RNN's states over (its predict
    # drops state updates); lamina carries them, as tf.keras did and Keras on torch means to.
    "char_text_generation": {"state_after_predict_is_zero": "JAX's stateless predict",
                             "state_carries_over": "JAX's stateless predict"},
    # A subclassed model has no output names: Keras 3 names each output's loss after its loss
    # function (two "mse" losses collide into one "mse_loss" key, listed twice by evaluate)
    # and leaves metrics unprefixed; lamina names the outputs output_1, output_2 as tf.keras.
    "wide_and_deep": {"subclass_history_keys": "Keras 3's colliding loss names",
                      "subclass_eval_length": "Keras 3's colliding loss names"},
}


def run_program(name: str) -> dict:
    """Runs a program as a script, in a fresh directory: the files it writes stay out of the tree."""
    previous = os.getcwd()
    with tempfile.TemporaryDirectory() as directory:
        os.chdir(directory)
        try:
            return runpy.run_path(str(PROGRAMS / f"{name}.py"), run_name="__main__")
        finally:
            os.chdir(previous)


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


def test_callbacks_tour():
    r = run_program("callbacks_tour")
    check_keras_facts("callbacks_tour", r)
    np.testing.assert_allclose(r["scheduled_rates"], 0.01 * 0.1 ** (np.arange(1, 6) / 20),
                               rtol=1e-5)
    assert r["plateau_rates"] == [0.01, 0.01, 0.005, 0.0025, 0.00125, 0.000625]
    assert r["csv_rows"] == 3 and r["appended_line_count"] == 6
    assert r["nan_epochs_run"] == 1 and r["stopped_early"]
    assert r["stopped_before_end"]
    np.testing.assert_allclose(r["best_loss_restored"], r["best_loss_seen"], rtol=0.05)


def test_wide_and_deep():
    r = run_program("wide_and_deep")
    check_keras_facts("wide_and_deep", r)
    assert r["adapted_mean_close"] and r["weighted_loss_matches"]
    assert r["two_input_val_rmse"] < 0.8 and r["subclass_main_loss"] < 0.5
    assert r["subclass_history_keys"] == [
        "loss", "output_1_RootMeanSquaredError", "output_1_loss", "output_2_RootMeanSquaredError",
        "output_2_loss", "val_loss", "val_output_1_RootMeanSquaredError", "val_output_1_loss",
        "val_output_2_RootMeanSquaredError", "val_output_2_loss"]


def test_multi_output_metrics():
    r = run_program("multi_output_metrics")
    check_keras_facts("multi_output_metrics", r)
    assert r["last_loss"] < r["first_loss"] and r["gender_accuracy"] > 0.8
    assert r["total_is_weighted_sum"] and r["income_rows_sum_to_one"]
    assert r["metrics_names"] == ["loss", "compile_metrics", "age_loss", "income_loss",
                                  "gender_loss"]


def test_custom_metrics_losses():
    r = run_program("custom_metrics_losses")
    check_keras_facts("custom_metrics_losses", r)
    assert (r["first_result"], r["accumulated_result"], r["after_reset"]) == (2.0, 2.5, 0.0)
    assert r["huber_result"] == pytest.approx(3.25)  # (0.5 + 6) / 2 with threshold 2
    assert r["streaming_precision"] == pytest.approx(0.5)
    assert r["true_positives_at_most_rows"] and r["accuracy_matches_count"]
    assert r["huber_loss_falls"] and r["evaluate_is_repeatable"]
    assert r["auc_result"] == pytest.approx(0.75, abs=1e-3) and r["weighted_mean"] == 2.0


def test_custom_fit_torch():
    r = run_program("custom_fit_torch")
    check_keras_facts("custom_fit_torch", r)
    for key in ("custom_losses", "low_level_losses", "weighted_losses"):
        assert r[key][-1] < r[key][0], key
    assert r["low_level_metric_names"] == ["loss", "mae"]


def test_training_loop_torch():
    r = run_program("training_loop_torch")
    check_keras_facts("training_loop_torch", r)
    assert r["epoch_losses"][-1] < r["epoch_losses"][0]
    assert r["val_accuracies"][-1] > 0.9 and r["metric_after_reset"] == 0.0
    assert r["sgd_step_matches"] and r["sgd_iterations"] == 1
    assert r["regularized_losses"][-1] < r["regularized_losses"][0]


def test_gan_custom_train_step():
    r = run_program("gan_custom_train_step")
    check_keras_facts("gan_custom_train_step", r)
    assert all(np.isfinite(r["d_losses"])) and all(np.isfinite(r["g_losses"]))
    assert r["d_optimizer_iterations"] == r["g_optimizer_iterations"] == 32
    assert r["fake_in_unit_range"]


def test_wgan_gp():
    r = run_program("wgan_gp")
    check_keras_facts("wgan_gp", r)
    # Three critic steps for each generator step; the samples move towards the ring (r = 2).
    assert r["d_optimizer_iterations"] == 3 * r["g_optimizer_iterations"]
    assert abs(r["final_radius"] - 2.0) < abs(r["initial_radius"] - 2.0)
    assert r["moving_mean_moved"]


def test_char_text_generation():
    r = run_program("char_text_generation")
    check_keras_facts("char_text_generation", r)
    assert r["onehot_losses"][-1] < 0.5 * r["onehot_losses"][0]
    assert r["stateful_losses"][-1] < r["stateful_losses"][0]
    assert r["state_after_reset_is_zero"] and r["state_carries_over"]
    assert all(len(text) == 30 for text in r["generated"].values())


def test_seq2seq_char():
    r = run_program("seq2seq_char")
    check_keras_facts("seq2seq_char", r)
    assert r["val_accuracy"] > 0.6
    assert all(text.endswith("\n") or len(text) > r["max_decoder_seq_length"]
               for text in r["decoded"])


def test_sentiment_bidirectional():
    r = run_program("sentiment_bidirectional")
    check_keras_facts("sentiment_bidirectional", r)
    assert r["lstm_val_accuracy"] > 0.8 and r["gru_val_accuracy"] > 0.8
    assert r["mask_matches_padding"] and r["padding_invariant"]


def test_image_classification_scratch():
    r = run_program("image_classification_scratch")
    check_keras_facts("image_classification_scratch", r)
    assert r["train_losses"][-1] < r["train_losses"][0]
    assert r["checkpoints"] == [f"save_at_{epoch}.keras" for epoch in range(1, 5)]
    assert r["restored_predictions_match"] and r["score_in_unit_range"]


def test_saving_custom_objects():
    r = run_program("saving_custom_objects")
    check_keras_facts("saving_custom_objects", r)
    assert r["predictions_match"] and r["subclassed_matches"] and r["weights_match"]
    assert not r["loads_without_custom_objects"]
    assert r["pydataset_accuracy"] > 0.9 and r["pydataset_epochs"] == 5


def test_structured_data():
    r = run_program("structured_data")
    check_keras_facts("structured_data", r)
    assert r["val_accuracy"] > 0.75
    assert r["thal_vocabulary"] == ["[UNK]", "normal", "reversible", "fixed"]


def test_structured_data_feature_space():
    r = run_program("structured_data_feature_space")
    check_keras_facts("structured_data_feature_space", r)
    assert r["val_accuracy"] > 0.75
    assert r["preprocessed_shape"] == (32, r["encoded_width"])
    assert r["models_agree"] and r["reloaded_matches"]
    assert 0.0 <= r["sample_probability"] <= 1.0


def test_timeseries_windows():
    r = run_program("timeseries_windows")
    check_keras_facts("timeseries_windows", r)
    assert r["first_window_rows"][0] == list(range(0, 20, 2))
    assert r["shuffled_pairs_agree"] and r["evaluate_matches_forecasts"]
    assert r["forecast_mae"] < 0.5 * r["naive_mae"]
    assert r["rnn_losses"][-1] < r["rnn_losses"][0]


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
