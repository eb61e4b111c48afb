"""`keras.ops.image`: resizing, colour conversions, geometric warps, filters, patches and SSIM.

Geometric ops sample at pixel centres on integer coordinates, as Keras (and SciPy's
`map_coordinates`) do. Points outside an image follow `fill_mode`: "constant" (`fill_value`),
"nearest" (`a a | a b c d | d d`), "reflect" (`b a | a b c d | d c`), "mirror"
(`c b | a b c d | c b`) and "wrap" (`c d | a b c d | a b`).

Example:
    >>> from lamina import ops
    >>> ops.image.resize(torch.ones(1, 4, 4, 3), (2, 2)).shape
    torch.Size([1, 2, 2, 3])
"""
from __future__ import annotations

import functools
import itertools
import operator

import torch
import torch.nn.functional as F

from lamina import backend
from lamina.ops.core import tensor
from lamina.ops.symbolic import accept_keras_tensors
from lamina.ops.unary import as_float
from lamina.random.seed_generator import torch_generator
from lamina.utils.argument_validation import standardize_data_format

__all__ = ["RESIZE_INTERPOLATIONS", "affine_transform", "check_resize_options", "crop_images",
           "elastic_transform", "extract_patches", "extract_patches_3d", "gaussian_blur",
           "hsv_to_rgb", "map_coordinates", "pad_images", "perspective_transform", "resize",
           "resize_interpolation", "rgb_to_grayscale", "rgb_to_hsv", "scale_and_translate",
           "sobel_edges", "ssim"]

# Keras' resize methods. "bilinear" and "area" are F.interpolate's (bilinear equals JAX's and
# TensorFlow's); "nearest" is half-pixel ("nearest-exact"), as JAX and TensorFlow round;
# "bicubic" and "lanczos" resample with JAX's kernels (Keys' cubic, a = -0.5), which torch's
# bicubic (a = -0.75) is not.
RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5")
_TENSORFLOW_ONLY_INTERPOLATIONS = ("gaussian", "mitchellcubic")


def resize_interpolation(interpolation) -> str:
    """The lower-cased resize method, or a ValueError naming the ones lamina has.

    Example:
        >>> resize_interpolation("Bicubic")
        'bicubic'
    """
    method = str(interpolation).lower()
    if method in RESIZE_INTERPOLATIONS:
        return method
    if method in _TENSORFLOW_ONLY_INTERPOLATIONS:
        raise ValueError(f"interpolation={interpolation!r} is a TensorFlow-only kernel; lamina "
                         f"has {RESIZE_INTERPOLATIONS}. Received: interpolation={interpolation!r}")
    raise ValueError(f"Argument `interpolation` should be one of {RESIZE_INTERPOLATIONS}. "
                     f"Received: interpolation={interpolation!r}")


def check_resize_options(crop_to_aspect_ratio: bool, pad_to_aspect_ratio: bool,
                         fill_mode: str) -> None:
    """Raises for a crop and a pad together, or a fill other than "constant" (Keras' only).

    Example:
        >>> check_resize_options(True, False, "constant")  # one aspect-ratio fix: fine
    """
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be "
                         "`True`.")
    if fill_mode != "constant":
        raise ValueError(f"Invalid value for argument `fill_mode`. Only `'constant'` is "
                         f"supported. Received: fill_mode={fill_mode!r}")


def resize(images, size, interpolation: str = "bilinear", antialias: bool = False,
           crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False,
           fill_mode: str = "constant", fill_value: float = 0.0, data_format=None):
    """Resizes a batch `(N, H, W, C)` (or one image `(H, W, C)`) to `size = (height, width)`.

    `crop_to_aspect_ratio` first takes the largest centred window of the target aspect ratio;
    `pad_to_aspect_ratio` first pads the short side evenly with `fill_value`. Integer images
    keep their dtype (rounded and saturated). `antialias` widens the kernel when downsampling.

    Example:
        >>> resize(torch.arange(4.0).reshape(1, 2, 2, 1), (4, 4))[0, :, 0, 0]
        tensor([0.0000, 0.5000, 1.5000, 2.0000])
    """
    method = resize_interpolation(interpolation)
    check_resize_options(crop_to_aspect_ratio, pad_to_aspect_ratio, fill_mode)
    if len(size) != 2:
        raise ValueError(f"Expected `size` to be a tuple of 2 integers. Received: size={size}")
    x = tensor(images)
    if x.dim() not in (3, 4):
        raise ValueError("Invalid images rank: expected rank 3 (single image) or rank 4 (batch of "
                         f"images). Received input with shape: images.shape={tuple(x.shape)}")
    batch = x.unsqueeze(0) if x.dim() == 3 else x
    channels_first = standardize_data_format(data_format) == "channels_first"
    nhwc = batch.permute(0, 2, 3, 1) if channels_first else batch
    target = (int(size[0]), int(size[1]))
    work = nhwc if nhwc.is_floating_point() else nhwc.to(torch.float32)
    if crop_to_aspect_ratio:
        work = _crop_to_aspect_ratio(work, target)
    elif pad_to_aspect_ratio:
        work = _pad_to_aspect_ratio(work, target, float(fill_value))
    if tuple(work.shape[1:3]) != target:  # every method maps an image onto its own grid as is
        work = _resample(work, target, method, antialias)
    if not nhwc.is_floating_point():
        limits = torch.iinfo(nhwc.dtype)
        work = work.round().clamp(limits.min, limits.max).to(nhwc.dtype)
    out = work.permute(0, 3, 1, 2) if channels_first else work
    return out[0] if x.dim() == 3 else out


def _crop_to_aspect_ratio(images: torch.Tensor, target) -> torch.Tensor:
    """The largest centred `(N, h, w, C)` window of `target`'s aspect ratio (Keras' arithmetic)."""
    height, width = images.shape[1], images.shape[2]
    crop_height = max(min(height, int(float(width * target[0]) / target[1])), 1)
    crop_width = max(min(width, int(float(height * target[1]) / target[0])), 1)
    top, left = int((height - crop_height) / 2), int((width - crop_width) / 2)
    return images[:, top:top + crop_height, left:left + crop_width, :]


