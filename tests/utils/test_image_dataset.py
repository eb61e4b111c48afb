"""image_dataset_from_directory against real Keras 3 (tests/fixtures/utils), and training from it."""
import os

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

import lamina as keras
from lamina import layers
from lamina.utils import indexed_dataset

IMAGE_CASES = ["rgb_bilinear", "gray_nearest", "rgba_crop", "rgb_pad", "categorical",
               "binary_two_classes", "no_labels", "manual_labels"]


def relative(paths, root):
    return [os.path.relpath(path, root) for path in paths]


def load(root, **kwargs):
    return keras.utils.image_dataset_from_directory(root, verbose=False, **kwargs)


@pytest.mark.parametrize("name", IMAGE_CASES)
def test_images_labels_and_files_match_keras(name, keras_reference, reference_image_folder):
    arrays, cases, _ = keras_reference
    kwargs = dict(cases[name]["kwargs"])
    ds = load(reference_image_folder, shuffle=False, batch_size=32, **kwargs)
    element = next(iter(ds))
    images, labels = element if isinstance(element, tuple) else (element, None)
    assert images.dtype == torch.float32
    # Keras resized with JAX; the same half-pixel bilinear/nearest in float32 differs by rounding.
    np.testing.assert_allclose(images.numpy(), arrays[f"{name}/images"], rtol=0, atol=1e-3)
    assert relative(ds.file_paths, reference_image_folder) == arrays[f"{name}/file_paths"].tolist()
    assert (ds.class_names or []) == arrays[f"{name}/class_names"].tolist()
    if labels is None:
        assert f"{name}/labels" not in arrays
    else:
        expected = arrays[f"{name}/labels"]
        assert labels.numpy().dtype == expected.dtype and labels.numpy().tolist() == expected.tolist()


@pytest.mark.parametrize("name", ["shuffled_seed42", "train_split", "val_split"])
def test_shuffled_file_order_and_subsets_match_keras(name, keras_reference, reference_image_folder):
    arrays, cases, _ = keras_reference
    ds = load(reference_image_folder, image_size=(2, 2), **cases[name]["kwargs"])
    assert relative(ds.file_paths, reference_image_folder) == arrays[f"{name}/file_paths"].tolist()


def test_subsets_are_disjoint_cover_the_folder_and_repeat_for_a_seed(reference_image_folder):
    train, val = load(reference_image_folder, image_size=(2, 2), validation_split=0.3,
                      subset="both", seed=7)
    assert not set(train.file_paths) & set(val.file_paths)
    assert len(train.file_paths) + len(val.file_paths) == 10
    again = load(reference_image_folder, image_size=(2, 2), validation_split=0.3,
                 subset="validation", seed=7)
    other = load(reference_image_folder, image_size=(2, 2), validation_split=0.3,
                 subset="validation", seed=8)
    assert again.file_paths == val.file_paths and other.file_paths != val.file_paths


def test_prints_what_keras_prints(reference_image_folder, capsys):
    keras.utils.image_dataset_from_directory(reference_image_folder, image_size=(2, 2),
                                             validation_split=0.3, subset="both", seed=7)
    assert capsys.readouterr().out == ("Found 10 files belonging to 3 classes.\n"
                                       "Using 7 files for training.\n"
                                       "Using 3 files for validation.\n")
    keras.utils.image_dataset_from_directory(reference_image_folder, labels=None, image_size=(2, 2))
    assert capsys.readouterr().out == "Found 11 files.\n"  # without classes, .hidden/ counts too


def test_each_pass_reshuffles_through_the_buffer_and_a_seed_repeats_it(reference_image_folder):
    def label_order(ds):
        return [labels.tolist() for _, labels in ds]

    ds = load(reference_image_folder, image_size=(2, 2), batch_size=1, seed=3)
    passes = [label_order(ds) for _ in range(4)]
    assert all(sorted(order) == sorted(passes[0]) for order in passes)
    assert len({str(order) for order in passes}) > 1
    assert label_order(load(reference_image_folder, image_size=(2, 2), batch_size=1, seed=3)) == passes[0]
    unshuffled = load(reference_image_folder, image_size=(2, 2), batch_size=1, shuffle=False)
    assert label_order(unshuffled) == label_order(unshuffled)


