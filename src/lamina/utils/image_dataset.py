"""`image_dataset_from_directory`: a labelled image dataset from a folder of class sub-folders.

Files are listed and split exactly as Keras does (the same seed gives the same files in the
same order and the same validation subset); Pillow decodes them, in `torch.utils.data` worker
processes when a pass is long enough to pay for them, and the images are resized as Keras on
PyTorch resizes them.

Example:
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("cat", "dog"):
    ...     (root / name).mkdir()
    ...     keras.utils.save_img(root / name / "0.png", np.zeros((8, 8, 3)), scale=False)
    >>> ds = image_dataset_from_directory(root, image_size=(4, 4), batch_size=2)
    Found 2 files belonging to 2 classes.
    >>> images, labels = next(iter(ds))
    >>> tuple(images.shape), images.dtype, ds.class_names
    ((2, 4, 4, 3), torch.float32, ['cat', 'dog'])
"""
from __future__ import annotations

import io

import numpy as np
import torch

from lamina.utils import dataset_utils
from lamina.utils.image_utils import convert_color_mode, pil_image
from lamina.utils.indexed_dataset import IndexedDataset, default_workers

__all__ = ["ALLOWLIST_FORMATS", "image_dataset_from_directory"]

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_CHANNELS = {"grayscale": 1, "rgb": 3, "rgba": 4}


