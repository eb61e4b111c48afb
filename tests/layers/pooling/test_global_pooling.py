"""GlobalMax/GlobalAveragePooling 1D-3D: harness, keepdims, and masked averages."""
import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.testing import run_layer_test


@pytest.mark.parametrize("cls, kwargs, input_shape, output_shape", [
    (layers.GlobalMaxPooling1D, {}, (2, 7, 3), (2, 3)),
    (layers.GlobalAveragePooling1D, {"keepdims": True}, (2, 7, 3), (2, 1, 3)),
    (layers.GlobalMaxPooling2D, {"data_format": "channels_first"}, (2, 3, 4, 5), (2, 3)),
    (layers.GlobalAveragePooling2D, {}, (2, 4, 5, 3), (2, 3)),
    (layers.GlobalMaxPooling3D, {"keepdims": True}, (2, 2, 3, 4, 3), (2, 1, 1, 1, 3)),
    (layers.GlobalAveragePooling3D, {"data_format": "channels_first", "keepdims": True},
     (2, 3, 2, 3, 4), (2, 3, 1, 1, 1)),
], ids=["max1d", "avg1d_keepdims", "max2d_first", "avg2d", "max3d_keepdims",
        "avg3d_first_keepdims"])
def test_layer_harness(cls, kwargs, input_shape, output_shape):
    masking = cls is layers.GlobalAveragePooling1D
    run_layer_test(cls, kwargs, input_shape=input_shape, expected_output_shape=output_shape,
                   expected_num_trainable_weights=0, expected_num_non_trainable_weights=0,
                   supports_masking=masking)


def _masked_mean(inputs: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weights = mask[..., None].astype("float64")
    return (inputs.astype("float64") * weights).sum(axis=1) / weights.sum(axis=1)


def test_masked_average_counts_only_unmasked_steps():
    rng = np.random.default_rng(0)
    inputs = rng.standard_normal((3, 5, 4)).astype("float32")
    mask = np.arange(5)[None, :] < np.array([[5], [2], [1]])
    outputs = layers.GlobalAveragePooling1D()(inputs, mask=torch.as_tensor(mask))
    np.testing.assert_allclose(outputs.numpy(), _masked_mean(inputs, mask), rtol=1e-6, atol=1e-6)


def test_mask_carried_by_the_inputs_is_used_and_not_passed_on():
    inputs = torch.tensor([[[1.0], [3.0], [np.inf]]])
    inputs._keras_mask = torch.tensor([[True, True, False]])
    outputs = layers.GlobalAveragePooling1D()(inputs)
    assert outputs.tolist() == [[2.0]]
    assert getattr(outputs, "_keras_mask", None) is None


def test_masked_channels_first_average():
    inputs = torch.tensor([[[1.0, 3.0, 8.0], [2.0, 4.0, 8.0]]])
    mask = torch.tensor([[True, True, False]])
    layer = layers.GlobalAveragePooling1D(data_format="channels_first", keepdims=True)
    assert layer(inputs, mask=mask).tolist() == [[[2.0], [3.0]]]


def test_global_max_pooling_takes_no_mask():
    with pytest.raises(ValueError, match=r"does not support masking"):
        layers.GlobalMaxPooling1D()(torch.zeros(1, 3, 2), mask=torch.ones(1, 3, dtype=torch.bool))


def test_global_pooling_keeps_unknown_dims_unknown():
    assert layers.GlobalAveragePooling1D()(lamina.Input((None, 8))).shape == (None, 8)
    assert layers.GlobalMaxPooling2D(keepdims=True)(lamina.Input((None, None, 3))).shape == (
        None, 1, 1, 3)


def test_wrong_rank_gets_keras_message():
    with pytest.raises(ValueError) as error:
        layers.GlobalAveragePooling2D()(lamina.Input((10, 3)))
    assert str(error.value).startswith(
        'Input 0 of layer "global_average_pooling2d" is incompatible with the layer: expected '
        'ndim=4, found ndim=3. Full shape received: (None, 10, 3)')
