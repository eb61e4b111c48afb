"""pad_sequences against Keras' documented examples and a plain-Python reference."""
import numpy as np
import pytest

from lamina.utils import pad_sequences


def reference_pad(sequences, maxlen, padding, truncating, value):
    length = max(map(len, sequences), default=0) if maxlen is None else maxlen
    rows = []
    for seq in sequences:
        seq = list(seq)
        if len(seq) > length:
            seq = seq[len(seq) - length:] if truncating == "pre" else seq[:length]
        fill = [value] * (length - len(seq))
        rows.append(fill + seq if padding == "pre" else seq + fill)
    return rows


@pytest.mark.parametrize("kwargs, expected", [
    ({"maxlen": 2}, [[2, 3], [0, 4]]),
    ({}, [[1, 2, 3], [0, 0, 4]]),
    ({"padding": "post"}, [[1, 2, 3], [4, 0, 0]]),
    ({"maxlen": 2, "truncating": "post"}, [[1, 2], [0, 4]]),
    ({"value": -1}, [[1, 2, 3], [-1, -1, 4]]),
])
def test_keras_examples(kwargs, expected):
    result = pad_sequences([[1, 2, 3], [4]], **kwargs)
    assert result.dtype == np.int32
    np.testing.assert_array_equal(result, expected)


@pytest.mark.parametrize("padding", ["pre", "post"])
@pytest.mark.parametrize("truncating", ["pre", "post"])
@pytest.mark.parametrize("maxlen", [None, 0, 3, 9])
def test_matches_reference(padding, truncating, maxlen):
    rng = np.random.default_rng(0)
    sequences = [rng.integers(1, 100, n).tolist() for n in (0, 1, 5, 3, 7)]
    result = pad_sequences(sequences, maxlen=maxlen, padding=padding,
                           truncating=truncating, value=-7)
    expected = reference_pad(sequences, maxlen, padding, truncating, -7)
    assert result.shape == (5, 7 if maxlen is None else maxlen)
    np.testing.assert_array_equal(result, np.array(expected, dtype=np.int32).reshape(result.shape))


def test_dtype_and_sample_shape():
    result = pad_sequences([np.ones((2, 3)), np.ones((1, 3))], dtype="float32", value=0.5)
    assert result.shape == (2, 2, 3) and result.dtype == np.float32
    np.testing.assert_array_equal(result[1, 0], [0.5, 0.5, 0.5])


def test_strings_with_object_dtype():
    result = pad_sequences([["a", "b"], ["c"]], dtype=object, value="<pad>")
    assert result.tolist() == [["a", "b"], ["<pad>", "c"]]


def test_object_array_of_lists_like_imdb():
    sequences = np.empty(2, dtype=object)
    sequences[0], sequences[1] = [1, 2, 3, 4], [5]
    np.testing.assert_array_equal(pad_sequences(sequences, maxlen=3), [[2, 3, 4], [0, 0, 5]])


@pytest.mark.parametrize("kwargs, fragment", [
    ({"padding": "middle"}, 'Padding type "middle" not understood'),
    ({"truncating": "both"}, 'Truncating type "both" not understood'),
    ({"maxlen": -1}, "`maxlen` must be a non-negative integer"),
    ({"value": "x"}, "dtype=object"),
])
def test_bad_arguments(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        pad_sequences([[1, 2], []], **kwargs)


def test_bad_padding_is_caught_even_without_non_empty_sequences():
    with pytest.raises(ValueError, match="must be \"pre\" or \"post\""):
        pad_sequences([[]], padding="left")


def test_non_iterable_items_and_mismatched_shapes():
    with pytest.raises(ValueError, match="list of iterables"):
        pad_sequences([1, 2, 3])
    with pytest.raises(ValueError, match="different from expected shape"):
        pad_sequences([np.ones((2, 3)), np.ones((1, 4))])