def test_images_with_their_labels_stay_together_when_shuffled(keras_reference, reference_image_folder):
    arrays, _, _ = keras_reference
    expected = dict(zip(arrays["rgb_bilinear/file_paths"].tolist(), arrays["rgb_bilinear/images"]))
    ds = load(reference_image_folder, image_size=(5, 4), batch_size=3, seed=1)
    seen = []
    for images, labels in ds:
        for image, label in zip(images, labels):
            matches = [path for path, pixels in expected.items()
                       if np.allclose(pixels, image.numpy(), atol=1e-3)]
            assert len(matches) == 1
            assert ds.class_names[int(label)] == matches[0].split(os.sep)[0]
            seen += matches
    assert sorted(seen) == sorted(expected)


# Small batches come back from the workers pickled, large ones (> 512 KiB) in shared memory.
@pytest.mark.parametrize("image_size", [(5, 4), (256, 256)])
def test_worker_processes_give_the_same_batches_as_the_calling_process(image_size, reference_image_folder,
                                                                      monkeypatch):
    in_process = load(reference_image_folder, image_size=image_size, batch_size=2, shuffle=False)
    in_process.workers = 0
    monkeypatch.setattr(indexed_dataset, "WORKERS_PAY_OFF_SECONDS", 0.0)
    in_workers = load(reference_image_folder, image_size=image_size, batch_size=2, shuffle=False)
    in_workers.workers = 2
    spawned = []
    monkeypatch.setattr(indexed_dataset, "DataLoader",
                        lambda *args, **kwargs: spawned.append(kwargs["num_workers"]) or DataLoader(*args, **kwargs))
    for (x0, y0), (x1, y1) in zip(in_process, in_workers, strict=True):
        assert torch.equal(x0, x1) and torch.equal(y0, y1)
    assert spawned == [2]


def test_unbatched_and_channels_first(reference_image_folder):
    single = load(reference_image_folder, image_size=(3, 5), batch_size=None, shuffle=False)
    image, label = next(iter(single))
    assert tuple(image.shape) == (3, 5, 3) and label.ndim == 0 and len(single) == 10
    first = load(reference_image_folder, image_size=(3, 5), data_format="channels_first",
                 color_mode="grayscale", shuffle=False)
    assert tuple(next(iter(first))[0].shape) == (10, 1, 3, 5)


def test_a_broken_file_is_named_in_the_error(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "broken.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match=r"Cannot decode the image file '.*broken.png' \(cannot identify "
                                         r"image file .*\). Remove or replace that file"):
        next(iter(load(tmp_path, image_size=(2, 2))))


@pytest.mark.parametrize("kwargs, error, message", [
    ({"label_mode": "binary"}, ValueError,
     (r'When passing `label_mode="binary"`, there must be exactly 2 class_names. Received: '
      r"class_names=\['birds', 'cats', 'dogs'\]")),
    ({"label_mode": "sparse"}, ValueError, r"`label_mode` argument must be one of .* Received: label_mode=sparse"),
    ({"color_mode": "bgr"}, ValueError, r"`color_mode` must be one of .* Received: color_mode=bgr"),
    ({"image_size": (2, 2, 3)}, ValueError, r"Invalid `image_size` value. Expected a tuple of 2 integers"),
    ({"interpolation": "gaussian"}, ValueError,
     r"interpolation='gaussian' is a TensorFlow-only kernel; lamina has \('bilinear', 'nearest', 'bicubic', 'area', "
     r"'lanczos3', 'lanczos5'\)"),
    ({"interpolation": "cubic"}, ValueError, r"Argument `interpolation` should be one of"),
    ({"validation_split": 0.2}, ValueError, r"If `subset` is set, `validation_split` must be set"),
    ({"validation_split": 0.2, "subset": "training"}, ValueError, r"you must provide a `seed` argument"),
    ({"validation_split": 1.5, "subset": "training", "seed": 1}, ValueError,
     r"`validation_split` must be between 0 and 1, received: 1.5"),
    ({"validation_split": 0.2, "subset": "test", "seed": 1}, ValueError, r'`subset` must be either "training"'),
    ({"validation_split": 0.05, "subset": "validation", "seed": 1}, ValueError,
     r"No validation images found .*\(validation_split=0.05 of 10 files leaves this subset empty"),
    ({"class_names": ["cats", "horses"]}, ValueError, r"The `class_names` passed did not match"),
    ({"labels": [0, 1]}, ValueError, r"len\(labels\) is 2 while we found 11 files"),
    ({"labels": "folders"}, ValueError, r"`labels` argument should be a list/tuple of integer labels"),
    ({"labels": [0] * 11, "class_names": ["cats"]}, ValueError, r"You can only pass `class_names` if"),
    ({"labels": None, "class_names": ["cats"]}, ValueError,
     r"When `labels=None` \(no labels\), argument `class_names` cannot be specified."),
    ({"crop_to_aspect_ratio": True, "pad_to_aspect_ratio": True}, ValueError,
     r"Only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio` can be set"),
    ({"format": "torch"}, ValueError, r'`format` should be either "tf" or "grain". Received: format=torch'),
])
def test_bad_arguments_are_refused_with_keras_messages(kwargs, error, message, reference_image_folder):
    with pytest.raises(error, match=message):
        load(reference_image_folder, **kwargs)


def test_a_missing_or_empty_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"Argument `directory` must be an existing folder, "
                                                r"but '.*nowhere' does not exist"):
        load(tmp_path / "nowhere")
    (tmp_path / "empty_class").mkdir()
    with pytest.raises(ValueError, match=r"No images found in directory .* Allowed formats: "
                                         r"\('.bmp', '.gif', '.jpeg', '.jpg', '.png'\)"):
        load(tmp_path)


