"""Conv1DTranspose / Conv2DTranspose / Conv3DTranspose: harness, output lengths, errors, training.

Keras' numbers (valid, same, output_padding, stride > kernel, dilation) are pinned in
test_conv_keras_parity.py.
"""
import numpy as np
import pytest

import lamina
from lamina import layers
from lamina.testing import run_layer_test


@pytest.mark.parametrize("cls, kwargs, input_shape, output_shape", [
    (layers.Conv1DTranspose, {"filters": 3, "kernel_size": 3, "strides": 2}, (2, 5, 4),
     (2, 11, 3)),
    (layers.Conv2DTranspose, {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same"},
     (2, 4, 5, 2), (2, 8, 10, 3)),
    (layers.Conv2DTranspose, {"filters": 2, "kernel_size": 2, "strides": 3,
                              "data_format": "channels_first"}, (2, 3, 3, 2), (2, 2, 9, 6)),
    (layers.Conv3DTranspose, {"filters": 2, "kernel_size": 2, "strides": 2, "output_padding": 1,
                              "use_bias": False}, (2, 2, 3, 2, 3), (2, 5, 7, 5, 2)),
], ids=["conv1d_transpose", "conv2d_transpose_same", "conv2d_transpose_first",
        "conv3d_transpose_output_padding"])
def test_layer_harness(cls, kwargs, input_shape, output_shape):
    run_layer_test(cls, kwargs, input_shape=input_shape, expected_output_shape=output_shape,
                   expected_num_trainable_weights=2 if kwargs.get("use_bias", True) else 1,
                   expected_num_non_trainable_weights=0, supports_masking=False)


@pytest.mark.parametrize("kwargs, length", [
    ({"kernel_size": 3, "strides": 2, "padding": "same"}, 14),
    ({"kernel_size": 3, "strides": 2, "padding": "valid"}, 15),
    ({"kernel_size": 2, "strides": 3, "padding": "valid"}, 21),
    ({"kernel_size": 3, "strides": 2, "padding": "valid", "output_padding": 1}, 16),
    ({"kernel_size": 4, "strides": 2, "padding": "same", "output_padding": 1}, 13),
])
def test_output_length_follows_keras_rule(kwargs, length):
    layer = layers.Conv2DTranspose(16, **kwargs)
    assert layer(lamina.Input((7, 7, 32))).shape == (None, length, length, 16)
    assert layer(np.zeros((1, 7, 7, 32), "float32")).shape == (1, length, length, 16)


def test_weights_have_keras_transposed_layout():
    layer = layers.Conv2DTranspose(16, 3)
    layer.build((None, 7, 7, 32))
    assert [tuple(w.shape) for w in layer.weights] == [(3, 3, 16, 32), (16,)]
    assert layer.count_params() == 3 * 3 * 16 * 32 + 16


def test_unknown_spatial_dims_stay_unknown():
    layer = layers.Conv2DTranspose(4, 3, strides=2, padding="same")
    assert layer(lamina.Input((None, None, 3))).shape == (None, None, None, 4)


def test_output_padding_must_be_below_strides():
    with pytest.raises(ValueError) as error:
        layers.Conv2DTranspose(6, 3, strides=2, output_padding=2)
    assert str(error.value) == (
        "`output_padding` must be strictly less than `strides` for all dimensions. At dimension "
        "0, `output_padding` is 2 but `strides` is 2. Received: output_padding=(2, 2), "
        "strides=(2, 2)")


def test_transpose_on_images_without_channel_axis_says_how_to_add_one():
    with pytest.raises(ValueError, match=r"add a channel axis: `x\[\.\.\., None\]` or "
                                         r"`Reshape\(\(7, 7, 1\)\)`"):
        layers.Conv2DTranspose(4, 3)(lamina.Input((7, 7)))


def test_conv_autoencoder_lowers_its_reconstruction_loss():
    lamina.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    # Gaussian blobs at random places: 16x16 images a small autoencoder can learn to rebuild.
    centers = rng.uniform(3, 13, size=(256, 2, 1, 1))
    grid = np.arange(16.0)
    images = np.exp(-((grid[None, :, None] - centers[:, 0]) ** 2
                      + (grid[None, None, :] - centers[:, 1]) ** 2) / 8.0)[..., None]
    images = images.astype("float32")
    model = lamina.Sequential([
        lamina.Input((16, 16, 1)),
        layers.Conv2D(16, 3, strides=2, padding="same", activation="relu"),
        layers.Conv2D(8, 3, strides=2, padding="same", activation="relu"),
        layers.Conv2DTranspose(16, 3, strides=2, padding="same", activation="relu"),
        layers.Conv2DTranspose(1, 3, strides=2, padding="same"),
    ])
    model.compile(optimizer=lamina.optimizers.Adam(0.01), loss="mse")
    losses = model.fit(images, images, epochs=6, batch_size=32, verbose=0).history["loss"]
    mean_image_loss = np.mean((images - images.mean(axis=0)) ** 2)
    assert model.output_shape == (None, 16, 16, 1)
    assert losses[-1] < 0.1 * losses[0]
    assert losses[-1] < 0.1 * mean_image_loss
