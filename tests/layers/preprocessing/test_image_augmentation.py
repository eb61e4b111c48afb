"""The image augmentation layers added for Keras 3.15 parity: seeded, fresh draws each call,
identity at inference (AutoContrast excepted, as in Keras), shapes and ranges kept, usable on
numpy batches, single images, Keras' {"images", "labels"} dicts and inside a fitted model.
Keras' numbers for the deterministic cases are in test_image_augmentation_reference.py."""
import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.testing import run_layer_test

RANGE_255 = {"value_range": (0, 255)}
RANDOM_LAYERS = [
    (layers.RandomBrightness, {"factor": 0.3, "seed": 1}),
    (layers.RandomGrayscale, {"factor": 0.5, "seed": 1}),
    (layers.RandomErasing, {"factor": 1.0, "seed": 1}),
    (layers.RandomHue, {"factor": 0.5, "seed": 1}),
    (layers.RandomSaturation, {"factor": (0.1, 0.5), "seed": 1}),
    (layers.RandomColorJitter, {"brightness_factor": 0.2, "contrast_factor": 0.3,
                                "saturation_factor": (0.2, 0.5), "hue_factor": 0.2, "seed": 1}),
    (layers.RandomSharpness, {"factor": 0.8, "seed": 1}),
    (layers.RandomShear, {"x_factor": 0.3, "y_factor": 0.3, "seed": 1}),
    (layers.RandomInvert, {"factor": 0.8, "seed": 1}),
    (layers.RandomPosterization, {"factor": (2, 7), "seed": 1}),
    (layers.Solarization, {"addition_factor": 0.2, "threshold_factor": 0.6, "seed": 1}),
    (layers.MixUp, {"alpha": 0.5, "seed": 1}),
    (layers.CutMix, {"seed": 1}),
    (layers.RandAugment, {"seed": 1}),
    (layers.RandomPerspective, {"scale": 0.6, "seed": 1}),
    (layers.RandomColorDegeneration, {"factor": 0.6, "seed": 1}),
]
IDS = [cls.__name__ for cls, _ in RANDOM_LAYERS]
# Layers whose outputs stay inside value_range (0, 255) for images inside it.
IN_RANGE = {"RandomBrightness", "RandomGrayscale", "RandomErasing", "RandomHue",
            "RandomSharpness", "RandomShear", "RandomInvert", "RandomPosterization",
            "Solarization", "MixUp", "CutMix", "RandomPerspective", "RandomColorDegeneration",
            "RandAugment"}


