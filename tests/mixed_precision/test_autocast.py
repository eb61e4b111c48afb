"""Mixed precision at the layer boundary: float32 weights cast at use, compute-dtype outputs."""
import numpy as np
import pytest
import torch

import lamina as keras
from lamina import layers


@pytest.fixture(params=["mixed_bfloat16", "mixed_float16"])
def mixed(request):
    keras.mixed_precision.set_global_policy(request.param)
    return keras.mixed_precision.global_policy()


def _mlp(last_dtype=None):
    return keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"),
                             layers.Dense(3, activation="softmax", dtype=last_dtype)])


def test_weights_stay_float32_and_outputs_are_in_the_compute_dtype(mixed):
    model = _mlp()
    compute = getattr(torch, mixed.compute_dtype)
    out = model(torch.rand(5, 4))
    assert out.dtype == compute
    assert model.layers[0](torch.rand(5, 4)).dtype == compute
    assert {w.dtype for w in model.weights} == {torch.float32}
    assert {v.dtype for v in model.state_dict().values()} == {torch.float32}
    assert all(isinstance(w, keras.Variable) for w in model.weights)


def test_a_float32_last_layer_returns_float32(mixed):
    model = _mlp(last_dtype="float32")
    assert model.layers[0].dtype_policy == mixed
    assert model.layers[1].dtype_policy.name == "float32"
    assert model(torch.rand(5, 4)).dtype == torch.float32
    # The guide's other spelling: a float32 softmax Activation after a mixed Dense.
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3),
                              layers.Activation("softmax", dtype="float32")])
    probabilities = model(torch.rand(5, 4))
    assert probabilities.dtype == torch.float32
    np.testing.assert_allclose(probabilities.detach().sum(-1).numpy(), 1.0, rtol=1e-6)


def test_the_computation_is_the_float32_one_rounded_to_the_compute_dtype(mixed):
    compute = getattr(torch, mixed.compute_dtype)
    dense = layers.Dense(3)
    x = torch.rand(4, 5)
    out = dense(x)
    kernel, bias = dense.kernel.detach(), dense.bias.detach()
    expected = x.to(compute) @ kernel.to(compute) + bias.to(compute)
    torch.testing.assert_close(out, expected, rtol=0, atol=0)
    reference = (x @ kernel + bias).numpy()
    tolerance = 3e-2 if mixed.compute_dtype == "bfloat16" else 3e-3
    np.testing.assert_allclose(out.detach().float().numpy(), reference, atol=tolerance)


def test_gradients_flow_into_the_float32_variables(mixed):
    model = _mlp(last_dtype="float32")
    (model(torch.rand(5, 4)) * torch.rand(5, 3)).sum().backward()
    grads = [w.grad for w in model.trainable_weights]
    assert all(g is not None and g.dtype == torch.float32 for g in grads)
    assert all(torch.count_nonzero(g) > 0 for g in grads)
    # After the call the layer holds its own float32 Variables again, not the casts.
    assert all(type(w) is keras.Variable for w in model.layers[0]._parameters.values())


def test_floating_inputs_are_cast_integer_indices_are_not(mixed):
    compute = getattr(torch, mixed.compute_dtype)
    dense = layers.Dense(2)
    assert dense(torch.rand(2, 3, dtype=torch.float64)).dtype == compute
    assert dense(np.ones((2, 3), dtype=np.float32)).dtype == compute
    # Indices above 256 are not exact in bfloat16: they must reach the Embedding as integers.
    model = keras.Sequential([keras.Input((3,), dtype="int64"), layers.Embedding(5000, 2)])
    indices = np.array([[4097, 2049, 300]])
    out = model(indices)
    assert out.dtype == compute
    expected = model.layers[0].embeddings.detach()[torch.tensor(indices[0])].to(compute)
    torch.testing.assert_close(out[0], expected, rtol=0, atol=0)


@pytest.mark.parametrize("make_cell, states", [
    (lambda: layers.SimpleRNNCell(4), 1), (lambda: layers.GRUCell(4), 1),
    (lambda: layers.LSTMCell(4), 2)])
