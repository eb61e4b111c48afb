"""Layer semantics the layer families rely on: calls with several tensors, None dims, buffers,
the training switch, masks on tensors, InputSpec, symbolic tensor arithmetic, NumPy outputs."""
import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.layers.input_spec import InputSpec


class LogisticEndpoint(layers.Layer):
    """The Keras guide's endpoint layer: called with targets and logits."""

    def call(self, targets, logits, sample_weights=None):
        self.add_loss(torch.nn.functional.binary_cross_entropy_with_logits(logits, targets))
        return torch.sigmoid(logits)


def test_a_layer_called_with_two_tensors_gets_both_symbolically_and_eagerly():
    inputs, targets = lamina.Input((3,), name="inputs"), lamina.Input((2,), name="targets")
    logits = layers.Dense(2)(inputs)
    predictions = LogisticEndpoint(name="predictions")(targets, logits)
    assert predictions.shape == (None, 2)
    model = lamina.Model([inputs, targets], predictions)
    eager = LogisticEndpoint()(torch.ones(4, 2), torch.zeros(4, 2))
    torch.testing.assert_close(eager, torch.full((4, 2), 0.5))
    model.compile(optimizer="sgd")
    history = model.fit({"inputs": np.ones((8, 3)), "targets": np.ones((8, 2))}, epochs=2, verbose=0)
    assert history.history["loss"][1] < history.history["loss"][0]


def test_unknown_dims_stay_unknown_through_layers():
    x = lamina.Input((None, 8))
    hidden = layers.Dense(4)(x)
    assert hidden.shape == (None, None, 4)
    assert layers.Flatten()(lamina.Input((5, 3))).shape == (None, 15)

    class Doubler(layers.Layer):  # no compute_output_shape: inferred by running call
        def call(self, inputs):
            return torch.cat([inputs, inputs], dim=1)

    assert Doubler()(x).shape == (None, None, 8)
    assert Doubler()(lamina.Input((5, 8))).shape == (None, 10, 8)


def test_output_dtype_is_inferred():
    class Argmax(layers.Layer):
        def call(self, inputs):
            return torch.argmax(inputs, dim=-1)

    y = Argmax()(lamina.Input((10,)))
    assert y.shape == (None,) and y.dtype == "int64"


class MovingMean(layers.Layer):
    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="scale")
        self.moving_mean = self.add_weight(shape=(input_shape[-1],), initializer="zeros",
                                           trainable=False, name="moving_mean")

    def call(self, inputs, training=None):
        if training:
            with torch.no_grad():
                self.moving_mean.mul_(0.5).add_(inputs.mean(0), alpha=0.5)
        return inputs * self.scale


def test_non_trainable_state_is_a_buffer_in_keras_order():
    layer = MovingMean()
    layer(torch.ones(2, 3))
    assert [name for name, _ in layer.named_parameters()] == ["scale"]
    assert [name for name, _ in layer.named_buffers()] == ["moving_mean"]
    assert [w.path for w in layer.weights] == [f"{layer.name}/scale", f"{layer.name}/moving_mean"]
    layer(torch.full((2, 3), 4.0), training=True)
    np.testing.assert_allclose(layer.get_weights()[1], [2.0, 2.0, 2.0])
    layer.double()
    assert layer.moving_mean.dtype == torch.float64 and layer.weights[1] is layer.moving_mean
    layer.set_weights([np.ones(3), np.full(3, 7.0)])
    np.testing.assert_allclose(layer.moving_mean.numpy(), [7.0, 7.0, 7.0])
    model = lamina.Sequential([lamina.Input((3,)), MovingMean()])
    model.compile("sgd", "mse")
    optimizer_ids = {id(p) for p in model.trainable_weights}
    assert id(model.layers[0].moving_mean) not in optimizer_ids


