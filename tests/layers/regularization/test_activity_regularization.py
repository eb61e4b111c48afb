"""ActivityRegularization: identity plus an L1/L2 penalty per sample, as Keras adds it."""
import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.testing import run_layer_test


def test_run_layer_test():
    run_layer_test(layers.ActivityRegularization, {"l1": 0.1, "l2": 0.2}, input_shape=(3, 4),
                   expected_output_shape=(3, 4), expected_num_trainable_weights=0,
                   supports_masking=True)


def test_penalty_is_divided_by_the_batch_size():
    x = np.array([[1.0, -2.0], [3.0, 0.5]])
    layer = layers.ActivityRegularization(l1=0.1, l2=0.01)
    out = layer(torch.tensor(x, dtype=torch.float32))
    np.testing.assert_allclose(out.numpy(), x)
    expected = (0.1 * np.abs(x).sum() + 0.01 * (x ** 2).sum()) / 2
    np.testing.assert_allclose(float(sum(layer.losses)), expected, rtol=1e-6)


@pytest.mark.filterwarnings("ignore:The model does not have any trainable weights")
def test_fit_reports_the_penalty_in_the_loss():
    x = np.full((4, 3), 2.0, dtype="float32")
    model = lamina.Sequential([lamina.Input((3,)), layers.ActivityRegularization(l2=0.5)])
    model.compile(optimizer="sgd", loss="mse")
    loss = model.evaluate(x, x, verbose=0)
    np.testing.assert_allclose(loss, 0.5 * 4.0 * 3, rtol=1e-6)


def test_config_matches_keras():
    config = layers.ActivityRegularization(l1=0.1).get_config()
    assert list(config) == ["name", "trainable", "dtype", "l1", "l2"]
    assert layers.ActivityRegularization.from_config(config).l1 == 0.1
