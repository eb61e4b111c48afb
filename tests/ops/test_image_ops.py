"""`keras.ops.image` beyond the Keras reference numbers: the random elastic transform, argument
errors, Keras tensors, and the Vision Transformer example's patch layer."""
import numpy as np
import pytest
import torch

import lamina as keras
from lamina.ops import image


@pytest.mark.parametrize("data_format, shape", [("channels_last", (2, 12, 10, 3)),
                                                ("channels_first", (2, 3, 12, 10)),
                                                ("channels_last", (12, 10, 3))])
def test_elastic_transform_shape_dtype_and_seed(data_format, shape):
    images = torch.rand(shape) * 255
    first = image.elastic_transform(images, alpha=8.0, sigma=2.0, seed=3, data_format=data_format)
    again = image.elastic_transform(images, alpha=8.0, sigma=2.0, seed=3, data_format=data_format)
    other = image.elastic_transform(images, alpha=8.0, sigma=2.0, seed=4, data_format=data_format)
    assert first.shape == images.shape and first.dtype == images.dtype
    assert torch.equal(first, again)
    assert not torch.equal(first, other)
    assert not torch.allclose(first, images)


def test_elastic_transform_seed_generator_advances_and_float64_is_kept():
    images = torch.rand(1, 8, 8, 1, dtype=torch.float64)
    generator = keras.random.SeedGenerator(5)
    first = image.elastic_transform(images, alpha=5.0, sigma=1.0, seed=generator)
    second = image.elastic_transform(images, alpha=5.0, sigma=1.0, seed=generator)
    assert first.dtype == torch.float64
    assert not torch.equal(first, second)


@pytest.mark.parametrize("fill_mode", ["reflect", "constant", "nearest", "wrap", "mirror"])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_elastic_transform_without_displacement_is_the_identity(fill_mode, interpolation):
    images = torch.rand(2, 9, 7, 3)
    out = image.elastic_transform(images, alpha=0.0, sigma=3.0, interpolation=interpolation,
                                  fill_mode=fill_mode, seed=0)
    torch.testing.assert_close(out, images, rtol=0, atol=0)


def test_elastic_transform_keeps_integer_images():
    images = torch.randint(0, 256, (1, 8, 8, 3), dtype=torch.int32)
    out = image.elastic_transform(images, alpha=4.0, sigma=1.0, seed=1)
    assert out.dtype == torch.int32 and 0 <= int(out.min()) and int(out.max()) <= 255


