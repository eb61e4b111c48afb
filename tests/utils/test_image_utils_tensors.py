"""array_to_img / save_img / img_to_array on tensors that require grad (a model's output).

`out = model(x)`, then `array_to_img(out[0])`: the slice is a plain tensor requiring grad,
which NumPy cannot read without a detach. Pixel values are Keras 3.15's (JAX backend) for
the same array.
"""
import io

import numpy as np
import pytest
import torch
from PIL import Image

import lamina as keras

IMAGE = np.array([[[-1.0, 0.0, 0.5], [1.0, 2.0, 3.0]],
                  [[0.25, -0.5, 1.5], [2.5, 0.1, -0.2]]], dtype=np.float32)
KERAS_PIXELS = [[[0, 63, 95], [127, 191, 255]], [[79, 31, 159], [223, 70, 51]]]


def _requiring_grad(array):
    return torch.tensor(array, requires_grad=True) * 1.0  # a non-leaf, as a layer's output


def test_array_to_img_of_a_tensor_requiring_grad_matches_keras():
    image = keras.utils.array_to_img(_requiring_grad(IMAGE))
    assert np.asarray(image).tolist() == KERAS_PIXELS
    unscaled = keras.utils.array_to_img(_requiring_grad(IMAGE), scale=False)
    assert unscaled.getpixel((1, 1)) == (2, 0, 0)


def test_save_img_of_a_model_output_slice():
    model = keras.Sequential([keras.Input((2, 2, 3)), keras.layers.Conv2D(3, 1)])
    out = model(IMAGE[None])
    assert out[0].requires_grad
    buffer = io.BytesIO()
    keras.utils.save_img(buffer, out[0], file_format="png")
    saved = np.asarray(Image.open(io.BytesIO(buffer.getvalue())))
    expected = np.asarray(keras.utils.array_to_img(out[0].detach().numpy()))
    np.testing.assert_array_equal(saved, expected)


@pytest.mark.parametrize("data_format, shape", [("channels_last", (2, 2, 3)),
                                                ("channels_first", (3, 2, 2))])
def test_img_to_array_of_a_tensor_requiring_grad(data_format, shape):
    array = keras.utils.img_to_array(_requiring_grad(IMAGE), data_format=data_format)
    assert isinstance(array, np.ndarray) and array.dtype == np.float32 and array.shape == shape
    expected = IMAGE if data_format == "channels_last" else IMAGE.transpose(2, 0, 1)
    np.testing.assert_array_equal(array, expected)