class TorchInside(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dropout = torch.nn.Dropout(0.5)
        self.norm = torch.nn.BatchNorm1d(4)

    def call(self, inputs):
        return self.dropout(self.norm(inputs))


def test_torch_modules_inside_a_layer_follow_the_training_flag():
    model = lamina.Sequential([lamina.Input((4,)), TorchInside()])
    x = np.random.default_rng(0).normal(size=(16, 4)).astype("float32")
    first, second = model.predict(x, verbose=0), model.predict(x, verbose=0)
    np.testing.assert_allclose(first, second)  # no dropout, moving stats in predict
    trained = model(x, training=True).numpy()
    assert (trained == 0).mean() > 0.2
    assert not model.training and not model.layers[0].dropout.training


def test_masks_ride_on_tensors_to_layers_that_take_them():
    class MaskedSum(layers.Layer):
        def call(self, inputs, mask=None):
            return (inputs * mask[..., None]).sum(1)

    class MakeMask(layers.Layer):
        def call(self, inputs):
            return inputs

        def compute_mask(self, inputs, mask=None):
            return inputs[..., 0] != 0

    x = torch.tensor([[[1.0], [2.0], [0.0]]])
    masked = MakeMask()(x)
    assert masked._keras_mask.tolist() == [[True, True, False]]
    assert MaskedSum()(masked).item() == 3.0
    with pytest.raises(ValueError, match="does not support masking"):
        layers.Flatten()(x, mask=torch.ones(1, 3, dtype=torch.bool))


def test_input_spec_gives_keras_message():
    layer = layers.Layer(name="needs_images")
    layer.input_spec = InputSpec(ndim=4)
    with pytest.raises(ValueError) as error:
        layer(lamina.Input((28, 28)))
    assert str(error.value) == ('Input 0 of layer "needs_images" is incompatible with the layer: '
                                'expected ndim=4, found ndim=3. Full shape received: (None, 28, 28)')
    layer.input_spec = InputSpec(axes={-1: 8})
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 8"):
        layer(torch.zeros(2, 3))


def test_symbolic_tensors_support_arithmetic_and_indexing():
    a, b = lamina.Input((3,)), lamina.Input((3,))
    out = (-(a + b) * 2 + 1)[:, :2] / 2
    assert out.shape == (None, 2)
    model = lamina.Model([a, b], out)
    assert [layer.name for layer in model.layers] == [t.history[0].name for t in (a, b)]
    result = model([torch.ones(1, 3), torch.ones(1, 3)])
    torch.testing.assert_close(result, torch.full((1, 2), -1.5))
    assert (1 - a).shape == (None, 3) and a.ndim == 2
    with pytest.raises(TypeError, match="cannot be used as a Python bool"):
        bool(a)


def test_direct_model_outputs_convert_to_numpy_and_still_backpropagate():
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(4), layers.Dropout(0.5)])
    x = np.ones((2, 3), dtype="float32")
    assert model(x).numpy().shape == (2, 4)
    samples = np.stack([model(x, training=True) for _ in range(20)])
    assert samples.shape == (20, 2, 4) and samples.std(axis=0).max() > 0
    output = model(x, training=True)
    output.sum().backward()
    assert model.layers[0].kernel.grad is not None
    assert type(output * 2) is torch.Tensor
    assert repr(model(x)).startswith("tensor(")


class _ComputeSum(lamina.layers.Layer):
    """lamina.io's ComputeSum: a non-trainable total that `call` assigns to."""

    def __init__(self, input_dim):
        super().__init__()
        self.total = self.add_weight(initializer="zeros", shape=(input_dim,), trainable=False)

    def call(self, inputs):
        self.total.assign_add(lamina.ops.sum(inputs, axis=0))
        return inputs