def _pad_to_aspect_ratio(images: torch.Tensor, target, fill_value: float) -> torch.Tensor:
    """`images` padded evenly on the short side to `target`'s aspect ratio (Keras' arithmetic)."""
    height, width = images.shape[1], images.shape[2]
    pad_height = max(height, int(float(width * target[0]) / target[1]))
    pad_width = max(width, int(float(height * target[1]) / target[0]))
    rows, cols = int((pad_height - height) / 2), int((pad_width - width) / 2)
    return F.pad(images, (0, 0, cols, cols, rows, rows), value=fill_value)


def _resample(images: torch.Tensor, target, method: str, antialias: bool) -> torch.Tensor:
    """Float `(N, H, W, C)` images resampled to `target` by `method`."""
    if method in ("bicubic", "lanczos3", "lanczos5"):
        height, width = images.shape[1], images.shape[2]
        scale = torch.tensor([target[0] / height, target[1] / width], dtype=torch.float32)
        return scale_and_translate(images, (images.shape[0], *target, images.shape[3]), scale,
                                   torch.zeros(2), (1, 2), "cubic" if method == "bicubic"
                                   else method, antialias=antialias)
    options = {"bilinear": {"mode": "bilinear", "align_corners": False, "antialias": antialias},
               "nearest": {"mode": "nearest-exact"}, "area": {"mode": "area"}}[method]
    # NHWC -> NCHW and back are views; interpolate runs on the channels_last layout.
    return F.interpolate(images.permute(0, 3, 1, 2), size=target, **options).permute(0, 2, 3, 1)


def rgb_to_grayscale(images, data_format=None) -> torch.Tensor:
    """Luminance `0.2989 R + 0.5870 G + 0.1140 B`, keeping a channel axis of size 1.

    Grayscale images (one channel) are returned as they are, as in Keras.

    Example:
        >>> rgb_to_grayscale(torch.ones(1, 2, 2, 3)).shape
        torch.Size([1, 2, 2, 1])
    """
    x = as_float(images)
    axis = _channel_axis(data_format)
    if x.dim() in (3, 4) and x.shape[axis] == 1:
        return x
    if x.dim() not in (3, 4) or x.shape[axis] != 3:
        raise ValueError("Invalid channel size: expected 3 (RGB) or 1 (Grayscale), in an image "
                         "of rank 3 or a batch of rank 4. Received input with shape: "
                         f"images.shape={tuple(x.shape)}")
    weights = torch.tensor([0.2989, 0.5870, 0.1140], dtype=x.dtype, device=x.device)
    shape = [1] * x.dim()
    shape[axis] = 3
    return (x * weights.reshape(shape)).sum(dim=axis, keepdim=True)


def _channel_axis(data_format) -> int:
    return -1 if (data_format or backend.image_data_format()) == "channels_last" else -3


def _float_images(images, name: str) -> torch.Tensor:
    x = tensor(images)
    if x.dim() not in (3, 4):
        raise ValueError("Invalid images rank: expected rank 3 (single image) or rank 4 (batch of "
                         f"images). Received input with shape: images.shape={tuple(x.shape)}")
    if not x.is_floating_point():
        raise ValueError(f"Invalid images dtype: expected float dtype. Received: "
                         f"images.dtype={str(x.dtype).replace('torch.', '')} (in {name}; "
                         f"cast with ops.cast(images, 'float32')).")
    return x


def rgb_to_hsv(images, data_format=None) -> torch.Tensor:
    """RGB to hue, saturation, value, each in [0, 1] for RGB in [0, 1] (Keras' formulas).

    Example:
        >>> rgb_to_hsv(torch.tensor([[[[1.0, 0.0, 0.0], [0.0, 0.5, 0.5]]]]))[0, 0]
        tensor([[0.0000, 1.0000, 1.0000],
                [0.5000, 1.0000, 0.5000]])
    """
    x = _float_images(images, "rgb_to_hsv")
    axis = _channel_axis(data_format)
    x = torch.where(x.abs() < torch.finfo(x.dtype).eps, torch.zeros_like(x), x)
    red, green, blue = x.unbind(dim=axis)
    value = torch.maximum(torch.maximum(red, green), blue)
    spread = value - torch.minimum(torch.minimum(red, green), blue)
    saturation = torch.where(value > 0, spread / torch.where(value > 0, value, 1.0), 0.0)
    norm = 1.0 / (6.0 * torch.where(spread > 0, spread, 1.0))
    hue = torch.where(value == green, norm * (blue - red) + 2.0 / 6.0,
                      norm * (red - green) + 4.0 / 6.0)
    hue = torch.where(value == red, norm * (green - blue), hue)
    hue = torch.where(spread > 0, hue, 0.0) + (hue < 0.0).to(hue.dtype)
    return torch.stack([hue, saturation, value], dim=axis)


def hsv_to_rgb(images, data_format=None) -> torch.Tensor:
    """Hue, saturation, value (hue taken modulo 1) back to RGB, as Keras computes it.

    Example:
        >>> hsv_to_rgb(torch.tensor([[[[0.0, 1.0, 1.0], [0.5, 1.0, 0.5]]]]))[0, 0]
        tensor([[1.0000, 0.0000, 0.0000],
                [0.0000, 0.5000, 0.5000]])
    """
    x = _float_images(images, "hsv_to_rgb")
    axis = _channel_axis(data_format)
    hue, saturation, value = x.unbind(dim=axis)
    sector = torch.remainder(hue, 1.0) * 6.0
    red = ((sector - 3.0).abs() - 1.0).clamp(0.0, 1.0)
    green = (2.0 - (sector - 2.0).abs()).clamp(0.0, 1.0)
    blue = (2.0 - (sector - 4.0).abs()).clamp(0.0, 1.0)
    grey = 1.0 - saturation
    return torch.stack([value * (grey + saturation * red), value * (grey + saturation * green),
                        value * (grey + saturation * blue)], dim=axis)


# Geometric warps -------------------------------------------------------------------------------

_ORDERS = {"nearest": 0, "bilinear": 1}
_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")
# fill_mode -> (grid_sample padding_mode, align_corners). Reflecting about the image edges
# (align_corners=False) and clipping is SciPy's "reflect" on the neighbours' indices.
_PADDING = {"constant": ("zeros", False), "nearest": ("border", False),
            "reflect": ("reflection", False), "wrap": ("border", True)}


