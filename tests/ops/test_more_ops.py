"""The ops added after lamina's first set, against Keras 3.15: complex numbers, windows, spacings,
correlate, argpartition, view, cdist, extract_sequences, rearrange, associative_scan, vectorize,
custom_gradient, jvp, CTC loss and decoding, depth/space moves, fold and unfold.

The reference (tests/fixtures/ops/more_ops_reference.npz, from make_more_ops_reference.py)
holds Keras' outputs and their dtypes on seeded inputs; tolerance 1e-5 for float32.
"""
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from torch.utils import _pytree as pytree

import lamina
from lamina import ops

REFERENCE = Path(__file__).resolve().parents[1] / "fixtures" / "ops" / "more_ops_reference.npz"
ARRAYS = dict(np.load(REFERENCE))
INDEX = json.loads(str(ARRAYS.pop("cases.json")))
CASES, RESULT_DTYPES = INDEX["cases"], INDEX["result_dtypes"]

# The functions the fixture script hands to Keras, written over lamina.ops.
FUNCTIONS = {
    "add": lambda a, b: ops.add(a, b),
    "multiply": lambda a, b: ops.multiply(a, b),
    "maximum": lambda a, b: ops.maximum(a, b),
    "affine": lambda x, y: [ops.multiply(x[0], y[0]), ops.add(ops.multiply(y[0], x[1]), y[1])],
    "matvec": lambda m, v: ops.matmul(m, v),
    "sin": lambda x: ops.sin(x),
    "product_and_sine": lambda x, y: ops.add(ops.multiply(x, y), ops.sin(x)),
    "with_aux": lambda x: (ops.square(x), ops.sum(x)),
}


@ops.custom_gradient
def log1pexp(x):
    e = ops.exp(x)

    def grad(*args, upstream=None):
        return ops.multiply(upstream, 1.0 - 1.0 / ops.add(1, e))

    return ops.log(1 + e), grad


@ops.custom_gradient
def clip_gradient(x):
    def grad(*args, upstream=None):
        return ops.clip(upstream, -0.5, 0.5)

    return ops.multiply(x, 3.0), grad


CUSTOM_GRADIENTS = {"log1pexp": log1pexp, "clip_gradient": clip_gradient}


def _as_python(value):
    return tuple(value) if isinstance(value, list) else value


def _arguments(case):
    args = [torch.from_numpy(ARRAYS[f"{case['name']}/arg_{spec['array']}"]) if "array" in spec
            else _as_python(spec["value"]) for spec in case["args"]]
    kwargs = {key: _as_python(value) for key, value in case["kwargs"].items()}
    return args, kwargs


def _run(case):
    args, kwargs = _arguments(case)
    op, fn = case["op"], case["fn"]
    if op == "associative_scan":
        elems = args if fn == "affine" else args[0]
        return ops.associative_scan(FUNCTIONS[fn], elems, **kwargs)
    if op == "vectorize":
        return ops.vectorize(FUNCTIONS[fn], **kwargs)(*args)
    if op == "jvp":
        half = len(args) // 2
        return ops.jvp(FUNCTIONS[fn], tuple(args[:half]), tuple(args[half:]), **kwargs)
    if op == "custom_gradient":
        x, upstream = args
        x.requires_grad_(True)
        value = CUSTOM_GRADIENTS[fn](x)
        value.backward(upstream)
        return [value.detach(), x.grad]
    return getattr(ops, op)(*args, **kwargs)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_keras(case):
    outputs = pytree.tree_leaves(_run(case))
    expected = [ARRAYS[f"{case['name']}/out_{i}"] for i in range(len(case["dtypes"]))]
    assert len(outputs) == len(expected)
    for got, want, dtype in zip(outputs, expected, case["dtypes"]):
        assert isinstance(got, torch.Tensor)
        assert ops.dtype(got) == dtype
        assert tuple(got.shape) == want.shape
        got = got.detach().numpy()
        if np.issubdtype(want.dtype, np.inexact):
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
        else:
            np.testing.assert_array_equal(got, want)


def _ramp(dtype, shape=(4,)):
    return ops.cast(torch.arange(1, 1 + int(np.prod(shape))).reshape(shape) % 3, dtype)


def _dtype_call(key):
    """The call the fixture made for `key` (`op/dtype`, `op/dtype/dtype2`, `op/dtype=...`)."""
    op, *dtypes = key.split("/")
    if dtypes[0].startswith("dtype="):
        return lambda: getattr(ops, op)(1, 2, 3, dtype=dtypes[0].removeprefix("dtype="))
    if op in ("logspace", "geomspace"):
        return lambda: getattr(ops, op)(_ramp(dtypes[0], ()), _ramp(dtypes[0], ()), 3)
    if op == "cdist":
        return lambda: ops.cdist(_ramp(dtypes[0], (2, 2)), _ramp(dtypes[0], (3, 2)))
    if op == "correlate":
        return lambda: ops.correlate(_ramp(dtypes[0]), _ramp(dtypes[1], (2,)))
    return lambda: getattr(ops, op)(*[_ramp(d) for d in dtypes])


