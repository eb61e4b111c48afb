"""Dropout: training-only, scaled, noise_shape, rate checks."""
import pytest
import torch

from lamina import layers


def test_dropout_scales_kept_units_in_training_only():
    layer = layers.Dropout(0.25)
    x = torch.ones(20_000)
    out = layer(x, training=True)
    kept = out[out != 0]
    torch.testing.assert_close(kept, torch.full_like(kept, 1 / 0.75))
    assert abs((out == 0).float().mean().item() - 0.25) < 0.02
    torch.testing.assert_close(layer(x), x)


def test_dropout_noise_shape_shares_the_mask():
    out = layers.Dropout(0.5, noise_shape=(None, 1, 4))(torch.ones(8, 6, 4), training=True)
    assert (out == out[:, :1, :]).all()


@pytest.mark.parametrize("rate, error", [(1.0, ValueError), (1.5, ValueError), (-0.1, ValueError),
                                         ("half", TypeError)])  # a string: Keras' TypeError
def test_dropout_rejects_bad_rate(rate, error):
    with pytest.raises(error, match=r"Invalid value received for argument `rate`\. Expected a "
                                    rf"float value between 0 and 1\. Received: rate={rate!r}"):
        layers.Dropout(rate)


@pytest.mark.parametrize("noise_shape", [(1, 5), (2,), (None, 10, 1)])
def test_a_noise_shape_that_does_not_fit_the_inputs_is_named(noise_shape):
    layer = layers.Dropout(0.5, noise_shape=noise_shape, name="drop")
    with pytest.raises(ValueError, match=r"Layer 'drop' got inputs of shape \(2, 10\), which its "
                                         r"`noise_shape` does not fit.*Received: noise_shape="):
        layer(torch.ones(2, 10), training=True)