def _check_interpolation(interpolation) -> None:
    if interpolation not in _ORDERS:
        raise ValueError("Invalid value for argument `interpolation`. Expected of one "
                         f"{{'nearest', 'bilinear'}}. Received: interpolation={interpolation}")


def _check_fill_mode(fill_mode, expected_words: str = "Expected of one") -> None:
    if fill_mode not in _FILL_MODES:
        expected = "{" + ", ".join(repr(m) for m in _FILL_MODES) + "}"
        raise ValueError(f"Invalid value for argument `fill_mode`. {expected_words} {expected}. "
                         f"Received: fill_mode={fill_mode}")


def _check_rank(x: torch.Tensor, name: str = "images") -> None:
    if x.dim() not in (3, 4):
        raise ValueError(f"Invalid {name} rank: expected rank 3 (single image) or rank 4 (batch "
                         f"of images). Received input with shape: {name}.shape={tuple(x.shape)}")


def _to_nchw(x: torch.Tensor, data_format: str) -> torch.Tensor:
    """A batch `(N, C, H, W)` of one image or a batch, in either layout (a view)."""
    batch = x if x.dim() == 4 else x.unsqueeze(0)
    return batch.permute(0, 3, 1, 2) if data_format == "channels_last" else batch


def _from_nchw(pixels: torch.Tensor, like: torch.Tensor, data_format: str) -> torch.Tensor:
    """`pixels` `(N, C, H, W)` back to the layout and rank of `like`."""
    out = pixels.permute(0, 2, 3, 1) if data_format == "channels_last" else pixels
    return out if like.dim() == 4 else out.squeeze(0)


def _sampled_dtype(x: torch.Tensor, pixels: torch.Tensor) -> torch.Tensor:
    """Sampled values in `x`'s dtype (integers rounded, as SciPy's map_coordinates does)."""
    return pixels if x.is_floating_point() else torch.round(pixels).to(x.dtype)


def affine_transform(images, transform, interpolation: str = "bilinear",
                     fill_mode: str = "constant", fill_value=0, data_format=None):
    """Applies one transform `[a0, a1, a2, b0, b1, b2, c0, c1]` per image (or one for all).

    Each output pixel `(x, y)` (column, row) is read from the input point
    `(a0 x + a1 y + a2, b0 x + b1 y + b2)`; `c0` and `c1` are ignored, as on Keras' JAX and
    torch backends.

    Args:
        images: an image `(H, W, C)` or a batch `(N, H, W, C)` (channels_first: `(C, H, W)`,
            `(N, C, H, W)`).
        transform: `(8,)` or `(N, 8)` transform vectors.
        interpolation: "bilinear" (default) or "nearest".
        fill_mode: "constant" (default), "nearest", "wrap", "mirror" or "reflect".
        fill_value: the value outside the image for "constant".
        data_format: "channels_last" or "channels_first" (default: the global setting).

    Returns:
        The transformed images, in the input's shape and dtype.

    Example:
        >>> images = torch.arange(6.0).reshape(1, 2, 3, 1)
        >>> shift_left = torch.tensor([1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0])
        >>> affine_transform(images, shift_left)[0, :, :, 0].tolist()
        [[1.0, 2.0, 0.0], [4.0, 5.0, 0.0]]
    """
    data_format = standardize_data_format(data_format)
    _check_interpolation(interpolation)
    _check_fill_mode(fill_mode)
    x = tensor(images)
    transform = tensor(transform, x.device)
    _check_rank(x)
    if transform.dim() not in (1, 2):
        raise ValueError("Invalid transform rank: expected rank 1 (single transform) or rank 2 "
                         "(batch of transforms). Received input with shape: "
                         f"transform.shape={tuple(transform.shape)}")
    pixels = as_float(_to_nchw(x, data_format))
    batch, _, height, width = pixels.shape
    transform = transform.to(pixels.dtype).reshape(-1, 8).expand(batch, 8)
    a0, a1, a2, b0, b1, b2 = (transform[:, i, None, None] for i in range(6))
    cols, rows = _pixel_grid(height, width, pixels)
    points_x = a0 * cols + a1 * rows + a2
    points_y = b0 * cols + b1 * rows + b2
    out = _sample(pixels, points_x, points_y, interpolation, fill_mode, fill_value)
    return _from_nchw(_sampled_dtype(x, out), x, data_format)


def perspective_transform(images, start_points, end_points, interpolation: str = "bilinear",
                          fill_value=0, data_format=None):
    """Warps each image so that its `start_points` land on `end_points` (Keras' homography).

    Args:
        images: an image or a batch, as in `affine_transform`.
        start_points, end_points: `(4, 2)` or `(N, 4, 2)` corner points `(x, y)`.
        interpolation: "bilinear" (default) or "nearest".
        fill_value: the value of points mapped from outside the image.
        data_format: "channels_last" or "channels_first" (default: the global setting).

    Returns:
        The warped images, in the input's shape and dtype.

    Example:
        >>> corners = torch.tensor([[0.0, 0.0], [2.0, 0.0], [0.0, 1.0], [2.0, 1.0]])
        >>> images = torch.arange(6.0).reshape(2, 3, 1)
        >>> perspective_transform(images, corners, corners)[:, :, 0].round().tolist()
        [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    """
    data_format = standardize_data_format(data_format)
    _check_interpolation(interpolation)
    x = tensor(images)
    _check_rank(x)
    start, end = tensor(start_points, x.device), tensor(end_points, x.device)
    for name, points in (("start_points", start), ("end_points", end)):
        if tuple(points.shape[-2:]) != (4, 2) or points.dim() not in (2, 3):
            raise ValueError(f"Invalid {name} shape: expected (4,2) for a single image or "
                             f"(N,4,2) for a batch. Received shape: {tuple(points.shape)}")
    if start.shape != end.shape:
        raise ValueError("start_points and end_points must have the same shape. Received "
                         f"start_points.shape={tuple(start.shape)}, "
                         f"end_points.shape={tuple(end.shape)}")
    pixels = as_float(_to_nchw(x, data_format))
    batch, _, height, width = pixels.shape
    start = start.to(torch.float32).reshape(-1, 4, 2).expand(batch, 4, 2)
    end = end.to(torch.float32).reshape(-1, 4, 2).expand(batch, 4, 2)
    t = [c[:, None, None].to(pixels.dtype) for c in _homography(start, end).unbind(dim=1)]
    cols, rows = _pixel_grid(height, width, pixels)
    denominator = t[6] * cols + t[7] * rows + 1.0
    points_x = (t[0] * cols + t[1] * rows + t[2]) / denominator
    points_y = (t[3] * cols + t[4] * rows + t[5]) / denominator
    out = _sample(pixels, points_x, points_y, interpolation, "constant", fill_value)
    return _from_nchw(_sampled_dtype(x, out), x, data_format)


