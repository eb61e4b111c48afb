"""load_img / img_to_array / array_to_img / save_img / smart_resize, and the resize they use."""
import io
import os
import stat
import warnings

import numpy as np
import pytest
import torch
from PIL import Image

import lamina as keras
from lamina.ops.image import resize


def bilinear_reference(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Half-pixel-centre bilinear resize (tf.image.resize's), in float64 NumPy."""
    def axis_weights(size_in, size_out):
        centres = (np.arange(size_out) + 0.5) * size_in / size_out - 0.5
        centres = np.clip(centres, 0, size_in - 1)
        low = np.floor(centres).astype(int)
        high = np.minimum(low + 1, size_in - 1)
        return low, high, centres - low

    rows_low, rows_high, row_frac = axis_weights(image.shape[0], height)
    cols_low, cols_high, col_frac = axis_weights(image.shape[1], width)
    image = image.astype(np.float64)
    top = image[rows_low][:, cols_low] * (1 - col_frac)[None, :, None] + \
        image[rows_low][:, cols_high] * col_frac[None, :, None]
    bottom = image[rows_high][:, cols_low] * (1 - col_frac)[None, :, None] + \
        image[rows_high][:, cols_high] * col_frac[None, :, None]
    return top * (1 - row_frac)[:, None, None] + bottom * row_frac[:, None, None]


@pytest.mark.parametrize("source, target", [((7, 9), (4, 5)), ((5, 4), (11, 13)), ((6, 6), (6, 3))])
def test_bilinear_resize_matches_a_float64_reference(source, target):
    image = np.random.default_rng(0).uniform(0, 255, source + (3,))
    resized = resize(torch.from_numpy(image[None]), target)[0].numpy()
    np.testing.assert_allclose(resized, bilinear_reference(image, *target), rtol=0, atol=1e-9)


def test_crop_and_pad_boxes_follow_keras():
    image = torch.arange(2 * 6, dtype=torch.float32).reshape(1, 2, 6, 1)
    cropped = resize(image, (2, 2), crop_to_aspect_ratio=True)
    assert cropped[0, :, :, 0].tolist() == [[2.0, 3.0], [8.0, 9.0]]  # the centre 2x2 window
    padded = resize(torch.ones(1, 2, 4, 1), (4, 4), pad_to_aspect_ratio=True)
    assert padded[0, :, :, 0].tolist() == [[0.0] * 4, [1.0] * 4, [1.0] * 4, [0.0] * 4]


def test_nearest_uses_half_pixel_centres():
    row = torch.arange(4, dtype=torch.float32).reshape(1, 1, 4, 1)
    assert resize(row, (1, 2), "nearest")[0, 0, :, 0].tolist() == [1.0, 3.0]


def test_smart_resize_keeps_the_input_kind():
    batch = np.random.default_rng(1).uniform(size=(2, 340, 500, 3)).astype("float32")
    out = keras.preprocessing.image.smart_resize(batch, (20, 20))
    assert isinstance(out, np.ndarray) and out.shape == (2, 20, 20, 3)
    single = keras.preprocessing.image.smart_resize(torch.ones(9, 3, 1), (3, 3))
    assert isinstance(single, torch.Tensor) and single.shape == (3, 3, 1)
    with pytest.raises(ValueError, match=r"Expected an image array with shape"):
        keras.preprocessing.image.smart_resize(np.zeros((4, 4)), (2, 2))


def png_bytes(array, mode=None):
    buffer = io.BytesIO()
    Image.fromarray(array, mode).save(buffer, format="png")
    buffer.seek(0)
    return buffer


def test_load_img_color_modes_and_target_size(tmp_path):
    rgb = np.random.default_rng(2).integers(0, 256, (6, 10, 3), dtype=np.uint8)
    path = tmp_path / "x.png"
    Image.fromarray(rgb).save(path)
    assert keras.utils.load_img(path).mode == "RGB"
    assert keras.utils.load_img(str(path), color_mode="grayscale").mode == "L"
    assert keras.utils.load_img(path, color_mode="rgba").mode == "RGBA"
    resized = keras.utils.load_img(path, target_size=(3, 5), interpolation="bilinear")
    expected = Image.fromarray(rgb).resize((5, 3), Image.Resampling.BILINEAR)
    np.testing.assert_array_equal(np.asarray(resized), np.asarray(expected))
    kept = keras.utils.load_img(path, target_size=(3, 3), keep_aspect_ratio=True)
    expected = Image.fromarray(rgb).resize((3, 3), Image.Resampling.NEAREST, box=(2, 0, 8, 6))
    np.testing.assert_array_equal(np.asarray(kept), np.asarray(expected))
    assert keras.utils.load_img(png_bytes(rgb)).size == (10, 6)


@pytest.mark.parametrize("call, error, message", [
    (lambda p: keras.utils.load_img(p, color_mode="cmyk"), ValueError, r'color_mode must be "grayscale", "rgb", or "rgba"'),
    (lambda p: keras.utils.load_img(p, target_size=(2, 2), interpolation="cubic"), ValueError,
     r"Invalid interpolation method cubic specified. Supported methods are nearest, bilinear"),
    (lambda p: keras.utils.load_img(42), TypeError, r"path should be path-like or io.BytesIO, not <class 'int'>"),
])
def test_load_img_refusals(call, error, message, tmp_path):
    path = tmp_path / "x.png"
    Image.fromarray(np.zeros((3, 3, 3), dtype=np.uint8)).save(path)
    with pytest.raises(error, match=message):
        call(path)


def test_img_to_array_layouts_and_dtypes():
    gray = Image.fromarray(np.arange(6, dtype=np.uint8).reshape(2, 3))
    array = keras.utils.img_to_array(gray)
    assert array.shape == (2, 3, 1) and array.dtype == np.float32 and array[1, 2, 0] == 5.0
    assert keras.utils.img_to_array(gray, data_format="channels_first").shape == (1, 2, 3)
    rgb = Image.fromarray(np.zeros((2, 3, 3), dtype=np.uint8))
    assert keras.utils.img_to_array(rgb, data_format="channels_first", dtype="uint8").dtype == np.uint8
    assert keras.utils.img_to_array(rgb, data_format="channels_first").shape == (3, 2, 3)
    with pytest.raises(ValueError, match=r'`data_format` must be "channels_last" or "channels_first"'):
        keras.utils.img_to_array(rgb, data_format="nhwc")


def test_array_to_img_scales_min_to_0_and_max_to_255():
    array = np.array([[[2.0], [4.0], [6.0]]])
    assert np.asarray(keras.utils.array_to_img(array)).ravel().tolist() == [0, 127, 255]
    assert np.asarray(keras.utils.array_to_img(array, scale=False)).ravel().tolist() == [2, 4, 6]
    assert keras.utils.array_to_img(np.zeros((2, 2, 4))).mode == "RGBA"
    assert keras.utils.array_to_img(np.full((2, 2, 1), 1000.0), scale=False).mode == "I"
    with pytest.raises(ValueError, match=r"Unsupported channel number: 2"):
        keras.utils.array_to_img(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match=r"Expected image array to have rank 3"):
        keras.utils.array_to_img(np.zeros((2, 2)))


def test_save_img_round_trips_writes_atomically_and_respects_the_umask(tmp_path):
    pixels = np.random.default_rng(3).integers(0, 256, (5, 7, 3)).astype("float32")
    target = tmp_path / "out.png"
    keras.utils.save_img(target, pixels, scale=False)
    np.testing.assert_array_equal(keras.utils.img_to_array(keras.utils.load_img(target)), pixels)
    assert os.listdir(tmp_path) == ["out.png"]  # no temporary file left behind
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    keras.utils.save_img(str(target), np.zeros((5, 7, 3)), scale=False)  # replaces it
    assert keras.utils.img_to_array(keras.utils.load_img(target)).max() == 0


def test_save_img_jpeg_drops_alpha_with_a_warning(tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        keras.utils.save_img(tmp_path / "x.jpg", np.zeros((4, 4, 4)))
    assert any("The JPEG format does not support RGBA images" in str(w.message) for w in caught)
    assert Image.open(tmp_path / "x.jpg").format == "JPEG"


def test_save_img_needs_a_format_it_can_tell(tmp_path):
    with pytest.raises(ValueError, match=r"save_img cannot tell the image format: the path has no "
                                         r"extension. Pass file_format='png'"):
        keras.utils.save_img(tmp_path / "noext", np.zeros((2, 2, 3)))
    assert os.listdir(tmp_path) == []


def test_preprocessing_image_namespace():
    assert keras.preprocessing.image.load_img is keras.utils.load_img
    assert keras.preprocessing.image.img_to_array is keras.utils.img_to_array
    assert keras.preprocessing.image.save_img is keras.utils.save_img
    assert keras.preprocessing.image.array_to_img is keras.utils.array_to_img
