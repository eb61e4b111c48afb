"""BatchNormalization: Keras' statistics, buffers for moving state, trainable=False, errors."""
import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.testing import run_layer_test


@pytest.mark.parametrize("kwargs, input_shape, trainable", [
    ({}, (4, 3), 2),
    ({"axis": 1}, (2, 3, 4, 5), 2),
    ({"center": False}, (3, 6, 2), 1),
    ({"scale": False, "center": False}, (4, 3), 0),
    ({"renorm": True}, (4, 3), 2),
])
def test_run_layer_test(kwargs, input_shape, trainable):
    non_trainable = 5 if kwargs.get("renorm") else 2
    run_layer_test(layers.BatchNormalization, kwargs, input_shape=input_shape,
                   expected_output_shape=input_shape, expected_num_trainable_weights=trainable,
                   expected_num_non_trainable_weights=non_trainable, supports_masking=True,
                   training_differs=True)


def test_param_count_on_64_channels_matches_keras():
    model = lamina.Sequential([lamina.Input((64,)), layers.BatchNormalization()])
    layer = model.layers[0]
    assert model.count_params() == 256
    assert sum(w.numel() for w in layer.non_trainable_weights) == 128
    assert [w.name for w in layer.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]


def test_moving_statistics_are_buffers_not_parameters():
    layer = layers.BatchNormalization()
    layer.build((None, 3))
    assert [name for name, _ in layer.named_parameters()] == ["gamma", "beta"]
    assert [name for name, _ in layer.named_buffers()] == ["moving_mean", "moving_variance"]
    assert set(layer.state_dict()) == {"gamma", "beta", "moving_mean", "moving_variance"}
    assert not layer.moving_mean.requires_grad


def test_training_normalizes_with_biased_batch_variance_and_updates_moving_statistics():
    x = np.array([[1.0], [2.0], [3.0], [6.0]])
    layer = layers.BatchNormalization(momentum=0.75)
    out = layer(torch.tensor(x, dtype=torch.float32), training=True).detach().numpy()
    mean, variance = x.mean(), x.var()  # NumPy's var is the biased one
    np.testing.assert_allclose(out, (x - mean) / np.sqrt(variance + 1e-3), rtol=1e-6)
    np.testing.assert_allclose(layer.moving_mean.numpy(), [0.25 * mean], rtol=1e-6)
    np.testing.assert_allclose(layer.moving_variance.numpy(), [0.75 + 0.25 * variance], rtol=1e-6)


def test_inference_uses_moving_statistics():
    layer = layers.BatchNormalization(epsilon=0.0)
    layer.build((None, 2))
    layer.set_weights([np.array([2.0, 1.0]), np.array([0.5, 0.0]), np.array([1.0, -1.0]),
                       np.array([4.0, 0.25])])
    out = layer(torch.tensor([[3.0, 0.0]])).detach().numpy()
    np.testing.assert_allclose(out, [[2.0 * (3 - 1) / 2 + 0.5, (0 + 1) / 0.5]])


@pytest.mark.parametrize("freeze", ["constructor", "attribute"])
def test_trainable_false_means_inference_mode_even_in_training(freeze):
    x = torch.randn(8, 3) * 3 + 2
    layer = layers.BatchNormalization(trainable=freeze != "constructor")
    layer(x)
    layer.trainable = False
    inference = layer(x, training=False)
    training = layer(x, training=True)
    torch.testing.assert_close(training, inference)
    np.testing.assert_array_equal(layer.moving_mean.numpy(), np.zeros(3))


def test_fit_moves_the_statistics_and_evaluate_uses_them():
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((64, 2)) * [1.0, 4.0] + [3.0, -2.0]).astype("float32")
    model = lamina.Sequential([lamina.Input((2,)), layers.BatchNormalization(momentum=0.5)])
    model.compile(optimizer=lamina.optimizers.SGD(0.0), loss="mse")
    model.fit(x, x, batch_size=64, epochs=8, verbose=0)
    layer = model.layers[0]
    np.testing.assert_allclose(layer.moving_mean.numpy(), x.mean(0) * (1 - 0.5 ** 8), rtol=1e-5)
    predicted = model.predict(x, verbose=0)
    expected = (x - layer.moving_mean.numpy()) / np.sqrt(layer.moving_variance.numpy() + 1e-3)
    np.testing.assert_allclose(predicted, expected, rtol=1e-5, atol=1e-5)


def test_mask_leaves_masked_steps_out_of_the_statistics():
    x = torch.tensor([[[1.0], [3.0], [100.0]]])
    mask = torch.tensor([[True, True, False]])
    layer = layers.BatchNormalization(momentum=0.0, epsilon=0.0)
    out = layer(x, training=True, mask=mask).detach().numpy()
    np.testing.assert_allclose(layer.moving_mean.numpy(), [2.0], rtol=1e-6)
    np.testing.assert_allclose(layer.moving_variance.numpy(), [1.0], rtol=1e-6)
    np.testing.assert_allclose(out[0, :2, 0], [-1.0, 1.0], rtol=1e-6)


