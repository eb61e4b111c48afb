"""ConvLSTM2D: shapes for every padding and stride, data formats, the loop's numbers and hints."""
import numpy as np
import pytest
import torch

from lamina import layers
from lamina.testing import run_layer_test


@pytest.mark.parametrize("kwargs, output_shape", [
    ({"filters": 2, "kernel_size": 3}, (2, 4, 4, 2)),
    ({"filters": 2, "kernel_size": 3, "padding": "Same", "return_sequences": True}, (2, 3, 6, 6, 2)),
    ({"filters": 2, "kernel_size": (2, 3), "strides": 2, "padding": "same"}, (2, 3, 3, 2)),
    ({"filters": 2, "kernel_size": 3, "dilation_rate": 2, "return_state": True},
     [(2, 2, 2, 2), (2, 2, 2, 2), (2, 2, 2, 2)]),
])
def test_layer_harness(kwargs, output_shape):
    run_layer_test(layers.ConvLSTM2D, kwargs, input_shape=(2, 3, 6, 6, 1),
                   expected_output_shape=output_shape, expected_num_trainable_weights=3,
                   supports_masking=True)


def test_dropout_acts_only_in_training():
    run_layer_test(layers.ConvLSTM2D, {"filters": 2, "kernel_size": 3, "dropout": 0.5,
                                       "recurrent_dropout": 0.5, "seed": 1},
                   input_shape=(2, 3, 5, 5, 2), expected_output_shape=(2, 3, 3, 2),
                   training_differs=True)


def test_channels_first_equals_channels_last_on_transposed_frames():
    x = torch.randn(2, 4, 5, 5, 3)
    last = layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True)
    first = layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True, data_format="channels_first")
    expected = last(x)
    first(x.permute(0, 1, 4, 2, 3))
    first.set_weights(last.get_weights())
    np.testing.assert_allclose(first(x.permute(0, 1, 4, 2, 3)).permute(0, 1, 3, 4, 2).detach().numpy(),
                               expected.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_weight_shapes_follow_keras():
    layer = layers.ConvLSTM2D(4, (3, 2))
    layer.build((None, None, 8, 8, 3))
    assert [w.shape for w in layer.get_weights()] == [(3, 2, 3, 16), (3, 2, 4, 16), (16,)]
    assert layer.count_params() == 3 * 2 * 3 * 16 + 3 * 2 * 4 * 16 + 16


def test_frames_without_channels_get_the_fix():
    with pytest.raises(ValueError, match=r"expected ndim=5, found ndim=4.*add a channel axis: "
                                         r"`x\[\.\.\., None\]`"):
        layers.ConvLSTM2D(2, 3)(torch.zeros(2, 3, 6, 6))


def test_strides_and_dilation_together_are_refused():
    with pytest.raises(ValueError, match="Specifying `strides > 1` is not compatible with `dilation_rate > 1`"):
        layers.ConvLSTM2D(2, 3, strides=2, dilation_rate=2)
