"""`keras.applications.imagenet_utils`: the ImageNet preprocessing modes and label decoding.

`preprocess_input(x, mode=...)` turns RGB pixels in [0, 255] into what a pretrained network
was trained on:

| mode    | models            | what it does                                              |
|---------|-------------------|-----------------------------------------------------------|
| "caffe" | VGG16/19, ResNet  | RGB -> BGR, subtract ImageNet's mean pixel, no scaling    |
| "torch" | (DenseNet)        | scale to [0, 1], subtract ImageNet's mean, divide by std  |
| "tf"    | MobileNetV2       | scale to [-1, 1]                                          |

`decode_predictions(preds)` names the top classes of a (samples, 1000) prediction, from
Keras' class index file (downloaded once into `$LAMINA_HOME/models/`).

Example:
    >>> import numpy as np
    >>> preprocess_input(np.full((1, 2, 2, 3), 255.0), mode="tf")[0, 0, 0]
    array([1., 1., 1.])
"""
from __future__ import annotations

import json
import warnings

import numpy as np
import torch

from lamina import activations, backend, ops
from lamina.applications.downloads import fetch_keras_file
from lamina.ops.keras_tensor import KerasTensor

__all__ = ["CLASS_INDEX", "CLASS_INDEX_PATH", "correct_pad", "decode_predictions",
           "obtain_input_shape", "preprocess_input", "validate_activation"]

# The class index, `{"0": ["n01440764", "tench"], ...}`: None until decode_predictions first
# reads it. As in Keras, a program may set it itself (e.g. from a local copy of the file).
CLASS_INDEX = None
CLASS_INDEX_PATH = ("https://storage.googleapis.com/download.tensorflow.org/"
                    "data/imagenet_class_index.json")
CLASS_INDEX_HASH = "c2c37ea517e94d9795004a39431a14cb"
_MODES = ("caffe", "tf", "torch")
_CAFFE_MEAN = (103.939, 116.779, 123.68)  # BGR
_TORCH_MEAN = (0.485, 0.456, 0.406)
_TORCH_STD = (0.229, 0.224, 0.225)


def preprocess_input(x, data_format: str | None = None, mode: str = "caffe"):
    """Preprocesses a batch of images (or one image) with values in [0, 255].

    A floating NumPy array is written over, as in Keras (pass `np.copy(x)` to keep it); other
    NumPy arrays are converted to float32 first. A tensor, or a symbolic tensor of a
    functional model, gives a new tensor.

    Args:
        x: NumPy array (or nested lists), tensor or `keras.Input` tensor, 3D or 4D, with 3
            color channels.
        data_format: "channels_last" or "channels_first"; default
            `keras.backend.image_data_format()`.
        mode: "caffe", "tf" or "torch" (see the module's table).

    Returns:
        The preprocessed array or tensor, floating point.

    Raises:
        ValueError: an unknown `mode` or `data_format`.

    Example:
        >>> import numpy as np
        >>> preprocess_input(np.array([[[255.0, 0.0, 0.0]]]), mode="caffe")
        array([[[-103.939, -116.779,  131.32 ]]])
    """
    if mode not in _MODES:
        raise ValueError(f"Expected mode to be one of `caffe`, `tf` or `torch`. Received: "
                         f"mode={mode!r}")
    if data_format is None:
        data_format = backend.image_data_format()
    elif data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"Expected data_format to be one of `channels_first` or "
                         f"`channels_last`. Received: data_format={data_format!r}")
    if isinstance(x, (torch.Tensor, KerasTensor)):
        return _preprocess_tensor(x, data_format, mode)
    return _preprocess_numpy(x if isinstance(x, np.ndarray) else np.asarray(x), data_format,
                             mode)


def _preprocess_numpy(x: np.ndarray, data_format: str, mode: str) -> np.ndarray:
    # Keras' NumPy path, step for step: in place where the dtype allows, so that the numbers
    # and the side effect on the caller's array are Keras'.
    if not issubclass(x.dtype.type, np.floating):
        x = x.astype(backend.floatx(), copy=False)
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    channel_axis = _channel_axis(x.ndim, data_format)
    if mode == "torch":
        x /= 255.0
        mean, std = _TORCH_MEAN, _TORCH_STD
    else:
        x = np.flip(x, axis=channel_axis)  # RGB -> BGR, a view as in Keras
        mean, std = _CAFFE_MEAN, None
    for channel in range(3):
        index = [slice(None)] * x.ndim
        index[channel_axis] = channel
        x[tuple(index)] -= mean[channel]
        if std is not None:
            x[tuple(index)] /= std[channel]
    return x


def _preprocess_tensor(x, data_format: str, mode: str):
    floating = (x.is_floating_point() if isinstance(x, torch.Tensor)
                else str(x.dtype).startswith(("float", "bfloat")))
    if not floating:
        x = ops.cast(x, backend.floatx())
    if mode == "tf":
        return x / 127.5 - 1.0
    channel_axis = _channel_axis(len(x.shape), data_format)
    broadcast = [1] * len(x.shape)
    broadcast[channel_axis] = 3
    if mode == "torch":
        mean = ops.reshape(ops.convert_to_tensor(np.array(_TORCH_MEAN), dtype=x.dtype), broadcast)
        std = ops.reshape(ops.convert_to_tensor(np.array(_TORCH_STD), dtype=x.dtype), broadcast)
        return (x / 255.0 - mean) / std
    mean = ops.reshape(ops.convert_to_tensor(np.array(_CAFFE_MEAN), dtype=x.dtype), broadcast)
    return ops.flip(x, axis=channel_axis) - mean


def _channel_axis(ndim: int, data_format: str) -> int:
    if data_format == "channels_last":
        return ndim - 1
    return 0 if ndim == 3 else 1


