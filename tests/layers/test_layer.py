"""Layer base: lazy build, weights in Keras order, naming, training flag, losses, errors."""
import numpy as np
import pytest
import torch

import lamina
from lamina import layers


class Scale(layers.Layer):
    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="scale")
        self.offset = self.add_weight(shape=(input_shape[-1],), initializer="zeros",
                                      trainable=False, name="offset")

    def call(self, inputs):
        return inputs * self.scale + self.offset


def test_layer_is_module_and_builds_lazily_on_first_call():
    layer = Scale()
    assert isinstance(layer, torch.nn.Module)
    assert not layer.built
    out = layer(torch.ones(2, 3))
    assert layer.built and out.shape == (2, 3)
    assert [w.shape for w in layer.get_weights()] == [(3,), (3,)]
    # Non-trainable state is a buffer: in state_dict, never handed to an optimizer.
    assert set(dict(layer.named_parameters())) == {"scale"}
    assert set(dict(layer.named_buffers())) == {"offset"}


def test_weights_split_by_trainable_and_state_dict_is_the_truth():
    layer = Scale()
    layer(torch.ones(1, 4))
    assert [w is layer.scale for w in layer.trainable_weights] == [True]
    assert [w is layer.offset for w in layer.non_trainable_weights] == [True]
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2
    assert not layer.scale.requires_grad
    assert set(layer.state_dict()) == {"scale", "offset"}


def test_auto_names_follow_keras_and_clear_session_resets_them():
    assert [layers.Dense(1).name for _ in range(3)] == ["dense", "dense_1", "dense_2"]
    assert layers.Dense(1, name="패션 모델").name == "패션 모델"
    lamina.backend.clear_session()
    assert layers.Dense(1).name == "dense"


def test_set_weights_rejects_wrong_shapes_naming_the_layer():
    layer = layers.Dense(100, name="hidden")
    layer.build((None, 784))
    with pytest.raises(ValueError, match=r"Layer 'hidden' weight shape \(784, 100\) is not compatible "
                                         r"with provided weight shape \(100, 784\)"):
        layer.set_weights([np.zeros((100, 784)), np.zeros(100)])
    with pytest.raises(ValueError, match=r"^You called `set_weights\(weights\)` on layer "
                                         r"'\w+' with a weight list of length 1, but the layer "
                                         r"was expecting 2 weights\.$"):
        layer.set_weights([np.zeros((784, 100))])


def test_set_weights_round_trips_values():
    layer = layers.Dense(3)
    layer.build((None, 2))
    values = [np.arange(6, dtype=np.float32).reshape(2, 3), np.array([1, 2, 3], np.float32)]
    layer.set_weights(values)
    for got, expected in zip(layer.get_weights(), values):
        np.testing.assert_array_equal(got, expected)


def test_misspelled_argument_suggests_the_right_name():
    with pytest.raises(TypeError, match="Did you mean 'units'"):
        layers.Dense(unit=10)
    with pytest.raises(ValueError, match="Did you mean 'activation'"):
        layers.Dense(10, activaton="relu")


def test_count_params_before_build_explains_how_to_build():
    with pytest.raises(ValueError, match="isn't built"):
        layers.Dense(3).count_params()


def test_training_flag_reaches_nested_layers():
    seen = []

    class Probe(layers.Layer):
        def call(self, inputs, training=None):
            seen.append(training)
            return inputs

    class Outer(layers.Layer):
        def __init__(self):
            super().__init__()
            self.probe = Probe()

        def call(self, inputs):
            return self.probe(inputs)

    outer = Outer()
    outer(torch.ones(1), training=True)
    outer(torch.ones(1))
    # Unset everywhere: the probe runs with its own default, None (as in Keras).
    assert seen == [True, None]


def test_activity_regularizer_and_add_loss_are_collected_per_call():
    layer = layers.Dense(2, kernel_initializer="ones", activity_regularizer=lamina.regularizers.L1(0.5))
    layer.build((None, 3))
    out = layer(torch.ones(4, 3))
    expected = 0.5 * out.abs().sum() / 4
    assert len(layer.losses) == 1
    torch.testing.assert_close(layer.losses[0], expected)


def test_kernel_regularizer_penalty_is_in_losses():
    layer = layers.Dense(2, kernel_initializer="ones", kernel_regularizer=lamina.regularizers.L2(0.01))
    layer.build((None, 3))
    torch.testing.assert_close(layer.losses[0], torch.tensor(0.01 * 6.0))


