"""Optimizers vs Keras' check values and a float64 NumPy reference of each update rule."""
import re
import warnings

import numpy as np
import pytest
import torch

import lamina
from lamina import optimizers
from lamina.optimizers import schedules

ALL_CLASSES = [optimizers.SGD, optimizers.RMSprop, optimizers.Adagrad, optimizers.Adam,
               optimizers.AdamW, optimizers.Adamax, optimizers.Nadam, optimizers.Adadelta,
               optimizers.Lion]

# KERAS_FACTS.md: w0 = 1.0, gradients 0.5 then -0.25; weights after steps 1 and 2.
# Nadam's facts differ from Keras-on-torch's float32 arithmetic (1 - 0.999**t in float32)
# by under 1e-6, hence the tolerance.
CHECK_VALUES = [
    (lambda: optimizers.SGD(0.1, momentum=0.9), (0.95, 0.93)),
    (lambda: optimizers.SGD(0.1, momentum=0.9, nesterov=True), (0.905, 0.912)),
    (lambda: optimizers.RMSprop(0.1), (0.68377286, 0.83121455)),
    (lambda: optimizers.RMSprop(0.1, epsilon=0.5), (0.93099344, 0.96537417)),
    (lambda: optimizers.Adagrad(0.1), (0.91548461, 0.95440954)),
    (lambda: optimizers.Adagrad(0.1, epsilon=0.5), (0.94576740, 0.97193861)),
    (lambda: optimizers.Adam(0.1), (0.90000129, 0.87336802)),
    (lambda: optimizers.Adam(0.1, epsilon=0.5), (0.99693465, 0.99602550)),
    (lambda: optimizers.AdamW(0.1), (0.89960128, 0.87260818)),
    (lambda: optimizers.Nadam(0.1), (0.89372122, 0.93298060)),
    (lambda: optimizers.Adamax(0.1), (0.90000004, 0.87892634)),
    (lambda: optimizers.Adadelta(1.0), (0.99858582, 0.99949867)),
]


@pytest.mark.parametrize("make, expected", CHECK_VALUES)
def test_one_and_two_steps_match_keras(make, expected):
    opt = make()
    w = torch.nn.Parameter(torch.ones(1))
    got = []
    for g in (0.5, -0.25):
        opt.apply([torch.tensor([g])], [w])
        got.append(w.item())
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
    assert opt.iterations.item() == 2 and opt.iterations.dtype == torch.int32


# ----------------------------------------------------------- NumPy reference
def _f32_power(beta, t):
    """beta**t as Keras computes it: in float32."""
    return float(np.float32(beta) ** np.float32(t))


def _ref_sgd(w, g, s, t, lr, momentum=0.0, nesterov=False):
    if momentum == 0:
        return w - lr * g
    s["m"] = momentum * s.get("m", 0 * w) - lr * g
    return w + momentum * s["m"] - lr * g if nesterov else w + s["m"]


