"""LossScaleOptimizer: Keras' skip / halve / grow rules, its config, variables and layout."""
import json

import numpy as np
import pytest
import torch

import lamina as keras
from lamina.optimizers import SGD, Adam, LossScaleOptimizer

INF, NAN = float("inf"), float("nan")


def test_skip_halve_grow_follow_a_hand_computation():
    """SGD(0.1), scale 8, growth every 2 finite steps; w starts at [1, 2].

    step  grads      finite  unscaled  w after        scale  counter
    1     [8, 8]     yes     [1, 1]    [0.9, 1.9]     8      1
    2     [inf, 1]   no      skipped   [0.9, 1.9]     4      0
    3     [4, 4]     yes     [1, 1]    [0.8, 1.8]     4      1
    4     [4, 4]     yes     [1, 1]    [0.7, 1.7]     8      0   (grows after 2 finite)
    5     [4, 4]     yes     [.5, .5]  [0.65, 1.65]   8      1
    6     [nan, 0]   no      skipped   [0.65, 1.65]   4      0
    (Keras 3.15 gives the same sequence.)
    """
    w = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    optimizer = LossScaleOptimizer(SGD(0.1), initial_scale=8.0, dynamic_growth_steps=2)
    steps = [([8, 8], [0.9, 1.9], 8, 1, 1), ([INF, 1], [0.9, 1.9], 4, 0, 1),
             ([4, 4], [0.8, 1.8], 4, 1, 2), ([4, 4], [0.7, 1.7], 8, 0, 3),
             ([4, 4], [0.65, 1.65], 8, 1, 4), ([NAN, 0], [0.65, 1.65], 4, 0, 4)]
    for grads, weights, scale, counter, iterations in steps:
        optimizer.apply([torch.tensor(grads, dtype=torch.float32)], [w])
        np.testing.assert_allclose(w.detach().numpy(), weights, rtol=1e-6)
        assert float(optimizer.dynamic_scale) == scale
        assert int(optimizer.step_counter) == counter
        assert int(optimizer.iterations) == iterations


def test_a_skipped_step_leaves_adam_slots_and_counter_exactly_as_they_were():
    w = torch.nn.Parameter(torch.tensor([1.0, -1.0]))
    optimizer = LossScaleOptimizer(Adam(0.1), initial_scale=4.0)
    optimizer.apply([torch.tensor([2.0, -1.0])], [w])
    before = [v.clone() for v in optimizer.variables]
    weights = w.detach().clone()
    optimizer.apply([torch.tensor([NAN, 1.0])], [w])
    after = optimizer.variables
    assert torch.equal(w.detach(), weights)
    # Own iterations, learning rate, counter, scale; then Adam's iterations, rate, m, v.
    changed = [i for i, (b, a) in enumerate(zip(before, after)) if not torch.equal(b, a)]
    assert changed == [2, 3]  # only step_counter (1 -> 0) and dynamic_scale (4 -> 2)
    assert float(optimizer.dynamic_scale) == 2.0
    # Adam's update after the finite step equals a plain Adam's on the unscaled gradient.
    reference = torch.nn.Parameter(torch.tensor([1.0, -1.0]))
    Adam(0.1).apply([torch.tensor([0.5, -0.25])], [reference])
    torch.testing.assert_close(weights, reference.detach())


def test_scale_loss_uses_the_initial_then_the_dynamic_scale():
    optimizer = LossScaleOptimizer(SGD(), initial_scale=16.0)
    assert optimizer.scale_loss(torch.tensor(2.0)) == 32.0
    w = torch.nn.Parameter(torch.zeros(1))
    optimizer.apply([torch.tensor([INF])], [w])
    assert float(optimizer.scale_loss(torch.tensor(2.0))) == 16.0


