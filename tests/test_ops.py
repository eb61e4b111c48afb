"""Tests for lamina.ops: Keras 3 op names over torch, against float64 NumPy references."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import lamina as keras
from lamina import ops

# float32 results against float64 NumPy references of the same float32 inputs.
TOL = dict(rtol=1e-5, atol=1e-6)
SHAPES = [(5,), (3, 4), (2, 3, 4)]


def _data(shape, low=-2.0, high=2.0, seed=0):
    return np.random.default_rng(seed).uniform(low, high, size=shape).astype(np.float32)


def _check(result, expected, tol=TOL):
    assert isinstance(result, torch.Tensor)
    np.testing.assert_allclose(result.detach().numpy().astype(np.float64), expected, **tol)


# ---------------------------------------------------------------------------------------------
# Element-wise ops of one tensor

UNARY = [
    ("abs", np.abs, (-2, 2)), ("absolute", np.abs, (-2, 2)), ("square", np.square, (-2, 2)),
    ("sqrt", np.sqrt, (0.1, 4)), ("rsqrt", lambda x: 1 / np.sqrt(x), (0.1, 4)),
    ("exp", np.exp, (-2, 2)), ("exp2", np.exp2, (-2, 2)), ("expm1", np.expm1, (-2, 2)),
    ("log", np.log, (0.1, 4)), ("log1p", np.log1p, (0.1, 4)), ("log2", np.log2, (0.1, 4)),
    ("log10", np.log10, (0.1, 4)), ("negative", np.negative, (-2, 2)),
    ("sin", np.sin, (-2, 2)), ("cos", np.cos, (-2, 2)), ("tan", np.tan, (-1, 1)),
    ("arcsin", np.arcsin, (-0.9, 0.9)), ("arccos", np.arccos, (-0.9, 0.9)),
    ("arctan", np.arctan, (-2, 2)), ("sinh", np.sinh, (-2, 2)), ("cosh", np.cosh, (-2, 2)),
    ("tanh", np.tanh, (-2, 2)), ("arcsinh", np.arcsinh, (-2, 2)),
    ("arccosh", np.arccosh, (1.1, 3)), ("arctanh", np.arctanh, (-0.9, 0.9)),
    ("reciprocal", np.reciprocal, (0.5, 3)), ("sign", np.sign, (-2, 2)),
    ("floor", np.floor, (-3, 3)), ("ceil", np.ceil, (-3, 3)), ("round", np.round, (-3, 3)),
    ("trunc", np.trunc, (-3, 3)),
    ("erf", np.vectorize(math.erf), (-2, 2)),
    ("relu", lambda x: np.maximum(x, 0), (-2, 2)),
    ("relu6", lambda x: np.clip(x, 0, 6), (-8, 8)),
    ("sigmoid", lambda x: 1 / (1 + np.exp(-x)), (-4, 4)),
    ("softplus", lambda x: np.log1p(np.exp(x)), (-4, 4)),
    ("softsign", lambda x: x / (1 + np.abs(x)), (-4, 4)),
    ("silu", lambda x: x / (1 + np.exp(-x)), (-4, 4)),
    ("swish", lambda x: x / (1 + np.exp(-x)), (-4, 4)),
    ("log_sigmoid", lambda x: -np.log1p(np.exp(-x)), (-4, 4)),
    ("leaky_relu", lambda x: np.where(x >= 0, x, 0.2 * x), (-2, 2)),
    ("hard_sigmoid", lambda x: np.clip(x + 3, 0, 6) / 6, (-5, 5)),
    ("hard_silu", lambda x: x * np.clip(x + 3, 0, 6) / 6, (-5, 5)),
    ("elu", lambda x: np.where(x > 0, x, np.expm1(x)), (-3, 3)),
    ("selu", lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772
                                                      * np.expm1(x)), (-3, 3)),
    ("gelu", lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3))),
     (-3, 3)),
]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name,reference,domain", UNARY, ids=[u[0] for u in UNARY])
def test_unary_ops_match_numpy(name, reference, domain, shape):
    x = _data(shape, *domain)
    _check(getattr(ops, name)(torch.from_numpy(x)), reference(x.astype(np.float64)))


def test_gelu_exact_form_and_round_decimals():
    x = _data((7,), -3, 3)
    exact = 0.5 * x * (1 + np.vectorize(math.erf)(x.astype(np.float64) / np.sqrt(2)))
    _check(ops.gelu(torch.from_numpy(x), approximate=False), exact)
    _check(ops.round(torch.tensor([0.5, 1.5, 2.5, 1.256]), decimals=1),
           np.round(np.array([0.5, 1.5, 2.5, 1.256], np.float32).astype(np.float64), 1))
    assert ops.round(torch.tensor([0.5, 1.5, 2.5])).tolist() == [0.0, 2.0, 2.0]


# ---------------------------------------------------------------------------------------------
# Element-wise ops of two tensors, with broadcasting

BINARY = [
    ("add", np.add, (-2, 2)), ("subtract", np.subtract, (-2, 2)),
    ("multiply", np.multiply, (-2, 2)), ("divide", np.divide, (0.5, 2)),
    ("true_divide", np.true_divide, (0.5, 2)), ("power", np.power, (0.5, 2)),
    ("maximum", np.maximum, (-2, 2)), ("minimum", np.minimum, (-2, 2)),
    ("floor_divide", np.floor_divide, (0.5, 4)), ("mod", np.mod, (0.5, 4)),
    ("arctan2", np.arctan2, (-2, 2)), ("hypot", np.hypot, (-2, 2)),
    ("logaddexp", np.logaddexp, (-2, 2)),
    ("equal", np.equal, (-2, 2)), ("not_equal", np.not_equal, (-2, 2)),
    ("greater", np.greater, (-2, 2)), ("greater_equal", np.greater_equal, (-2, 2)),
    ("less", np.less, (-2, 2)), ("less_equal", np.less_equal, (-2, 2)),
    ("logical_and", np.logical_and, (-1, 1)), ("logical_or", np.logical_or, (-1, 1)),
    ("logical_xor", np.logical_xor, (-1, 1)),
]
BROADCAST_SHAPES = [((5,), (5,)), ((3, 4), (4,)), ((2, 1, 4), (3, 1))]


@pytest.mark.parametrize("shapes", BROADCAST_SHAPES, ids=str)
@pytest.mark.parametrize("name,reference,domain", BINARY, ids=[b[0] for b in BINARY])
def test_binary_ops_match_numpy(name, reference, domain, shapes):
    a, b = _data(shapes[0], *domain, seed=1), _data(shapes[1], *domain, seed=2)
    if name in ("logical_and", "logical_or", "logical_xor"):
        a, b = np.round(a), np.round(b)  # some exact zeros
    if name in ("equal", "not_equal", "greater_equal", "less_equal"):
        b = np.round(b * 2) / 2
        a = np.round(a * 2) / 2  # some exact ties
    expected = reference(a.astype(np.float64), b.astype(np.float64))
    result = getattr(ops, name)(torch.from_numpy(a), torch.from_numpy(b))
    assert result.shape == expected.shape
    _check(result, expected)


@pytest.mark.parametrize("name,reference,domain", BINARY[:10], ids=[b[0] for b in BINARY[:10]])
def test_binary_ops_take_python_scalars_on_either_side(name, reference, domain):
    x = _data((2, 3), *domain)
    scalar = 1.5
    _check(getattr(ops, name)(torch.from_numpy(x), scalar), reference(x.astype(np.float64), scalar))
    _check(getattr(ops, name)(scalar, torch.from_numpy(x)), reference(scalar, x.astype(np.float64)))


def test_clip_divide_no_nan_isclose_nan_to_num():
    x = _data((3, 4), -3, 3)
    _check(ops.clip(torch.from_numpy(x), -1.0, 0.5), np.clip(x.astype(np.float64), -1.0, 0.5))
    _check(ops.divide_no_nan(torch.tensor([1.0, 2.0]), torch.tensor([0.0, 4.0])),
           np.array([0.0, 0.5]))
    assert ops.isclose(torch.tensor([1.0, 1.1]), 1.0).tolist() == [True, False]
    values = torch.tensor([float("nan"), float("inf"), -float("inf"), 1.0])
    assert ops.isnan(values).tolist() == [True, False, False, False]
    assert ops.isinf(values).tolist() == [False, True, True, False]
    assert ops.isfinite(values).tolist() == [False, False, False, True]
    _check(ops.nan_to_num(values, nan=0.0, posinf=9.0, neginf=-9.0), np.array([0, 9, -9, 1.0]))


# ---------------------------------------------------------------------------------------------
# Reductions with axis / keepdims variants

REDUCTIONS = [
    ("sum", np.sum), ("mean", np.mean), ("max", np.max), ("min", np.min), ("amax", np.amax),
    ("amin", np.amin), ("var", np.var), ("std", np.std), ("prod", np.prod),
    ("logsumexp", lambda x, axis=None, keepdims=False: np.log(np.sum(
        np.exp(x), axis=axis, keepdims=keepdims))),
    ("median", np.median),
]
AXES = [None, 0, -1, (0, 1)]


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("name,reference", REDUCTIONS, ids=[r[0] for r in REDUCTIONS])
def test_reductions_match_numpy(name, reference, axis, keepdims):
    x = _data((2, 3, 4), 0.5, 1.5)
    expected = reference(x.astype(np.float64), axis=axis, keepdims=keepdims)
    result = getattr(ops, name)(torch.from_numpy(x), axis=axis, keepdims=keepdims)
    assert tuple(result.shape) == np.shape(expected)
    _check(result, expected)


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("name", ["all", "any"])
def test_all_any_match_numpy(name, axis, keepdims):
    x = np.random.default_rng(3).uniform(size=(2, 3, 4)) > 0.3
    expected = getattr(np, name)(x, axis=axis, keepdims=keepdims)
    result = getattr(ops, name)(torch.from_numpy(x), axis=axis, keepdims=keepdims)
    assert result.dtype == torch.bool
    np.testing.assert_array_equal(result.numpy(), expected)


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_argmin_match_numpy_and_give_int32(name, axis, keepdims):
    x = _data((3, 5))
    expected = getattr(np, name)(x, axis=axis, keepdims=keepdims)
    result = getattr(ops, name)(torch.from_numpy(x), axis=axis, keepdims=keepdims)
    assert result.dtype == torch.int32
    np.testing.assert_array_equal(result.numpy(), expected)


@pytest.mark.parametrize("ord_,axis", [(None, None), (None, 1), (1, 0), (np.inf, -1),
                                       ("fro", (0, 1)), (2, (0, 1)), (None, (0, 1))])
def test_norm_matches_numpy(ord_, axis):
    x = _data((3, 4))
    for keepdims in (False, True):
        _check(ops.norm(torch.from_numpy(x), ord=ord_, axis=axis, keepdims=keepdims),
               np.linalg.norm(x.astype(np.float64), ord=ord_, axis=axis, keepdims=keepdims),
               dict(rtol=1e-5, atol=1e-5))


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_cumulative_sort_and_count(axis):
    x = _data((3, 4), 0.5, 1.5)
    t = torch.from_numpy(x)
    _check(ops.cumsum(t, axis=axis), np.cumsum(x.astype(np.float64), axis=axis))
    _check(ops.cumprod(t, axis=axis), np.cumprod(x.astype(np.float64), axis=axis))
    sort_axis = -1 if axis is None else axis
    _check(ops.sort(t, axis=sort_axis), np.sort(x, axis=sort_axis))
    np.testing.assert_array_equal(ops.argsort(t, axis=sort_axis).numpy(),
                                  np.argsort(x, axis=sort_axis, kind="stable"))
    ints = np.array([[0, 1, 2, 0], [3, 0, 0, 1], [0, 0, 0, 0]])
    np.testing.assert_array_equal(ops.count_nonzero(torch.from_numpy(ints), axis=axis).numpy(),
                                  np.count_nonzero(ints, axis=axis))


@pytest.mark.parametrize("axis,weights_shape", [(None, None), (0, None), (1, (4,)),
                                                (0, (3,)), (None, (3, 4))])
def test_average_matches_numpy(axis, weights_shape):
    x = _data((3, 4))
    w = None if weights_shape is None else _data(weights_shape, 0.5, 2.0, seed=5)
    expected = np.average(x.astype(np.float64), axis=axis,
                          weights=None if w is None else w.astype(np.float64))
    _check(ops.average(torch.from_numpy(x), axis=axis,
                       weights=None if w is None else torch.from_numpy(w)), expected)


def test_max_min_initial_and_empty():
    x = torch.tensor([[1.0, 5.0], [3.0, 2.0]])
    _check(ops.max(x, axis=0, initial=4.0), np.array([4.0, 5.0]))
    _check(ops.min(x, axis=1, initial=1.5), np.array([1.0, 1.5]))
    with pytest.raises(ValueError, match="empty tensor"):
        ops.max(torch.zeros(0))


def test_top_k_and_in_top_k():
    x = _data((3, 6))
    values, indices = ops.top_k(torch.from_numpy(x), k=2)
    order = np.argsort(-x, axis=-1)[:, :2]
    assert indices.dtype == torch.int32
    np.testing.assert_array_equal(indices.numpy(), order)
    _check(values, np.take_along_axis(x, order, axis=-1))
    targets = torch.tensor([int(order[0, 0]), int(order[1, 1]), int(np.argmin(x[2]))])
    assert ops.in_top_k(targets, torch.from_numpy(x), k=2).tolist() == [True, True, False]


# ---------------------------------------------------------------------------------------------
# Creating and rearranging tensors


def test_creation_ops_match_numpy():
    np.testing.assert_array_equal(ops.arange(5).numpy(), np.arange(5))
    _check(ops.arange(1.0, 2.0, 0.25), np.arange(1.0, 2.0, 0.25))
    np.testing.assert_array_equal(ops.arange(2, 11, 3).numpy(), np.arange(2, 11, 3))
    _check(ops.linspace(0.0, 1.0, 5), np.linspace(0.0, 1.0, 5))
    _check(ops.linspace(0.0, 1.0, 4, endpoint=False), np.linspace(0.0, 1.0, 4, endpoint=False))
    values, step = ops.linspace(0.0, 2.0, 5, retstep=True)
    assert step == 0.5
    for n, m, k in [(3, None, 0), (3, 4, 1), (4, 3, -1)]:
        _check(ops.eye(n, m, k), np.eye(n, m, k))
        _check(ops.tri(n, m, k), np.tri(n, m, k))
    _check(ops.identity(3), np.identity(3))
    _check(ops.ones((2, 3)), np.ones((2, 3)))
    _check(ops.zeros(4), np.zeros(4))
    _check(ops.full((2, 2), 2.5), np.full((2, 2), 2.5))
    _check(ops.full((2, 3), [1.0, 2.0, 3.0]), np.full((2, 3), [1.0, 2.0, 3.0]))
    x = torch.from_numpy(_data((3, 4)))
    _check(ops.ones_like(x), np.ones((3, 4)))
    _check(ops.zeros_like(x), np.zeros((3, 4)))
    _check(ops.full_like(x, 7), np.full((3, 4), 7.0))
    _check(ops.tril(x, -1), np.tril(x.numpy(), -1))
    _check(ops.triu(x, 1), np.triu(x.numpy(), 1))
    grid = ops.meshgrid(torch.arange(3), torch.arange(2))
    for got, want in zip(grid, np.meshgrid(np.arange(3), np.arange(2))):
        np.testing.assert_array_equal(got.numpy(), want)


@pytest.mark.parametrize("shape", [(2, 3, 4), (6, 4)], ids=str)
def test_shape_ops_match_numpy(shape):
    x = _data(shape)
    t = torch.from_numpy(x)
    _check(ops.reshape(t, (-1, 2)), x.reshape(-1, 2))
    _check(ops.ravel(t), x.ravel())
    _check(ops.transpose(t), np.transpose(x))
    _check(ops.transpose(t, (1, 0) + tuple(range(2, x.ndim))),
           np.transpose(x, (1, 0) + tuple(range(2, x.ndim))))
    _check(ops.swapaxes(t, 0, -1), np.swapaxes(x, 0, -1))
    _check(ops.moveaxis(t, 0, -1), np.moveaxis(x, 0, -1))
    _check(ops.expand_dims(t, 1), np.expand_dims(x, 1))
    _check(ops.expand_dims(t, (0, -1)), np.expand_dims(x, (0, -1)))
    _check(ops.squeeze(ops.expand_dims(t, 1), axis=1), x)
    _check(ops.squeeze(t[None, ..., None]), x)
    _check(ops.broadcast_to(t, (2,) + shape), np.broadcast_to(x, (2,) + shape))
    _check(ops.concatenate([t, t], axis=-1), np.concatenate([x, x], axis=-1))
    _check(ops.stack([t, t], axis=1), np.stack([x, x], axis=1))
    _check(ops.tile(t, (2, 1)), np.tile(x, (2, 1)))
    _check(ops.repeat(t, 2, axis=1), np.repeat(x, 2, axis=1))
    _check(ops.repeat(t, 3), np.repeat(x, 3))
    _check(ops.flip(t), np.flip(x))
    _check(ops.flip(t, axis=1), np.flip(x, axis=1))
    _check(ops.roll(t, 2, axis=0), np.roll(x, 2, axis=0))
    for got, want in zip(ops.split(t, 2, axis=0), np.split(x, 2, axis=0)):
        _check(got, want)
    for got, want in zip(ops.split(t, [1, 3], axis=1), np.split(x, [1, 3], axis=1)):
        _check(got, want)


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_take_and_take_along_axis_match_numpy(axis):
    x = _data((3, 4, 5))
    indices = np.array([[0, 2], [1, -1]])
    _check(ops.take(torch.from_numpy(x), indices, axis=axis), np.take(x, indices, axis=axis))
    _check(ops.take(torch.from_numpy(x), 1, axis=axis), np.take(x, 1, axis=axis))
    if axis is None:
        along = np.array([0, 5, 59, -1])
    else:
        along = np.argsort(x, axis=axis)
    _check(ops.take_along_axis(torch.from_numpy(x), torch.from_numpy(along), axis=axis),
           np.take_along_axis(x, along, axis=axis))


def test_take_on_a_matrix_is_an_embedding_lookup_with_gradients():
    table = torch.from_numpy(_data((4, 3))).requires_grad_()
    ops.take(table, torch.tensor([[0, 1], [1, -1]]), axis=0).sum().backward()
    np.testing.assert_array_equal(table.grad.numpy(), np.array([[1.0] * 3, [2.0] * 3,
                                                                [0.0] * 3, [1.0] * 3]))


@pytest.mark.parametrize("mode", ["constant", "reflect", "symmetric", "edge", "wrap"])
@pytest.mark.parametrize("pad_width", [1, (1, 2), ((0, 1), (2, 1))], ids=str)
def test_pad_matches_numpy(mode, pad_width):
    x = _data((3, 4))
    _check(ops.pad(torch.from_numpy(x), pad_width, mode=mode), np.pad(x, pad_width, mode=mode))
    if mode == "constant":
        _check(ops.pad(torch.from_numpy(x), pad_width, constant_values=-1.5),
               np.pad(x, pad_width, constant_values=-1.5))


def test_where_slice_and_scatter():
    x, y = _data((3, 4), seed=1), _data((3, 4), seed=2)
    condition = x > 0
    _check(ops.where(torch.from_numpy(condition), torch.from_numpy(x), torch.from_numpy(y)),
           np.where(condition, x, y))
    _check(ops.where(torch.from_numpy(condition), 1.0, torch.from_numpy(y)),
           np.where(condition, 1.0, y))
    for got, want in zip(ops.where(torch.from_numpy(condition)), np.where(condition)):
        np.testing.assert_array_equal(got.numpy(), want)
    big = torch.arange(20).reshape(4, 5)
    np.testing.assert_array_equal(ops.slice(big, (1, 2), (2, 3)).numpy(),
                                  np.arange(20).reshape(4, 5)[1:3, 2:5])
    updated = ops.slice_update(big, (1, 1), torch.zeros(2, 2, dtype=torch.int64))
    expected = np.arange(20).reshape(4, 5)
    expected[1:3, 1:3] = 0
    np.testing.assert_array_equal(updated.numpy(), expected)
    assert big[1, 1] == 6  # out of place
    _check(ops.scatter([[0, 1], [2, 0], [0, 1]], [1.0, 2.0, 3.0], (3, 2)),
           np.array([[0.0, 4.0], [0.0, 0.0], [2.0, 0.0]]))
    _check(ops.scatter_update(torch.zeros(2, 2), [[1, 0]], [5.0]), np.array([[0, 0], [5.0, 0]]))


# ---------------------------------------------------------------------------------------------
# Products


@pytest.mark.parametrize("shapes", [((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)),
                                    ((4,), (4, 5)), ((3, 4), (4,)), ((4,), (4,))], ids=str)
def test_matmul_matches_numpy(shapes):
    a, b = _data(shapes[0], seed=1), _data(shapes[1], seed=2)
    _check(ops.matmul(torch.from_numpy(a), torch.from_numpy(b)),
           np.matmul(a.astype(np.float64), b.astype(np.float64)))


@pytest.mark.parametrize("shapes", [((3, 4), (4, 5)), ((2, 3, 4), (5, 4, 2)), ((4,), (4,)),
                                    ((2, 3, 4), (4,)), ((), (3,))], ids=str)
def test_dot_matches_numpy_dot(shapes):
    a, b = _data(shapes[0], seed=1), _data(shapes[1], seed=2)
    _check(ops.dot(torch.from_numpy(np.asarray(a)), torch.from_numpy(b)),
           np.dot(a.astype(np.float64), b.astype(np.float64)))


def test_einsum_tensordot_outer_inner_vdot_trace():
    a, b = _data((2, 3, 4), seed=1), _data((2, 4, 5), seed=2)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    _check(ops.einsum("bij,bjk->bik", ta, tb), np.einsum("bij,bjk->bik", a64, b64))
    _check(ops.tensordot(ta, tb, axes=([0, 2], [0, 1])),
           np.tensordot(a64, b64, axes=([0, 2], [0, 1])))
    _check(ops.tensordot(ta[0], tb[0], axes=1), np.tensordot(a64[0], b64[0], axes=1))
    _check(ops.outer(ta[0, 0], tb[0, 0]), np.outer(a64[0, 0], b64[0, 0]))
    _check(ops.inner(ta[0], tb[0, :, :3].T), np.inner(a64[0], b64[0, :, :3].T))
    _check(ops.vdot(ta[0], ta[1]), np.vdot(a64[0], a64[1]))
    _check(ops.trace(ta[0, :, :3]), np.trace(a64[0, :, :3]))
    _check(ops.diag(ta[0]), np.diag(a64[0]))
    _check(ops.diagonal(ta, axis1=1, axis2=2), np.diagonal(a64, axis1=1, axis2=2))


# ---------------------------------------------------------------------------------------------
# nn ops


@pytest.mark.parametrize("axis", [-1, 0, 1, None, (0, 2)], ids=str)
def test_softmax_and_log_softmax_match_numpy(axis):
    x = _data((2, 3, 4)).astype(np.float64)
    shifted = x - x.max(axis=axis, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    t = torch.from_numpy(x.astype(np.float32))
    _check(ops.log_softmax(t, axis=axis), log_softmax)
    _check(ops.softmax(t, axis=axis), np.exp(log_softmax))


@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_one_hot_matches_numpy_and_zeroes_out_of_range_ids(axis):
    labels = np.array([[0, 2, -1], [1, 3, 2]])
    encoded = ops.one_hot(torch.from_numpy(labels), 3, axis=axis)
    expected = np.moveaxis((labels[..., None] == np.arange(3)).astype(np.float32), -1, axis)
    assert encoded.dtype == torch.float32
    np.testing.assert_array_equal(encoded.numpy(), expected)
    assert ops.one_hot([1], 2, dtype="int32").dtype == torch.int32
    np.testing.assert_array_equal(ops.multi_hot(torch.tensor([[0, 2], [1, 1]]), 3).numpy(),
                                  np.array([[1, 0, 1], [0, 1, 0.0]]))


def test_crossentropies_match_keras_formulas():
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]], np.float32)
    labels = np.array([0, 2])
    _check(ops.sparse_categorical_crossentropy(labels, torch.from_numpy(probs)),
           np.array([0.35667497, 0.22314353]))
    _check(ops.sparse_categorical_crossentropy(labels[:, None], torch.from_numpy(probs)),
           np.array([0.35667497, 0.22314353]))
    one_hot = np.eye(3)[labels]
    _check(ops.categorical_crossentropy(one_hot, torch.from_numpy(probs)),
           np.array([0.35667497, 0.22314353]))
    logits = _data((2, 3), seed=4).astype(np.float64)
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    _check(ops.categorical_crossentropy(one_hot, torch.from_numpy(logits.astype(np.float32)),
                                        from_logits=True), -(one_hot * log_probs).sum(-1))
    _check(ops.sparse_categorical_crossentropy(
        labels, torch.from_numpy(logits.astype(np.float32)), from_logits=True),
        -log_probs[np.arange(2), labels])
    # A wrong label with probability 0 costs -log(1e-7).
    _check(ops.sparse_categorical_crossentropy([1], torch.tensor([[1.0, 0.0]])),
           np.array([16.118095]), dict(rtol=1e-6))
    target = np.array([[1.0, 0.0], [0.0, 1.0]])
    p = np.array([[0.9, 0.2], [0.0, 0.6]])
    clipped = np.clip(p, 1e-7, 1 - 1e-7)
    _check(ops.binary_crossentropy(target, torch.from_numpy(p.astype(np.float32))),
           -(target * np.log(clipped) + (1 - target) * np.log(1 - clipped)), dict(rtol=1e-5))
    z = logits[:, :2]
    _check(ops.binary_crossentropy(target, torch.from_numpy(z.astype(np.float32)),
                                   from_logits=True),
           np.maximum(z, 0) - z * target + np.log1p(np.exp(-np.abs(z))))


def test_moments_normalize_and_batch_normalization():
    x = _data((4, 3)).astype(np.float64)
    mean, variance = ops.moments(torch.from_numpy(x.astype(np.float32)), axes=[0])
    _check(mean, x.mean(0))
    _check(variance, x.var(0))
    _check(ops.normalize(torch.from_numpy(x.astype(np.float32))),
           x / np.linalg.norm(x, axis=-1, keepdims=True))
    _check(ops.normalize(torch.from_numpy(x.astype(np.float32)), axis=0, order=1),
           x / np.abs(x).sum(0, keepdims=True))
    m, v, beta, gamma = x.mean(0), x.var(0), np.array([0.1, 0.2, 0.3]), np.array([1.0, 2, 3])
    out = ops.batch_normalization(torch.from_numpy(x.astype(np.float32)), m, v, axis=-1,
                                  offset=beta, scale=gamma, epsilon=1e-3)
    _check(out, (x - m) / np.sqrt(v + 1e-3) * gamma + beta, dict(rtol=1e-5, atol=1e-5))


# ---------------------------------------------------------------------------------------------
# dtypes, conversion and devices

F32, I32, I64, B = torch.float32, torch.int32, torch.int64, torch.bool
INT = torch.tensor([1, 2], dtype=torch.int32)
FLOAT = torch.tensor([1.0, 2.0])
HALF = torch.tensor([1.0, 2.0], dtype=torch.float16)
DTYPE_CASES = [
    ("add(int32, 1.5)", lambda: ops.add(INT, 1.5), F32),
    ("add(int32, 2)", lambda: ops.add(INT, 2), I32),
    ("multiply(float16, 1.5)", lambda: ops.multiply(HALF, 1.5), torch.float16),
    ("add(float16, float32)", lambda: ops.add(HALF, FLOAT), F32),
    ("divide(int32, int32)", lambda: ops.divide(INT, INT), F32),
    ("maximum(int32, 1.5)", lambda: ops.maximum(INT, 1.5), F32),
    ("subtract(bool, bool)", lambda: ops.subtract(INT > 1, INT > 0), I32),
    ("mean(int32)", lambda: ops.mean(INT), F32),
    ("mean(float16)", lambda: ops.mean(HALF), torch.float16),
    ("var(int32)", lambda: ops.var(INT), F32),
    ("sum(int32)", lambda: ops.sum(INT), I32),
    ("sum(bool)", lambda: ops.sum(INT > 0), I32),
    ("prod(bool)", lambda: ops.prod(INT > 0), I32),
    ("cumsum(bool)", lambda: ops.cumsum(INT > 0), I32),
    ("sqrt(int32)", lambda: ops.sqrt(INT), F32),
    ("exp(int64)", lambda: ops.exp(torch.tensor([1])), F32),
    ("floor(int32)", lambda: ops.floor(INT), F32),
    ("round(int32)", lambda: ops.round(INT), I32),
    ("square(bool)", lambda: ops.square(INT > 0), I32),
    ("argmax", lambda: ops.argmax(FLOAT), I32),
    ("argsort", lambda: ops.argsort(FLOAT), I32),
    ("count_nonzero", lambda: ops.count_nonzero(FLOAT), I32),
    ("equal", lambda: ops.equal(FLOAT, 1), B),
    ("arange(3)", lambda: ops.arange(3), I32),
    ("arange(0.5, 3)", lambda: ops.arange(0.5, 3), F32),
    ("full(int)", lambda: ops.full((2,), 3), F32),
    ("full(float)", lambda: ops.full((2,), 3.0), F32),
    ("ones", lambda: ops.ones(2), F32),
    ("zeros(int32)", lambda: ops.zeros(2, dtype="int32"), I32),
    ("eye", lambda: ops.eye(2), F32),
    ("linspace", lambda: ops.linspace(0, 1, 3), F32),
    ("one_hot", lambda: ops.one_hot(INT, 3), F32),
    ("matmul(int8, int8)", lambda: ops.matmul(torch.ones(2, 2, dtype=torch.int8),
                                              torch.ones(2, 2, dtype=torch.int8)), I32),
    ("matmul(float16, float32)", lambda: ops.matmul(torch.ones(2, 2, dtype=torch.float16),
                                                    torch.ones(2, 2)), F32),
    ("convert list of ints", lambda: ops.convert_to_tensor([1, 2]), I32),
    ("convert list of floats", lambda: ops.convert_to_tensor([1.0, 2.0]), F32),
    ("convert float64 ndarray", lambda: ops.convert_to_tensor(np.ones(2)), F32),
    ("convert int64 ndarray", lambda: ops.convert_to_tensor(np.ones(2, np.int64)), I64),
    ("convert python int", lambda: ops.convert_to_tensor(3), I32),
    ("convert python bool", lambda: ops.convert_to_tensor(True), B),
    ("convert with dtype", lambda: ops.convert_to_tensor([1, 2], dtype="float32"), F32),
    ("cast", lambda: ops.cast(FLOAT, "int32"), I32),
    ("where(cond, 1, 0)", lambda: ops.where(INT > 1, 1, 0), I32),
    ("where(cond, int32, 1.5)", lambda: ops.where(INT > 1, INT, 1.5), F32),
]


@pytest.mark.parametrize("expr,make,expected", DTYPE_CASES, ids=[c[0] for c in DTYPE_CASES])
def test_result_dtypes_follow_keras(expr, make, expected):
    assert make().dtype == expected


def test_shape_dtype_and_predicates():
    x = torch.zeros(2, 3)
    assert ops.shape(x) == (2, 3) and type(ops.shape(x)) is tuple
    assert all(type(d) is int for d in ops.shape(x))
    assert ops.shape(np.zeros((4, 1))) == (4, 1)
    assert ops.shape(keras.Input(shape=(5,))) == (None, 5)
    assert ops.ndim(x) == 2 and ops.size(x) == 6
    assert ops.dtype(x) == "float32" and ops.dtype(np.zeros(2, np.int64)) == "int64"
    assert ops.is_tensor(x) and not ops.is_tensor(np.zeros(2))
    numpy_value = ops.convert_to_numpy(x + 1)
    assert isinstance(numpy_value, np.ndarray) and numpy_value.dtype == np.float32
    stacked = ops.convert_to_tensor([torch.ones(2), torch.zeros(2)])
    assert stacked.shape == (2, 2)


def test_mixed_numpy_list_and_tensor_inputs():
    x = _data((2, 3))
    t = torch.from_numpy(x)
    _check(ops.add(x.astype(np.float64), t), x.astype(np.float64) * 2)
    _check(ops.multiply([[1.0], [2.0]], t), np.array([[1.0], [2.0]]) * x)
    _check(ops.matmul(x, t.T), x.astype(np.float64) @ x.T.astype(np.float64))
    _check(ops.concatenate([x, t], axis=0), np.concatenate([x, x], axis=0))
    _check(ops.stack([t, x]), np.stack([x, x]))
    _check(ops.maximum(np.zeros(3), t), np.maximum(0.0, x))
    _check(ops.where(x > 0, t, np.zeros((2, 3))), np.where(x > 0, x, 0.0))
    _check(ops.mean([1.0, 2.0, 4.0]), np.array(7 / 3))
    _check(ops.add(np.float32(2.0), 3), np.array(5.0))


def test_converted_inputs_follow_the_tensor_device():
    # Shape inference runs layers on the meta device: constants must join the meta tensors.
    x = torch.empty(2, 3, device="meta")
    assert ops.add(x, np.ones(3)).device.type == "meta"
    assert ops.where(np.ones((2, 3)) > 0, x, [1.0, 2.0, 3.0]).device.type == "meta"
    assert ops.concatenate([x, np.ones((2, 3))]).shape == (4, 3)
    assert ops.matmul(x, np.ones((3, 4))).shape == (2, 4)
    assert ops.convert_to_tensor(x).device.type == "meta"
    assert ops.cond(x.sum() > 0, lambda: "true branch", lambda: "false branch") == "true branch"
    assert ops.convert_to_tensor([1.0]).device == keras.backend.get_device()


def test_tensors_pass_through_unchanged():
    x = torch.ones(3)
    assert ops.convert_to_tensor(x) is x
    assert ops.cast(x, "float32") is x
    assert ops.ones_like(x).device == x.device


# ---------------------------------------------------------------------------------------------
# Gradients and host synchronisation

GRAD_CASES = [
    ("mean", lambda x: ops.mean(ops.square(x), axis=1)),
    ("std", lambda x: ops.std(x, axis=0)),
    ("norm", lambda x: ops.norm(x, axis=-1)),
    ("logsumexp", lambda x: ops.logsumexp(x, axis=-1)),
    ("softmax", lambda x: ops.softmax(x) * ops.log_softmax(x)),
    ("matmul", lambda x: ops.matmul(x, ops.transpose(x))),
    ("einsum", lambda x: ops.einsum("ij,ij->i", x, x)),
    ("take", lambda x: ops.take(x, [2, 0], axis=1)),
    ("take_along_axis", lambda x: ops.take_along_axis(x, ops.argsort(x), axis=-1)),
    ("pad", lambda x: ops.pad(x, 1, mode="reflect")),
    ("where", lambda x: ops.where(x > 0, x, 0.1 * x)),
    ("clip", lambda x: ops.clip(x, -0.5, 0.5)),
    ("maximum", lambda x: ops.maximum(x, 0.0)),
    ("concatenate", lambda x: ops.concatenate([x, ops.flip(x, 0)], axis=1)),
    ("crossentropy", lambda x: ops.sparse_categorical_crossentropy([0, 1, 2], x,
                                                                   from_logits=True)),
    ("sqrt", lambda x: ops.sqrt(ops.abs(x) + 1.0)),
    ("top_k", lambda x: ops.top_k(x, 2)[0]),
]


@pytest.mark.parametrize("name,fn", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_ops_are_differentiable(name, fn):
    x = torch.from_numpy(_data((3, 4)).astype(np.float64)).requires_grad_()
    assert torch.autograd.gradcheck(lambda t: fn(t), (x,), eps=1e-6, atol=1e-5)


def test_ops_never_read_values_back_to_the_host(monkeypatch):
    x = torch.from_numpy(_data((4, 3))).requires_grad_()
    labels = torch.tensor([0, 2, 1, 1])

    def host_read(*args, **kwargs):
        raise AssertionError("an op read a tensor value on the host (a device sync on GPUs)")

    for name in ("item", "tolist", "numpy", "__bool__", "__float__", "__int__"):
        monkeypatch.setattr(torch.Tensor, name, host_read)
    hidden = ops.relu(ops.matmul(x, ops.ones((3, 3))) + ops.convert_to_tensor(np.ones(3)))
    loss = ops.mean(ops.sparse_categorical_crossentropy(labels, hidden, from_logits=True))
    loss = loss + ops.sum(ops.one_hot(labels, 3) * ops.log_softmax(hidden)) * 0.0
    loss = loss + ops.mean(ops.take(hidden, labels, axis=1)) + ops.max(ops.clip(x, -1, 1))
    loss = loss + ops.var(ops.where(x > 0, x, 0.0)) + ops.norm(ops.pad(x, 1))
    loss = loss + ops.mean(ops.maximum(x, 0.5)) + ops.mean(ops.cast(ops.argmax(x, -1), "float32"))
    loss.backward()


# ---------------------------------------------------------------------------------------------
# Errors


def test_errors_name_the_argument_and_the_fix():
    with pytest.raises(ValueError, match=r"Cannot squeeze axis 1 .* its size is 3, not 1"):
        ops.squeeze(torch.zeros(2, 3), axis=1)
    with pytest.raises(ValueError, match="not divisible by 4"):
        ops.split(torch.zeros(6), 4)
    with pytest.raises(ValueError, match="mode must be one of"):
        ops.pad(torch.zeros(3), 1, mode="mean")
    with pytest.raises(ValueError, match="at most 2 values"):
        ops.pad(torch.zeros(3), 3, mode="reflect")
    with pytest.raises(ValueError, match="`constant_values` can only be given"):
        ops.pad(torch.zeros(3), 1, mode="edge", constant_values=1)
    with pytest.raises(ValueError, match="sparse=True"):
        ops.convert_to_tensor([1], sparse=True)
    with pytest.raises(ValueError, match="must have the same shape"):
        ops.binary_crossentropy(torch.zeros(2, 1), torch.zeros(2))
    with pytest.raises(ValueError, match="same shape up until the class axis"):
        ops.sparse_categorical_crossentropy(torch.zeros(3), torch.zeros(2, 4))
    with pytest.raises(ValueError, match="both `x1` and `x2`, or neither"):
        ops.where(torch.ones(2) > 0, 1.0)
    with pytest.raises(ValueError, match="needs a `dtype`"):
        ops.cast(torch.ones(2), None)
    # On a Keras tensor an op records a graph node, as in Keras 3 (test_operation_layer.py).
    assert ops.mean(keras.Input(shape=(3,)), axis=-1).shape == (None,)
    with pytest.raises(ValueError, match="Unknown dtype"):
        ops.zeros(2, dtype="float33")


# ---------------------------------------------------------------------------------------------
# A custom layer written with keras.ops trains in model.fit


class RMSNormDense(keras.layers.Layer):
    """Dense layer with RMS-normalised inputs, written the way keras.io examples write them."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                      initializer="glorot_uniform")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        scale = ops.rsqrt(ops.mean(ops.square(inputs), axis=-1, keepdims=True) + 1e-6)
        hidden = ops.matmul(inputs * scale, self.kernel) + self.bias
        return ops.where(ops.greater(hidden, 0), hidden, ops.multiply(0.1, hidden))


