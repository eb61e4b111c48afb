"""Resizing and CenterCrop: harness, dtypes, layouts and argument errors."""
import re

import numpy as np
import pytest
import torch

from lamina import layers
from lamina.testing import run_layer_test


@pytest.mark.parametrize("config, input_shape, output_shape", [
    ({"height": 4, "width": 6}, (2, 8, 9, 3), (2, 4, 6, 3)),
    ({"height": 4, "width": 6, "interpolation": "nearest", "crop_to_aspect_ratio": True},
     (2, 8, 9, 3), (2, 4, 6, 3)),
    ({"height": 5, "width": 5, "data_format": "channels_first", "pad_to_aspect_ratio": True},
     (2, 3, 4, 9), (2, 3, 5, 5)),
    ({"height": 3, "width": 2}, (7, 5, 1), (3, 2, 1)),
])
def test_run_layer_test_resizing(config, input_shape, output_shape):
    run_layer_test(layers.Resizing, config, input_shape=input_shape,
                   expected_output_shape=output_shape, expected_num_trainable_weights=0)


def test_same_size_bilinear_is_identity_and_uint8_stays_uint8():
    images = torch.rand(2, 5, 6, 3)
    torch.testing.assert_close(layers.Resizing(5, 6)(images), images)
    pixels = np.random.default_rng(0).integers(0, 256, (1, 5, 6, 3)).astype("uint8")
    resized = layers.Resizing(9, 4, interpolation="bicubic")(pixels)
    assert resized.dtype == torch.uint8 and tuple(resized.shape) == (1, 9, 4, 3)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"crop_to_aspect_ratio": True, "pad_to_aspect_ratio": True}, ValueError,
     "Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be `True`."),
    ({"fill_mode": "reflect"}, ValueError,
     "Only `'constant'` is supported. Received: fill_mode='reflect'"),
    ({"interpolation": "mitchellcubic"}, ValueError, "is a TensorFlow-only kernel; lamina has"),
    ({"interpolation": "cubic"}, ValueError, "Argument `interpolation` should be one of"),
])
def test_resizing_argument_errors(kwargs, error, message):
    with pytest.raises(error, match=re.escape(message)):
        layers.Resizing(4, 4, **kwargs)


@pytest.mark.parametrize("size", [(0, 4), (4, 2.5), (True, 3)])
def test_sizes_must_be_positive_integers(size):
    with pytest.raises(ValueError, match="must be a positive integer"):
        layers.CenterCrop(*size)


@pytest.mark.parametrize("config, input_shape, output_shape", [
    ({"height": 3, "width": 4}, (2, 6, 7, 3), (2, 3, 4, 3)),
    ({"height": 9, "width": 4}, (2, 6, 7, 3), (2, 9, 4, 3)),
    ({"height": 2, "width": 2, "data_format": "channels_first"}, (2, 3, 6, 7), (2, 3, 2, 2)),
])
def test_run_layer_test_center_crop(config, input_shape, output_shape):
    run_layer_test(layers.CenterCrop, config, input_shape=input_shape,
                   expected_output_shape=output_shape)


def test_center_crop_cuts_the_odd_pixel_at_the_bottom_right():
    image = torch.arange(20.0).reshape(1, 4, 5, 1)
    assert layers.CenterCrop(1, 2)(image)[0, :, :, 0].tolist() == [[6.0, 7.0]]


def test_images_must_have_rank_3_or_4():
    with pytest.raises(ValueError, match=r"Expected image tensor to have rank 3 \(single image\) "
                                         r"or 4 \(batch of images\). Received: "
                                         r"data.shape=\(2, 5\)"):
        layers.CenterCrop(2, 2)(torch.zeros(2, 5))
    with pytest.raises(NotImplementedError, match="takes images only; dicts with 'bounding_boxes'"):
        layers.CenterCrop(2, 2)({"images": torch.zeros(1, 4, 4, 3)})
    with pytest.raises(NotImplementedError, match=r"\['bounding_boxes'\] is not supported"):
        layers.RandomFlip()({"images": torch.zeros(1, 4, 4, 3), "bounding_boxes": {}},
                            training=True)


def test_resizing_layer_equals_ops_resize_for_every_method():
    """The layer is ops.image.resize (pinned to Keras-jax in tests/ops/test_image_reference.py)."""
    from lamina.ops.image import RESIZE_INTERPOLATIONS, resize
    pixels = torch.from_numpy(np.random.default_rng(3).integers(0, 256, (2, 7, 9, 3)).astype("uint8"))
    for interpolation in RESIZE_INTERPOLATIONS:
        layer = layers.Resizing(4, 11, interpolation=interpolation, crop_to_aspect_ratio=True)
        expected = resize(pixels, (4, 11), interpolation, crop_to_aspect_ratio=True)
        assert torch.equal(layer(pixels), expected), interpolation


def test_bicubic_uses_keys_cubic_with_a_minus_half_as_keras_jax_and_tensorflow():
    # Upsampling a step 0,0,1,1 by 2: the output point at 1.25 (input coordinates) weighs the
    # four neighbours by Keys' a = -0.5 kernel at distances 1.25, 0.25, 0.75, 1.75.
    def keys(x, a=-0.5):
        x = abs(x)
        return (a + 2) * x**3 - (a + 3) * x**2 + 1 if x < 1 else a * x**3 - 5 * a * x**2 + 8 * a * x - 4 * a
    row = torch.tensor([0.0, 0.0, 1.0, 1.0]).reshape(1, 1, 4, 1)
    out = layers.Resizing(1, 8, interpolation="bicubic")(row)[0, 0, :, 0]
    expected = keys(0.25) * 0.0 + keys(0.75) * 1.0 + keys(1.75) * 1.0 + keys(1.25) * 0.0
    assert out[3].item() == pytest.approx(expected, abs=1e-6)