def test_integer_and_float64_inputs_are_cast_to_float32():
    layer = layers.Dense(2)
    layer.build((None, 3))
    assert layer(np.ones((1, 3), dtype=np.uint8)).dtype == torch.float32
    assert layer(np.ones((1, 3), dtype=np.float64)).dtype == torch.float32


def test_config_round_trip_for_every_core_layer():
    for layer in [layers.Dense(4, activation="relu", kernel_regularizer="l2"), layers.Dropout(0.3),
                  layers.Flatten(), layers.Activation("tanh"), layers.Reshape((2, 2)),
                  layers.Concatenate(axis=1)]:
        config = layer.get_config()
        clone = type(layer).from_config(config)
        assert clone.get_config() == config


def test_compute_output_shape_by_meta_run_for_custom_layers():
    layer = Scale()
    assert layer.compute_output_shape((None, 5)) == (None, 5)
    assert all(p.device.type != "meta" for p in layer.parameters())


def test_output_shape_of_layer_creating_constants_and_sublayers_in_call():
    class AddOnes(layers.Layer):
        def call(self, inputs):
            return inputs + lamina.ops.ones((inputs.shape[-1],))

    class LazyInner(layers.Layer):
        def __init__(self):
            super().__init__()
            self.inner = layers.Dense(3)

        def call(self, inputs):
            return self.inner(inputs)

    assert AddOnes().compute_output_shape((None, 4)) == (None, 4)
    wrapper = LazyInner()
    assert wrapper.compute_output_shape((None, 5)) == (None, 3)
    assert wrapper.inner.kernel.device.type != "meta"
    assert wrapper(torch.ones(2, 5)).shape == (2, 3)


def test_get_weights_are_copies_that_set_weights_can_restore_after_fit():
    """Keras' idiom: keep the weights, train, put them back."""
    import lamina

    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2)])
    model.compile("sgd", "mse")
    saved = model.get_weights()
    before = [w.copy() for w in saved]
    model.fit(np.ones((4, 3), "float32"), np.ones((4, 2), "float32"), verbose=0)
    assert all(np.array_equal(w, b) for w, b in zip(saved, before))
    model.set_weights(saved)
    assert all(np.array_equal(w, b) for w, b in zip(model.get_weights(), before))


class _NoCall(layers.Layer):
    pass


class _TorchStyle(lamina.Model):
    def forward(self, x):
        return x


class _MisspeltCall(lamina.Model):
    def Call(self, x):  # noqa: N802 - the learner's slip under test
        return x


@pytest.mark.parametrize("layer, message", [
    (_NoCall(), r"^Layer _NoCall does not have a `call` method implemented.$"),
    (_MisspeltCall(), r"Model _MisspeltCall does not have a `call\(\)` method implemented. "
                      r"It defines `Call\(\)`: rename it `call`."),
])
def test_a_layer_without_call_raises_keras_error_with_the_fix(layer, message):
    with pytest.raises(NotImplementedError, match=message):
        layer(np.ones((1, 2), "float32"))


def test_a_pytorch_style_forward_model_is_explained_when_call_is_reached():
    with pytest.raises(NotImplementedError, match="It defines `forward\\(\\)`, PyTorch's name"):
        _TorchStyle().call(np.ones((1, 2), "float32"))


def test_losses_list_call_losses_before_weight_penalties_as_keras_does():
    class Penalized(layers.Layer):
        def call(self, x):
            self.add_loss(lamina.ops.sum(x) * 0.0 + 1.0)
            return x

    inputs = lamina.Input((2,))
    hidden = layers.Dense(2, kernel_regularizer=lamina.regularizers.L1(0.0))(inputs)
    model = lamina.Model(inputs, Penalized()(hidden))
    model(np.ones((1, 2), "float32"))
    assert [float(loss.detach()) for loss in model.losses] == [1.0, 0.0]


@pytest.mark.parametrize("make", [lambda: layers.Dropout(0.5), lambda: layers.ReLU(),
                                  lambda: layers.GlobalAveragePooling2D(),
                                  lambda: layers.Activation("relu"), lambda: layers.Reshape((2,))])
def test_weightless_layers_are_built_when_made_as_in_keras(make):
    assert make().built


def test_a_subclass_with_its_own_build_waits_for_its_inputs():
    class Scaled(layers.Dropout):
        def build(self, input_shape):
            self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    layer = Scaled(0.5)
    assert not layer.built
    layer(np.ones((2, 3), "float32"))
    assert layer.built and tuple(layer.scale.shape) == (3,)