def _images(batch=8, height=8, width=9, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(batch, height, width, 3, generator=generator) * 255


@pytest.mark.parametrize("cls, config", RANDOM_LAYERS, ids=IDS)
def test_run_layer_test(cls, config):
    run_layer_test(cls, config, input_data=_images(4).numpy(), expected_output_shape=(4, 8, 9, 3),
                   expected_num_trainable_weights=0, training_differs=True)


@pytest.mark.parametrize("cls, config", RANDOM_LAYERS, ids=IDS)
def test_seeded_fresh_each_call_identity_in_inference(cls, config):
    images = _images()
    layer = cls(**config)
    assert torch.equal(layer(images, training=False), images)
    first, second = layer(images, training=True), layer(images, training=True)
    assert first.shape == images.shape and first.dtype == torch.float32
    assert not torch.equal(first, second)
    torch.testing.assert_close(cls(**config)(images, training=True), first)
    if cls.__name__ in IN_RANGE:
        assert float(first.min()) >= -1e-3 and float(first.max()) <= 255 + 1e-3


@pytest.mark.parametrize("cls, config", RANDOM_LAYERS, ids=IDS)
def test_numpy_batches_single_images_and_channels_first(cls, config):
    images = _images()
    layer = cls(**config)
    from_numpy = layer(images.numpy())
    assert isinstance(from_numpy, torch.Tensor) and tuple(from_numpy.shape) == (8, 8, 9, 3)
    assert tuple(layer(images[0].numpy()).shape) == (8, 9, 3)
    first = cls(**config, data_format="channels_first")
    assert tuple(first(images.permute(0, 3, 1, 2), training=True).shape) == (8, 3, 8, 9)


@pytest.mark.parametrize("cls, config", RANDOM_LAYERS, ids=IDS)
def test_config_round_trips(cls, config):
    layer = cls(**config)
    again = cls.from_config(layer.get_config())
    assert again.get_config() == {**layer.get_config(), "name": again.name}
    if "seed" in layer.get_config():  # Keras' RandomGrayscale config leaves the seed out
        images = _images()
        torch.testing.assert_close(again(images), cls(**config)(images))


def test_augmentations_run_in_fit_and_pass_through_in_predict():
    lamina.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    images = (rng.random((32, 8, 8, 3)) * 255).astype("float32")
    labels = rng.integers(0, 2, 32)
    augment = [cls(**config) for cls, config in RANDOM_LAYERS] + [
        layers.AutoContrast(), layers.Equalization()]
    model = lamina.Sequential([lamina.Input((8, 8, 3)), *augment,
                               layers.Rescaling(1 / 255.0), layers.Flatten(),
                               layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    history = model.fit(images, labels, epochs=2, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    inference = lamina.Sequential([lamina.Input((8, 8, 3)),
                                   *[cls(**config) for cls, config in RANDOM_LAYERS],
                                   layers.Equalization()])
    np.testing.assert_array_equal(inference.predict(images, verbose=0), images)


def test_auto_contrast_applies_in_inference_and_equalization_does_not():
    images = _images() * 0.5 + 20
    model = lamina.Sequential([lamina.Input((8, 9, 3)), layers.AutoContrast()])
    out = model.predict(images.numpy(), verbose=0)
    np.testing.assert_allclose(out.min(axis=(1, 2)), 0.0, atol=1e-3)
    np.testing.assert_allclose(out.max(axis=(1, 2)), 255.0, atol=1e-3)
    assert torch.equal(layers.Equalization()(images, training=False), images)


def test_mix_up_mixes_images_and_labels_with_the_same_weights():
    images = torch.arange(6.0).reshape(6, 1, 1, 1).expand(6, 4, 4, 3).contiguous()
    labels = torch.eye(6)
    out = layers.MixUp(alpha=1.0, seed=3)({"images": images, "labels": labels})
    mixed_labels = out["labels"]
    torch.testing.assert_close(mixed_labels.sum(dim=1), torch.ones(6))
    # Each image is sum_k label_k * k: the labels hold the weights the images were mixed with.
    expected = (mixed_labels * torch.arange(6.0)).sum(dim=1)
    torch.testing.assert_close(out["images"][:, 0, 0, 0], expected)
    assert torch.equal(layers.MixUp()({"images": images, "labels": labels},
                                      training=False)["labels"], labels)


def test_cut_mix_pastes_a_box_and_weights_labels_by_area():
    images = torch.arange(4.0).reshape(4, 1, 1, 1).expand(4, 16, 16, 1).contiguous()
    labels = torch.eye(4)
    layer = layers.CutMix(seed=5)
    for _ in range(5):
        out = layer({"images": images, "labels": labels})
        for image, label in zip(out["images"], out["labels"]):
            values, counts = torch.unique(image, return_counts=True)
            area = dict(zip(values.tolist(), (counts.float() / image.numel()).tolist()))
            # The label weight of each source image is the (continuous) box fraction, close to
            # the fraction of pixels it covers.
            for value, fraction in area.items():
                assert abs(float(label[int(value)]) - fraction) < 0.2
            assert float(label.sum()) == pytest.approx(1.0)
    single = images[0]
    assert torch.equal(layer(single), single)


def test_random_erasing_fills_one_box_with_the_value():
    images = torch.full((6, 10, 10, 3), 50.0)
    out = layers.RandomErasing(factor=(1.0, 1.0), scale=(0.2, 0.3), fill_value=(1.0, 2.0, 3.0),
                               seed=0)(images)
    for image in out:
        erased = (image != 50.0).all(dim=-1)
        assert erased.any()
        rows, cols = erased.any(dim=1).nonzero(), erased.any(dim=0).nonzero()
        assert bool(erased[rows.min():rows.max() + 1, cols.min():cols.max() + 1].all())
        assert image[erased].tolist()[0] == [1.0, 2.0, 3.0]
    noise = layers.RandomErasing(factor=(1.0, 1.0), seed=0)(images)
    assert float(noise.min()) >= 0 and float(noise.max()) <= 255


def test_grayscale_and_invert_probabilities():
    images = _images(400, 2, 2)
    gray = layers.RandomGrayscale(factor=0.5, seed=0)(images)
    is_gray = (gray[..., 0] == gray[..., 1]).flatten(1).all(1)
    assert 150 < int(is_gray.sum()) < 250
    assert torch.equal(layers.RandomGrayscale(factor=0.0)(images), images)
    assert torch.equal(layers.RandomInvert(factor=(0.0, 0.0))(images), images)


def test_rand_augment_with_no_operations_is_identity_and_picks_vary():
    images = _images()
    assert torch.equal(layers.RandAugment(num_ops=0)(images), images)
    layer = layers.RandAugment(num_ops=1, seed=2)
    outputs = [layer(images) for _ in range(6)]
    assert len({round(float(o.sum()), 2) for o in outputs}) > 1


def test_perspective_of_zero_scale_and_shear_of_zero_keep_the_image():
    images = _images()
    torch.testing.assert_close(layers.RandomPerspective(scale=0.0)(images), images,
                               rtol=0, atol=1e-3)
    torch.testing.assert_close(layers.RandomShear()(images), images, rtol=0, atol=1e-3)


def test_random_shear_config_of_keras_loads_again():
    # Keras refuses its own (-f, f) config when loading; lamina reads it.
    config = layers.RandomShear(x_factor=0.3).get_config()
    assert config["x_factor"] == (-0.3, 0.3)
    assert layers.RandomShear.from_config(config).x_factor == (-0.3, 0.3)


@pytest.mark.parametrize("make, message", [
    (lambda: layers.RandomBrightness(1.5), r"The `factor` argument should be a number .* "
                                           r"\[-1, 1\]\. Received: factor=1.5"),
    (lambda: layers.RandomBrightness(0.1, value_range=5),
     r"`value_range` argument should be a list of two numbers. Received: value_range=5"),
    (lambda: layers.RandomGrayscale(1.5), r"`factor` should be between 0 and 1"),
    (lambda: layers.Solarization(threshold_factor=2.0), r"in the range \[0, 1\]"),
    (lambda: layers.RandomShear(x_factor=1.5), r"in the range \[0, 1.0\]"),
    (lambda: layers.RandomPerspective(scale=2.0), r"`scale` argument should be a number in the "
                                                  r"range \[0,1\]"),
    (lambda: layers.RandomErasing(fill_value="red"), r"`fill_value` argument should be"),
    (lambda: layers.RandomPosterization(9), r"in the range \[1, 8\]"),
])
def test_arguments_are_checked_with_keras_messages(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_unsupported_dict_keys_are_refused_with_the_keys_named():
    with pytest.raises(NotImplementedError, match="segmentation_masks"):
        layers.MixUp()({"images": _images(), "segmentation_masks": _images()})


def test_pipeline_chains_layers_on_dicts_and_round_trips():
    images, labels = _images(), torch.eye(8)
    pipeline = layers.Pipeline([layers.RandomFlip(seed=1), layers.MixUp(seed=1)])
    out = pipeline({"images": images, "labels": labels})
    assert out["images"].shape == images.shape and out["labels"].shape == labels.shape
    assert not torch.equal(out["labels"], labels)
    inference = pipeline({"images": images, "labels": labels}, training=False)
    assert torch.equal(inference["images"], images)
    again = layers.Pipeline.from_config(pipeline.get_config())
    assert [type(layer).__name__ for layer in again.layers] == ["RandomFlip", "MixUp"]


def test_model_with_augmentations_saves_and_loads(tmp_path):
    model = lamina.Sequential([
        lamina.Input((8, 8, 3)), layers.RandAugment(seed=1),
        layers.RandomColorJitter(brightness_factor=0.2, hue_factor=0.1, seed=2),
        layers.Pipeline([layers.RandomFlip(seed=3), layers.AutoContrast()]),
        layers.MixUp(seed=4), layers.Equalization(), layers.Flatten(), layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    images = _images(8, 8, 8).numpy()
    model.fit(images, np.zeros((8, 2)), verbose=0)
    model.save(tmp_path / "augmented.keras")
    again = lamina.saving.load_model(tmp_path / "augmented.keras")
    assert [type(layer).__name__ for layer in again.layers] == [
        "RandAugment", "RandomColorJitter", "Pipeline", "MixUp", "Equalization", "Flatten",
        "Dense"]
    np.testing.assert_allclose(again.predict(images, verbose=0), model.predict(images, verbose=0),
                               rtol=1e-5, atol=1e-4)