def test_custom_layer_using_ops_trains_in_fit():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(128, 4)).astype("float32")
    y = (x[:, 0] > x[:, 1]).astype("int64")
    model = keras.Sequential([keras.Input(shape=(4,)), RMSNormDense(16), RMSNormDense(2)])
    model.compile(optimizer=keras.optimizers.Adam(0.05),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    first = model.evaluate(x, y, verbose=0)[0]
    history = model.fit(x, y, epochs=8, batch_size=32, verbose=0)
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert loss < first * 0.5
    assert accuracy > 0.9
    assert len(history.history["loss"]) == 8


def test_control_flow_and_core_helpers():
    x = torch.arange(6.0).reshape(2, 3).requires_grad_()
    frozen = ops.stop_gradient(x)
    assert not frozen.requires_grad
    (ops.sum(frozen * x)).backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.arange(6.0).reshape(2, 3))
    assert ops.cond(False, lambda: 1, lambda: 2) == 2
    assert ops.fori_loop(0, 4, lambda i, total: total + i, 0) == 6
    assert ops.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s * 2), (0, 1)) == (3, 8)
    assert ops.while_loop(lambda i: True, lambda i: i + 1, 0, maximum_iterations=5) == 5
    _check(ops.map(lambda row: ops.sum(row), x), np.array([3.0, 12.0]))
    _check(ops.vectorized_map(lambda row: row * 2, x), np.arange(6.0).reshape(2, 3) * 2)
    assert [tuple(p.shape) for p in ops.unstack(x, axis=1)] == [(2,)] * 3
    _check(ops.get_item(x, (1, slice(0, 2))), np.array([3.0, 4.0]))
    copied = ops.copy(x)
    assert copied is not x and torch.equal(copied, x)
    y = np.linspace(-0.9, 0.9, 7).astype(np.float32)
    _check(ops.erfinv(ops.erf(torch.from_numpy(y))), y, dict(rtol=1e-4, atol=1e-5))