def test_a_variable_set_as_an_attribute_is_one_of_the_layers_weights(tmp_path):
    # The Keras saving guide's LayerWithCustomVariable: keras.Variable outside add_weight.
    class Scaled(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.scale = lamina.Variable(np.ones((2,), "float32"), name="scale")
            self.shift = lamina.Variable(np.zeros((2,), "float32"), name="shift",
                                         trainable=False)

        def call(self, x):
            return x * self.scale + self.shift

    layer = Scaled()
    assert [w.name for w in layer.weights] == ["scale", "shift"]
    assert len(layer.trainable_weights) == 1
    model = lamina.Sequential([lamina.Input((2,)), layer])
    assert layer.count_params() == 4
    model.compile("sgd", "mse")
    model.fit(np.ones((4, 2)), np.zeros((4, 2)), verbose=0)
    model.save(tmp_path / "scaled.keras")
    loaded = lamina.models.load_model(tmp_path / "scaled.keras", custom_objects={"Scaled": Scaled})
    for got, want in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(got, want)


def test_set_weights_on_an_unbuilt_layer_says_to_build_it_first():
    with pytest.raises(ValueError, match=r"weight list of length 2, but the layer was expecting 0 "
                                         r"weights\. It has no weights yet because it is not "
                                         r"built"):
        layers.Dense(3).set_weights([np.zeros((2, 3)), np.zeros(3)])


def test_add_weight_after_build_is_refused_as_keras_locks_the_state():
    class WeightInCall(layers.Layer):
        def call(self, x):
            return x @ self.add_weight(shape=(x.shape[-1], 2), initializer="ones")

    with pytest.raises(ValueError, match=r"^You cannot add new elements of state \(variables or "
                                         r"sub-layers\) to a layer that is already built\. .*"
                                         r"create the weight in `build"):
        WeightInCall()(torch.ones(1, 3))


def test_add_weight_inside_build_works_after_super_build_marked_it_built():
    class SuperBuildFirst(layers.Layer):
        def build(self, input_shape):
            super().build(input_shape)  # TF-2 code often calls it first
            self.w = self.add_weight(shape=(input_shape[-1], 2), initializer="ones")

        def call(self, x):
            return x @ self.w

    assert tuple(SuperBuildFirst()(torch.ones(1, 3)).shape) == (1, 2)


def test_models_of_a_graph_or_a_stack_stay_open_after_build():
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(2)])
    extra = model.add_weight(shape=(2,), initializer="zeros", name="extra")
    assert extra.shape == (2,)


@pytest.mark.parametrize("owner, name, hint", [
    ("model", "fit_generator", r"Keras 3 removed it: `fit\(\)` takes generators"),
    ("model", "predict_classes", r"np\.argmax\(model\.predict\(x\), axis=-1\)"),
    ("layer", "output_shape", r"read `layer\.output\.shape`"),
])
def test_keras_2_names_tell_what_keras_3_has_instead(owner, name, hint):
    model = lamina.Sequential([lamina.Input((4,)), layers.Dense(3)])
    target = model if owner == "model" else model.layers[0]
    with pytest.raises(AttributeError, match=rf"^'\w+' object has no attribute '{name}'\. .*{hint}"):
        getattr(target, name)
    assert not hasattr(model.layers[0], "output_shape") and model.output_shape == (None, 3)


def test_supports_masking_set_in_the_class_body_keeps_the_mask():
    class Scale(layers.Layer):
        supports_masking = True

        def call(self, x):
            return x * 2.0

    embedded = layers.Embedding(5, 2, mask_zero=True)(np.array([[1, 2, 0]]))
    out = Scale()(embedded)
    assert Scale().supports_masking
    assert out._keras_mask.tolist() == [[True, True, False]]


def test_a_layer_writing_its_own_compute_mask_supports_masking_as_in_keras():
    class KeepFirstSteps(layers.Layer):
        def call(self, x):
            return x

        def compute_mask(self, inputs, mask=None):
            return inputs[..., 0] > 0

    class Explicit(KeepFirstSteps):
        supports_masking = False

    assert KeepFirstSteps().supports_masking and not Explicit().supports_masking
    assert layers.Dense(2).supports_masking and not layers.Conv1D(2, 3).supports_masking
    # Keras' InputLayer says False, yet a nested model's input passes the mask on.
    inner_input = lamina.Input((3, 2))
    assert not inner_input.history[0].supports_masking
    inner = lamina.Model(inner_input, layers.LSTM(2, return_sequences=True)(inner_input))
    tokens = lamina.Input((3,))
    outer = lamina.Model(tokens, inner(layers.Embedding(5, 2, mask_zero=True)(tokens)))
    out = outer(np.array([[1, 2, 0]]))
    assert out._keras_mask.tolist() == [[True, True, False]]
