"""Masks reach losses and metrics: padded timesteps count for nothing, as in Keras.

An Embedding(mask_zero=True) + LSTM(return_sequences=True) + TimeDistributed(Dense) tagger:
the loss of fit and evaluate is the masked mean of the per-step losses, and evaluate's
accuracy counts only real steps (Keras 3.15 on jax gives the same numbers on these weights:
loss 1.0667981, accuracy 0.5454545).
"""
import numpy as np

import lamina as keras

TOKENS = np.array([[3, 5, 2, 0, 0], [4, 1, 0, 0, 0], [7, 7, 7, 7, 2], [1, 0, 0, 0, 0]])
TAGS = np.random.default_rng(0).integers(0, 3, size=(4, 5))


def tagger():
    layers = keras.layers
    model = keras.Sequential([keras.Input((5,)), layers.Embedding(10, 4, mask_zero=True),
                              layers.LSTM(6, return_sequences=True),
                              layers.TimeDistributed(layers.Dense(3))])
    rng = np.random.default_rng(1)
    model.set_weights([(rng.normal(size=w.shape) * 0.5).astype("float32")
                       for w in model.get_weights()])
    model.compile(optimizer=keras.optimizers.SGD(0.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def per_step_losses_and_hits(model):
    logits = model.predict(TOKENS, verbose=0).astype("float64")
    shifted = logits - logits.max(-1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
    losses = -np.take_along_axis(log_probabilities, TAGS[..., None], -1)[..., 0]
    return losses, logits.argmax(-1) == TAGS


def test_evaluate_weights_loss_and_accuracy_by_the_mask():
    model = tagger()
    losses, hits = per_step_losses_and_hits(model)
    mask = TOKENS != 0
    loss, accuracy = model.evaluate(TOKENS, TAGS, batch_size=4, verbose=0)
    np.testing.assert_allclose(loss, (losses * mask).sum() / mask.sum(), rtol=1e-6)
    np.testing.assert_allclose(accuracy, (hits * mask).sum() / mask.sum(), rtol=1e-6)
    assert abs(loss - losses.mean()) > 0.03 and abs(accuracy - hits.mean()) > 0.1


def test_fit_reports_the_masked_loss():
    model = tagger()
    losses, _ = per_step_losses_and_hits(model)
    mask = TOKENS != 0
    history = model.fit(TOKENS, TAGS, batch_size=4, epochs=1, verbose=0)
    np.testing.assert_allclose(history.history["loss"][0], (losses * mask).sum() / mask.sum(),
                               rtol=1e-6)


def test_masked_loss_per_batch_is_the_mean_of_batch_masked_means():
    model = tagger()
    losses, _ = per_step_losses_and_hits(model)
    mask = TOKENS != 0
    batch_means = [(losses[i:i + 2] * mask[i:i + 2]).sum() / mask[i:i + 2].sum() for i in (0, 2)]
    loss, _ = model.evaluate(TOKENS, TAGS, batch_size=2, verbose=0)
    np.testing.assert_allclose(loss, np.mean(batch_means), rtol=1e-6)


def test_sample_weights_combine_with_the_mask():
    model = tagger()
    losses, hits = per_step_losses_and_hits(model)
    weights = np.array([1.0, 2.0, 0.5, 1.0])[:, None] * np.ones((1, 5))
    weighted = weights * (TOKENS != 0)
    loss, accuracy = model.evaluate(TOKENS, TAGS, sample_weight=weights, batch_size=4,
                                    verbose=0)
    # Keras' loss: sum(loss * weight * mask) / number of real steps. `metrics` are not
    # weighted (only `weighted_metrics` are), but still masked: Keras gives 0.5454545 here.
    np.testing.assert_allclose(loss, (losses * weighted).sum() / (TOKENS != 0).sum(),
                               rtol=1e-6)
    mask = TOKENS != 0
    np.testing.assert_allclose(accuracy, (hits * mask).sum() / mask.sum(), rtol=1e-6)


def test_weighted_metrics_combine_weights_and_mask():
    model = tagger()
    model.compile(optimizer="sgd",
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  weighted_metrics=["accuracy"])
    _, hits = per_step_losses_and_hits(model)
    weights = np.array([1.0, 2.0, 0.5, 1.0])[:, None] * np.ones((1, 5))
    weighted = weights * (TOKENS != 0)
    _, accuracy = model.evaluate(TOKENS, TAGS, sample_weight=weights, batch_size=4,
                                 verbose=0)
    np.testing.assert_allclose(accuracy, (hits * weighted).sum() / weighted.sum(), rtol=1e-6)


def test_metric_object_reads_the_mask_of_its_predictions():
    import torch

    metric = keras.metrics.SparseCategoricalAccuracy()
    y_pred = torch.tensor([[[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]])
    y_pred._keras_mask = torch.tensor([[True, True, False]])
    metric.update_state(torch.tensor([[0, 0, 0]]), y_pred)
    assert float(metric.result()) == 0.5
