"""Images as files, Pillow images and arrays: `load_img`, `img_to_array`, `array_to_img`,
`save_img` and `smart_resize` (Keras' names and arguments). Array resizing is
`keras.ops.image.resize`'s (half-pixel centres, as `tf.image.resize` and `jax.image.resize`).

Example:
    >>> image = array_to_img(np.zeros((4, 6, 3)), scale=False)
    >>> image.size, img_to_array(image).shape
    ((6, 4), (4, 6, 3))
"""
from __future__ import annotations

import contextlib
import io
import os
import pathlib
import secrets
import warnings

import numpy as np
import torch

from lamina import backend

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img", "smart_resize"]


def pil_image():
    """The `PIL.Image` module, or an ImportError that says how to install Pillow."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("Reading and writing images requires Pillow: pip install pillow") from None
    return Image


def smart_resize(x, size, interpolation: str = "bilinear", data_format: str = "channels_last"):
    """Resizes an image (or batch) to `size` without distortion: a centered crop, then a resize.

    Args:
        x: an image `(H, W, C)` or batch `(N, H, W, C)`, as a NumPy array or tensor.
        size: `(height, width)`.
        interpolation: "bilinear", "nearest", "bicubic" or "area".
        data_format: "channels_last" or "channels_first".

    Returns:
        The resized image(s): a NumPy array for a NumPy input, else a tensor.

    Example:
        >>> smart_resize(np.ones((340, 500, 3)), (200, 200)).shape
        (200, 200, 3)
    """
    if len(size) != 2:
        raise ValueError(f"Expected `size` to be a tuple of 2 integers, but got: {size}.")
    images = torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x)
    if images.ndim not in (3, 4):
        raise ValueError("Expected an image array with shape `(height, width, channels)`, or "
                         "`(batch_size, height, width, channels)`, but got input with incorrect "
                         f"rank, of shape {tuple(images.shape)}.")
    batch = images if images.ndim == 4 else images.unsqueeze(0)
    if data_format == "channels_first":
        batch = batch.permute(0, 2, 3, 1)
    # ops.image imports lamina.utils (argument validation), so it is imported at first use.
    from lamina.ops.image import resize

    dtype = batch.dtype if batch.is_floating_point() else torch.float32
    resized = resize(batch.to(dtype), size, interpolation, crop_to_aspect_ratio=True,
                     data_format="channels_last")
    if data_format == "channels_first":
        resized = resized.permute(0, 3, 1, 2)
    resized = resized if images.ndim == 4 else resized[0]
    return resized.numpy() if isinstance(x, np.ndarray) else resized


def load_img(path, color_mode: str = "rgb", target_size=None, interpolation: str = "nearest",
             keep_aspect_ratio: bool = False):
    """Loads an image file into a Pillow image (Keras' `keras.utils.load_img`).

    Args:
        path: a path (str, bytes, `pathlib.Path`) or an `io.BytesIO`.
        color_mode: "grayscale", "rgb" or "rgba".
        target_size: None (keep the size) or `(height, width)`.
        interpolation: Pillow's resampling: "nearest", "bilinear", "bicubic", "hamming", "box"
            or "lanczos".
        keep_aspect_ratio: crop the centre to the target aspect ratio before resizing.

    Returns:
        A `PIL.Image.Image`.

    Example:
        >>> buffer = io.BytesIO(); save_img(buffer, np.zeros((2, 3, 3)), file_format="png")
        >>> load_img(buffer, color_mode="grayscale", target_size=(4, 6)).size
        (6, 4)
    """
    Image = pil_image()
    if isinstance(path, io.BytesIO):
        path.seek(0)
        img = Image.open(path)
    elif isinstance(path, (pathlib.Path, bytes, str)):
        with open(path, "rb") as file:  # read whole, so no file handle stays open
            img = Image.open(io.BytesIO(file.read()))
    else:
        raise TypeError(f"path should be path-like or io.BytesIO, not {type(path)}")
    img = convert_color_mode(img, color_mode)
    if target_size is None:
        return img
    width_height = (int(target_size[1]), int(target_size[0]))
    if img.size == width_height:
        return img
    methods = {"nearest": Image.Resampling.NEAREST, "bilinear": Image.Resampling.BILINEAR,
               "bicubic": Image.Resampling.BICUBIC, "hamming": Image.Resampling.HAMMING,
               "box": Image.Resampling.BOX, "lanczos": Image.Resampling.LANCZOS}
    if interpolation not in methods:
        raise ValueError(f"Invalid interpolation method {interpolation} specified. Supported "
                         f"methods are {', '.join(methods)}")
    box = None
    if keep_aspect_ratio:
        width, height = img.size
        crop_height = min(height, (width * width_height[1]) // width_height[0])
        crop_width = min(width, (height * width_height[0]) // width_height[1])
        top, left = (height - crop_height) // 2, (width - crop_width) // 2
        box = (left, top, left + crop_width, top + crop_height)
    return img.resize(width_height, methods[interpolation], box=box)


def convert_color_mode(img, color_mode: str):
    """A Pillow image in Keras' color mode (16- and 32-bit grayscale stay as they are)."""
    if color_mode == "grayscale":
        return img if img.mode in ("L", "I;16", "I") else img.convert("L")
    if color_mode == "rgba":
        return img if img.mode == "RGBA" else img.convert("RGBA")
    if color_mode == "rgb":
        return img if img.mode == "RGB" else img.convert("RGB")
    raise ValueError(f'color_mode must be "grayscale", "rgb", or "rgba". Received: '
                     f"color_mode={color_mode!r}")


def img_to_array(img, data_format=None, dtype=None) -> np.ndarray:
    """A Pillow image as a 3-D NumPy array `(H, W, C)` (float32 by default).

    Example:
        >>> img_to_array(array_to_img(np.ones((2, 2, 1)), scale=False)).shape
        (2, 2, 1)
    """
    data_format = _data_format(data_format)
    array = _host_array(img, dtype or backend.floatx())
    if array.ndim == 2:
        array = array[None] if data_format == "channels_first" else array[..., None]
    elif array.ndim == 3:
        if data_format == "channels_first":
            array = array.transpose(2, 0, 1)
    else:
        raise ValueError(f"Unsupported image shape: {array.shape}")
    return array


def array_to_img(x, data_format=None, scale: bool = True, dtype=None):
    """A 3-D array `(H, W, C)` with 1, 3 or 4 channels as a Pillow image.

    Args:
        x: the image array.
        data_format: "channels_last" or "channels_first".
        scale: stretch the values to 0..255 (min to 0, max to 255) first.
        dtype: the float type to compute in (float32 by default).

    Example:
        >>> array_to_img(np.array([[[0.0], [0.5]]])).getpixel((1, 0))
        255
    """
    Image = pil_image()
    array = _host_array(x, dtype or backend.floatx())
    if array.ndim != 3:
        raise ValueError(f"Expected image array to have rank 3 (single image). Got array with "
                         f"shape: {array.shape}")
    if _data_format(data_format) == "channels_first":
        array = array.transpose(1, 2, 0)
    if scale:
        array = array - np.min(array)
        peak = np.max(array)
        if peak != 0:
            array /= peak
        array *= 255
    channels = array.shape[2]
    if channels == 4:
        return Image.fromarray(array.astype("uint8"), "RGBA")
    if channels == 3:
        return Image.fromarray(array.astype("uint8"), "RGB")
    if channels == 1:
        if np.max(array) > 255:
            return Image.fromarray(array[:, :, 0].astype("int32"), "I")
        return Image.fromarray(array[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {channels}")


def save_img(path, x, data_format=None, file_format=None, scale: bool = True, **kwargs) -> None:
    """Saves an image array to a path (written to a temporary name, then renamed) or file object.

    Args:
        path: a path, or a file object (then give `file_format`).
        x: the image array `(H, W, C)`.
        data_format: "channels_last" or "channels_first".
        file_format: e.g. "png" or "jpeg"; by default the path's extension.
        scale: stretch the values to 0..255 first.
        **kwargs: passed to `PIL.Image.Image.save` (e.g. `quality=95`).

    Example:
        >>> buffer = io.BytesIO(); save_img(buffer, np.zeros((2, 2, 3)), file_format="png")
        >>> buffer.getvalue()[:4]
        b'\\x89PNG'
    """
    is_path = isinstance(path, (str, pathlib.Path))
    if file_format is None and is_path:
        file_format = pathlib.Path(path).suffix[1:].lower()
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn("The JPEG format does not support RGBA images, converting to RGB.")
        img = img.convert("RGB")
    if not file_format:
        reason = "the path has no extension" if is_path else "a file object has no file name"
        raise ValueError(f"save_img cannot tell the image format: {reason}. Pass file_format='png' "
                         f"(or 'jpeg', 'bmp', ...). Received: path={path!r}")
    if not is_path:
        img.save(path, format=file_format, **kwargs)
        return
    target = pathlib.Path(path)
    # Beside the target so that os.replace is a same-filesystem rename: a reader sees the old
    # image or the whole new one; 0o666 lets the umask decide, as for any file the user makes.
    partial = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            img.save(out, format=file_format, **kwargs)
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
        raise


def _host_array(x, dtype) -> np.ndarray:
    """`x` (a Pillow image, an array or a tensor) as a NumPy array of `dtype`.

    A tensor is detached and copied to the host first: a model's output requires grad (a
    slice of it is a plain tensor), which NumPy's conversion refuses.

    Example:
        >>> _host_array(torch.ones(1, 1, 1, requires_grad=True), "float32").dtype
        dtype('float32')
    """
    if isinstance(x, torch.Tensor):
        x = backend.to_numpy(x)
    return np.asarray(x, dtype=dtype)


def _data_format(data_format) -> str:
    data_format = backend.image_data_format() if data_format is None else str(data_format).lower()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f'Argument `data_format` must be "channels_last" or "channels_first". '
                         f"Received: data_format={data_format!r}")
    return data_format