def _homography(start: torch.Tensor, end: torch.Tensor) -> torch.Tensor:
    """`(N, 8)` coefficients mapping output points `end` to input points `start`."""
    start_x, start_y = start[..., 0], start[..., 1]
    end_x, end_y = end[..., 0], end[..., 1]
    zeros, ones = torch.zeros_like(end_x), torch.ones_like(end_x)
    x_rows = torch.stack([end_x, end_y, ones, zeros, zeros, zeros, -start_x * end_x,
                          -start_x * end_y], dim=-1)
    y_rows = torch.stack([zeros, zeros, zeros, end_x, end_y, ones, -start_y * end_x,
                          -start_y * end_y], dim=-1)
    coefficients = torch.cat([x_rows, y_rows], dim=1)
    targets = torch.cat([start_x, start_y], dim=-1).unsqueeze(-1)
    # solve_ex: no host read of the error flag, unlike linalg.solve on CUDA.
    return torch.linalg.solve_ex(coefficients, targets)[0].squeeze(-1)


def _pixel_grid(height: int, width: int, like: torch.Tensor):
    """Column and row indices broadcastable to `(N, H, W)`."""
    rows = torch.arange(height, device=like.device, dtype=like.dtype)[None, :, None]
    cols = torch.arange(width, device=like.device, dtype=like.dtype)[None, None, :]
    return cols, rows


def _sample(pixels: torch.Tensor, x: torch.Tensor, y: torch.Tensor, interpolation: str,
            fill_mode: str, fill_value) -> torch.Tensor:
    """`pixels` `(N, C, H, W)` read at the input points `(x, y)` `(N, H', W')`."""
    if fill_mode == "mirror" or interpolation == "nearest":
        # Gathers at exactly rounded points: grid_sample rounds ties (x.5) to even, after a
        # [-1, 1] round trip, where Keras rounds them away from zero.
        return _interpolate(pixels, [y[:, None], x[:, None]], _ORDERS[interpolation],
                            fill_mode, fill_value)
    height, width = pixels.shape[-2:]
    padding_mode, align_corners = _PADDING[fill_mode]
    if fill_mode == "wrap":
        # One wrapped pixel on each side, and coordinates wrapped into [1, size + 1): the
        # neighbours of every point are then the wrapped ones.
        pixels = F.pad(pixels, (1, 1, 1, 1), mode="circular")
        x, y = torch.remainder(x, width) + 1, torch.remainder(y, height) + 1
        height, width = height + 2, width + 2
    grid = torch.stack([_normalize(x, width, align_corners), _normalize(y, height, align_corners)],
                       dim=-1)
    mode = "nearest" if interpolation == "nearest" else "bilinear"
    outputs = F.grid_sample(pixels, grid, mode=mode, padding_mode=padding_mode,
                            align_corners=align_corners)
    if fill_mode == "constant" and fill_value != 0:
        inside = F.grid_sample(torch.ones_like(pixels[:, :1]), grid, mode=mode,
                               padding_mode="zeros", align_corners=align_corners)
        outputs = outputs + fill_value * (1.0 - inside)
    return outputs


def _normalize(coordinate: torch.Tensor, size: int, align_corners: bool) -> torch.Tensor:
    """Pixel coordinates -> grid_sample's [-1, 1] (pixel centres at -1 and 1, or edges there)."""
    if align_corners:
        return coordinate * (2.0 / max(size - 1, 1)) - 1.0
    return (2.0 * coordinate + 1.0) / size - 1.0


def _mirror_index(index: torch.Tensor, size: int) -> torch.Tensor:
    period = max(2 * (size - 1), 1)
    return torch.abs(torch.remainder(index + size - 1, period) - (size - 1))


def _reflect_index(index: torch.Tensor, size: int) -> torch.Tensor:
    return torch.div(_mirror_index(2 * index + 1, 2 * size + 1) - 1, 2, rounding_mode="floor")


_INDEX_FIXERS = {"constant": lambda index, size: index.clamp(0, size - 1),
                 "nearest": lambda index, size: index.clamp(0, size - 1),
                 "wrap": lambda index, size: torch.remainder(index, size),
                 "mirror": _mirror_index, "reflect": _reflect_index}


def _round_half_away(x: torch.Tensor) -> torch.Tensor:
    """Rounds ties away from zero, as JAX's map_coordinates (torch.round rounds to even)."""
    if not x.is_floating_point():
        return x
    whole = torch.trunc(x)
    return whole + torch.where((x - whole).abs() >= 0.5, torch.sign(x), 0.0)


def _nodes(coordinate: torch.Tensor, order: int):
    """The `(index, weight)` pairs of one axis: the nearest index, or the two linear ones."""
    if order == 0:
        return [(_round_half_away(coordinate).to(torch.int64), None)]
    lower = torch.floor(coordinate)
    upper_weight = coordinate - lower
    index = lower.to(torch.int64)
    return [(index, 1.0 - upper_weight), (index + 1, upper_weight)]