def image_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None,
                                 color_mode="rgb", batch_size=32, image_size=(256, 256), shuffle=True,
                                 seed=None, validation_split=None, subset=None,
                                 interpolation="bilinear", follow_links=False,
                                 crop_to_aspect_ratio=False, pad_to_aspect_ratio=False,
                                 data_format=None, format="tf", verbose=True):
    """Generates a dataset of image batches from the files in `directory`.

    With `labels="inferred"`, each sub-folder of `directory` is a class (in sorted order, or
    in the order of `class_names`) and its images (`.bmp`, `.gif`, `.jpeg`, `.jpg`, `.png`,
    searched recursively; animated GIFs give their first frame) get its index as label.

    Args:
        directory: the folder of images (of class sub-folders with `labels="inferred"`).
        labels: "inferred", None (no labels), or a list/tuple of integer labels, one per image
            file in sorted path order.
        label_mode: "int" (int32 `(batch,)`), "categorical" (float32 one-hot
            `(batch, num_classes)`), "binary" (float32 `(batch, 1)`, exactly 2 classes) or None.
        class_names: the sub-folders to use as classes, in this order (with "inferred").
        color_mode: "grayscale", "rgb" or "rgba": 1, 3 or 4 channels.
        batch_size: images per batch (None: single images).
        image_size: `(height, width)` every image is resized to.
        shuffle: shuffle the files (each pass reshuffles through a buffer of 8 batches);
            False keeps them in sorted order.
        seed: the shuffle seed; required with `validation_split` and `shuffle`.
        validation_split: the fraction of files held out for validation.
        subset: "training", "validation" or "both" (then returns `(train_ds, val_ds)`).
        interpolation: "bilinear", "nearest", "bicubic" or "area".
        follow_links: walk into sub-folders that are symbolic links.
        crop_to_aspect_ratio: crop the centre to the target aspect ratio before resizing.
        pad_to_aspect_ratio: zero-pad to the target aspect ratio before resizing.
        data_format: "channels_last" (default) or "channels_first".
        format: "tf" or "grain", Keras' choice of return type; both give a lamina `Dataset`.
        verbose: print how many files and classes were found.

    Returns:
        A `Dataset` yielding `(images, labels)` (or `images` without labels), images as
        float32 tensors in 0..255, with `class_names` and `file_paths` attributes; a tuple of
        two such datasets for `subset="both"`.
    """
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(
                "`labels` argument should be a list/tuple of integer labels, of the same size as "
                "the number of image files in the target directory. If you wish to infer the labels "
                'from the subdirectory names in the target directory, pass `labels="inferred"`. If '
                "you wish to get a dataset that only contains images (no labels), pass "
                f"`labels=None`. Received: labels={labels}")
        if class_names:
            raise ValueError(f'You can only pass `class_names` if `labels="inferred"`. Received: '
                             f"labels={labels}, and class_names={class_names}")
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError('`label_mode` argument must be one of "int", "categorical", "binary", or '
                         f"None. Received: label_mode={label_mode}")
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    if color_mode not in _CHANNELS:
        raise ValueError('`color_mode` must be one of {"rgb", "rgba", "grayscale"}. Received: '
                         f"color_mode={color_mode}")
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    elif not isinstance(image_size, (list, tuple)) or len(image_size) != 2:
        raise ValueError(f"Invalid `image_size` value. Expected a tuple of 2 integers. Received: "
                         f"image_size={image_size}")
    interpolation = _image_ops().resize_interpolation(interpolation)
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio` can be set to "
                         "`True`.")
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` should be either "tf" or "grain". Received: format={format}')
    if data_format not in (None, "channels_last", "channels_first"):
        raise ValueError('Argument `data_format` must be "channels_last" or "channels_first". '
                         f"Received: data_format={data_format!r}")
    dataset_utils.check_validation_split_arg(validation_split, subset, shuffle, seed)
    pil_image()  # fail here, not in a worker, when Pillow is missing

    if seed is None:
        seed = np.random.randint(1e6)
    image_paths, labels, class_names = dataset_utils.index_directory(
        directory, labels, formats=ALLOWLIST_FORMATS, class_names=class_names, shuffle=shuffle,
        seed=seed, follow_links=follow_links, verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError('When passing `label_mode="binary"`, there must be exactly 2 class_names. '
                         f"Received: class_names={class_names}")
    loader = _ImageLoader(image_size=tuple(int(side) for side in image_size),
                          color_mode=color_mode, interpolation=interpolation,
                          crop_to_aspect_ratio=crop_to_aspect_ratio,
                          pad_to_aspect_ratio=pad_to_aspect_ratio,
                          channels_first=data_format == "channels_first")

    def build(subset_name, shuffle_files):
        paths, subset_labels = dataset_utils.get_training_or_validation_split(
            image_paths, labels, validation_split, subset_name)
        if not paths:
            raise ValueError(f"No {f'{subset_name} ' if subset_name else ''}images found in directory "
                             f"{directory}. Allowed formats: {ALLOWLIST_FORMATS}"
                             + dataset_utils.empty_subset_hint(validation_split, len(image_paths)))
        encoded = None if label_mode is None else dataset_utils.encode_labels(
            subset_labels, label_mode, len(class_names))
        dataset = IndexedDataset(len(paths), _ImageBatch(paths, loader), batch_size, labels=encoded,
                                 shuffle=shuffle_files, seed=seed, workers=default_workers())
        dataset.class_names = class_names
        dataset.file_paths = paths
        return dataset

    if subset == "both":
        return build("training", shuffle), build("validation", False)
    return build(subset, shuffle)


class _ImageLoader:
    """Decodes image files with Pillow and resizes them (in DataLoader workers on long passes)."""

    def __init__(self, image_size, color_mode, interpolation, crop_to_aspect_ratio,
                 pad_to_aspect_ratio, channels_first):
        self.image_size = image_size
        self.color_mode = color_mode
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.channels_first = channels_first

    def load_batch(self, paths) -> torch.Tensor:
        height, width = self.image_size
        batch = np.empty((len(paths), height, width, _CHANNELS[self.color_mode]), dtype=np.float32)
        for row, path in enumerate(paths):
            batch[row] = self.load(path)
        images = torch.from_numpy(batch)
        return images.permute(0, 3, 1, 2).contiguous() if self.channels_first else images

    def load(self, path) -> np.ndarray:
        with open(path, "rb") as file:  # one read, then decoding from memory: fewer system calls
            data = io.BytesIO(file.read())
        try:
            with pil_image().open(data) as img:
                pixels = np.asarray(convert_color_mode(img, self.color_mode), dtype=np.float32)
        except OSError as error:  # Pillow's UnidentifiedImageError and truncated-file errors
            raise ValueError(f"Cannot decode the image file {path!r} ({error}). Remove or replace "
                             f"that file, then build the dataset again.") from error
        if pixels.ndim == 2:
            pixels = pixels[..., None]
        if pixels.shape[:2] == self.image_size and not (self.crop_to_aspect_ratio or self.pad_to_aspect_ratio):
            return pixels
        resized = _image_ops().resize(torch.from_numpy(pixels), self.image_size, self.interpolation,
                                      crop_to_aspect_ratio=self.crop_to_aspect_ratio,
                                      pad_to_aspect_ratio=self.pad_to_aspect_ratio,
                                      data_format="channels_last")
        return resized.numpy()


class _ImageBatch:
    """`fetch` for IndexedDataset: the images at some sample indices."""

    def __init__(self, paths, loader: _ImageLoader):
        self.paths = paths
        self.loader = loader

    def __call__(self, indices) -> torch.Tensor:
        return self.loader.load_batch([self.paths[index] for index in indices])


def _image_ops():
    """`lamina.ops.image`, imported at first use: it imports lamina.utils itself."""
    from lamina.ops import image

    return image
