"""`run_layer_test`: one call checks a layer's shapes, weights, config, state and training.

In the spirit of Keras' `TestCase.run_layer_test`: every layer (lamina's and a user's) can be
checked for output shape against `compute_output_shape`, symbolic against eager, weight counts,
`get_config` / `from_config`, `state_dict` and `set_weights` round-trips, training against
inference behaviour, masking support, and one `fit` step that changes its trainable weights.

Example:
    >>> layer = run_layer_test(lamina.layers.Dense, {"units": 3}, input_shape=(2, 4),
    ...                        expected_output_shape=(2, 3), expected_num_trainable_weights=2)
    >>> layer.kernel.shape
    (4, 3)
"""
from __future__ import annotations

import numpy as np
import torch

__all__ = ["run_layer_test"]


def run_layer_test(layer_cls, init_kwargs: dict, input_shape=None, input_data=None,
                   input_dtype: str = "float32", call_kwargs: dict | None = None,
                   expected_output_shape=None, expected_output=None,
                   expected_num_trainable_weights: int | None = None,
                   expected_num_non_trainable_weights: int | None = None,
                   supports_masking: bool | None = None, training_differs: bool = False,
                   run_training_check: bool = True, tolerance: float = 1e-5, seed: int = 0):
    """Runs the standard checks on `layer_cls(**init_kwargs)`; raises AssertionError on a failure.

    Args:
        layer_cls: the layer class.
        init_kwargs: constructor arguments.
        input_shape / input_data: a batch shape (random normal data, or random ints for integer
            dtypes) or the data itself. For layers called with several named tensors
            (`MultiHeadAttention(query, value)`), a dict: `{"query": array, ...}` (data) or
            `{"query_shape": shape, ...}`; the layer is then called as `layer(**data)`.
        input_dtype: dtype of generated data.
        call_kwargs: extra arguments of the call (not tensors).
        expected_output_shape: the eager output's shape, batch axis included.
        expected_output: reference values (e.g. from a float64 computation or real Keras).
        expected_num_trainable_weights / expected_num_non_trainable_weights: weight counts.
        supports_masking: the expected value of `layer.supports_masking`.
        training_differs: whether `training=True` changes the output (Dropout, BatchNorm).
        run_training_check: whether to check that one `fit` step changes the trainable weights.
        tolerance: absolute and relative tolerance for numeric comparisons.
        seed: seed for the generated data and the weights.

    Returns:
        The built layer.
    """
    call_kwargs = dict(call_kwargs or {})
    data = _input_data(input_shape, input_data, input_dtype, seed)
    torch.manual_seed(seed)
    layer = layer_cls(**init_kwargs)
    _check_config_round_trip(layer_cls, layer)
    output = _call(layer, data, call_kwargs)
    _check_output_shape(layer, data, output, expected_output_shape)
    _check_symbolic(layer_cls, init_kwargs, data, output, call_kwargs)
    _check_weight_counts(layer, expected_num_trainable_weights, expected_num_non_trainable_weights)
    if supports_masking is not None:
        assert layer.supports_masking == supports_masking, (
            f"{layer_cls.__name__}.supports_masking is {layer.supports_masking}, "
            f"expected {supports_masking}")
    if expected_output is not None:
        np.testing.assert_allclose(_numpy(output), np.asarray(expected_output), rtol=tolerance,
                                   atol=tolerance)
    _check_state_round_trips(layer_cls, layer, data, call_kwargs, tolerance)
    _check_training_behaviour(layer, data, call_kwargs, training_differs, tolerance)
    if run_training_check and layer.trainable_weights:
        _check_fit_step(layer_cls, init_kwargs, data, call_kwargs)
    return layer


def _input_data(input_shape, input_data, input_dtype, seed):
    if input_data is not None:
        return input_data
    rng = np.random.default_rng(seed)
    if isinstance(input_shape, dict):
        return {name.removesuffix("_shape"): _random_data(rng, shape, input_dtype)
                for name, shape in input_shape.items()}
    return _random_data(rng, input_shape, input_dtype)


def _random_data(rng, input_shape, input_dtype):
    if np.dtype(input_dtype).kind in "iu":
        return rng.integers(0, 10, size=input_shape).astype(input_dtype)
    return rng.standard_normal(input_shape).astype(input_dtype)


def _call(layer, data, call_kwargs, **kwargs):
    """`layer(data)`, or `layer(**data)` when data names the call's tensor arguments."""
    if isinstance(data, dict):
        return layer(**data, **call_kwargs, **kwargs)
    return layer(data, **call_kwargs, **kwargs)


def _symbolic_inputs(data):
    import lamina

    if isinstance(data, dict):
        return {name: lamina.Input(shape=tuple(x.shape[1:]), dtype=str(x.dtype), name=name)
                for name, x in data.items()}
    if isinstance(data, (list, tuple)):
        return [lamina.Input(shape=tuple(x.shape[1:]), dtype=str(x.dtype)) for x in data]
    return lamina.Input(shape=tuple(data.shape[1:]), dtype=str(data.dtype))


def _numpy(value):
    if isinstance(value, (list, tuple)):
        return [_numpy(v) for v in value]
    return value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else np.asarray(value)


