"""Permute: views with the batch axis fixed, unknown dims kept, Keras' errors."""
import pytest
import torch

import lamina
from lamina import layers
from lamina.testing import run_layer_test


def test_run_layer_test():
    run_layer_test(layers.Permute, {"dims": (2, 1)}, input_shape=(2, 3, 4),
                   expected_output_shape=(2, 4, 3), expected_num_trainable_weights=0,
                   supports_masking=False)


def test_unknown_dims_follow_their_axis():
    out = layers.Permute((2, 1))(lamina.Input((None, 8)))
    assert tuple(out.shape) == (None, 8, None)


def test_is_a_view():
    x = torch.randn(2, 3, 4)
    assert layers.Permute((2, 1))(x).data_ptr() == x.data_ptr()


@pytest.mark.parametrize("dims", [(0, 1), (1, 3), (2, 2)])
def test_bad_dims(dims):
    with pytest.raises(ValueError, match=r"must be consecutive and start from 1 .* Received dims="):
        layers.Permute(dims)


def test_wrong_rank():
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=4"):
        layers.Permute((2, 1))(torch.ones(1, 2, 3, 4))