def _interpolate(inputs: torch.Tensor, coordinates, order: int, fill_mode: str,
                 fill_value) -> torch.Tensor:
    """`inputs` read at `coordinates`, one per trailing axis, by gathering the neighbours.

    Leading axes of `inputs` not named by a coordinate are kept: each coordinate has their
    rank first (size 1 to broadcast), then the output's axes.
    """
    lead = inputs.dim() - len(coordinates)
    out_rank = coordinates[0].dim() - lead
    lead_index = [torch.arange(size, device=inputs.device).reshape(
        [size if axis == i else 1 for axis in range(lead)] + [1] * out_rank)
        for i, size in enumerate(inputs.shape[:lead])]
    fixer = _INDEX_FIXERS[fill_mode]
    axes = []
    for coordinate, size in zip(coordinates, inputs.shape[lead:]):
        axes.append([(fixer(index, size), (index >= 0) & (index < size), weight)
                     for index, weight in _nodes(coordinate, order)])
    result = None
    for corner in itertools.product(*axes):
        indices, valid, weights = zip(*corner)
        value = inputs[(*lead_index, *indices)]
        if fill_mode == "constant":
            inside = functools.reduce(operator.and_, valid)
            value = torch.where(inside, value, torch.as_tensor(fill_value, dtype=value.dtype,
                                                               device=value.device))
        present = [w for w in weights if w is not None]
        if present:
            value = functools.reduce(operator.mul, present) * value
        result = value if result is None else result + value
    return result


def map_coordinates(inputs, coordinates, order: int, fill_mode: str = "constant",
                    fill_value=0):
    """Reads `inputs` at `coordinates` (one array per axis) by spline interpolation.

    Args:
        inputs: an array of any rank.
        coordinates: `(inputs.ndim, ...)` coordinates (an array, or a list of arrays).
        order: 0 (nearest) or 1 (linear).
        fill_mode: "constant" (default), "nearest", "wrap", "mirror" or "reflect".
        fill_value: the value outside `inputs` for "constant".

    Returns:
        An array of the coordinates' shape (less the first axis), in `inputs`' dtype.

    Example:
        >>> map_coordinates(torch.tensor([0.0, 10.0, 20.0]), [torch.tensor([0.5, 2.5])], 1)
        tensor([ 5., 10.])
    """
    x = tensor(inputs)
    if isinstance(coordinates, (list, tuple)):
        coordinates = [tensor(c, x.device) for c in coordinates]
        shape = (len(coordinates), *(coordinates[0].shape if coordinates else ()))
    else:
        coordinates = tensor(coordinates, x.device)
        shape = tuple(coordinates.shape)
        coordinates = list(coordinates.unbind(0)) if coordinates.dim() else []
    if shape[0] != x.dim():
        raise ValueError("First dim of `coordinates` must be the same as the rank of `inputs`. "
                         f"Received inputs with shape: {tuple(x.shape)} and coordinate leading "
                         f"dim of {shape[0]}")
    if len(shape) < 2:
        raise ValueError("Invalid coordinates rank: expected at least rank 2. Received input "
                         f"with shape: {shape}")
    _check_fill_mode(fill_mode, "Expected one of")
    if order not in (0, 1):
        raise ValueError("Invalid value for argument `order`. Expected one of [0, 1]. "
                         f"Received: order={order}")
    coordinates = torch.broadcast_tensors(*coordinates)
    out = _interpolate(x, coordinates, order, fill_mode, fill_value)
    if not x.is_floating_point() and out.is_floating_point():
        out = torch.round(out)
    return out.to(x.dtype)


def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation: str = "bilinear",
                      fill_mode: str = "reflect", fill_value=0.0, seed=None, data_format=None):
    """Displaces every pixel by a smoothed random field (Simard et al., 2003).

    Each image draws two fields of N(0, sigma²) noise, blurs them with a Gaussian of standard
    deviation `sigma` (kernel size `int(6 sigma) | 1`) and reads the image at
    `(row + alpha dy, column + alpha dx)`. `alpha=0` leaves the images as they are. The two
    fields are independent draws (Keras' JAX backend draws both from one seed, so there
    `dx == dy`, and its torch backend ignores the seed); the same seed repeats them.

    Args:
        images: an image or a batch, as in `affine_transform`.
        alpha: the displacement's scale.
        sigma: the smoothing's standard deviation.
        interpolation: "bilinear" (default) or "nearest".
        fill_mode: "reflect" (default), "constant", "nearest", "wrap" or "mirror".
        fill_value: the value outside the image for "constant".
        seed: an int (the same field every call), a `keras.random.SeedGenerator`, or None.
        data_format: "channels_last" or "channels_first" (default: the global setting).

    Returns:
        The deformed images, in the input's shape and dtype.

    Example:
        >>> images = torch.rand(2, 8, 8, 3)
        >>> torch.equal(elastic_transform(images, alpha=0.0, seed=1), images)
        True
    """
    data_format = standardize_data_format(data_format)
    _check_interpolation(interpolation)
    _check_fill_mode(fill_mode)
    x = tensor(images)
    _check_rank(x)
    pixels = _to_nchw(x, data_format)
    generator = torch_generator(seed, pixels.device)
    out = elastic_deform(pixels, float(alpha), float(sigma), interpolation, fill_mode,
                         fill_value, generator)
    return _from_nchw(out, x, data_format)


def elastic_deform(pixels: torch.Tensor, alpha: float, sigma: float, interpolation: str,
                   fill_mode: str, fill_value, generator) -> torch.Tensor:
    """`elastic_transform` of a batch `(N, C, H, W)`, its fields drawn from `generator`."""
    batch, _, height, width = pixels.shape
    dtype = pixels.dtype if pixels.is_floating_point() else torch.float32
    noise = torch.randn((2 * batch, 1, height, width), generator=generator, dtype=dtype,
                        device=pixels.device) * sigma
    size = int(6 * sigma) | 1
    fields = _blur(noise, (size, size), (sigma, sigma)).reshape(2, batch, 1, height, width)
    rows = torch.arange(height, device=pixels.device, dtype=dtype)[:, None]
    cols = torch.arange(width, device=pixels.device, dtype=dtype)[None, :]
    points_y, points_x = rows + alpha * fields[1], cols + alpha * fields[0]
    out = _interpolate(as_float(pixels), [points_y, points_x], _ORDERS[interpolation],
                       fill_mode, fill_value)
    return _sampled_dtype(pixels, out)


# Cropping, padding and patches ------------------------------------------------------------------

def _exactly_two(names, values) -> None:
    if list(values).count(None) != 1:
        received = ", ".join(f"{n}={v}" for n, v in zip(names, values))
        raise ValueError(f"Must specify exactly two of {', '.join(names)}. Received: {received}")


def _non_negative(**values) -> None:
    for name, value in values.items():
        if value is not None and value < 0:
            raise ValueError(f"{name} must be >= 0. Received: {name}={value}")