def test_vision_transformer_patches_layer():
    """keras.io's ViT example: `extract_patches(images, size=patch_size)`, then a reshape."""

    class Patches(keras.layers.Layer):
        def __init__(self, patch_size):
            super().__init__()
            self.patch_size = patch_size

        def call(self, images):
            batch, height, width, channels = keras.ops.shape(images)
            patches = keras.ops.image.extract_patches(images, size=self.patch_size)
            return keras.ops.reshape(patches, (batch, (height // self.patch_size) * (
                width // self.patch_size), self.patch_size * self.patch_size * channels))

    images = np.random.default_rng(0).random((2, 32, 32, 3)).astype("float32")
    inputs = keras.Input((32, 32, 3))
    model = keras.Model(inputs, Patches(8)(inputs))
    patches = model.predict(images, verbose=0)
    assert patches.shape == (2, 16, 192)
    # Patch 5 is row 1, column 1 of the 4 x 4 grid; its values run rows, columns, channels.
    np.testing.assert_array_equal(patches[:, 5], images[:, 8:16, 8:16, :].reshape(2, -1))


def test_ops_record_nodes_on_keras_tensors():
    inputs = keras.Input((16, 16, 3))
    assert image.extract_patches(inputs, size=4).shape == (None, 4, 4, 48)
    assert image.sobel_edges(inputs).shape == (None, 16, 16, 3, 2)
    assert image.ssim(inputs, inputs).shape == (None,)
    assert image.pad_images(inputs, 1, 2, target_height=20, target_width=20).shape == (
        None, 20, 20, 3)


def test_patches_match_a_convolution_with_the_identity_kernel():
    images = torch.rand(2, 9, 11, 2)
    size, out = (3, 2), 3 * 2 * 2
    kernel = torch.eye(out).reshape(3, 2, 2, out).permute(3, 2, 0, 1)
    expected = torch.nn.functional.conv2d(images.permute(0, 3, 1, 2), kernel, stride=(1, 2),
                                          dilation=(2, 1)).permute(0, 2, 3, 1)
    got = image.extract_patches(images, size, strides=(1, 2), dilation_rate=(2, 1))
    torch.testing.assert_close(got, expected)


@pytest.mark.parametrize("call, error, message", [
    (lambda: image.affine_transform(torch.rand(4, 4, 1), torch.zeros(8), interpolation="cubic"),
     ValueError, "Received: interpolation=cubic"),
    (lambda: image.affine_transform(torch.rand(4, 4, 1), torch.zeros(8), fill_mode="edge"),
     ValueError, "Received: fill_mode=edge"),
    (lambda: image.affine_transform(torch.rand(4, 4), torch.zeros(8)), ValueError,
     "images.shape=(4, 4)"),
    (lambda: image.affine_transform(torch.rand(4, 4, 1), torch.zeros(1, 1, 8)), ValueError,
     "transform.shape=(1, 1, 8)"),
    (lambda: image.perspective_transform(torch.rand(4, 4, 1), torch.zeros(3, 2),
                                         torch.zeros(3, 2)), ValueError,
     "Invalid start_points shape"),
    (lambda: image.map_coordinates(torch.rand(4, 4), torch.zeros(3, 5), 1), ValueError,
     "coordinate leading dim of 3"),
    (lambda: image.map_coordinates(torch.rand(4, 4), torch.zeros(2, 5), 3), ValueError,
     "Received: order=3"),
    (lambda: image.pad_images(torch.rand(4, 4, 1), 1, 1, 1, 1, target_height=6), ValueError,
     "Must specify exactly two of top_padding, bottom_padding, target_height"),
    (lambda: image.pad_images(torch.rand(4, 4, 1), 3, 0, target_height=5, right_padding=0),
     ValueError, "bottom_padding must be >= 0. Received: bottom_padding=-2"),
    (lambda: image.crop_images(torch.rand(4, 4, 1), left_cropping=0, bottom_cropping=3,
                               target_height=2, target_width=4),
     ValueError, "top_cropping must be >= 0. Received: top_cropping=-1"),
    (lambda: image.extract_patches(torch.rand(8, 8, 1), "3"), TypeError,
     "Expected an int or a tuple. Received: size=3 of type str"),
    (lambda: image.extract_patches(torch.rand(8, 8, 1), (1, 2, 3, 4)), ValueError,
     "Expected a tuple of length 2 or 3"),
    (lambda: image.extract_patches(torch.rand(8, 8, 1), 2, padding="full"), ValueError,
     "Received: padding=full"),
    (lambda: image.sobel_edges(torch.rand(8, 8, 1)), ValueError,
     "expected rank 4 (batch of images)"),
    (lambda: image.scale_and_translate(torch.rand(4, 4), (8, 8), [2.0, 2.0], [0.0, 0.0], (0, 1),
                                       "area"), ValueError, "Received: method=area"),
    (lambda: image.ssim(torch.rand(4, 4), torch.rand(4, 4)), ValueError, "image1.shape=(4, 4)"),
    (lambda: image.elastic_transform(torch.rand(4, 4, 1), data_format="nhwc"), ValueError,
     "data_format"),
])
def test_bad_arguments_raise_keras_errors(call, error, message):
    with pytest.raises(error) as caught:
        call()
    assert message in str(caught.value)