def decode_predictions(preds, top: int = 5) -> list:
    """Names the `top` classes of each row of an ImageNet prediction.

    The class index is Keras' `imagenet_class_index.json`, downloaded once into
    `$LAMINA_HOME/models/` (default `~/.lamina/models/`). Offline, put that file there (Keras'
    `~/.keras/models/` holds the same file), or set `imagenet_utils.CLASS_INDEX` to its
    parsed contents.

    Args:
        preds: array or tensor of shape (samples, 1000).
        top: how many classes per sample.

    Returns:
        One list per sample of `(class_name, class_description, score)` tuples, best first.

    Raises:
        ValueError: `preds` is not of shape (samples, 1000).
        OSError: the class index is not cached and cannot be downloaded (the message says
            where to put it).

    Example:
        >>> import numpy as np
        >>> from lamina.applications import imagenet_utils
        >>> imagenet_utils.CLASS_INDEX = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
        >>> wnid, label, score = decode_predictions(np.eye(1000)[[7]], top=2)[0][0]
        >>> wnid, label, float(score)
        ('n00000007', 'class_7', 1.0)
        >>> imagenet_utils.CLASS_INDEX = None
    """
    global CLASS_INDEX

    shape = tuple(preds.shape)
    if len(shape) != 2 or shape[1] != 1000:
        raise ValueError(f"`decode_predictions` expects a batch of predictions (i.e. a 2D array "
                         f"of shape (samples, 1000)). Received array with shape: {shape}")
    if CLASS_INDEX is None:
        path = fetch_keras_file("imagenet_class_index.json", CLASS_INDEX_PATH, CLASS_INDEX_HASH,
                                what="the ImageNet class index",
                                fix="or set `keras.applications.imagenet_utils.CLASS_INDEX` to "
                                    "the file's parsed JSON")
        with open(path) as fh:
            CLASS_INDEX = json.load(fh)
    results = []
    for row in ops.convert_to_numpy(preds):
        best = row.argsort()[-top:][::-1]
        result = [tuple(CLASS_INDEX[str(i)]) + (row[i],) for i in best]
        result.sort(key=lambda entry: entry[2], reverse=True)
        results.append(result)
    return results


def obtain_input_shape(input_shape, default_size: int, min_size: int, data_format: str,
                       require_flatten: bool, weights=None) -> tuple:
    """The input shape of an application model: validated, or the default for its weights.

    Args:
        input_shape: None, or the shape of one image (3 entries).
        default_size: the network's usual height and width (224).
        min_size: the smallest height and width it accepts.
        data_format: "channels_last" or "channels_first".
        require_flatten: whether the classifier needs a fixed shape (`include_top=True`).
        weights: "imagenet" requires 3 channels (and the default size with the classifier).

    Returns:
        A 3-tuple, None where a size may vary.

    Raises:
        ValueError: a shape the network or its weights cannot take.

    Example:
        >>> obtain_input_shape(None, 224, 32, "channels_last", require_flatten=False)
        (None, None, 3)
    """
    first = data_format == "channels_first"
    input_shape = tuple(input_shape) if input_shape is not None else None
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[0] if first else input_shape[-1]
        if channels not in (1, 3):
            warnings.warn(f"This model usually expects 1 or 3 input channels. However, it was "
                          f"passed an input_shape with {channels} input channels.", stacklevel=3)
        default_shape = ((channels, default_size, default_size) if first
                         else (default_size, default_size, channels))
    else:
        default_shape = (3, default_size, default_size) if first else (
            default_size, default_size, 3)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and input_shape != default_shape:
            raise ValueError(f"When setting `include_top=True` and loading `imagenet` weights, "
                             f"`input_shape` should be {default_shape}.  Received: "
                             f"input_shape={input_shape}")
        return default_shape
    if input_shape:
        if len(input_shape) != 3:
            raise ValueError(f"`input_shape` must be a tuple of three integers (height, width, "
                             f"channels). Received: input_shape={input_shape}")
        channels, spatial = ((input_shape[0], input_shape[1:]) if first
                             else (input_shape[-1], input_shape[:2]))
        if channels != 3 and weights == "imagenet":
            raise ValueError(f"The input must have 3 channels; Received "
                             f"`input_shape={input_shape}`")
        if any(size is not None and size < min_size for size in spatial):
            raise ValueError(f"Input size must be at least {min_size}x{min_size}; Received: "
                             f"input_shape={input_shape}")
    elif require_flatten:
        input_shape = default_shape
    else:
        input_shape = (3, None, None) if first else (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError(f"If `include_top` is True, you should specify a static "
                         f"`input_shape`. Received: input_shape={input_shape}")
    return input_shape


def correct_pad(inputs, kernel_size) -> tuple:
    """The zero padding before a strided 'valid' convolution that matches TensorFlow's 'same'.

    Example:
        >>> correct_pad(lamina.Input((96, 96, 3)), 3)
        ((0, 1), (0, 1))
    """
    first = backend.image_data_format() == "channels_first"
    size = tuple(inputs.shape[2:4] if first else inputs.shape[1:3])
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    correct = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1]))


def validate_activation(classifier_activation, weights) -> None:
    """Refuses a classifier activation other than softmax or None with pretrained weights.

    Raises:
        ValueError: `weights` is given and the activation is neither "softmax" nor None.
    """
    if weights is None:
        return
    activation = activations.get(classifier_activation)
    if activation not in (activations.get("softmax"), activations.get(None)):
        raise ValueError(f"Only `None` and `softmax` activations are allowed for the "
                         f"`classifier_activation` argument when using pretrained weights, "
                         f"with `include_top=True`; Received: "
                         f"classifier_activation={classifier_activation!r}")