def _image_size(x: torch.Tensor, data_format: str):
    return (x.shape[-3], x.shape[-2]) if data_format == "channels_last" else x.shape[-2:]


def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None,
               right_padding=None, target_height=None, target_width=None, data_format=None):
    """Pads images with zeros: two of (top, bottom, target_height) and of (left, right,
    target_width) given, the third inferred.

    Example:
        >>> pad_images(torch.ones(2, 3, 1), 1, 0, target_height=5, target_width=4).shape
        torch.Size([5, 4, 1])
    """
    data_format = standardize_data_format(data_format)
    x = tensor(images)
    if x.dim() not in (3, 4):
        raise ValueError("Invalid images rank: expected rank 3 (single image) or rank 4 (batch "
                         f"of images). Received: images.shape={tuple(x.shape)}")
    _exactly_two(("top_padding", "bottom_padding", "target_height"),
                 (top_padding, bottom_padding, target_height))
    _exactly_two(("left_padding", "right_padding", "target_width"),
                 (left_padding, right_padding, target_width))
    _non_negative(top_padding=top_padding, bottom_padding=bottom_padding,
                  target_height=target_height, left_padding=left_padding,
                  right_padding=right_padding, target_width=target_width)
    height, width = _image_size(x, data_format)
    if top_padding is None:
        top_padding = target_height - bottom_padding - height
    if bottom_padding is None:
        bottom_padding = target_height - top_padding - height
    if left_padding is None:
        left_padding = target_width - right_padding - width
    if right_padding is None:
        right_padding = target_width - left_padding - width
    _non_negative(top_padding=top_padding, left_padding=left_padding,
                  right_padding=right_padding, bottom_padding=bottom_padding)
    pads = (left_padding, right_padding, top_padding, bottom_padding)
    return F.pad(x, (0, 0, *pads) if data_format == "channels_last" else pads)


def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None,
                right_cropping=None, target_height=None, target_width=None, data_format=None):
    """Crops images: two of (top, bottom, target_height) and of (left, right, target_width)
    given, the third inferred.

    Example:
        >>> crop_images(torch.ones(4, 5, 1), 1, 1, target_height=2, target_width=3).shape
        torch.Size([2, 3, 1])
    """
    data_format = standardize_data_format(data_format)
    x = tensor(images)
    if x.dim() not in (3, 4):
        raise ValueError("Invalid images rank: expected rank 3 (single image) or rank 4 (batch "
                         f"of images). Received: images.shape={tuple(x.shape)}")
    _exactly_two(("top_cropping", "bottom_cropping", "target_height"),
                 (top_cropping, bottom_cropping, target_height))
    _exactly_two(("left_cropping", "right_cropping", "target_width"),
                 (left_cropping, right_cropping, target_width))
    _non_negative(top_cropping=top_cropping, bottom_cropping=bottom_cropping,
                  target_height=target_height, left_cropping=left_cropping,
                  right_cropping=right_cropping, target_width=target_width)
    height, width = _image_size(x, data_format)
    if top_cropping is None:
        top_cropping = height - target_height - bottom_cropping
    if target_height is None:
        target_height = height - bottom_cropping - top_cropping
    if left_cropping is None:
        left_cropping = width - target_width - right_cropping
    if target_width is None:
        target_width = width - right_cropping - left_cropping
    _non_negative(top_cropping=top_cropping, target_height=target_height,
                  left_cropping=left_cropping, target_width=target_width)
    rows = slice(top_cropping, top_cropping + target_height)
    cols = slice(left_cropping, left_cropping + target_width)
    return x[..., rows, cols, :] if data_format == "channels_last" else x[..., rows, cols]


def _tuple(value, rank: int, name: str) -> tuple:
    values = (value,) * rank if isinstance(value, int) else tuple(value)
    if len(values) != rank:
        raise ValueError(f"Invalid `{name}` argument. Expected an int or a tuple of length "
                         f"{rank}. Received: {name}={value}")
    return values