def test_every_argument_is_cast_as_keras_casts_them(mixed, make_cell, states):
    # Keras converts all of a call's arguments, not only the first: float32 states (or NumPy
    # ones) reach a cell called directly in the compute dtype.
    compute = getattr(torch, mixed.compute_dtype)
    cell = make_cell()
    given = [np.zeros((2, 4), "float32")] + [torch.zeros(2, 4)] * (states - 1)
    output, new_states = cell(torch.ones(2, 3), given)
    assert output.dtype == compute
    assert [s.dtype for s in new_states] == [compute] * states
    attention = layers.Attention()
    query = torch.rand(2, 3, 4, dtype=compute)
    assert attention([query, torch.rand(2, 5, 4)]).dtype == compute


def test_a_float32_input_layer_keeps_its_dtype(mixed):
    inputs = keras.Input((4,))
    outputs = layers.Dense(2)(inputs)
    assert inputs.dtype == "float32"
    assert outputs.dtype == mixed.compute_dtype
    model = keras.Model(inputs, outputs)
    assert model(np.ones((1, 4), dtype=np.float32)).dtype == getattr(torch, mixed.compute_dtype)


def test_predict_returns_arrays_numpy_can_hold(mixed):
    model = _mlp()
    predictions = model.predict(np.random.rand(6, 4).astype("float32"), verbose=0)
    # float16 as Keras returns it; NumPy has no bfloat16, so bfloat16 comes back as float32.
    assert predictions.dtype == (np.float16 if mixed.name == "mixed_float16" else np.float32)
    np.testing.assert_allclose(predictions.sum(-1), 1.0, atol=2e-2)


def test_batch_normalization_keeps_float32_statistics_and_updates_them(mixed):
    bn = layers.BatchNormalization(momentum=0.0)
    x = torch.tensor([[1.0], [2.0], [3.0], [6.0]])
    out = bn(x, training=True)
    assert out.dtype == getattr(torch, mixed.compute_dtype)
    assert bn.moving_mean.dtype == bn.moving_variance.dtype == torch.float32
    torch.testing.assert_close(bn.moving_mean.detach(), torch.tensor([3.0]))
    torch.testing.assert_close(bn.moving_variance.detach(), torch.tensor([3.5]))


@pytest.mark.parametrize("make, shape", [
    (lambda: layers.Conv2D(4, 3, padding="same"), (2, 8, 8, 3)),
    (lambda: layers.LSTM(5), (2, 6, 3)),
    (lambda: layers.GRU(5), (2, 6, 3)),
    (lambda: layers.SimpleRNN(5), (2, 6, 3)),
    (lambda: layers.LayerNormalization(), (2, 5)),
    (lambda: layers.MaxPooling2D(), (2, 8, 8, 3)),
    (lambda: layers.Dropout(0.5), (2, 5)),
])
def test_common_layers_compute_in_the_compute_dtype(mixed, make, shape):
    layer = make()
    for training in (False, True):
        out = layer(torch.rand(shape), training=training)
        assert out.dtype == getattr(torch, mixed.compute_dtype)
    assert {w.dtype for w in layer.weights} <= {torch.float32}


def test_multi_head_attention_sublayers_follow_its_policy():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    attention = layers.MultiHeadAttention(num_heads=2, key_dim=4)
    query = torch.rand(2, 3, 8)
    assert attention(query, query).dtype == torch.bfloat16
    assert {w.dtype for w in attention.weights} == {torch.float32}


class Counter(layers.Layer):
    """A layer with an uncast float32 weight and non-trainable state updated in `call`."""

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones",
                                     autocast=False, name="scale")
        self.calls = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                     name="calls")

    def call(self, inputs):
        self.calls.assign_add(1.0)
        assert self.scale.dtype == torch.float32  # autocast=False: read as stored
        return inputs * self.scale.to(inputs.dtype)


def test_autocast_false_weights_and_state_updates_in_call(mixed):
    layer = Counter()
    out = layer(torch.ones(2, 3))
    layer(torch.ones(2, 3))
    assert out.dtype == getattr(torch, mixed.compute_dtype)
    assert float(layer.calls) == 2.0
    assert layer.calls.dtype == torch.float32


class Failing(layers.Layer):
    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, inputs):
        raise RuntimeError("boom")


