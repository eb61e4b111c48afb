"""IntegerLookup: tensor lookups on the inputs' device, OOV buckets, invert, learner slips.

Keras parity of vocabularies, OOV buckets and output modes is in
test_text_preprocessing_reference.py.
"""
import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.testing import run_layer_test


def test_lookup_matches_a_python_dictionary():
    rng = np.random.default_rng(0)
    vocabulary = rng.choice(10_000, size=50, replace=False)
    layer = layers.IntegerLookup(vocabulary=vocabulary, mask_token=-7)
    queries = np.concatenate([rng.choice(vocabulary, 200), rng.integers(-10, 10_000, 200), [-7]])
    table = {int(v): i + 2 for i, v in enumerate(vocabulary)}
    expected = [0 if q == -7 else table.get(int(q), 1) for q in queries]
    assert layer(torch.as_tensor(queries)).tolist() == expected


def test_floormod_oov_buckets_follow_python_modulo():
    layer = layers.IntegerLookup(vocabulary=[5], num_oov_indices=3)
    assert layer(np.array([5, 7, 8, -4, 100])).tolist() == [3, 7 % 3, 8 % 3, -4 % 3, 100 % 3]


def test_invert_maps_indices_back_to_values():
    layer = layers.IntegerLookup(vocabulary=[12, 36], invert=True)
    assert layer(np.array([[0, 1], [2, 9]])).tolist() == [[-1, 12], [36, -1]]
    masked = layers.IntegerLookup(vocabulary=[12, 36], mask_token=0, invert=True)
    assert masked(torch.tensor([0, 1, 2, 3])).tolist() == [0, -1, 12, 36]


def test_integral_floats_are_accepted_and_fractions_refused():
    layer = layers.IntegerLookup(vocabulary=[1, 2])
    assert layer(np.array([2.0, 1.0, 3.0])).tolist() == [2, 1, 0]
    with pytest.raises(TypeError, match="non-integer floats"):
        layer(np.array([1.5]))
    with pytest.raises(ValueError, match="computes on numbers, but received strings"):
        layer(np.array(["1"]))
    with pytest.raises(TypeError, match="Use StringLookup"):
        layers.IntegerLookup().adapt(np.array(["1"]))


def test_adapt_on_a_generator_of_batches_and_steps():
    layer = layers.IntegerLookup()
    layer.adapt(iter([np.array([4, 4, 2]), np.array([2, 2, 9]), np.array([9, 9, 9, 9])]), steps=2)
    assert layer.get_vocabulary() == [-1, 2, 4, 9]


def test_multi_hot_inside_a_model_learns():
    layers_ = [layers.IntegerLookup(vocabulary=list(range(100, 110)), output_mode="multi_hot"),
               layers.Dense(1, activation="sigmoid")]
    inputs = lamina.Input(shape=(3,), dtype="int64")
    model = lamina.Model(inputs, layers_[1](layers_[0](inputs)))
    rng = np.random.default_rng(1)
    x = rng.integers(100, 110, size=(256, 3))
    y = (x == 103).any(axis=1).astype("float32")
    model.compile(optimizer=lamina.optimizers.Adam(0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=20, batch_size=64, verbose=0)
    assert history.history["accuracy"][-1] > 0.95


@pytest.mark.parametrize("kwargs, shape", [({"output_mode": "int"}, (4, 3)),
                                           ({"output_mode": "one_hot"}, (4, 3, 11)),
                                           ({"output_mode": "multi_hot"}, (4, 11)),
                                           ({"output_mode": "count", "pad_to_max_tokens": True,
                                             "max_tokens": 15}, (4, 15))])
def test_layer_harness(kwargs, shape):
    run_layer_test(layers.IntegerLookup, {"vocabulary": list(range(10)), **kwargs},
                   input_data=np.random.default_rng(0).integers(0, 12, size=(4, 3)),
                   expected_output_shape=shape, expected_num_trainable_weights=0)


def test_errors():
    with pytest.raises(ValueError, match="Only `vocabulary_dtype='int64'`"):
        layers.IntegerLookup(vocabulary_dtype="int32")
    with pytest.raises(ValueError, match="`salt` can only be used when `oov_method='farmhash'`"):
        layers.IntegerLookup(salt=3)
    with pytest.raises(ValueError, match="Unknown value for `oov_method`"):
        layers.IntegerLookup(oov_method="modulo")
    with pytest.raises(ValueError, match=r"found OOV values \[7\]"):
        layers.IntegerLookup(vocabulary=[1], num_oov_indices=0)(np.array([1, 7]))