# ---------------------------------------------------------------------------------------------
# Ops Keras programs use that lamina lacked: each against NumPy on seeded data (float64 truth)
_RNG = np.random.default_rng(42)
_A = _RNG.normal(size=(3, 4)).astype("float32")
_B = _RNG.normal(size=(3, 4)).astype("float32")
_NAN = np.where(_RNG.random((3, 4)) < 0.3, np.nan, _A).astype("float32")
_M = _RNG.normal(size=(3, 3))
_SPD = (_M @ _M.T + 3 * np.eye(3)).astype("float32")

NUMPY_CASES = [
    ("fmod", (_A * 3, _B), np.fmod), ("heaviside", (_A, 0.5), np.heaviside),
    ("logaddexp2", (_A, _B), np.logaddexp2), ("fmax", (_NAN, _B), np.fmax),
    ("fmin", (_NAN, _B), np.fmin), ("cbrt", (_A,), np.cbrt), ("deg2rad", (_A,), np.deg2rad),
    ("rad2deg", (_A,), np.rad2deg), ("signbit", (_A,), np.signbit), ("sinc", (_A,), np.sinc),
    ("isneginf", (np.array([-np.inf, 1.0, np.inf]),), np.isneginf),
    ("isposinf", (np.array([-np.inf, 1.0, np.inf]),), np.isposinf),
    ("trapezoid", (_A,), np.trapezoid), ("hstack", ([_A, _B],), np.hstack),
    ("vstack", ([_A, _B],), np.vstack), ("dstack", ([_A, _B],), np.dstack),
    ("append", (_A, _B), np.append), ("fliplr", (_A,), np.fliplr), ("flipud", (_A,), np.flipud),
    ("rot90", (_A,), np.rot90), ("diff", (_A,), np.diff), ("kron", (_A[:2, :2], _B[:2, :2]),
                                                            np.kron),
    ("diagflat", (_A[0],), np.diagflat), ("vander", (_A[0],), np.vander),
    ("ptp", (_A,), np.ptp), ("nansum", (_NAN,), np.nansum), ("nanmean", (_NAN,), np.nanmean),
    ("nanmax", (_NAN,), np.nanmax), ("nanmin", (_NAN,), np.nanmin),
    ("nanprod", (_NAN,), np.nanprod), ("nanvar", (_NAN,), np.nanvar),
    ("nanstd", (_NAN,), np.nanstd), ("nanmedian", (_NAN,), np.nanmedian),
    ("nancumsum", (_NAN,), np.nancumsum), ("nanargmax", (_NAN,), np.nanargmax),
    ("corrcoef", (_A,), np.corrcoef), ("det", (_SPD,), np.linalg.det),
    ("inv", (_SPD,), np.linalg.inv), ("solve", (_SPD, _A[:, 0]), np.linalg.solve),
    ("cholesky", (_SPD,), np.linalg.cholesky), ("pinv", (_A,), np.linalg.pinv),
    ("matrix_rank", (_A,), np.linalg.matrix_rank),
    ("cross", (_A[:, :3], _B[:, :3]), np.cross),
]