@pytest.mark.parametrize("key", sorted(RESULT_DTYPES))
def test_result_dtypes_match_keras(key):
    assert ops.dtype(_dtype_call(key)()) == RESULT_DTYPES[key]


def test_names_resolve_in_keras_namespaces():
    keras = lamina
    numpy_names = ["angle", "argpartition", "bartlett", "blackman", "conj", "conjugate",
                   "correlate", "fabs", "geomspace", "hamming", "hanning", "i0", "imag", "kaiser",
                   "logspace", "nextafter", "real", "vectorize", "view"]
    top_names = ["view_as_complex", "view_as_real", "cdist", "rearrange", "extract_sequences",
                 "associative_scan", "custom_gradient", "jvp"]
    nn_names = ["ctc_loss", "ctc_decode", "depth_to_space", "space_to_depth", "fold", "unfold",
                "polar"]
    for name in numpy_names:
        assert getattr(keras.ops.numpy, name) is getattr(keras.ops, name)
    for name in numpy_names + top_names + nn_names:
        assert name in keras.ops.__all__
    for name in nn_names:
        assert getattr(keras.ops.nn, name) is getattr(keras.ops, name)
    assert keras.ops.linalg.jvp is keras.ops.jvp


@pytest.mark.parametrize("call, error, words", [
    (lambda: ops.view_as_complex(torch.ones(3, 3)), ValueError, "size 2"),
    (lambda: ops.fabs(torch.tensor([1j])), TypeError, "complex"),
    (lambda: ops.depth_to_space(torch.ones(1, 2, 2, 4), 1), ValueError, "block_size"),
    (lambda: ops.space_to_depth(torch.ones(1, 2, 2, 4), 2, "nhwc"), ValueError, "data_format"),
    (lambda: ops.space_to_depth(torch.ones(1, 4, 3, 1), 2), ValueError, "divisible by 2"),
    (lambda: ops.depth_to_space(torch.ones(1, 2, 2, 6), 2), ValueError, "divisible by 4"),
    (lambda: ops.unfold(torch.ones(2, 3, 4), 2), ValueError, "4D"),
    (lambda: ops.fold(torch.ones(1, 2, 3, 4), (4, 4), 2), ValueError, "3D"),
    (lambda: ops.ctc_decode(torch.ones(1, 2, 3), [2], strategy="best"), ValueError, "strategy"),
    (lambda: ops.vectorize(3), ValueError, "pyfunc"),
    (lambda: ops.vectorize(torch.mv, signature="m,n->m"), ValueError, "signature"),
    (lambda: ops.correlate(torch.ones(3), torch.ones(2), mode="wide"), ValueError, "mode"),
    (lambda: ops.correlate(torch.ones(2, 3), torch.ones(2)), ValueError, "1-D"),
    (lambda: ops.cdist(torch.ones(3), torch.ones(2, 3)), ValueError, "rank"),
    (lambda: ops.cdist(torch.ones(2, 3), torch.ones(2, 4)), ValueError, "Last dimension"),
    (lambda: ops.rearrange(torch.ones(2, 3), "a b c -> a"), ValueError, "3 input axes"),
    (lambda: ops.rearrange(torch.ones(2, 3), "a b -> a d"), ValueError, "['d']"),
    (lambda: ops.rearrange(torch.ones(6, 3), "(a b) c -> a b c"), ValueError, "infer"),
    (lambda: ops.argpartition(torch.ones(4), 4), ValueError, "kth"),
    (lambda: ops.logspace(0.0, 1.0, axis=1), ValueError, "axis"),
    (lambda: ops.hanning(2.5), TypeError, "window length"),
    (lambda: ops.associative_scan(3, torch.ones(3)), TypeError, "callable"),
    (lambda: ops.custom_gradient(torch.sin)(torch.ones(2)), TypeError, "(output, grad_fn)"),
    (lambda: ops.associative_scan(FUNCTIONS["add"], [torch.ones(3), torch.ones(2)]),
     ValueError, "same first dimension"),
])
def test_bad_arguments_raise_keras_errors(call, error, words):
    with pytest.raises(error, match=None) as info:
        call()
    assert words in str(info.value)