def _patches(x: torch.Tensor, size, strides, dilation_rate, padding: str,
             data_format: str) -> torch.Tensor:
    """Patches of a batch with `len(size)` spatial axes, flattened as Keras' identity
    convolution orders them: patch position first, channel last."""
    rank = len(size)
    if padding not in ("valid", "same"):
        raise ValueError("Invalid `padding` argument. Expected 'valid' or 'same'. "
                         f"Received: padding={padding}")
    strides = _tuple(strides, rank, "strides")
    dilation = _tuple(dilation_rate, rank, "dilation_rate")
    volume = x if data_format == "channels_first" else x.movedim(-1, 1)
    spans = [d * (k - 1) + 1 for k, d in zip(size, dilation)]
    if padding == "same":
        pads = []
        for length, stride, span in zip(volume.shape[2:], strides, spans):
            total = max((-(-length // stride) - 1) * stride + span - length, 0)
            pads.append((total // 2, total - total // 2))
        volume = F.pad(volume, [p for pair in reversed(pads) for p in pair])
    for axis, (span, stride) in enumerate(zip(spans, strides)):
        volume = volume.unfold(2 + axis, span, stride)
    volume = volume[(..., *(slice(None, None, d) for d in dilation))]
    # (N, C, *out, *size) -> (N, *out, *size, C) -> (N, *out, prod(size) * C)
    volume = volume.movedim(1, -1)
    patches = volume.reshape(*volume.shape[:1 + rank], -1)
    return patches if data_format == "channels_last" else patches.movedim(-1, 1)


def extract_patches(images, size, strides=None, dilation_rate=1, padding: str = "valid",
                    data_format=None):
    """Extracts patches: `size` an int or `(h, w)` for images, `(d, h, w)` for volumes.

    Each patch is flattened (rows, then columns, then channels) on the last axis
    (channels_last) or the channel axis (channels_first), as Keras' identity convolution.

    Args:
        images: `(H, W, C)` / `(N, H, W, C)` images, or `(D, H, W, C)` / `(N, D, H, W, C)`
            volumes for a 3-tuple `size`.
        size: the patch size.
        strides: the step between patches (default: `size`, non-overlapping patches).
        dilation_rate: the step between a patch's samples.
        padding: "valid" (default) or "same".
        data_format: "channels_last" or "channels_first" (default: the global setting).

    Returns:
        `(..., rows, cols, h * w * C)` patches (channels_first: `(..., h * w * C, rows, cols)`).

    Example:
        >>> extract_patches(torch.rand(2, 20, 20, 3), 5).shape
        torch.Size([2, 4, 4, 75])
    """
    if not isinstance(size, int):
        if not isinstance(size, (tuple, list)):
            raise TypeError("Invalid `size` argument. Expected an int or a tuple. "
                            f"Received: size={size} of type {type(size).__name__}")
        if len(size) not in (2, 3):
            raise ValueError("Invalid `size` argument. Expected a tuple of length 2 or 3. "
                             f"Received: size={size} with length {len(size)}")
    if not isinstance(size, int) and len(size) == 3:
        return extract_patches_3d(images, size, strides, dilation_rate, padding, data_format)
    size = _tuple(size, 2, "size")
    return _extract(images, size, strides or size, dilation_rate, padding, data_format)


def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding: str = "valid",
                       data_format=None):
    """Extracts `(d, h, w)` patches from a volume `(D, H, W, C)` or a batch of them.

    Example:
        >>> extract_patches_3d(torch.rand(2, 10, 10, 10, 3), 3).shape
        torch.Size([2, 3, 3, 3, 81])
    """
    size = _tuple(size, 3, "size")
    return _extract(volumes, size, size if strides is None else strides, dilation_rate,
                    padding, data_format)


def _extract(images, size, strides, dilation_rate, padding, data_format) -> torch.Tensor:
    data_format = standardize_data_format(data_format)
    x = tensor(images)
    rank = len(size)
    if x.dim() not in (rank + 1, rank + 2):
        raise ValueError(f"Invalid images rank: expected rank {rank + 1} (unbatched) or "
                         f"{rank + 2} (batched) for patches of size {size}. Received input "
                         f"with shape: images.shape={tuple(x.shape)}")
    unbatched = x.dim() == rank + 1
    patches = _patches(x.unsqueeze(0) if unbatched else x, size, strides, dilation_rate,
                       padding, data_format)
    return patches.squeeze(0) if unbatched else patches


# Filters and similarity -------------------------------------------------------------------------

def _gaussian_1d(size: int, sigma, dtype, device) -> torch.Tensor:
    x = torch.arange(size, dtype=dtype, device=device) - (size - 1) / 2
    kernel = torch.exp(-0.5 * (x / sigma) ** 2)
    return kernel / kernel.sum()


def _same_pads(kernel_height: int, kernel_width: int) -> tuple:
    """F.pad's (left, right, top, bottom) of a stride-1 "same" convolution (XLA's split)."""
    return ((kernel_width - 1) // 2, kernel_width // 2, (kernel_height - 1) // 2,
            kernel_height // 2)


def _depthwise(pixels: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """Every channel of `(N, C, H, W)` correlated with the 2D `kernel`, zero-padded "same"."""
    channels = pixels.shape[1]
    padded = F.pad(pixels, _same_pads(*kernel.shape))
    return F.conv2d(padded, kernel.expand(channels, 1, *kernel.shape), groups=channels)


def _blur(pixels: torch.Tensor, kernel_size, sigma) -> torch.Tensor:
    sigma = torch.as_tensor(sigma, dtype=pixels.dtype, device=pixels.device).reshape(-1)
    # Keras' kernel: rows from kernel_size[1] and sigma[1], columns from kernel_size[0].
    columns = _gaussian_1d(kernel_size[0], sigma[0], pixels.dtype, pixels.device)
    rows = _gaussian_1d(kernel_size[1], sigma[-1], pixels.dtype, pixels.device)
    return _depthwise(pixels, torch.outer(rows, columns))


def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Blurs images with a Gaussian kernel, zero-padded at the borders.

    Args:
        images: an image or a batch, as in `affine_transform`.
        kernel_size: the kernel's size, `(kx, ky)`, or one int for both.
        sigma: its standard deviations `(sx, sy)`, or one number for both.
        data_format: "channels_last" or "channels_first" (default: the global setting).

    Returns:
        The blurred images, in the input's shape.

    Example:
        >>> gaussian_blur(torch.ones(1, 5, 5, 1))[0, 2, 2, 0].item()
        1.0
    """
    data_format = standardize_data_format(data_format)
    x = tensor(images)
    _check_rank(x)
    kernel_size = _tuple(kernel_size, 2, "kernel_size")
    sigma = (sigma, sigma) if isinstance(sigma, (int, float)) else sigma
    pixels = as_float(_to_nchw(x, data_format))
    return _from_nchw(_blur(pixels, kernel_size, sigma), x, data_format)


def sobel_edges(images, data_format=None):
    """Sobel gradients of every channel: `(..., 2)` holding `[dy, dx]`.

    Args:
        images: a batch `(N, H, W, C)` (channels_first: `(N, C, H, W)`).
        data_format: "channels_last" or "channels_first" (default: the global setting).

    Returns:
        `(N, H, W, C, 2)` (channels_first: `(N, C, H, W, 2)`).

    Example:
        >>> ramp = torch.arange(4.0).repeat(4, 1).reshape(1, 4, 4, 1)
        >>> sobel_edges(ramp)[0, 1, 1, 0].tolist()
        [0.0, 8.0]
    """
    data_format = standardize_data_format(data_format)
    x = as_float(images)
    if x.dim() != 4:
        raise ValueError("Invalid images rank: expected rank 4 (batch of images). "
                         f"Received: images.shape={list(x.shape)}")
    pixels = _to_nchw(x, data_format)
    sobel_x = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]],
                           dtype=x.dtype, device=x.device)
    edges = torch.stack([_depthwise(pixels, sobel_x.T), _depthwise(pixels, sobel_x)], dim=-1)
    return edges.permute(0, 2, 3, 1, 4) if data_format == "channels_last" else edges


def ssim(image1, image2, max_val=1.0, filter_size: int = 11, filter_sigma=1.5, k1=0.01,
         k2=0.03, data_format=None):
    """Structural similarity of two images (or batches), averaged over pixels and channels.

    Local means, variances and the covariance come from a `filter_size` Gaussian window
    ("valid": no padding) (Wang et al., 2004).

    Args:
        image1, image2: images or batches of the same shape.
        max_val: the images' dynamic range (1.0 for [0, 1], 255.0 for [0, 255]).
        filter_size: the Gaussian window's size.
        filter_sigma: its standard deviation.
        k1, k2: the stabilising constants.
        data_format: "channels_last" or "channels_first" (default: the global setting).

    Returns:
        One value per image pair `(N,)`, or a scalar for single images, in image1's dtype.

    Example:
        >>> images = torch.rand(2, 16, 16, 3)
        >>> ssim(images, images).tolist()
        [1.0, 1.0]
    """
    data_format = standardize_data_format(data_format)
    first, second = tensor(image1), tensor(image2)
    _check_rank(first, "image1")
    _check_rank(second, "image2")
    dtype = first.dtype
    pixels1 = as_float(_to_nchw(first, data_format))
    pixels2 = as_float(_to_nchw(second, data_format)).to(pixels1.dtype)
    window = _gaussian_1d(filter_size, filter_sigma, pixels1.dtype, pixels1.device)
    kernel = torch.outer(window, window)[None, None]
    batch, channels, height, width = pixels1.shape

    def local_mean(values):
        return F.conv2d(values.reshape(-1, 1, height, width), kernel)

    mu1, mu2 = local_mean(pixels1), local_mean(pixels2)
    sigma1 = local_mean(pixels1 * pixels1) - mu1 * mu1
    sigma2 = local_mean(pixels2 * pixels2) - mu2 * mu2
    sigma12 = local_mean(pixels1 * pixels2) - mu1 * mu2
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    ssim_map = ((2.0 * mu1 * mu2 + c1) * (2.0 * sigma12 + c2)
                / ((mu1 * mu1 + mu2 * mu2 + c1) * (sigma1 + sigma2 + c2)))
    values = ssim_map.mean(dim=(1, 2, 3)).reshape(batch, channels).mean(dim=-1)
    return (values if first.dim() == 4 else values[0]).to(dtype)


# Resampling -------------------------------------------------------------------------------------

_SCALE_METHODS = ("linear", "bilinear", "trilinear", "cubic", "bicubic", "tricubic",
                  "lanczos3", "lanczos5")


def _triangle(x: torch.Tensor) -> torch.Tensor:
    return torch.clamp(1.0 - x.abs(), min=0.0)


def _keys_cubic(x: torch.Tensor) -> torch.Tensor:
    out = ((1.5 * x - 2.5) * x) * x + 1.0
    out = torch.where(x >= 1.0, ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0, out)
    return torch.where(x >= 2.0, 0.0, out)


def _lanczos(radius: float, x: torch.Tensor) -> torch.Tensor:
    y = radius * torch.sin(torch.pi * x) * torch.sin(torch.pi * x / radius)
    out = torch.where(x > 1e-3, y / torch.where(x != 0, torch.pi ** 2 * x ** 2, 1.0), 1.0)
    return torch.where(x > radius, 0.0, out)


_KERNELS = {"linear": _triangle, "cubic": _keys_cubic,
            "lanczos3": functools.partial(_lanczos, 3.0),
            "lanczos5": functools.partial(_lanczos, 5.0)}


def _weights(input_size: int, output_size: int, scale, translation, kernel,
             antialias: bool) -> torch.Tensor:
    """`(input_size, output_size)` resampling weights of one axis (JAX's scale_and_translate)."""
    inverse = 1.0 / scale
    kernel_scale = torch.clamp(inverse, min=1.0) if antialias else 1.0
    samples = ((torch.arange(output_size, dtype=scale.dtype, device=scale.device) + 0.5)
               * inverse - translation * inverse - 0.5)
    positions = torch.arange(input_size, dtype=scale.dtype, device=scale.device)[:, None]
    weights = kernel((samples[None, :] - positions).abs() / kernel_scale)
    total = weights.sum(dim=0, keepdim=True)
    weights = torch.where(total.abs() > 1000.0 * torch.finfo(torch.float32).eps,
                          weights / torch.where(total != 0, total, 1.0), 0.0)
    inside = (samples >= -0.5) & (samples <= input_size - 0.5)
    return torch.where(inside[None, :], weights, 0.0)


def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method: str,
                        antialias: bool = True):
    """Resamples `images` to `output_shape`: input point `(x - t) / s` for output `x`.

    Pixel centres sit at half-integers; output points that map outside the input are 0.
    `method`: "linear" / "bilinear" / "trilinear", "cubic" / "bicubic" / "tricubic" (Keys),
    "lanczos3" or "lanczos5". `antialias` widens the kernel when downsampling.

    Example:
        >>> x = torch.arange(4.0).reshape(2, 2)
        >>> scale_and_translate(x, (4, 4), torch.tensor([2.0, 2.0]), torch.tensor([0.0, 0.0]),
        ...                     (0, 1), "linear")[0].tolist()
        [0.0, 0.25, 0.75, 1.0]
    """
    if method not in _SCALE_METHODS:
        expected = "{" + ", ".join(repr(m) for m in _SCALE_METHODS) + "}"
        raise ValueError(f"Invalid value for argument `method`. Expected of one {expected}. "
                         f"Received: method={method}")
    kernel = _KERNELS["linear" if "linear" in method else "cubic" if "cubic" in method
                      else method]
    x = tensor(images)
    scale = as_float(tensor(scale, x.device))
    translation = as_float(tensor(translation, x.device))
    dtype = torch.promote_types(scale.dtype, translation.dtype)
    scale, translation = scale.to(dtype), translation.to(dtype)
    out = x.to(torch.float32) if not x.is_floating_point() else x
    for i, axis in enumerate(spatial_dims):
        axis = axis % x.dim()
        weights = _weights(x.shape[axis], output_shape[axis], scale[i], translation[i], kernel,
                           antialias).to(out.dtype)
        out = torch.tensordot(out, weights, dims=([axis], [0])).movedim(-1, axis)
    if not x.is_floating_point():
        out = torch.clamp(torch.round(out), x.min(), x.max()).to(x.dtype)
    return out


# On Keras tensors (`keras.Input`), each op records a node, as the rest of `keras.ops` does.
accept_keras_tensors(globals(), __all__)
