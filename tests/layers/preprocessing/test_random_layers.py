"""The random image layers: active only in training, seeded, and doing what their names say."""
import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.testing import run_layer_test
from lamina.utils.image_utils import smart_resize

RANDOM_LAYERS = [
    (layers.RandomFlip, {"seed": 1}),
    (layers.RandomFlip, {"mode": "vertical", "seed": 1}),
    (layers.RandomRotation, {"factor": 0.2, "seed": 1}),
    (layers.RandomRotation, {"factor": (-0.1, 0.3), "fill_mode": "constant", "seed": 1,
                             "data_format": "channels_first"}),
    (layers.RandomZoom, {"height_factor": 0.3, "width_factor": (-0.2, 0.1), "seed": 1}),
    (layers.RandomTranslation, {"height_factor": 0.2, "width_factor": 0.3, "fill_mode": "wrap",
                                "seed": 1}),
    (layers.RandomContrast, {"factor": 0.5, "value_range": (-5, 5), "seed": 1}),
]


@pytest.mark.parametrize("cls, config", RANDOM_LAYERS,
                         ids=[f"{c.__name__}-{i}" for i, (c, _) in enumerate(RANDOM_LAYERS)])
def test_run_layer_test(cls, config):
    run_layer_test(cls, config, input_shape=(4, 6, 7, 3), expected_output_shape=(4, 6, 7, 3),
                   expected_num_trainable_weights=0, training_differs=True)


@pytest.mark.parametrize("cls, config", RANDOM_LAYERS,
                         ids=[f"{c.__name__}-{i}" for i, (c, _) in enumerate(RANDOM_LAYERS)])
def test_seeded_identity_in_inference_and_fresh_draws_each_step(cls, config):
    images = torch.rand(4, 6, 7, 3)
    layer = cls(**config)
    assert layer(images, training=False) is images
    first, second = layer(images, training=True), layer(images, training=True)
    assert not torch.equal(first, second)
    torch.testing.assert_close(cls(**config)(images, training=True), first)


def test_run_layer_test_random_crop():
    run_layer_test(layers.RandomCrop, {"height": 4, "width": 5, "seed": 1},
                   input_shape=(3, 8, 9, 2), expected_output_shape=(3, 4, 5, 2),
                   training_differs=True)


def test_flips_mirror_exactly_and_about_half_the_time():
    images = torch.rand(400, 3, 4, 1)
    for mode, flip in (("horizontal", lambda x: x.flip(2)), ("vertical", lambda x: x.flip(1)),
                       ("horizontal_and_vertical", lambda x: x.flip(1).flip(2))):
        out = layers.RandomFlip(mode, seed=0)(images, training=True)
        kept = (out == images).flatten(1).all(1)
        flipped = (out == flip(images)).flatten(1).all(1)
        assert bool((kept | flipped).all())
        assert 160 < int(flipped.sum()) < 240


def test_rotation_by_a_quarter_turn_is_rot90_and_angles_cover_the_range():
    square = torch.rand(2, 5, 5, 3)
    turned = layers.RandomRotation((0.25, 0.25))(square, training=True)
    # Positive angles turn counter-clockwise.
    torch.testing.assert_close(turned, torch.rot90(square, 1, dims=(1, 2)), rtol=1e-5, atol=1e-5)
    dot = torch.zeros(500, 9, 9, 1)
    dot[:, 4, 8] = 1.0  # a pixel on the right edge, turned about the centre
    out = layers.RandomRotation(0.25, fill_mode="constant", interpolation="nearest",
                                seed=3)(dot, training=True)
    positions = out[..., 0].flatten(1).argmax(1)
    rows, cols = positions // 9, positions % 9
    angles = torch.rad2deg(torch.atan2(-(rows - 4.0), cols - 4.0))
    assert float(angles.min()) < -80 and float(angles.max()) > 80
    assert float(angles.abs().max()) <= 90.0 + 8.0


def test_bilinear_reflect_keeps_values_in_the_input_range():
    images = torch.rand(8, 6, 7, 3) * 2 + 3
    for layer in (layers.RandomRotation(0.5, seed=0), layers.RandomZoom(0.5, seed=0),
                  layers.RandomTranslation(0.5, 0.5, seed=0)):
        out = layer(images, training=True)
        assert float(out.min()) >= 3.0 - 1e-5 and float(out.max()) <= 5.0 + 1e-5


def test_translation_by_whole_pixels_rolls_or_fills():
    images = torch.rand(2, 5, 8, 3)
    wrapped = layers.RandomTranslation((0.4, 0.4), (-0.25, -0.25), fill_mode="wrap")(
        images, training=True)
    torch.testing.assert_close(wrapped, torch.roll(images, shifts=(2, -2), dims=(1, 2)))
    filled = layers.RandomTranslation((0.4, 0.4), 0.0, fill_mode="constant", fill_value=-1.0)(
        images, training=True)
    assert bool((filled[:, :2] == -1.0).all())
    torch.testing.assert_close(filled[:, 2:], images[:, :3])


def test_zoom_out_by_half_and_identity_for_zero():
    images = torch.rand(2, 5, 5, 3)
    torch.testing.assert_close(layers.RandomZoom(0.0)(images, training=True), images)
    out = layers.RandomZoom((1.0, 1.0), fill_mode="constant")(images, training=True)
    # Zoom factor 2: the image shrinks to the centre, every other pixel.
    torch.testing.assert_close(out[:, 1:4, 1:4], images[:, ::2, ::2])
    assert float(out[:, 0].abs().max()) == 0.0