class _MaskedConv(lamina.layers.Layer):
    """PixelCNN's masked convolution: `call` assigns the masked kernel before convolving."""

    def __init__(self, **kwargs):
        super().__init__()
        self.conv = lamina.layers.Conv2D(**kwargs)

    def build(self, input_shape):
        self.conv.build(input_shape)
        self.mask = np.zeros(lamina.ops.shape(self.conv.kernel))
        self.mask[: self.mask.shape[0] // 2, ...] = 1.0

    def call(self, inputs):
        self.conv.kernel.assign(self.conv.kernel * self.mask)
        return self.conv(inputs)


def test_a_layer_assigning_in_call_works_on_keras_tensors_and_leaves_its_state():
    layer = _ComputeSum(2)
    assert layer(lamina.Input((2,))).shape == (None, 2)
    assert layer.total.numpy().tolist() == [0.0, 0.0]
    layer(np.ones((3, 2), "float32"))
    assert layer.total.numpy().tolist() == [3.0, 3.0]


def test_a_masked_convolution_builds_symbolically_and_trains():
    inputs = lamina.Input((8, 8, 1))
    conv = _MaskedConv(filters=2, kernel_size=3)
    model = lamina.Model(inputs, conv(inputs))
    assert model.output_shape == (None, 6, 6, 2)
    model.compile("adam", "mse")
    model.fit(np.ones((4, 8, 8, 1), "float32"), np.zeros((4, 6, 6, 2), "float32"), verbose=0)
    # The last step's call zeroed the masked rows; one Adam step (at most lr) moved them since.
    assert 0 < float(np.abs(conv.conv.kernel.numpy()[1:]).max()) <= 1.001e-3


def test_a_call_with_two_tensor_arguments_gets_argument_masks_not_mask():
    seen = {}

    class TwoInputs(layers.Layer):
        def call(self, inputs, other, mask=None, inputs_mask=None, other_mask=None):
            seen.update(mask=mask, inputs_mask=inputs_mask, other_mask=other_mask)
            return inputs + other

    embedded = layers.Embedding(9, 3, mask_zero=True)(np.array([[1, 2, 0]]))
    plain = layers.Embedding(9, 3)(np.array([[1, 2, 3]]))
    TwoInputs()(embedded, plain)
    # Keras 3.15: several tensor arguments fill `<argument>_mask`, never `mask`.
    assert seen["mask"] is None and seen["other_mask"] is None
    assert seen["inputs_mask"].tolist() == [[True, True, False]]


def test_an_rnn_given_initial_state_ignores_the_padding_mask_as_keras_does():
    lamina.utils.set_random_seed(0)
    tokens = np.array([[3, 4, 0, 0]])
    embedded = layers.Embedding(9, 3, mask_zero=True)(tokens)
    state = torch.zeros(1, 2)
    gru = layers.GRU(2, return_sequences=True)
    with_state = gru(embedded, initial_state=[state])
    unmasked = embedded.detach().clone()  # the same values, no mask attached
    torch.testing.assert_close(with_state, gru(unmasked, initial_state=[state]))
    assert not torch.allclose(gru(embedded), gru(unmasked))  # without it the mask applies


def test_layers_and_models_print_as_keras_prints_them():
    dense = layers.Dense(3, name="hidden")
    assert repr(dense) == str(dense) == "<Dense name=hidden, built=False>"
    model = lamina.Sequential([lamina.Input((2,)), dense], name="net")
    assert str(model.layers) == "[<Dense name=hidden, built=True>]"
    assert repr(model) == "<Sequential name=net, built=True>"
    assert "(0): <Dense name=hidden, built=True>" in torch.nn.Module.__repr__(model)


@pytest.mark.parametrize("kwargs", [{"input_shape": (4,)}, {"input_dim": 4}])
def test_input_shape_arguments_warn_as_keras_3_does_and_still_build(kwargs):
    with pytest.warns(UserWarning, match=r"^Do not pass an `input_shape`/`input_dim` argument "
                                         r"to a layer\. When using Sequential models, prefer "
                                         r"using an `Input\(shape\)` object as the first layer"):
        model = lamina.Sequential([layers.Dense(2, **kwargs)])
    assert model.built and model.input_shape == (None, 4)


def test_a_layer_given_input_shape_builds_in_its_model_not_when_made():
    # Keras 3: the shape declares the Sequential's input; the layer stays unbuilt until then,
    # so its weights take the model's path and an adapt() before the model sees the data.
    with pytest.warns(UserWarning):
        dense = layers.Dense(3, input_shape=(2,))
        normalizer = layers.Normalization(input_shape=[1], axis=None)
    assert not dense.built and not normalizer.built
    model = lamina.Sequential([dense, layers.Dense(1)], name="net")
    assert [w.path for w in model.weights][:2] == [f"net/{dense.name}/kernel",
                                                   f"net/{dense.name}/bias"]
    normalizer.adapt(np.array([1.0, 2.0, 3.0, 4.0]))
    assert tuple(normalizer.mean.shape) == (1,)  # as Keras, built from the data's shape
    np.testing.assert_allclose(normalizer.mean, [2.5])
    np.testing.assert_allclose(normalizer.variance, [1.25])


@pytest.mark.parametrize("make", [layers.GlobalAveragePooling1D, layers.BatchNormalization,
                                  lambda: layers.LSTM(2)])
def test_a_numpy_mask_works_as_a_tensor_mask(make):
    x = np.random.default_rng(0).random((2, 4, 3)).astype("float32")
    mask = np.array([[1, 1, 0, 0], [1, 0, 1, 1]], bool)
    layer = make()
    torch.testing.assert_close(layer(x, mask=mask), layer(x, mask=torch.from_numpy(mask)))


@pytest.mark.parametrize("make", [layers.Flatten, lambda: layers.Reshape((8,)),
                                  lambda: layers.Permute((3, 1, 2)),
                                  lambda: layers.Cropping2D(((0, 1), (0, 1))),
                                  lambda: layers.ZeroPadding2D(1), layers.Identity])
def test_layers_that_only_move_values_keep_integers_as_keras_does(make):
    x = np.arange(8, dtype="int32").reshape(1, 2, 2, 2)
    assert make()(x).dtype == torch.int32


def test_a_dense_after_a_flatten_of_uint8_pixels_still_computes_in_float():
    model = lamina.Sequential([lamina.Input((4, 4), dtype="uint8"), layers.Flatten(),
                               layers.Dense(2)])
    assert model(np.full((1, 4, 4), 255, "uint8")).dtype == torch.float32


def test_a_built_layer_has_keras_path_and_an_unbuilt_one_none():
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(1, name="x")], name="m")
    assert (model.layers[0].path, model.path) == ("m/x", "m")
    assert model.layers[0].kernel.path == "m/x/kernel"
    assert layers.Dense(2).path is None