def test_argpartition_puts_the_kth_element_in_place():
    x = torch.randn(5, 9)
    for kth in (0, 3, 8, -1):
        order = ops.argpartition(x, kth).long()
        parted = torch.take_along_dim(x, order, dim=-1)
        position = kth % 9
        np.testing.assert_array_equal(parted[:, position], x.sort(dim=-1).values[:, position])
        assert (parted[:, :position] <= parted[:, position:position + 1]).all()
        assert (parted[:, position + 1:] >= parted[:, position:position + 1]).all()


def test_custom_gradient_accepts_the_jax_convention_and_python_arguments():
    @ops.custom_gradient
    def scaled(x, factor):
        def grad(upstream):
            return upstream * 10.0, None

        return x * factor, grad

    x = torch.ones(3, requires_grad=True)
    scaled(x, 2.0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [10.0, 10.0, 10.0])


def test_custom_gradient_with_keyword_arguments_and_two_inputs():
    @ops.custom_gradient
    def weighted(a, b, weight=1.0):
        def grad(*args, upstream):
            return upstream * weight, -upstream

        return a * weight - b, grad

    a, b = torch.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    weighted(a, b, weight=3.0).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [3.0, 3.0])
    np.testing.assert_allclose(b.grad.numpy(), [-1.0, -1.0])


def test_ctc_loss_matches_the_ctc_loss_function_and_has_gradients():
    logits = torch.randn(2, 6, 4, requires_grad=True)
    labels = torch.tensor([[1, 2, 0], [3, 3, 1]])
    loss = ops.ctc_loss(labels, logits, torch.tensor([2, 3]), torch.tensor([6, 6]))
    reference = lamina.losses.ctc(labels, logits)
    np.testing.assert_allclose(loss.detach().numpy(), reference.detach().numpy(), rtol=1e-6)
    loss.sum().backward()
    assert torch.isfinite(logits.grad).all() and logits.grad.abs().sum() > 0


def test_greedy_decoding_of_one_hot_logits_reads_the_labels():
    classes = torch.tensor([[1, 1, 0, 2, 2, 3, 0]])
    logits = torch.nn.functional.one_hot(classes, 4).float() * 10
    paths, scores = ops.ctc_decode(logits, [7])
    np.testing.assert_array_equal(paths.numpy(), [[[1, 2, 3, -1, -1, -1, -1]]])
    np.testing.assert_allclose(scores.numpy(), [[-70.0]])
    best, _ = ops.ctc_decode(logits, [7], strategy="beam_search", beam_width=5)
    np.testing.assert_array_equal(best.numpy(), paths.numpy())


def test_space_depth_and_fold_unfold_invert_each_other():
    x = torch.randn(2, 4, 6, 8)
    for data_format in ("channels_last", "channels_first"):
        moved = ops.space_to_depth(x, 2, data_format=data_format)
        np.testing.assert_array_equal(ops.depth_to_space(moved, 2, data_format).numpy(), x.numpy())
    image = torch.randn(1, 3, 4, 6)
    blocks = ops.unfold(image, 2, stride=2)
    np.testing.assert_array_equal(ops.fold(blocks, (4, 6), 2, stride=2).numpy(), image.numpy())


def test_complex_round_trip_and_gradients():
    pairs = torch.randn(3, 2, requires_grad=True)
    z = ops.view_as_complex(pairs)
    assert z.dtype == torch.complex64
    np.testing.assert_array_equal(ops.view_as_real(z).detach().numpy(), pairs.detach().numpy())
    ops.abs(z).sum().backward()
    assert torch.isfinite(pairs.grad).all()
    magnitude, phase = torch.tensor([2.0], requires_grad=True), torch.tensor([0.5])
    ops.real(ops.polar(magnitude, phase)).sum().backward()
    np.testing.assert_allclose(magnitude.grad.numpy(), np.cos([0.5]), rtol=1e-6)


def test_vectorize_excluded_and_broadcast_arguments():
    def shift(x, offset):
        return x + offset

    shifted = ops.vectorize(shift, excluded={1})(torch.arange(3), torch.tensor(5))
    np.testing.assert_array_equal(shifted.numpy(), [5, 6, 7])
    outer_sum = ops.vectorize(FUNCTIONS["add"])(torch.ones(2, 1), torch.arange(3.0))
    np.testing.assert_array_equal(outer_sum.numpy(), [[1.0, 2.0, 3.0]] * 2)


def test_rearrange_and_windows_take_numpy_and_tensor_lengths():
    assert ops.rearrange(np.zeros((2, 3)), "a b -> b a").shape == (3, 2)
    np.testing.assert_allclose(ops.hamming(torch.tensor(5)).numpy(), np.hamming(5), atol=1e-6)