def test_training_step_compiles_without_graph_breaks():
    # A host sync (`.item()`, a Python branch on a tensor) would break the graph.
    layer = layers.BatchNormalization()
    layer.build((None, 4))
    compiled = torch.compile(layer.call, fullgraph=True, backend="eager")
    x = torch.randn(6, 4)
    compiled(x, training=True)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.01 * x.mean(0).numpy(), rtol=1e-5)


def test_channels_last_images_use_the_last_axis():
    x = torch.randn(2, 5, 4, 3) * torch.tensor([1.0, 2.0, 3.0]) + torch.tensor([0.0, 5.0, -5.0])
    out = layers.BatchNormalization()(x, training=True)
    torch.testing.assert_close(out.mean(dim=(0, 1, 2)), torch.zeros(3), atol=1e-5, rtol=0)
    assert out.is_contiguous()


def test_axis_out_of_range_names_the_layer_and_the_shape():
    with pytest.raises(ValueError, match=r"BatchNormalization 'bn': axis 3 is out of bounds for "
                                         r"input shape \(2, 4\) of rank 2; use an axis from -2 to 1"):
        layers.BatchNormalization(axis=3, name="bn")(torch.ones(2, 4))


def test_axis_must_be_an_int():
    with pytest.raises(TypeError, match=r"expected an int for the argument `axis`, but received: "
                                        r"axis=\[1, 2\]"):
        layers.BatchNormalization(axis=[1, 2])


def test_unknown_channel_dimension_is_refused():
    with pytest.raises(ValueError, match="should have a defined dimension"):
        layers.BatchNormalization()(lamina.Input((5, None)))


def test_other_channel_count_after_build_gets_keras_message():
    layer = layers.BatchNormalization()
    layer(torch.ones(2, 4))
    with pytest.raises(ValueError, match=r"expected axis 1 of input shape to have value 4"):
        layer(torch.ones(2, 5))


def test_mask_of_wrong_rank_is_refused():
    with pytest.raises(ValueError, match=r"mask should have one dimension less than the inputs. "
                                         r"Received: mask.shape=\(2, 3, 4\)"):
        layers.BatchNormalization()(torch.ones(2, 3, 4), mask=torch.ones(2, 3, 4, dtype=bool),
                                    training=True)


def test_synchronized_is_refused_with_the_fix():
    with pytest.raises(ValueError, match="pass synchronized=False"):
        layers.BatchNormalization(synchronized=True)


@pytest.mark.parametrize("clipping, message", [
    ({"rmaxx": 2.0}, "Received invalid keys for `renorm_clipping`"),
    ({"rmax": 1.0, "rmin": 2.0}, "rmax should be greater than rmin"),
    ({"dmax": -1.0}, "dmax should be non-negative"),
])
def test_bad_renorm_clipping(clipping, message):
    with pytest.raises(ValueError, match=message):
        layers.BatchNormalization(renorm=True, renorm_clipping=clipping)


def test_regularizers_add_losses():
    layer = layers.BatchNormalization(gamma_regularizer="l2", beta_regularizer="l1")
    layer.build((None, 3))
    torch.testing.assert_close(sum(layer.losses), torch.tensor(0.01 * 3))


def test_frozen_layer_keeps_its_statistics_through_fit():
    x = np.random.default_rng(1).standard_normal((32, 3)).astype("float32") + 5
    bn = layers.BatchNormalization()
    model = lamina.Sequential([lamina.Input((3,)), bn, layers.Dense(1)])
    bn.trainable = False
    model.compile(optimizer="sgd", loss="mse")
    before = bn.get_weights()
    model.fit(x, x[:, :1], epochs=1, batch_size=8, verbose=0)
    for got, want in zip(bn.get_weights(), before, strict=True):
        np.testing.assert_array_equal(got, want)


def test_unknown_time_axis_stays_unknown_and_mask_on_the_inputs_is_used():
    assert tuple(layers.BatchNormalization()(lamina.Input((None, 8))).shape) == (None, None, 8)
    x = torch.tensor([[[1.0], [3.0], [100.0]]])
    x._keras_mask = torch.tensor([[True, True, False]])
    layer = layers.BatchNormalization(momentum=0.0)
    layer(x, training=True)
    np.testing.assert_allclose(layer.moving_mean.numpy(), [2.0], rtol=1e-6)


def test_gamma_constraint_is_applied_after_each_step():
    x = np.random.default_rng(2).standard_normal((16, 2)).astype("float32")
    bn = layers.BatchNormalization(gamma_constraint="non_neg")
    model = lamina.Sequential([lamina.Input((2,)), bn])
    model.compile(optimizer=lamina.optimizers.SGD(5.0), loss="mse")
    model.fit(x, -10 * x, epochs=3, batch_size=16, verbose=0)
    assert (bn.gamma.numpy() >= 0).all() and (bn.gamma.numpy() == 0).any()