def _shapes(value):
    if isinstance(value, (list, tuple)):
        return [_shapes(v) for v in value]
    return tuple(value.shape)


def _without_batch(shape):
    if isinstance(shape, list):
        return [_without_batch(s) for s in shape]
    return (None,) + tuple(shape[1:])


def _check_config_round_trip(layer_cls, layer) -> None:
    config = layer.get_config()
    clone = layer_cls.from_config(config)
    recreated = {k: v for k, v in clone.get_config().items() if k != "name"}
    original = {k: v for k, v in config.items() if k != "name"}
    assert recreated == original, f"{layer_cls.__name__} config round-trip changed: {original} -> {recreated}"


def _check_output_shape(layer, data, output, expected_output_shape) -> None:
    received = _shapes(output)
    if expected_output_shape is not None:
        assert received == _shapes_like(expected_output_shape), (
            f"{type(layer).__name__} output shape {received}, expected {expected_output_shape}")
    if isinstance(data, dict):
        computed = layer.compute_output_shape(
            **{f"{name}_shape": _without_batch(tuple(x.shape)) for name, x in data.items()})
    else:
        computed = layer.compute_output_shape(_without_batch(_shapes(data)))
    assert _matches(computed, received), (
        f"{type(layer).__name__}.compute_output_shape gave {computed}, but the output is {received}")


def _shapes_like(shape):
    if isinstance(shape, list):
        return [tuple(s) for s in shape]
    return tuple(shape)


def _matches(symbolic, concrete) -> bool:
    if isinstance(concrete, list):
        return isinstance(symbolic, (list, tuple)) and len(symbolic) == len(concrete) and all(
            _matches(s, c) for s, c in zip(symbolic, concrete))
    symbolic = tuple(symbolic)
    return len(symbolic) == len(concrete) and all(
        s is None or s == c for s, c in zip(symbolic, concrete))


def _check_symbolic(layer_cls, init_kwargs, data, output, call_kwargs) -> None:
    symbolic = _call(layer_cls(**init_kwargs), _symbolic_inputs(data), call_kwargs)
    assert _matches(_shapes(symbolic), _shapes(output)), (
        f"{layer_cls.__name__} symbolic output {_shapes(symbolic)} disagrees with eager {_shapes(output)}")


def _check_weight_counts(layer, trainable, non_trainable) -> None:
    if trainable is not None:
        assert len(layer.trainable_weights) == trainable, (
            f"{type(layer).__name__} has {len(layer.trainable_weights)} trainable weights, expected {trainable}")
    if non_trainable is not None:
        assert len(layer.non_trainable_weights) == non_trainable, (
            f"{type(layer).__name__} has {len(layer.non_trainable_weights)} non-trainable weights, "
            f"expected {non_trainable}")


def _check_state_round_trips(layer_cls, layer, data, call_kwargs, tolerance) -> None:
    reference = _numpy(_call(layer, data, call_kwargs, training=False))
    for restore in ("state_dict", "set_weights"):
        clone = layer_cls.from_config(layer.get_config())
        _call(clone, data, call_kwargs, training=False)
        if restore == "state_dict":
            clone.load_state_dict(layer.state_dict())
        else:
            clone.set_weights(layer.get_weights())
        restored = _numpy(_call(clone, data, call_kwargs, training=False))
        for got, want in zip(_as_list(restored), _as_list(reference)):
            np.testing.assert_allclose(got, want, rtol=tolerance, atol=tolerance,
                                       err_msg=f"{layer_cls.__name__} after {restore} round-trip")


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _check_training_behaviour(layer, data, call_kwargs, training_differs, tolerance) -> None:
    state = {k: v.clone() for k, v in layer.state_dict().items()}
    inference = _as_list(_numpy(_call(layer, data, call_kwargs, training=False)))
    training = _as_list(_numpy(_call(layer, data, call_kwargs, training=True)))
    layer.load_state_dict(state)
    same = all(np.allclose(a, b, rtol=tolerance, atol=tolerance) for a, b in zip(inference, training))
    assert same != training_differs, (
        f"{type(layer).__name__}: training=True output {'equals' if same else 'differs from'} "
        f"inference output, expected it to {'differ' if training_differs else 'be equal'}")


def _check_fit_step(layer_cls, init_kwargs, data, call_kwargs) -> None:
    import lamina

    torch.manual_seed(0)
    layer = layer_cls(**init_kwargs)
    inputs = _symbolic_inputs(data)
    outputs = _call(layer, inputs, call_kwargs)
    if isinstance(outputs, (list, tuple)):
        outputs = outputs[0]
    model = lamina.Model(inputs, outputs)
    model.compile(optimizer=lamina.optimizers.SGD(0.1), loss="mse")
    reference = _call(layer, data, call_kwargs)
    reference = reference[0] if isinstance(reference, (list, tuple)) else reference
    target = np.ones(tuple(reference.shape), dtype="float32")
    before = [w.copy() for w in layer.get_weights()]
    model.fit(data, target, epochs=1, batch_size=len(target), verbose=0)
    changed = [not np.allclose(a, b) for a, b in zip(before, layer.get_weights())]
    assert any(changed), f"{layer_cls.__name__}: one fit step did not change any weight"