def test_variables_config_and_learning_rate_are_keras_shaped():
    inner = Adam(0.01)
    optimizer = LossScaleOptimizer(inner, initial_scale=8.0, dynamic_growth_steps=3)
    assert optimizer.initial_scale == 8.0 and optimizer.dynamic_growth_steps == 3
    assert inner.loss_scale_factor is None
    config = json.loads(json.dumps(optimizer.get_config()))
    assert set(config) == {"name", "inner_optimizer", "initial_scale", "dynamic_growth_steps"}
    assert config["inner_optimizer"]["class_name"] == "Adam"
    rebuilt = LossScaleOptimizer.from_config(config)
    assert rebuilt.get_config() == config
    assert keras.optimizers.deserialize(keras.optimizers.serialize(optimizer)).get_config() == \
        config
    optimizer.build([torch.nn.Parameter(torch.zeros(2, 3))])
    # iterations, learning rate (0), step counter, scale; Adam: iterations, rate, m, v.
    assert [tuple(v.shape) for v in optimizer.variables] == [(), (), (), (), (), (),
                                                             (2, 3), (2, 3)]
    assert optimizer.count_params() == 6 + 12
    optimizer.learning_rate = 0.5
    assert float(inner.learning_rate) == 0.5 == float(optimizer.learning_rate)
    assert LossScaleOptimizer(SGD()).get_config()["initial_scale"] == 2.0 ** 15
    assert LossScaleOptimizer(SGD()).get_config()["dynamic_growth_steps"] == 2000


def test_bad_arguments_raise_keras_errors():
    with pytest.raises(ValueError, match="no longer supports `dynamic=False`"):
        LossScaleOptimizer(SGD(), dynamic=False)
    with pytest.raises(ValueError, match=r"does not support `clipnorm`\. Instead, set "
                                         r"`clipnorm` on the `inner_optimizer`\."):
        LossScaleOptimizer(SGD(), clipnorm=1.0)
    LossScaleOptimizer(SGD(), clipnorm=None, use_ema=False)  # old configs' defaults load
    with pytest.raises(ValueError, match=r"does not support arguments: `momentum`\."):
        LossScaleOptimizer(SGD(), momentum=0.9)
    with pytest.raises(TypeError, match=r"`inner_optimizer` must be an optimizer instance.*"
                                        r"Received: inner_optimizer='adam'"):
        LossScaleOptimizer("adam")
    with pytest.raises(ValueError, match="`initial_scale` must be a finite number > 0"):
        LossScaleOptimizer(SGD(), initial_scale=0)
    with pytest.raises(ValueError, match="`dynamic_growth_steps` must be an integer >= 1"):
        LossScaleOptimizer(SGD(), dynamic_growth_steps=0.5)


def _model():
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                             keras.layers.Dense(1, dtype="float32")])


def test_fit_scales_the_loss_and_unscales_the_gradients():
    x = np.random.rand(8, 3).astype("float32")
    y = np.random.rand(8, 1).astype("float32")
    plain, scaled = _model(), _model()
    scaled.set_weights(plain.get_weights())
    plain.compile(optimizer=SGD(0.1), loss="mse")
    scaled.compile(optimizer=LossScaleOptimizer(SGD(0.1), initial_scale=2.0 ** 10), loss="mse")
    plain.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    history = scaled.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    # A power-of-two scale is exact: the same steps as without scaling.
    for a, b in zip(plain.get_weights(), scaled.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert int(scaled.optimizer.step_counter) == 3
    assert history.history["loss"][0] < 10  # the reported loss is not the scaled one


def test_fit_skips_the_step_when_the_scaled_loss_overflows():
    x = np.ones((4, 3), dtype="float32")
    y = np.full((4, 1), 100.0, dtype="float32")
    model = _model()
    weights = model.get_weights()
    # A scale this large makes the scaled loss (and its gradients) infinite in float32, which
    # only happens if the train step multiplies the loss by the scale before backward.
    model.compile(optimizer=LossScaleOptimizer(SGD(0.1), initial_scale=1e38), loss="mse")
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    for before, after in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(before, after)
    assert float(model.optimizer.dynamic_scale) == pytest.approx(5e37)
    assert int(model.optimizer.iterations) == 0