def test_contrast_scales_deviations_and_clips():
    images = torch.rand(4, 6, 7, 3)
    out = layers.RandomContrast((-0.5, 0.5), value_range=(-10, 10))(images, training=True)
    mean = images.mean(dim=(1, 2), keepdim=True)
    torch.testing.assert_close(out, (images - mean) * 1.5 + mean)
    assert layers.RandomContrast(0.2).factor == (0, 0.2)  # Keras 3: a number only raises contrast
    clipped = layers.RandomContrast((-1.0, 1.0), value_range=(0, 1))(images, training=True)
    assert float(clipped.min()) >= 0.0 and float(clipped.max()) <= 1.0


def test_random_crop_takes_one_window_per_batch_anywhere_and_resizes_in_inference():
    images = torch.arange(2 * 8 * 9, dtype=torch.float32).reshape(2, 8, 9, 1)
    layer = layers.RandomCrop(3, 4, seed=0)
    corners = set()
    for _ in range(200):
        out = layer(images, training=True)
        top, left = divmod(int(out[0, 0, 0, 0]), 9)
        torch.testing.assert_close(out, images[:, top:top + 3, left:left + 4])
        corners.add((top, left))
    assert corners == {(r, c) for r in range(6) for c in range(6)}
    inference = layer(images, training=False)
    torch.testing.assert_close(inference, smart_resize(images, (3, 4)))


def test_random_crop_default_seed_is_kept_in_the_config():
    seed = layers.RandomCrop(2, 2).get_config()["seed"]
    assert isinstance(seed, int)


class _Spy(lamina.layers.Layer):
    """Records what reaches it, and in which mode."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def call(self, inputs, training=None):
        self.seen.append((bool(training), inputs.detach().clone()))
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape


def test_augmentation_runs_in_fit_and_not_in_predict():
    images = np.random.default_rng(0).random((16, 6, 6, 1)).astype("float32")
    spy = _Spy()
    model = lamina.Sequential([lamina.Input((6, 6, 1)), layers.RandomFlip("horizontal", seed=2),
                               spy, layers.Flatten(), layers.Dense(1)])
    model.predict(images, batch_size=16, verbose=0)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(images, np.zeros((16, 1)), epochs=1, batch_size=16, shuffle=False, verbose=0)
    predicted = [x for training, x in spy.seen if not training]
    trained = [x for training, x in spy.seen if training]
    assert predicted and trained
    np.testing.assert_array_equal(predicted[-1].numpy(), images)
    flipped = ~(trained[-1].numpy() == images).reshape(16, -1).all(axis=1)
    np.testing.assert_array_equal(trained[-1].numpy()[flipped], images[flipped][:, :, ::-1])
    assert 0 < flipped.sum() < 16


@pytest.mark.parametrize("make, message", [
    (lambda: layers.RandomRotation(1.5), (r"`factor` argument should be a number \(or a list of "
                                          r"two numbers\) in the range \[-1, 1\]. Received: "
                                          r"factor=1.5")),
    (lambda: layers.RandomZoom(-1.0), (r"`height_factor`.*in the range \(-1, 1\]. Received: "
                                       r"height_factor=-1.0")),
    (lambda: layers.RandomTranslation(0.1, (0.2, 1.5)), r"`width_factor`.*\[-1, 1\]"),
    (lambda: layers.RandomContrast(-0.2), r"`factor`.*\[0, 1\]. Received: factor=-0.2"),
    (lambda: layers.RandomFlip("diagonal"), "unknown mode argument 'diagonal'"),
    (lambda: layers.RandomFlip(seed="1"), "Argument `seed` must be an integer or None"),
])
def test_bad_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("kwargs, message", [
    ({"fill_mode": "mirror"}, "Unknown `fill_mode` mirror"),
    ({"interpolation": "bicubic"}, "Unknown `interpolation` bicubic"),
])
def test_unsupported_modes(kwargs, message):
    with pytest.raises(NotImplementedError, match=message):
        layers.RandomRotation(0.1, **kwargs)


# Keras 3.15 (checked on jax): the augmentation layers' `call` defaults to training=True, so a
# direct call, or a model called without `training=`, augments; predict and evaluate do not.
@pytest.mark.parametrize("cls, config", RANDOM_LAYERS,
                         ids=[f"{c.__name__}-{i}" for i, (c, _) in enumerate(RANDOM_LAYERS)])
def test_direct_call_without_training_augments_as_keras_does(cls, config):
    images = torch.rand(4, 6, 7, 3)
    layer = cls(**config)
    assert not torch.equal(layer(images), images)


def test_models_augment_when_called_but_not_in_predict():
    images = torch.arange(8.0).reshape(1, 2, 4, 1).repeat(16, 1, 1, 1)
    flipped = images.flip(2)
    model = lamina.Sequential([lamina.Input((2, 4, 1)), layers.RandomFlip("horizontal", seed=3),
                               layers.Dropout(0.5)])
    called = model(images)
    # Flipped or not, and never dropped: Dropout's own default is training=False.
    assert all(torch.equal(c, i) or torch.equal(c, f) for c, i, f in zip(called, images, flipped))
    assert any(torch.equal(c, f) for c, f in zip(called, flipped))
    np.testing.assert_array_equal(model.predict(images, verbose=0), images.numpy())
    inputs = lamina.Input((2, 4, 1))
    functional = lamina.Model(inputs, layers.RandomFlip("horizontal", seed=3)(inputs))
    assert any(torch.equal(c, f) for c, f in zip(functional(images), flipped))
    np.testing.assert_array_equal(functional.predict(images, verbose=0), images.numpy())
    assert torch.equal(functional(images, training=False), images)