def test_preprocessing_namespace_has_the_same_functions():
    assert keras.preprocessing.image_dataset_from_directory is keras.utils.image_dataset_from_directory
    assert keras.preprocessing.text_dataset_from_directory is keras.utils.text_dataset_from_directory
    assert keras.preprocessing.timeseries_dataset_from_array is keras.utils.timeseries_dataset_from_array


def _write_class_folders(root, images, labels, names):
    for name in names:
        (root / name).mkdir()
    for index, (image, label) in enumerate(zip(images, labels)):
        keras.utils.save_img(root / names[label] / f"{index:05d}.png", image[..., None], scale=False)


def test_a_classifier_trains_from_a_folder_of_fashion_mnist_pngs(tmp_path, real_data):
    (x_train, y_train), _ = real_data("fashion_mnist")
    keep = np.isin(y_train[:4000], [0, 1, 7])  # T-shirt, trouser, sneaker: 1200 images or so
    names = ["tshirt", "trouser", "sneaker"]
    relabel = {0: 0, 1: 1, 7: 2}
    folder = tmp_path / "fashion"
    folder.mkdir()
    _write_class_folders(folder, x_train[:4000][keep], [relabel[int(v)] for v in y_train[:4000][keep]],
                         names)
    count = int(keep.sum())
    train_ds, val_ds = keras.utils.image_dataset_from_directory(
        folder, validation_split=0.2, subset="both", seed=123, color_mode="grayscale",
        image_size=(28, 28), batch_size=64)
    assert train_ds.class_names == sorted(names)
    assert len(train_ds.file_paths) + len(val_ds.file_paths) == count
    assert not set(train_ds.file_paths) & set(val_ds.file_paths)
    again = keras.utils.image_dataset_from_directory(folder, validation_split=0.2, subset="validation",
                                                     seed=123, color_mode="grayscale", image_size=(28, 28))
    assert again.file_paths == val_ds.file_paths
    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(32, activation="relu"),
                              layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    def scale(images, labels):
        return images / 255.0, labels

    history = model.fit(train_ds.map(scale).cache().prefetch(-1), validation_data=val_ds.map(scale),
                        epochs=2, verbose=0)
    assert history.history["val_accuracy"][-1] > 0.85
    _, accuracy = model.evaluate(val_ds.map(scale), verbose=0)
    assert accuracy == pytest.approx(history.history["val_accuracy"][-1], abs=1e-6)


def test_fit_with_validation_data_from_a_generated_folder(tmp_path):
    rng = np.random.default_rng(0)
    labels = np.arange(90) % 3
    images = (labels[:, None, None] * 100 + rng.integers(0, 40, (90, 8, 8))).astype("uint8")
    _write_class_folders(tmp_path, images, labels, ["dark", "light", "mid"])
    train_ds = load(tmp_path, validation_split=0.2, subset="training", seed=5, color_mode="grayscale",
                    image_size=(8, 8), batch_size=16)
    val_ds = load(tmp_path, validation_split=0.2, subset="validation", seed=5, color_mode="grayscale",
                  image_size=(8, 8), batch_size=16)
    model = keras.Sequential([keras.Input((8, 8, 1)), layers.Flatten(), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(train_ds, validation_data=val_ds, epochs=1, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert np.isfinite(history.history["val_loss"][0])
    predictions = model.predict(val_ds.map(lambda x, y: x), verbose=0)
    assert predictions.shape == (18, 3)