def _ref_rmsprop(w, g, s, t, lr, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    s["v"] = rho * s.get("v", 0 * w) + (1 - rho) * g * g
    if centered:
        s["a"] = rho * s.get("a", 0 * w) + (1 - rho) * g
        step = lr * g / np.sqrt(s["v"] - s["a"] ** 2 + epsilon)
    else:
        step = lr * g / np.sqrt(s["v"] + epsilon)
    if momentum > 0:
        s["m"] = momentum * s.get("m", 0 * w) + step
        return w - s["m"]
    return w - step


def _ref_adagrad(w, g, s, t, lr, initial_accumulator_value=0.1, epsilon=1e-7):
    s["a"] = s.get("a", 0 * w + initial_accumulator_value) + g * g
    return w - lr * g / np.sqrt(s["a"] + epsilon)


def _ref_adam(w, g, s, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
              weight_decay=None):
    if weight_decay is not None:
        w = w - lr * weight_decay * w
    s["m"] = s.get("m", 0 * w) + (g - s.get("m", 0 * w)) * (1 - beta_1)
    s["v"] = s.get("v", 0 * w) + (g * g - s.get("v", 0 * w)) * (1 - beta_2)
    v = s["v"]
    if amsgrad:
        s["vhat"] = np.maximum(s.get("vhat", 0 * w), v)
        v = s["vhat"]
    alpha = lr * np.sqrt(1 - _f32_power(beta_2, t)) / (1 - _f32_power(beta_1, t))
    return w - alpha * s["m"] / (np.sqrt(v) + epsilon)


def _ref_adamw(w, g, s, t, lr, weight_decay=0.004, **kwargs):
    return _ref_adam(w, g, s, t, lr, weight_decay=weight_decay, **kwargs)


def _ref_adamax(w, g, s, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    s["m"] = s.get("m", 0 * w) + (g - s.get("m", 0 * w)) * (1 - beta_1)
    s["u"] = np.maximum(beta_2 * s.get("u", 0 * w), np.abs(g))
    return w - lr * s["m"] / ((1 - _f32_power(beta_1, t)) * (s["u"] + epsilon))


def _ref_nadam(w, g, s, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    u_t = beta_1 * (1 - 0.5 * 0.96 ** t)
    u_next = beta_1 * (1 - 0.5 * 0.96 ** (t + 1))
    s["up"] = s.get("up", 1.0) * u_t
    s["m"] = s.get("m", 0 * w) + (g - s.get("m", 0 * w)) * (1 - beta_1)
    s["v"] = s.get("v", 0 * w) + (g * g - s.get("v", 0 * w)) * (1 - beta_2)
    m_hat = u_next * s["m"] / (1 - s["up"] * u_next) + (1 - u_t) * g / (1 - s["up"])
    v_hat = s["v"] / (1 - _f32_power(beta_2, t))
    return w - lr * m_hat / (np.sqrt(v_hat) + epsilon)


def _ref_adadelta(w, g, s, t, lr, rho=0.95, epsilon=1e-7):
    s["G"] = rho * s.get("G", 0 * w) + (1 - rho) * g * g
    delta = -np.sqrt(s.get("D", 0 * w) + epsilon) * g / np.sqrt(s["G"] + epsilon)
    s["D"] = rho * s.get("D", 0 * w) + (1 - rho) * delta * delta
    return w + lr * delta


def _ref_lion(w, g, s, t, lr, beta_1=0.9, beta_2=0.99):
    m = s.get("m", 0 * w)
    w = w - lr * np.sign(beta_1 * m + (1 - beta_1) * g)
    s["m"] = beta_2 * m + (1 - beta_2) * g
    return w


REFERENCE_CASES = [
    (optimizers.SGD, _ref_sgd, {}),
    (optimizers.SGD, _ref_sgd, {"momentum": 0.9}),
    (optimizers.SGD, _ref_sgd, {"momentum": 0.5, "nesterov": True}),
    (optimizers.RMSprop, _ref_rmsprop, {}),
    (optimizers.RMSprop, _ref_rmsprop, {"momentum": 0.8}),
    (optimizers.RMSprop, _ref_rmsprop, {"centered": True, "rho": 0.8}),
    (optimizers.RMSprop, _ref_rmsprop, {"centered": True, "momentum": 0.5, "epsilon": 0.1}),
    (optimizers.Adagrad, _ref_adagrad, {}),
    (optimizers.Adagrad, _ref_adagrad, {"initial_accumulator_value": 0.5, "epsilon": 0.3}),
    (optimizers.Adam, _ref_adam, {}),
    (optimizers.Adam, _ref_adam, {"amsgrad": True}),
    (optimizers.Adam, _ref_adam, {"beta_1": 0.5, "beta_2": 0.9, "epsilon": 0.2}),
    (optimizers.AdamW, _ref_adamw, {}),
    (optimizers.AdamW, _ref_adamw, {"weight_decay": 0.5, "amsgrad": True}),
    (optimizers.Adamax, _ref_adamax, {}),
    (optimizers.Nadam, _ref_nadam, {}),
    (optimizers.Nadam, _ref_nadam, {"beta_1": 0.8, "epsilon": 0.1}),
    (optimizers.Adadelta, _ref_adadelta, {}),
    (optimizers.Adadelta, _ref_adadelta, {"rho": 0.5}),
    (optimizers.Lion, _ref_lion, {}),
]

SHAPES = [(3, 4), (4,), (2, 3, 2), ()]


def _run(opt, grads_per_step, initial, dtype=torch.float64):
    params = [torch.nn.Parameter(torch.tensor(w, dtype=dtype)) for w in initial]
    for grads in grads_per_step:
        opt.apply([torch.tensor(g, dtype=dtype) for g in grads], params)
    return [p.detach().numpy() for p in params]


def _random_problem(seed, steps=5):
    rng = np.random.default_rng(seed)
    initial = [rng.normal(size=s) for s in SHAPES]
    grads = [[rng.normal(size=s) for s in SHAPES] for _ in range(steps)]
    return initial, grads


def _reference(rule, kwargs, lr, initial, grads_per_step):
    weights = [np.array(w, dtype=np.float64) for w in initial]
    states = [{} for _ in weights]
    for t, grads in enumerate(grads_per_step, start=1):
        weights = [rule(w, g, s, t, lr, **kwargs) for w, g, s in zip(weights, grads, states)]
    return weights


@pytest.mark.parametrize("cls, rule, kwargs", REFERENCE_CASES,
                         ids=[f"{c.__name__}-{k}" for c, _, k in REFERENCE_CASES])
def test_five_steps_match_numpy_reference(cls, rule, kwargs):
    initial, grads = _random_problem(seed=len(kwargs) + 7)
    lr = 0.05
    got = _run(cls(learning_rate=lr, **kwargs), grads, initial)
    expected = _reference(rule, kwargs, lr, initial, grads)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_float32_variables_stay_float32_and_close_to_float64(cls):
    initial, grads = _random_problem(seed=3)
    got32 = _run(cls(learning_rate=0.01), grads, initial, dtype=torch.float32)
    got64 = _run(cls(learning_rate=0.01), grads, initial, dtype=torch.float64)
    for a, b in zip(got32, got64):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("change", ["setter", "assign", "callback-like copy"])
def test_fused_adam_follows_a_learning_rate_changed_between_steps(change):
    # float32 CPU tensors take PyTorch's fused kernel, which reads the rate on the host once
    # per change of the rate variable: a changed rate must be seen on the very next step.
    initial, grads = _random_problem(seed=11, steps=4)
    opt = optimizers.Adam(learning_rate=0.05)
    params = [torch.nn.Parameter(torch.tensor(w, dtype=torch.float32)) for w in initial]
    for step, step_grads in enumerate(grads):
        if step == 2:
            if change == "setter":
                opt.learning_rate = 0.2
            elif change == "assign":
                opt.learning_rate.assign(0.2)
            else:
                opt.learning_rate.copy_(torch.tensor(0.2))
        opt.apply([torch.tensor(g, dtype=torch.float32) for g in step_grads], params)
    weights = [np.array(w, dtype=np.float64) for w in initial]
    states = [{} for _ in weights]
    for t, step_grads in enumerate(grads, start=1):
        lr = 0.05 if t <= 2 else 0.2
        weights = [_ref_adam(w, g, st, t, lr) for w, g, st in zip(weights, step_grads, states)]
    for got, want in zip(params, weights):
        np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-5, atol=1e-6)


def test_learning_rate_and_iterations_are_variables_printed_as_in_keras():
    # Keras 3.15 prints <Variable path=adam/learning_rate, shape=(), dtype=float32,
    # value=0.0010000000474974513> and <Variable path=adam/iteration, shape=(), dtype=int32,
    # value=0>; Keras code resets them with .assign.
    opt = optimizers.Adam(learning_rate=1e-3)
    assert repr(opt.learning_rate) == ("<Variable path=adam/learning_rate, shape=(), "
                                       "dtype=float32, value=0.0010000000474974513>")
    assert repr(opt.iterations) == "<Variable path=adam/iteration, shape=(), dtype=int32, value=0>"
    params = [torch.nn.Parameter(torch.ones(3))]
    for _ in range(3):
        opt.apply([torch.ones(3)], params)
    assert int(opt.iterations) == 3
    opt.iterations.assign(0)  # the counter restarts: the next step counts as the first
    opt.apply([torch.ones(3)], params)
    assert int(opt.iterations) == 1


# ------------------------------------------------- clipping and weight decay
def _sgd_step(grads, **kwargs):
    params = [torch.nn.Parameter(torch.zeros(len(g), dtype=torch.float64)) for g in grads]
    optimizers.SGD(learning_rate=1.0, **kwargs).apply(
        [torch.tensor(g, dtype=torch.float64) for g in grads], params)
    return [-p.detach().numpy() for p in params]  # the gradient actually used


def test_clipnorm_clips_each_gradient_to_its_own_norm():
    grads = [[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]]
    used = _sgd_step(grads, clipnorm=1.0)
    np.testing.assert_allclose(used[0], [0.6, 0.8], rtol=1e-12)
    np.testing.assert_allclose(used[1], [0.3, 0.4], rtol=1e-12)
    np.testing.assert_array_equal(used[2], [0.0, 0.0])


def test_global_clipnorm_scales_all_gradients_together():
    grads = [[3.0, 0.0], [0.0, 4.0]]
    used = _sgd_step(grads, global_clipnorm=2.5)
    np.testing.assert_allclose(np.concatenate(used), [1.5, 0.0, 0.0, 2.0], rtol=1e-6)
    unchanged = _sgd_step(grads, global_clipnorm=10.0)
    np.testing.assert_allclose(np.concatenate(unchanged), [3.0, 0.0, 0.0, 4.0], rtol=1e-6)


def test_global_clipnorm_gives_nan_for_infinite_gradients_as_keras():
    used = _sgd_step([[np.inf, 1.0]], global_clipnorm=1.0)
    assert np.isnan(used[0]).all()


def test_clipvalue_clamps_elements():
    used = _sgd_step([[-3.0, 0.2, 7.0]], clipvalue=0.5)
    np.testing.assert_array_equal(used[0], [-0.5, 0.2, 0.5])


def test_only_one_clip_argument_is_allowed():
    with pytest.raises(ValueError, match="Only one of `clipnorm`, `clipvalue` and "
                                         "`global_clipnorm` can be set"):
        optimizers.Adam(clipnorm=1.0, clipvalue=1.0)


def test_weight_decay_is_decoupled_and_applied_before_the_step():
    w = torch.nn.Parameter(torch.tensor([2.0], dtype=torch.float64))
    optimizers.SGD(learning_rate=0.1, weight_decay=0.5).apply(
        [torch.tensor([1.0], dtype=torch.float64)], [w])
    assert w.item() == pytest.approx(2.0 - 0.1 * 0.5 * 2.0 - 0.1 * 1.0, abs=1e-7)


def test_exclude_from_weight_decay_by_variable():
    a, b = (torch.nn.Parameter(torch.ones(2)) for _ in range(2))
    opt = optimizers.SGD(learning_rate=0.1, weight_decay=1.0)
    opt.exclude_from_weight_decay(var_list=[b])
    opt.apply([torch.zeros(2), torch.zeros(2)], [a, b])
    np.testing.assert_allclose(a.detach().numpy(), [0.9, 0.9], rtol=1e-6)
    np.testing.assert_array_equal(b.detach().numpy(), [1.0, 1.0])


def test_adamw_requires_weight_decay():
    with pytest.raises(ValueError, match="Argument `weight_decay` must be a float"):
        optimizers.AdamW(weight_decay=None)


def test_loss_scale_factor_divides_gradients():
    used = _sgd_step([[4.0]], loss_scale_factor=4.0)
    np.testing.assert_allclose(used[0], [1.0])


# --------------------------------------------- learning rate and iterations
def test_learning_rate_is_a_settable_float32_tensor_and_lr_aliases_it():
    with pytest.warns(UserWarning, match=r"TF-2 spelling .* Write learning_rate=0.01"):
        opt = optimizers.Adam(lr=0.01)  # TF-2 spelling: read, with a warning Keras 3 refuses it
    assert isinstance(opt.learning_rate, torch.Tensor)
    assert opt.learning_rate.dtype == torch.float32 and opt.learning_rate.ndim == 0
    lr_tensor = opt.learning_rate
    opt.learning_rate = 1e-4
    assert opt.lr is lr_tensor  # set in place, so a captured graph sees it
    assert opt.lr.item() == pytest.approx(1e-4)
    opt.lr = np.float32(0.5)
    assert opt.learning_rate.item() == 0.5


def test_learning_rate_rejects_non_numbers():
    with pytest.raises(ValueError, match="Argument `learning_rate` should be float"):
        optimizers.SGD(learning_rate="fast")


@pytest.mark.parametrize("cls", ALL_CLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("rate", [-0.01, float("nan"), float("inf")])
def test_learning_rate_must_be_finite_and_not_negative(cls, rate):
    with pytest.raises(ValueError, match=rf"^Argument `learning_rate` must be a finite number >= 0, "
                                         rf"e\.g\. learning_rate=0\.001: .* Received: "
                                         rf"learning_rate={rate}$"):
        cls(learning_rate=rate)


def test_a_negative_learning_rate_set_later_is_refused_and_zero_is_allowed():
    opt = optimizers.SGD(learning_rate=0.0)
    assert opt.learning_rate.item() == 0.0
    with pytest.raises(ValueError, match=r"Argument `learning_rate` must be a finite number >= 0"):
        opt.learning_rate = -1.0
    assert opt.learning_rate.item() == 0.0


def test_schedule_learning_rate_follows_iterations_and_is_not_settable():
    schedule = schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    opt = optimizers.SGD(learning_rate=schedule)
    w = torch.nn.Parameter(torch.zeros(1))
    for _ in range(3):
        opt.apply([torch.ones(1)], [w])
    assert w.item() == pytest.approx(-(0.1 + 0.05 + 0.025))
    assert opt.learning_rate.item() == pytest.approx(0.0125)
    assert len(opt.variables) == 1  # a schedule is not a variable
    with pytest.raises(TypeError, match="learning rate is not settable"):
        opt.learning_rate = 0.1


def test_tf2_decay_argument_is_ignored_with_keras_warning_naming_the_schedule():
    with pytest.warns(UserWarning, match=r"Argument `decay` is no longer supported and will be "
                                         r"ignored\. .*InverseTimeDecay\(.*decay_rate=1\.0\)"):
        opt = optimizers.SGD(learning_rate=1.0, decay=1.0)
    w = torch.nn.Parameter(torch.zeros(1))
    for _ in range(3):
        opt.apply([torch.ones(1)], [w])
    assert w.item() == pytest.approx(-3.0)  # the constant rate, as Keras 3 trains
    assert "decay" not in opt.get_config()


def test_the_schedule_the_decay_warning_names_gives_tf2_decay():
    schedule = optimizers.schedules.InverseTimeDecay(1.0, decay_steps=1, decay_rate=1.0)
    opt = optimizers.SGD(learning_rate=schedule)
    w = torch.nn.Parameter(torch.zeros(1))
    for _ in range(3):
        opt.apply([torch.ones(1)], [w])
    assert w.item() == pytest.approx(-(1.0 + 1 / 2 + 1 / 3))


def test_unknown_argument_suggests_the_close_name():
    with pytest.raises(ValueError, match=r"Argument\(s\) not recognized.*Did you mean "
                                         r"'learning_rate'\?"):
        optimizers.Adam(learning_rte=0.1)


def test_none_gradients_are_skipped_with_a_warning():
    a, b = torch.nn.Parameter(torch.ones(1)), torch.nn.Parameter(torch.ones(1))
    opt = optimizers.SGD(learning_rate=0.5)
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        opt.apply([None, torch.ones(1)], [a, b])
    assert (a.item(), b.item()) == (1.0, 0.5)
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        opt.apply([None, None], [a, b])


def test_apply_gradients_zip_form_and_apply_without_variables():
    w = torch.nn.Parameter(torch.ones(2))
    opt = optimizers.SGD(learning_rate=0.5)
    iterations = opt.apply_gradients(zip([torch.ones(2)], [w]))
    opt.apply([torch.ones(2)])
    assert iterations is opt.iterations and opt.iterations.item() == 2
    np.testing.assert_array_equal(w.detach().numpy(), [0.0, 0.0])


def test_apply_without_variables_before_build_is_an_error():
    with pytest.raises(ValueError, match="must already be built"):
        optimizers.SGD().apply([torch.ones(1)])


def test_unknown_variable_is_rejected():
    opt = optimizers.SGD()
    opt.build([torch.nn.Parameter(torch.ones(1))])
    with pytest.raises(ValueError, match="can only be called for the variables it was"):
        opt.apply([torch.ones(2)], [torch.nn.Parameter(torch.ones(2))])


def test_subset_of_variables_updates_the_matching_slots():
    a, b = torch.nn.Parameter(torch.ones(1)), torch.nn.Parameter(torch.ones(2))
    opt = optimizers.SGD(learning_rate=0.1, momentum=0.9)
    opt.build([a, b])
    opt.apply([torch.ones(2)], [b])
    np.testing.assert_allclose(opt.variables[3].numpy(), [-0.1, -0.1])
    assert opt.variables[2].item() == 0.0


def test_gradient_accumulation_updates_every_n_steps_with_the_mean():
    w = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = optimizers.SGD(learning_rate=1.0, momentum=0.5, gradient_accumulation_steps=2)
    seen = []
    for g in (1.0, 3.0, 2.0, 4.0):
        opt.apply([torch.tensor([g], dtype=torch.float64)], [w])
        seen.append(w.item())
    # m1 = -2 after step 2; m2 = 0.5*m1 - 3 = -4 after step 4.
    np.testing.assert_allclose(seen, [0.0, -2.0, -2.0, -6.0])
    assert opt.iterations.item() == 2  # Keras: steps // gradient_accumulation_steps
    with pytest.raises(ValueError, match="must be an integer >= 2"):
        optimizers.SGD(gradient_accumulation_steps=1)


def test_ema_tracks_the_average_and_finalize_copies_it():
    w = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = optimizers.SGD(learning_rate=1.0, use_ema=True, ema_momentum=0.5)
    for g in (-1.0, -1.0):
        opt.apply([torch.tensor([g], dtype=torch.float64)], [w])
    # average: first step copies w (1.0); then 0.5*1 + 0.5*2.
    assert opt.variables[2].item() == pytest.approx(1.5)
    opt.finalize_variable_values([w])
    assert w.item() == pytest.approx(1.5)


# ------------------------------------------------------- variables, config
def test_variables_keras_order_and_count_params():
    kernel = torch.nn.Parameter(torch.ones(3, 2))
    bias = torch.nn.Parameter(torch.zeros(2))
    opt = optimizers.Adam()
    opt.apply([torch.full((3, 2), 0.5), torch.full((2,), 0.5)], [kernel, bias])
    shapes = [tuple(v.shape) for v in opt.variables]
    assert shapes == [(), (), (3, 2), (3, 2), (2,), (2,)]  # it, lr, m0, v0, m1, v1
    assert opt.variables[0].dtype == torch.int32
    np.testing.assert_allclose(opt.variables[2].numpy(), 0.05)  # momentum of the kernel
    np.testing.assert_allclose(opt.variables[3].numpy(), 0.00025, rtol=1e-5)  # velocity
    assert opt.count_params() == 18


@pytest.mark.parametrize("make, expected", [
    (lambda: optimizers.SGD(), 2), (lambda: optimizers.SGD(momentum=0.9), 10),
    (lambda: optimizers.RMSprop(), 10), (lambda: optimizers.RMSprop(momentum=0.5,
                                                                    centered=True), 26),
    (lambda: optimizers.Adagrad(), 10), (lambda: optimizers.Adam(amsgrad=True), 26),
    (lambda: optimizers.Adamax(), 18), (lambda: optimizers.Nadam(), 19),
    (lambda: optimizers.Adadelta(), 18), (lambda: optimizers.Lion(), 10),
])
def test_count_params_per_optimizer(make, expected):
    opt = make()
    opt.build([torch.nn.Parameter(torch.ones(3, 2)), torch.nn.Parameter(torch.ones(2))])
    assert opt.count_params() == expected


def test_adagrad_accumulator_starts_at_initial_value():
    opt = optimizers.Adagrad(initial_accumulator_value=0.25)
    opt.build([torch.nn.Parameter(torch.ones(2))])
    np.testing.assert_array_equal(opt.variables[2].numpy(), [0.25, 0.25])


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_config_round_trip(cls):
    opt = cls(learning_rate=0.02, clipnorm=0.5)
    config = opt.get_config()
    assert config["learning_rate"] == pytest.approx(0.02)
    clone = cls.from_config(config)
    assert clone.get_config() == config
    data = optimizers.serialize(opt)
    assert data["module"] == "keras.optimizers" and data["class_name"] == cls.__name__
    assert data["registered_name"] is None
    assert type(optimizers.deserialize(data)) is cls


def test_config_with_schedule_round_trips():
    schedule = schedules.CosineDecay(0.1, 100, warmup_target=0.2, warmup_steps=5)
    config = optimizers.Adam(learning_rate=schedule).get_config()
    assert config["learning_rate"]["class_name"] == "CosineDecay"
    clone = optimizers.Adam.from_config(config)
    assert isinstance(clone._learning_rate, schedules.CosineDecay)
    assert clone.get_config() == config


def test_keras_config_keys_and_defaults():
    config = optimizers.Adam().get_config()
    assert list(config) == [
        "name", "learning_rate", "weight_decay", "clipnorm", "global_clipnorm", "clipvalue",
        "use_ema", "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor",
        "gradient_accumulation_steps", "beta_1", "beta_2", "epsilon", "amsgrad"]
    # Keras 3 auto-names optimizers like layers: 'adam', 'adam_1', 'rm_sprop', 'adam_w', ...
    assert re.fullmatch(r"adam(_\d+)?", config["name"]) and config["epsilon"] == 1e-7
    assert re.fullmatch(r"sgd(_\d+)?", optimizers.SGD().name)
    assert re.fullmatch(r"rm_sprop(_\d+)?", optimizers.RMSprop().name)
    assert re.fullmatch(r"adam_w(_\d+)?", optimizers.AdamW().name)
    assert optimizers.RMSprop().learning_rate.item() == \
        pytest.approx(0.001)
    assert optimizers.AdamW().weight_decay == 0.004


def test_tf2_config_with_legacy_keys_loads():
    opt = optimizers.deserialize({"class_name": "Adam", "config": {
        "name": "Adam", "learning_rate": 0.001, "decay": 0.0, "beta_1": 0.9, "beta_2": 0.999,
        "epsilon": 1e-07, "amsgrad": False, "is_legacy_optimizer": False}})
    assert isinstance(opt, optimizers.Adam)


@pytest.mark.parametrize("name, cls", [
    ("sgd", optimizers.SGD), ("rmsprop", optimizers.RMSprop), ("adagrad", optimizers.Adagrad),
    ("adam", optimizers.Adam), ("adamw", optimizers.AdamW), ("adamax", optimizers.Adamax),
    ("nadam", optimizers.Nadam), ("adadelta", optimizers.Adadelta), ("Adam", optimizers.Adam),
    ("SGD", optimizers.SGD)])
def test_get_by_name(name, cls):
    assert type(optimizers.get(name)) is cls


def test_get_passes_instances_and_reads_dicts():
    opt = optimizers.Adam()
    assert optimizers.get(opt) is opt
    assert optimizers.get(None) is None
    assert optimizers.get({"class_name": "SGD", "config": {"momentum": 0.5}}).momentum == 0.5


def test_get_unknown_name_suggests():
    with pytest.raises(ValueError, match=r"Unknown optimizer: 'adamm'\. Did you mean 'adam'"):
        optimizers.get("adamm")


def test_get_class_instead_of_instance_explains_the_fix():
    with pytest.raises(ValueError, match=r"optimizer=Adam\(\)"):
        optimizers.get(optimizers.Adam)


def test_lazy_namespace_and_legacy_alias():
    assert lamina.optimizers.Adam is optimizers.Adam
    assert optimizers.legacy.Adam is optimizers.Adam


def test_set_weights_and_load_own_variables_copy_in_place():
    w = torch.nn.Parameter(torch.ones(2))
    opt = optimizers.Adam()
    opt.apply([torch.ones(2)], [w])
    store = {}
    opt.save_own_variables(store)
    fresh = optimizers.Adam()
    fresh.build([torch.nn.Parameter(torch.ones(2))])
    slot = fresh.variables[2]
    fresh.load_own_variables(store)
    assert fresh.variables[2] is slot
    for a, b in zip(fresh.get_weights(), opt.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="not compatible with provided weight shape"):
        fresh.set_weights([np.array(0), np.array(0.1), np.zeros(3), np.zeros(2), np.zeros(2)])


def test_keras_style_subclass_with_per_variable_update_step():
    class PlainSGD(optimizers.Optimizer):
        def update_step(self, gradient, variable, learning_rate):
            self.assign_sub(variable, gradient * learning_rate)

    w = torch.nn.Parameter(torch.ones(2))
    PlainSGD(learning_rate=0.5).apply([torch.ones(2)], [w])
    np.testing.assert_array_equal(w.detach().numpy(), [0.5, 0.5])


def test_no_warning_on_a_plain_step():
    w = torch.nn.Parameter(torch.ones(2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optimizers.Adam().apply([torch.ones(2)], [w])


@pytest.mark.parametrize("cls", ALL_CLASSES)
@pytest.mark.parametrize("options", [
    {}, {"clipnorm": 1.0}, {"global_clipnorm": 1.0}, {"clipvalue": 0.5}, {"weight_decay": 0.1},
    {"use_ema": True, "ema_overwrite_frequency": 2}, {"gradient_accumulation_steps": 2},
    {"loss_scale_factor": 2.0},
    {"learning_rate": schedules.PiecewiseConstantDecay([1, 2], [1.0, 0.5, 0.1])},
    {"learning_rate": schedules.CosineDecay(0.1, 10, warmup_target=0.2, warmup_steps=2)},
    {"learning_rate": schedules.CosineDecayRestarts(0.1, 3)},
], ids=lambda o: "-".join(o) or "plain")
def test_step_never_reads_the_host(cls, options, monkeypatch):
    # Meta tensors have no data: any .item() / bool(tensor) / host copy raises, so a
    # step that runs on them is free of host syncs, as CUDA-graph capture requires.
    monkeypatch.setattr(lamina.backend, "_device", torch.device("meta"))
    if cls is optimizers.AdamW and "weight_decay" in options:
        options = {}
    opt = cls(**options)
    params = [torch.nn.Parameter(torch.ones(3, 2, device="meta")),
              torch.nn.Parameter(torch.ones(2, device="meta"))]
    for _ in range(2):
        opt.apply([torch.ones(3, 2, device="meta"), torch.ones(2, device="meta")], params)
    assert opt.iterations.device.type == "meta"


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_on_cpu_runs_torch_fused_kernel_with_keras_epsilon_placement(amsgrad, monkeypatch):
    # epsilon=0.1 is large enough that torch's placement (added to the bias-corrected root)
    # would differ from Keras' (added to the uncorrected root) by far more than rounding.
    from lamina.optimizers import adam as adam_module

    calls = []
    fused = torch._fused_adam_
    monkeypatch.setattr(torch, "_fused_adam_", lambda *a, **k: calls.append(1) or fused(*a, **k))
    rng = np.random.default_rng(0)
    start = rng.normal(size=(6, 5))
    grads = [rng.normal(size=(6, 5)) * scale for scale in (1.0, 0.1, 3.0, 0.01, 1.0)]
    w = torch.nn.Parameter(torch.tensor(start, dtype=torch.float32))
    optimizer = optimizers.Adam(learning_rate=0.05, epsilon=0.1, amsgrad=amsgrad)
    for g in grads:
        optimizer.apply([torch.tensor(g, dtype=torch.float32)], [w])
    assert len(calls) == len(grads) and adam_module._fusable([w], [w], optimizer.learning_rate)
    ref, m, v, v_hat = start.copy(), np.zeros_like(start), np.zeros_like(start), np.zeros_like(start)
    for t, g in enumerate(grads, start=1):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        v_hat = np.maximum(v_hat, v)
        alpha = 0.05 * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        ref = ref - alpha * m / (np.sqrt(v_hat if amsgrad else v) + 0.1)
    np.testing.assert_allclose(w.detach().numpy(), ref, rtol=1e-5, atol=1e-6)


def test_adam_fused_step_follows_a_step_counter_changed_from_outside():
    # The CPU path knows the step count on the host; set_weights (a checkpoint) moves it.
    w = torch.nn.Parameter(torch.ones(3))
    optimizer = optimizers.Adam(learning_rate=0.1)
    for _ in range(3):
        optimizer.apply([torch.full((3,), 0.5)], [w])
    weights = [np.array(value, copy=True) for value in optimizer.get_weights()]
    weights[0] = np.array(0, "int32")  # back to step 0, the moments kept
    optimizer.set_weights(weights)
    start = w.detach().numpy().astype(np.float64)
    optimizer.apply([torch.full((3,), 0.5)], [w])
    m = 0.9 * weights[2].astype(np.float64) + 0.1 * 0.5
    v = 0.999 * weights[3].astype(np.float64) + 0.001 * 0.25
    alpha = 0.1 * np.sqrt(1 - 0.999) / (1 - 0.9)  # t = 1 again
    # Keras computes 1 - 0.999**t in float32: 1.3e-5 off at t = 1, hence the tolerance.
    np.testing.assert_allclose(w.detach().numpy(), start - alpha * m / (np.sqrt(v) + 1e-7),
                               rtol=1e-5)
    assert int(optimizer.iterations) == 1


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_fused_cpu_path_follows_the_multi_tensor_path_to_float32_rounding(amsgrad,
                                                                              monkeypatch):
    # Both compute Keras' bias corrections in float32 (in float64, 1 - 0.999**t alone moves
    # the first steps by ~1e-5, which training then amplifies).
    from lamina.optimizers import adam as adam_module

    rng = np.random.default_rng(3)
    start = rng.normal(size=(40, 7)).astype("float32")
    grads = [(rng.normal(size=(40, 7)) * s).astype("float32") for s in np.geomspace(1, 1e-3, 30)]
    results = []
    for fused in (True, False):
        if not fused:
            monkeypatch.setattr(adam_module, "_fusable", lambda *args: False)
        w = torch.nn.Parameter(torch.tensor(start))
        optimizer = optimizers.Adam(learning_rate=0.01, amsgrad=amsgrad)
        for g in grads:
            optimizer.apply([torch.tensor(g)], [w])
        results.append(w.detach().numpy().copy())
    np.testing.assert_allclose(results[0], results[1], rtol=0, atol=5e-7)


def test_unfreezing_without_recompiling_names_the_variable_and_the_fix():
    base = lamina.Sequential([lamina.Input((4,)), lamina.layers.Dense(4, name="base_dense")])
    base.trainable = False
    model = lamina.Sequential([base, lamina.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((8, 4)), np.ones(8), verbose=0)
    base.trainable = True
    with pytest.raises(ValueError, match=r"^Unknown variable 'sequential/base_dense/kernel' of "
                                         r"shape \(4, 4\)\. .*call `model\.compile\(\.\.\.\)` again"):
        model.fit(np.ones((8, 4)), np.ones(8), verbose=0)