def test_a_failing_call_leaves_the_float32_weights_in_place(mixed):
    layer = Failing()
    with pytest.raises(RuntimeError, match="boom"):
        layer(torch.ones(1, 2))
    assert type(layer.kernel) is keras.Variable
    assert layer.kernel.dtype == torch.float32
    assert "_autocast_originals" not in layer.__dict__


def test_a_mixed_layer_inside_a_float32_model():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(4, dtype="mixed_bfloat16"),
                              layers.Dense(2)])
    assert model.dtype_policy.name == "float32"
    assert model.layers[0](torch.rand(1, 4)).dtype == torch.bfloat16
    assert model(torch.rand(3, 4)).dtype == torch.float32


def test_summary_is_unchanged_by_the_policy(capsys):
    _mlp().summary()
    plain = capsys.readouterr().out
    keras.backend.clear_session()
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    _mlp().summary()
    assert capsys.readouterr().out == plain


class TorchHead(layers.Layer):
    """A custom layer around plain torch modules, whose weights lamina does not create."""

    def __init__(self, full_precision_tail=False, **kwargs):
        super().__init__(**kwargs)
        self.linear = torch.nn.Linear(4, 3)
        self.norm = torch.nn.LayerNorm(3)
        self.tail = layers.Dense(2, dtype="float32") if full_precision_tail else None

    def call(self, inputs):
        outputs = self.norm(torch.relu(self.linear(inputs)))
        return outputs if self.tail is None else self.tail(outputs)


def test_plain_torch_modules_compute_in_the_compute_dtype_through_fit(mixed):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = rng.normal(size=(64, 3)).astype("float32")
    head = TorchHead()
    model = keras.Sequential([keras.Input((4,)), layers.Dense(4), head])
    model.compile(optimizer="adam", loss="mse")
    before = head.linear.weight.detach().clone()
    history = model.fit(x, y, batch_size=16, epochs=3, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert head.linear.weight.dtype == torch.float32  # trained in place, kept in float32
    assert not torch.equal(head.linear.weight.detach(), before)
    compute = getattr(torch, mixed.compute_dtype)
    inputs = torch.as_tensor(x[:8])
    out = head(inputs)
    assert out.dtype == compute
    with torch.no_grad():
        want = head.norm(torch.relu(head.linear(inputs)))
    torch.testing.assert_close(out.float(), want, rtol=0.05, atol=0.05)  # half-precision tol


def test_a_float32_sublayer_of_a_torch_module_layer_computes_in_float32(mixed):
    head = TorchHead(full_precision_tail=True)
    out = head(torch.rand(5, 4))
    assert out.dtype == torch.float32
    assert not torch.is_autocast_enabled("cpu")


_NORMALIZERS = {"ln": lambda: layers.LayerNormalization(dtype="mixed_bfloat16"),
                "gn": lambda: layers.GroupNormalization(groups=3, dtype="mixed_bfloat16"),
                "bn": lambda: layers.BatchNormalization(dtype="mixed_bfloat16")}


@pytest.mark.parametrize("name", sorted(_NORMALIZERS))
def test_normalization_layers_compute_in_float32_under_mixed_precision_as_keras(name):
    # Keras' bits exactly (fixtures/mixed_precision/make_normalization_reference.py): its
    # normalizers keep float32 weights and inputs; only the output is bfloat16.
    from pathlib import Path

    reference = np.load(Path(__file__).resolve().parents[1] / "fixtures" / "mixed_precision" /
                        "normalization_bfloat16.npz")
    x = reference["x"]
    layer = _NORMALIZERS[name]()
    layer(x)
    layer.set_weights([w + 0.3 for w in layer.get_weights()])
    assert all(w.dtype == torch.float32 for w in layer.weights)
    output = layer(x, training=False) if name == "bn" else layer(x)
    assert output.dtype == torch.bfloat16
    np.testing.assert_array_equal(output.detach().float().numpy(), reference[name])
    if name == "bn":
        np.testing.assert_array_equal(layer(x, training=True).detach().float().numpy(),
                                      reference["bn_train"])
        np.testing.assert_array_equal(layer.moving_mean.numpy(), reference["bn_mm"])
