"""A built recurrent layer refuses sequences with another number of features per step, with
Keras' input-spec message (the fused kernels would otherwise run on them or fail bare)."""
import numpy as np
import pytest

import lamina as keras
from lamina import layers


@pytest.mark.parametrize("layer_class", [layers.LSTM, layers.GRU, layers.SimpleRNN])
def test_other_features_per_step_are_refused_eagerly_and_symbolically(layer_class):
    layer = layer_class(2)
    layer(np.zeros((2, 5, 3), "float32"))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3, but "
                                         r"received input with shape \(2, 5, 4\)"):
        layer(np.ones((2, 5, 4), "float32"))
    with pytest.raises(ValueError, match=r"received input with shape \(None, 5, 4\)"):
        layer(keras.Input((5, 4)))
    assert tuple(layer(np.ones((3, 7, 3), "float32")).shape) == (3, 2)