@pytest.mark.parametrize("name, args, reference", NUMPY_CASES, ids=[c[0] for c in NUMPY_CASES])
def test_more_ops_match_numpy(name, args, reference):
    result = getattr(ops, name)(*[torch.as_tensor(a) if isinstance(a, np.ndarray) else
                                  [torch.as_tensor(x) for x in a] if isinstance(a, list) else a
                                  for a in args])
    expected = reference(*[a.astype("float64") if isinstance(a, np.ndarray) else
                           [x.astype("float64") for x in a] if isinstance(a, list) else a
                           for a in args])
    np.testing.assert_allclose(ops.convert_to_numpy(result), expected, rtol=2e-5, atol=2e-5)


@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)])
def test_quantile_and_percentile_match_numpy(axis):
    for method in ("linear", "lower", "higher", "midpoint", "nearest"):
        np.testing.assert_allclose(ops.quantile(torch.as_tensor(_A), 0.3, axis=axis,
                                                method=method),
                                   np.quantile(_A.astype("float64"), 0.3, axis=axis,
                                               method=method), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ops.percentile(torch.as_tensor(_A), [10, 90], axis=axis,
                                              keepdims=True),
                               np.percentile(_A.astype("float64"), [10, 90], axis=axis,
                                             keepdims=True), rtol=1e-5, atol=1e-6)


