"""Keras' sharded weights (`save_weights(..., max_shard_size=GB)` and its `.weights.json` index).

The fixture (tests/fixtures/saving/sharded, make_sharded_weights.py) was written by Keras 3.15
on JAX: a compiled model's weights and Adam state over three 1 KB shards, the optimizer's
variables split over all three.
"""
import json
from pathlib import Path

import h5py
import numpy as np
import pytest

import lamina
from lamina import layers

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "saving" / "sharded"


def _model():
    model = lamina.Sequential([lamina.Input((8,)), layers.Dense(16, activation="relu"),
                               layers.BatchNormalization(), layers.Dense(3)])
    model.compile(optimizer="adam", loss="mse")
    return model


def test_keras_shards_load_with_the_optimizer_state_split_over_them():
    reference = np.load(FIXTURE / "by_keras.npz")
    model = _model()
    model.optimizer.build(model.trainable_weights)
    model.load_weights(FIXTURE / "by_keras.weights.json")
    np.testing.assert_allclose(model.predict(reference["x"], verbose=0), reference["y"],
                               rtol=1e-6, atol=1e-6)
    assert int(model.optimizer.iterations) == int(reference["iterations"]) == 4


def test_saved_shards_hold_every_variable_within_the_size_and_load_back(tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.random((16, 8), dtype="float32"), rng.random((16, 3), dtype="float32")
    model = _model()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    limit = 1e-6  # GB: 1073 bytes, less than the 2.8 KB of weights and optimizer state
    model.save_weights(tmp_path / "m.weights.json", max_shard_size=limit)
    index = json.loads((tmp_path / "m.weights.json").read_text())
    shards = sorted(p.name for p in tmp_path.glob("m_*.weights.h5"))
    assert shards == [f"m_{i:05}.weights.h5" for i in range(len(shards))] and len(shards) >= 3
    assert set(index["weight_map"]) == {"/layers/dense/vars", "/layers/batch_normalization/vars",
                                        "/layers/dense_1/vars", "/optimizer/vars"}
    total = 0
    for name in shards:
        with h5py.File(tmp_path / name) as shard:
            sizes = []
            shard.visititems(lambda _, item: sizes.append(item.nbytes)
                             if isinstance(item, h5py.Dataset) else None)
        assert 0 < sum(sizes) <= limit * 1024 ** 3
        total += sum(sizes)
    assert index["metadata"]["total_size"] == total
    fresh = _model()
    fresh.optimizer.build(fresh.trainable_weights)
    fresh.load_weights(tmp_path / "m.weights.json")
    for got, want in zip(fresh.get_weights() + [v.numpy() for v in fresh.optimizer.variables],
                         model.get_weights() + [v.numpy() for v in model.optimizer.variables]):
        np.testing.assert_array_equal(got, want)


def test_shard_names_and_sizes_are_checked_as_in_keras(tmp_path):
    model = _model()
    with pytest.warns(UserWarning, match="will be renamed to .*m.weights.json"):
        model.save_weights(tmp_path / "m.weights.h5", max_shard_size=1.0)
    assert (tmp_path / "m.weights.json").exists() and not (tmp_path / "m.weights.h5").exists()
    with pytest.raises(ValueError, match=r"must end in `.weights.json` when `max_shard_size`"):
        model.save_weights(tmp_path / "m.h5", max_shard_size=1.0)
    with pytest.raises(ValueError, match="exceeds the maximum shard size"):
        model.save_weights(tmp_path / "tiny.weights.json", max_shard_size=1e-7)
    (tmp_path / "m_00000.weights.h5").unlink()
    with pytest.raises(FileNotFoundError, match="m_00000.weights.h5"):
        model.load_weights(tmp_path / "m.weights.json")