def test_counting_and_searching_match_numpy():
    ids = np.array([0, 2, 2, 5, 1])
    np.testing.assert_array_equal(ops.bincount(torch.as_tensor(ids)), np.bincount(ids))
    np.testing.assert_array_equal(ops.bincount(torch.as_tensor(ids), minlength=8),
                                  np.bincount(ids, minlength=8))
    bins = np.array([-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(ops.digitize(torch.as_tensor(_A), torch.as_tensor(bins)),
                                  np.digitize(_A, bins))
    np.testing.assert_array_equal(
        ops.searchsorted(torch.as_tensor(bins), torch.as_tensor(_A[0]), side="right"),
        np.searchsorted(bins, _A[0], side="right"))
    np.testing.assert_array_equal(ops.isin(torch.as_tensor(ids), torch.as_tensor([2, 5])),
                                  np.isin(ids, [2, 5]))
    np.testing.assert_array_equal(ops.unique(torch.as_tensor(ids)), np.unique(ids))
    for got, want in zip(ops.nonzero(torch.as_tensor(_A > 0)), np.nonzero(_A > 0)):
        np.testing.assert_array_equal(got, want)
    for got, want in zip(ops.unravel_index(torch.as_tensor([5, 11]), (3, 4)),
                         np.unravel_index([5, 11], (3, 4))):
        np.testing.assert_array_equal(got, want)
    counts, edges = ops.histogram(torch.as_tensor(_A.ravel()), bins=4)
    want_counts, want_edges = np.histogram(_A.ravel(), bins=4)
    np.testing.assert_array_equal(counts, want_counts)
    np.testing.assert_allclose(edges, want_edges, rtol=1e-6)
    parts = ops.array_split(torch.arange(7), 3)
    assert [p.tolist() for p in parts] == [p.tolist() for p in np.array_split(np.arange(7), 3)]
    x = torch.as_tensor(_A)
    np.testing.assert_allclose(ops.select([x < -0.5, x > 0.5], [x * 0, x * 10], default=x),
                               np.select([_A < -0.5, _A > 0.5], [_A * 0, _A * 10], default=_A))


def test_decompositions_reconstruct_their_input():
    q, r = ops.qr(torch.as_tensor(_A))
    np.testing.assert_allclose(q @ r, _A, atol=1e-5)
    u, s, v = ops.svd(torch.as_tensor(_A), full_matrices=False)
    np.testing.assert_allclose((u * s) @ v, _A, atol=1e-5)
    np.testing.assert_allclose(ops.svd(torch.as_tensor(_A), compute_uv=False),
                               np.linalg.svd(_A.astype("float64"), compute_uv=False), rtol=1e-5)
    values, _ = ops.eigh(torch.as_tensor(_SPD))
    np.testing.assert_allclose(values, np.linalg.eigvalsh(_SPD.astype("float64")), rtol=1e-5)
    sign, logabs = ops.slogdet(torch.as_tensor(_SPD))
    np.testing.assert_allclose(float(sign) * np.exp(float(logabs)), np.linalg.det(_SPD),
                               rtol=1e-5)
    lower = np.tril(_SPD)
    np.testing.assert_allclose(ops.solve_triangular(torch.as_tensor(lower),
                                                    torch.as_tensor(_A[:, 0]), lower=True),
                               np.linalg.solve(lower.astype("float64"), _A[:, 0]), rtol=1e-5)
    np.testing.assert_allclose(ops.lstsq(torch.as_tensor(_A.T), torch.as_tensor(_B[0])),
                               np.linalg.lstsq(_A.T.astype("float64"), _B[0], rcond=None)[0],
                               rtol=1e-4, atol=1e-5)
    assert ops.linalg.inv is ops.inv and ops.numpy.mean is ops.mean


def _numpy_conv2d_same(x, kernel, stride):
    """TensorFlow's 'same' convolution, written out in float64."""
    n, h, w, _ = x.shape
    kh, kw, _, out = kernel.shape
    oh, ow = -(-h // stride), -(-w // stride)
    ph = max((oh - 1) * stride + kh - h, 0)
    pw = max((ow - 1) * stride + kw - w, 0)
    padded = np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    result = np.zeros((n, oh, ow, out))
    for i in range(oh):
        for j in range(ow):
            patch = padded[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            result[:, i, j, :] = np.einsum("nhwc,hwco->no", patch, kernel)
    return result


def test_conv_and_pools_match_numpy():
    x = _RNG.normal(size=(2, 7, 6, 3))
    kernel = _RNG.normal(size=(3, 3, 3, 4))
    got = ops.conv(torch.as_tensor(x, dtype=torch.float32),
                   torch.as_tensor(kernel, dtype=torch.float32), strides=2, padding="same")
    np.testing.assert_allclose(got, _numpy_conv2d_same(x, kernel, 2), rtol=1e-4, atol=1e-4)
    images = torch.as_tensor(x, dtype=torch.float32)
    pooled = ops.max_pool(images, 2, padding="same")
    padded = np.pad(x, ((0, 0), (0, 1), (0, 0), (0, 0)), constant_values=-np.inf)
    want = padded.reshape(2, 4, 2, 3, 2, 3).max(axis=(2, 4))
    np.testing.assert_allclose(pooled, want, rtol=1e-6)
    averaged = ops.average_pool(images, 2, padding="same")
    sums = np.pad(x, ((0, 0), (0, 1), (0, 0), (0, 0))).reshape(2, 4, 2, 3, 2, 3).sum((2, 4))
    counts = np.pad(np.ones((7, 6)), ((0, 1), (0, 0))).reshape(4, 2, 3, 2).sum((1, 3))
    np.testing.assert_allclose(averaged, sums / counts[None, :, :, None], rtol=1e-5, atol=1e-6)
    assert ops.conv_transpose(images, torch.ones(3, 3, 5, 3), 2, "same").shape == (2, 14, 12, 5)
    assert ops.conv_transpose(images, torch.ones(3, 3, 5, 3), 2, "valid").shape == (2, 15, 13, 5)
    assert ops.depthwise_conv(images, torch.ones(3, 3, 3, 2)).shape == (2, 5, 4, 6)


def test_attention_and_normalization_match_numpy():
    q, k, v = (_RNG.normal(size=(2, 5, 3, 4)) for _ in range(3))
    logits = np.einsum("bqhd,bkhd->bhqk", q, k) / 2.0
    causal = np.tril(np.ones((5, 5), bool))
    logits = np.where(causal, logits, -np.inf)
    weights = np.exp(logits - logits.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    want = np.einsum("bhqk,bkhd->bqhd", weights, v)
    got = ops.dot_product_attention(*(torch.as_tensor(t, dtype=torch.float32) for t in (q, k, v)),
                                    is_causal=True)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    x = _A.astype("float64")
    normed = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-7)
    np.testing.assert_allclose(ops.layer_normalization(torch.as_tensor(_A)), normed, rtol=1e-5)
    rms = x / np.sqrt((x ** 2).mean(-1, keepdims=True) + 1e-6)
    np.testing.assert_allclose(ops.rms_normalization(torch.as_tensor(_A), epsilon=1e-6), rms,
                               rtol=1e-5)
    probabilities = ops.sparsemax(torch.as_tensor(_A))
    np.testing.assert_allclose(probabilities.sum(-1), np.ones(3), rtol=1e-6)
    assert float(probabilities.min()) >= 0


def test_segments_scan_and_casts():
    data = torch.as_tensor(_A)
    ids = torch.tensor([0, 2, 0])
    np.testing.assert_allclose(ops.segment_sum(data, ids), [_A[0] + _A[2], np.zeros(4), _A[1]],
                               rtol=1e-6)
    np.testing.assert_allclose(ops.segment_max(data, ids, num_segments=3)[[0, 2]],
                               [np.maximum(_A[0], _A[2]), _A[1]])
    carry, ys = ops.scan(lambda c, x: (c + x, c), torch.tensor(0.0), torch.arange(4.0))
    assert float(carry) == 6.0 and ys.tolist() == [0.0, 0.0, 1.0, 3.0]
    assert ops.saturate_cast(torch.tensor([-3.0, 400.0]), "uint8").tolist() == [0, 255]
    assert ops.switch(5, [lambda: 1, lambda: 2]) == 2
    image = torch.as_tensor(_RNG.random((1, 4, 6, 3)), dtype=torch.float32)
    assert ops.image.resize(image, (2, 3)).shape == (1, 2, 3, 3)
    np.testing.assert_allclose(ops.image.rgb_to_grayscale(image)[..., 0],
                               image.numpy() @ np.array([0.2989, 0.5870, 0.1140]), rtol=1e-5)


def test_convert_to_numpy_copies_so_later_in_place_updates_do_not_show():
    variable = keras.Variable(np.zeros(2, "float32"))
    before = ops.convert_to_numpy(variable)
    variable.assign_add(np.ones(2, "float32"))
    np.testing.assert_array_equal(before, [0.0, 0.0])
